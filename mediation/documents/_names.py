"""How stored values print: usernames, unit codes, party ids, codes of the workflow and its policy,
moments in Beijing time, and an event's data as one line; numbers masked for a masked reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from mediation.cases.masking import mask_address, mask_id_number, mask_phone
from mediation.documents._labels import label_of, translator
from mediation.workflows.calendar import CHINA_OFFSET
from mediation.workflows.definition import WorkflowDefinition


@dataclass
class Names:
    """Turns stored values (usernames, unit codes, party ids, enum names) into printed words."""

    lang: str
    definition: WorkflowDefinition
    users: dict[str, str]
    units: dict[str, str]
    parties: dict[int, str]
    masked: bool = False  # the reader sees masked numbers and addresses

    def __post_init__(self) -> None:
        self.t = translator(self.lang)

    def time(self, value: datetime | str | None, *, stored: bool = True) -> str:
        """A moment; a stored (UTC) timestamp in Beijing time, a time typed by a user as it is."""
        moment = _moment(value, stored)
        if moment is None:
            return ""
        return f"{moment:%Y年%m月%d日 %H:%M}" if self.lang == "zh" else f"{moment:%Y-%m-%d %H:%M}"

    def stamp(self, value: datetime | str | None) -> str:
        """A stored moment in Beijing time, short enough for a table column: 2026-03-02 17:00."""
        moment = _moment(value, stored=True)
        return f"{moment:%Y-%m-%d %H:%M}" if moment else ""

    def day(self, value: datetime | str | None) -> str:
        """A date; a bare date (2026-03-02) as it is, a stored timestamp in Beijing time."""
        moment = _moment(value, stored=not (isinstance(value, str) and len(value) == 10))
        if moment is None:
            return ""
        return f"{moment.year}年{moment.month}月{moment.day}日" if self.lang == "zh" else f"{moment:%Y-%m-%d}"

    def user(self, username: str | None) -> str:
        if username == "system":
            return "系统" if self.lang == "zh" else "System"
        return self.users.get(username or "", username or "")

    def unit(self, code: str | None) -> str:
        return self.units.get(code or "", code or "")

    def party(self, party_id: Any) -> str:
        return self.parties.get(party_id, f"#{party_id}") if isinstance(party_id, int) else str(party_id)

    def state(self, state: str | None) -> str:
        return label_of(self.definition.states.get(state or ""), self.lang, state or "") if state else ""

    def trigger(self, trigger: str) -> str:
        spec = self.definition.triggers.get(trigger)
        return label_of(spec.labels, self.lang, trigger) if spec else self.t(f"trigger.{trigger}")

    def policy_label(self, table: str, value: str | None) -> str:
        return label_of((self.definition.policy.get(table) or {}).get(value or ""), self.lang, value or "")

    def ladder(self, level: str) -> str:
        rung = next((r for r in self.definition.policy.get("escalation_ladder") or () if r["level"] == level), {})
        return label_of(rung.get("labels"), self.lang, level)

    def enum(self, prefix: str, value: str | None) -> str:
        return self.t(f"{prefix}.{value}") if value else ""

    def word(self, prefix: str, value: str | None) -> str:
        """The documents' word for a code, or the value itself when it is words already (typed by a person)."""
        key = f"{prefix}.{value}"
        label = self.t(key) if value else ""
        return value if label == key else label

    def value(self, key: str, value: Any) -> str:
        """One field of an event's data, as printed."""
        formatter = VALUE_FORMATS.get(key)
        if isinstance(value, list):
            separator = "、" if self.lang == "zh" else ", "
            return separator.join(formatter(self, item) if formatter else self.value(key, item) for item in value)
        if isinstance(value, bool):
            return self.t("yes" if value else "no")
        workflow_words = (self.definition.policy.get("value_labels") or {}).get(key) or {}
        if isinstance(value, str) and value in workflow_words:
            return label_of(workflow_words[value], self.lang, value)
        if formatter:
            return formatter(self, value)
        return self.pairs(value) if isinstance(value, dict) else str(value)

    def pairs(self, data: dict[str, Any]) -> str:
        """A nested object (the old values of a correction, a company) as `field: value` pairs."""
        separator = "，" if self.lang == "zh" else ", "
        printed = ((key, self.value(key, value)) for key, value in data.items()
                   if key not in NEVER_PRINTED and value is not None)
        return separator.join(f"{self.t('field.' + key)}{self.t('colon')}{text}" for key, text in printed if text)

    def subject(self, code: str) -> str:
        """A subject matter of an agreement: a category of the policy, else a word of the documents."""
        if code in (self.definition.policy.get("categories") or {}):
            return self.policy_label("categories", code)
        return self.t(f"subject.{code}")

    def id_number(self, value: str | None) -> str:
        return (mask_id_number(value) if self.masked else value) or ""

    def phone(self, value: str | None) -> str:
        return (mask_phone(value) if self.masked else value) or ""

    def address(self, value: str | None) -> str:
        return (mask_address(value) if self.masked else value) or ""


def _moment(value: datetime | str | None, stored: bool) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment + CHINA_OFFSET if stored else moment  # stored naive UTC; printed in Beijing time


VALUE_FORMATS: dict[str, Callable[[Names, Any], str]] = {
    "category": lambda n, v: n.policy_label("categories", v),
    "subject_matters": Names.subject,
    "channel": lambda n, v: n.policy_label("channels", v),
    "risk_level": lambda n, v: n.enum("risk", v),
    "mechanism": lambda n, v: n.enum("mechanism", v),
    "resolver": lambda n, v: n.enum("resolver", v),
    "outcome": lambda n, v: n.enum(OUTCOME_LABELS.get(v, "feedback"), v),
    "signer": lambda n, v: n.enum("signer", v),
    "party_ids": Names.party, "party_id": Names.party, "applicants": Names.party,
    "mediator": Names.user, "owner": Names.user,
    "unit": Names.unit, "department": Names.unit, "court": Names.unit, "co_units": Names.unit,
    "next_session_at": lambda n, v: n.time(v, stored=False), "performance_deadline": lambda n, v: n.day(v),
    "deadline": lambda n, v: n.day(v),
    # the case-file triggers of DESIGN §9.2
    "held_at": lambda n, v: n.time(v, stored=False), "birth_date": lambda n, v: n.day(v),
    "kind": lambda n, v: n.enum("attachment", v), "method": lambda n, v: n.enum("method", v),
    "gender": lambda n, v: n.enum("gender", v),
    "role": lambda n, v: n.t(f"role.{v}") if v in PARTY_ROLES else n.word("participant", v),
    "id_number": Names.id_number, "phone": Names.phone, "address": Names.address,
    "username": Names.user, "size_bytes": lambda n, v: file_size(v),
    "statements": lambda n, v: f"{n.party(v.get('party_id'))}{n.t('colon')}{v.get('text', '')}",
    "participants": lambda n, v: f"{v.get('name', '')}{n.t('open')}{n.value('role', v.get('role'))}{n.t('close')}",
}
OUTCOME_LABELS = {**dict.fromkeys(("stable", "recurred", "not_performed"), "visit.outcome"),
                  **dict.fromkeys(("agreed", "partial", "no_agreement", "adjourned"), "session_outcome")}
PARTY_ROLES = frozenset({"applicant", "respondent", "third_party"})
HIDDEN_FIELDS = frozenset({"reason", "title", "attachment_id", "content_type"})  # the reason prints on its own
WITHHELD_FILES = frozenset({"id_document"})
WITHHELD_FILE_FIELDS = frozenset({"file_name", "description", "sha256", "size_bytes"})
NEVER_PRINTED = frozenset({"attachment_id", "content_type"})  # storage details, not the record


def file_size(size: Any) -> str:
    """1.2 MB, 340 KB, 12 B."""
    if not isinstance(size, int):
        return str(size)
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def event_details(names: Names, event: dict[str, Any], hidden: frozenset[str] = HIDDEN_FIELDS) -> str:
    """An event's data and reason as one line of `field: value` pairs."""
    if names.masked and event["trigger"] == "attach" and event["data"].get("kind") in WITHHELD_FILES:
        hidden = hidden | WITHHELD_FILE_FIELDS  # an identity document is not even named to a masked reader
    printed = ((key, names.value(key, value)) for key, value in event["data"].items()
               if key not in hidden and value is not None)
    parts = [f"{names.t('field.' + key)}{names.t('colon')}{text}" for key, text in printed if text]
    if event["reason"]:
        parts.append(event["reason"])
    return "；".join(parts) if names.lang == "zh" else "; ".join(parts)
