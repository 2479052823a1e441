"""What the documents print from a case's events: the timeline, sessions, agreement, referrals,
the court application and the return visits (the event history is the record; `progress`
only keeps the current round)."""

from __future__ import annotations

import re
from typing import Any

from mediation.documents._names import HIDDEN_FIELDS, Names, event_details
from mediation.workflows.return_visits import VisitMark, mark_visits

IN_SESSION = "mediation.in_session"
FOLLOW_UP = "follow_up.tracking"
MEDIATOR_TRIGGERS = frozenset({"assign_mediator", "replace_mediator", "remediate", "mediate_on_scene"})
REFERRAL_STEPS = frozenset({"acknowledge", "return_referral", "submit_feedback", "confirm_feedback",
                            "reject_feedback"})
TERM_START = re.compile(r"(?:(?<=^)|(?<=[；;。]))\s*(?=(?:[一二三四五六七八九十]+|\d+)[、.．])")
COURT_STEPS = frozenset({"court_accept", "court_decline", "confirm", "reject", "remediate", "advise_litigation"})


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
        "oral": oral, "terms": data.get("terms", ""), "term_items": term_items(data.get("terms", "")),
        "performance_deadline": names.day(data.get("performance_deadline")),
        "manner": data.get("performance_manner") or "", "place": data.get("performance_place") or "",
        "subject_matters": names.value("subject_matters", data.get("subject_matters") or []),
        "drafted_at": names.day(drafted["at"]), "effective_at": names.day(drafted["at"]) if oral else effective_at,
        "signatures": {party_id: signed.get(party_id, "") for party_id in party_ids},
        "mediator_signed_at": signed.get("mediator", ""), "sealed_at": sealed_at,
        "mediator": names.user(_mediator_before(events, start) or drafted["actor"]),
        "copies": len(party_ids) + 1,
    }


def term_items(terms: str) -> list[str]:
    """The terms one by one: split before 一、二、… (or 1. 2. …) and at line ends."""
    items = []
    for line in terms.splitlines():
        items.extend(part.strip() for part in TERM_START.split(line) if part.strip())
    return items


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
