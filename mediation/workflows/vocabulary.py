"""The words a person types for a workflow's codes: channel, category and risk level.

Each code is taken as itself, as any of its labels (`来访`, `Walk-in`) and as any of its `aliases`
(`网格排查`), all from the definition's policy; full-width forms, spacing and letter case aside.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from mediation.errors import InvalidData
from mediation.workflows.definition import WorkflowDefinition

POLICY_KEYS = {"channel": "channels", "category": "categories", "risk_level": "risk_levels"}


@dataclass(frozen=True)
class Vocabulary:
    """One field's codes, with their labels, and every word that names one."""

    field: str
    labels: dict[str, dict[str, Any]]  # code -> labels, in the definition's order
    words: dict[str, str]  # word as compared -> code

    def code_of(self, text: str) -> str:
        """The code `text` names; InvalidData naming the field and the choices when it names none."""
        code = self.words.get(_compared(text))
        if code is None:
            choices = ", ".join(f"{labels.get('zh') or code} ({code})" for code, labels in self.labels.items())
            raise InvalidData(self.field, f"'{text.strip()}' is not one of: {choices}")
        return code


def vocabularies(definition: WorkflowDefinition) -> dict[str, Vocabulary]:
    """The vocabulary of channel, category and risk level (the risk overlay's levels, labelled in policy)."""
    found = {}
    for field, key in POLICY_KEYS.items():
        labelled = definition.policy.get(key) or {}
        codes = definition.risk_levels if field == "risk_level" else tuple(labelled)
        labels = {code: dict(labelled.get(code) or {}) for code in codes}
        words = {_compared(word): code for code in codes for word in (code, *_words(labels[code]))}
        found[field] = Vocabulary(field, labels, words)
    return found


def _words(labels: dict[str, Any]) -> list[str]:
    """A code's labels in every language, and its aliases."""
    return [word for value in labels.values()
            for word in (value if isinstance(value, list) else [value]) if isinstance(word, str)]


def _compared(word: str) -> str:
    """A word as compared: full-width forms folded, spacing and letter case ignored."""
    return " ".join(unicodedata.normalize("NFKC", word).split()).casefold()
