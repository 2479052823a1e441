"""What the documents print from a case's events: the timeline, sessions, agreement, referrals,
the court application and the return visits (the event history is the record; `progress`
only keeps the current round)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from mediation.documents._labels import label_of, translator
from mediation.workflows.calendar import CHINA_OFFSET
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.return_visits import VisitMark, mark_visits

IN_SESSION = "mediation.in_session"
FOLLOW_UP = "follow_up.tracking"
MEDIATOR_TRIGGERS = frozenset({"assign_mediator", "replace_mediator", "remediate", "mediate_on_scene"})
REFERRAL_STEPS = frozenset({"acknowledge", "return_referral", "submit_feedback", "confirm_feedback",
                            "reject_feedback"})
COURT_STEPS = frozenset({"court_accept", "court_decline", "confirm", "reject", "remediate", "advise_litigation"})


@dataclass
class Names:
    """Turns stored values (usernames, unit codes, party ids, enum names) into printed words."""

    lang: str
    definition: WorkflowDefinition
    users: dict[str, str]
    units: dict[str, str]
    parties: dict[int, str]

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

    def value(self, key: str, value: Any) -> str:
        """One field of an event's data, as printed."""
        formatter = VALUE_FORMATS.get(key)
        if isinstance(value, list):
            separator = "、" if self.lang == "zh" else ", "
            return separator.join(formatter(self, item) if formatter else str(item) for item in value)
        if isinstance(value, bool):
            return self.t("yes" if value else "no")
        return formatter(self, value) if formatter else str(value)


def _moment(value: datetime | str | None, stored: bool) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment + CHINA_OFFSET if stored else moment  # stored naive UTC; printed in Beijing time


VALUE_FORMATS: dict[str, Callable[[Names, Any], str]] = {
    "category": lambda n, v: n.policy_label("categories", v),
    "subject_matters": lambda n, v: n.policy_label("categories", v),
    "channel": lambda n, v: n.policy_label("channels", v),
    "risk_level": lambda n, v: n.enum("risk", v),
    "mechanism": lambda n, v: n.enum("mechanism", v),
    "resolver": lambda n, v: n.enum("resolver", v),
    "outcome": lambda n, v: n.enum("visit.outcome" if v in ("stable", "recurred", "not_performed") else "feedback", v),
    "signer": lambda n, v: n.enum("signer", v),
    "party_ids": Names.party, "party_id": Names.party, "applicants": Names.party,
    "mediator": Names.user, "owner": Names.user,
    "unit": Names.unit, "department": Names.unit, "court": Names.unit, "co_units": Names.unit,
    "next_session_at": lambda n, v: n.time(v, stored=False), "performance_deadline": lambda n, v: n.day(v),
    "deadline": lambda n, v: n.day(v),
}
HIDDEN_FIELDS = frozenset({"reason", "title"})  # the reason prints on its own; the title is on the cover


def event_details(names: Names, event: dict[str, Any], hidden: frozenset[str] = HIDDEN_FIELDS) -> str:
    """An event's data and reason as one line of `field: value` pairs."""
    parts = [f"{names.t('field.' + key)}{names.t('colon')}{names.value(key, value)}"
             for key, value in event["data"].items() if key not in hidden and value not in (None, "", [])]
    if event["reason"]:
        parts.append(event["reason"])
    return "；".join(parts) if names.lang == "zh" else "; ".join(parts)


def timeline(names: Names, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"seq": e["seq"], "at": names.stamp(e["at"]), "action": names.trigger(e["trigger"]),
         "from": names.state(e["from_state"]), "to": names.state(e["to_state"]),
         "moved": e["from_state"] != e["to_state"], "actor": names.user(e["actor"]),
         "details": event_details(names, e)}
        for e in events
    ]


def sessions(names: Names, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each stay in `mediation.in_session`: who mediated, when, and how it ended."""
    found: list[dict[str, Any]] = []
    mediator = None
    for event in events:
        if event["trigger"] in MEDIATOR_TRIGGERS:
            mediator = event["data"].get("mediator") or event["actor"]
        if event["to_state"] == IN_SESSION and event["from_state"] != IN_SESSION:
            found.append({"no": len(found) + 1, "started": names.stamp(event["at"]),
                          "mediator": names.user(mediator or event["actor"]), "ended_by": "", "ended_at": "",
                          "note": ""})
        elif event["from_state"] == IN_SESSION and event["to_state"] != IN_SESSION and found:
            found[-1].update(ended_by=names.trigger(event["trigger"]), ended_at=names.stamp(event["at"]),
                             note=event_details(names, event, HIDDEN_FIELDS | {"terms"}))
    return found


def agreement(names: Names, events: list[dict[str, Any]], party_ids: list[int]) -> dict[str, Any] | None:
    """The latest agreement (written or oral) with who has signed it since it was drafted."""
    start = _last_index(events, {"draft_agreement", "record_oral_agreement"})
    if start is None:
        return None
    drafted = events[start]
    after = events[start + 1:]
    revised = _last_index(after, {"revise_agreement"})
    signing = after[revised + 1:] if revised is not None else after
    signed: dict[Any, str] = {}
    sealed_at = effective_at = ""
    for event in signing:
        if event["trigger"] == "sign":
            signed[event["data"].get("party_id") or event["data"].get("signer")] = names.day(event["at"])
        elif event["trigger"] == "seal":
            sealed_at = names.day(event["at"])
        elif event["trigger"] == "conclude_agreement":
            effective_at = names.day(event["at"])
    oral = drafted["trigger"] == "record_oral_agreement"
    data = drafted["data"]
    return {
        "oral": oral, "terms": data.get("terms", ""),
        "performance_deadline": names.day(data.get("performance_deadline")),
        "subject_matters": names.value("subject_matters", data.get("subject_matters") or []),
        "drafted_at": names.day(drafted["at"]), "effective_at": names.day(drafted["at"]) if oral else effective_at,
        "signatures": {party_id: signed.get(party_id, "") for party_id in party_ids},
        "mediator_signed_at": signed.get("mediator", ""), "sealed_at": sealed_at,
        "mediator": names.user(_mediator_before(events, start) or drafted["actor"]),
        "copies": len(party_ids) + 1,
    }


def referrals(names: Names, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each referral to a department with its acknowledgement, feedback and closing receipt."""
    found: list[dict[str, Any]] = []
    for event in events:
        trigger = event["trigger"]
        if trigger == "refer_department":
            found.append({"no": len(found) + 1, "at": names.time(event["at"]), "by": names.user(event["actor"]),
                          "department": names.unit(event["data"].get("department")),
                          "reason": event["reason"] or event["data"].get("reason") or "", "steps": []})
        elif trigger in REFERRAL_STEPS and found:
            found[-1]["steps"].append(_step(names, event))
    return found


def court_application(names: Names, events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest application for judicial confirmation and what the court did with it."""
    start = _last_index(events, {"apply_judicial_confirmation"})
    if start is None:
        return None
    applied = events[start]
    steps = [_step(names, e) for e in events[start + 1:] if e["trigger"] in COURT_STEPS]
    ruling = next((e["data"].get("ruling_number") for e in events[start + 1:] if e["trigger"] == "confirm"), "")
    return {"applied_at": names.day(applied["at"]), "court": names.unit(applied["data"].get("court")),
            "applicants": list(applied["data"].get("applicants") or []), "ruling_number": ruling, "steps": steps}


def visits(names: Names, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every return visit, with whether it counted as a scheduled visit (按期) or came early (提前)."""
    found: list[dict[str, Any]] = []
    for event, mark in _visit_marks(names.definition.policy, events):
        schedule = names.t(f"visit.schedule.{mark.schedule}", slot=mark.slot)
        found.append({"no": len(found) + 1, "at": names.stamp(event["at"]), "by": names.user(event["actor"]),
                      "outcome": names.value("outcome", event["data"].get("outcome")), "schedule": schedule,
                      "notes": event["data"].get("notes") or ""})
    return found


def _visit_marks(policy: dict[str, Any], events: list[dict[str, Any]]) -> list[tuple[dict[str, Any], VisitMark]]:
    """Each visit event with how it counted, judged from the start of its stay in follow-up."""
    marked: list[tuple[dict[str, Any], VisitMark]] = []
    since, stay = None, []
    for event in events:
        if event["to_state"] == FOLLOW_UP and event["from_state"] != FOLLOW_UP:
            since, stay = event["at"], []
        elif event["trigger"] == "record_return_visit":
            stay.append(event["at"])
            marked.append((event, mark_visits(policy, since, stay)[-1]))
    return marked


def closure(names: Names, events: list[dict[str, Any]]) -> str:
    """When the closed loop was verified (`verify_closure`), if it was."""
    index = _last_index(events, {"verify_closure"})
    return names.time(events[index]["at"]) if index is not None else ""


def _step(names: Names, event: dict[str, Any]) -> dict[str, str]:
    return {"action": names.trigger(event["trigger"]), "at": names.stamp(event["at"]),
            "by": names.user(event["actor"]), "details": event_details(names, event)}


def _last_index(events: list[dict[str, Any]], triggers: set[str]) -> int | None:
    return next((i for i in range(len(events) - 1, -1, -1) if events[i]["trigger"] in triggers), None)


def _mediator_before(events: list[dict[str, Any]], index: int) -> str | None:
    for event in reversed(events[:index]):
        if event["trigger"] in MEDIATOR_TRIGGERS:
            return event["data"].get("mediator") or event["actor"]
    return None
