"""Triggers the engine fires itself, which no workflow file declares (old stored versions lack them too)."""

MIGRATE = "migrate"  # `workflows migrate` moving a case onto another version of its workflow

ENGINE_TRIGGER_LABELS: dict[str, dict[str, str]] = {
    MIGRATE: {"zh": "迁移到新版本", "en": "Moved to a new workflow version"},
}
