"""What a guard says when it refuses: a stable code and the values its words need, rendered per language.

A guard returns `Refusal(code, **values)`. The words live in the workflow YAML (`guards:` → guard →
code → {zh, en}) with named placeholders; `render_refusal` fills them in the reader's language:
parties by name, ladder levels, risk levels and categories by their policy labels, dates as China
dates. `refuses(...)` declares, beside a guard, the codes it may return, the placeholders each
fills and whether it reads the trigger's data (a guard that does not can be judged before a form
is filled in).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from string import Formatter
from typing import Any

from mediation.workflows.definition import WorkflowDefinition

PARTY_LISTS = frozenset({"parties", "party_ids"})
PARTY_ONE = frozenset({"party", "party_id"})
SEPARATORS = {"zh": "、", "en": ", "}


class Refusal:
    """A guard's refusal: its stable `code` and the raw `values` (ids, codes, numbers) its words name."""

    __slots__ = ("code", "values")

    def __init__(self, code: str, **values: Any) -> None:
        self.code, self.values = code, values

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Refusal) and (self.code, self.values) == (other.code, other.values)

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"Refusal({self.code!r}, **{self.values!r})"


def refuses(*, reads_data: bool = False, **codes: tuple[str, ...]) -> Callable[[Any], Any]:
    """Declare on a guard the codes it may refuse with, the placeholders of each, whether it reads the data."""

    def declare(function: Any) -> Any:
        function.refusal_codes, function.reads_data = dict(codes), reads_data
        return function

    return declare


def refusal_words(definition: WorkflowDefinition) -> dict[str, dict[str, dict[str, str]]]:
    """guard → code → {zh, en}, as the workflow YAML gives them."""
    words = (definition.source.get("workflow") or {}).get("guards") or {}
    return words if isinstance(words, dict) else {}


def placeholders(text: str) -> set[str]:
    """The named placeholders of a text: `{parties}` → parties."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def render_refusal(definition: WorkflowDefinition, guard: str, refusal: Refusal, lang: str,
                   party_names: dict[int, str], *, fallback: WorkflowDefinition | None = None) -> str:
    """The refusal in `lang` (zh or en), from the words of `definition` (or `fallback`, for a version
    stored before its guards had words)."""
    texts = _texts(definition, guard, refusal.code) or (fallback and _texts(fallback, guard, refusal.code)) or {}
    text = texts.get(lang) or texts.get("en") or refusal.code
    values = {name: _shown(definition, name, value, lang, party_names) for name, value in refusal.values.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def _texts(definition: WorkflowDefinition, guard: str, code: str) -> dict[str, str] | None:
    found = (refusal_words(definition).get(guard) or {}).get(code)
    return found if isinstance(found, dict) else None


def _shown(definition: WorkflowDefinition, name: str, value: Any, lang: str, party_names: dict[int, str]) -> str:
    """One placeholder's value as a reader reads it."""
    policy = definition.policy
    if name in PARTY_LISTS:
        return SEPARATORS[lang].join(_party(p, party_names, lang) for p in value)
    if name in PARTY_ONE:
        return _party(value, party_names, lang)
    if name == "level":
        step = next((s for s in policy.get("escalation_ladder") or () if s.get("level") == value), {})
        return _label(step.get("labels"), value, lang)
    if name in ("risk", "new_risk"):
        return _label((policy.get("risk_levels") or {}).get(value), value, lang)
    if name == "channel":
        return _label((policy.get("channels") or {}).get(value), value, lang)
    if name in ("category", "subjects", "missing"):
        table = policy.get("closure_items" if name == "missing" else "categories") or {}
        values = value if isinstance(value, list) else [value]
        return SEPARATORS[lang].join(_label(table.get(v), v, lang) for v in values)
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日" if lang == "zh" else value.isoformat()
    return str(value)


def _party(party_id: Any, party_names: dict[int, str], lang: str) -> str:
    name = party_names.get(party_id)
    if name:
        return name
    return "一名当事人" if lang == "zh" else "a party"  # never an id where a person reads it


def _label(labels: Any, code: Any, lang: str) -> str:
    if isinstance(labels, dict):
        return labels.get(lang) or labels.get("zh") or str(code)
    return str(code)

