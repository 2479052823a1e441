"""The records of DESIGN §9.2 read from a case's events: rights notices, participants, session and
investigation records, the outcome told to the complainant (the events hold the full text;
`progress` only counts them)."""

from __future__ import annotations

from typing import Any

from mediation.documents._names import Names


def rights_notices(names: Names, events: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
    """Party id -> how, when and by whom the party was last told of their rights (`notify_rights`)."""
    told: dict[int, dict[str, str]] = {}
    for event in events:
        if event["trigger"] == "notify_rights":
            data = event["data"]
            told[data.get("party_id")] = {"method": names.value("method", data.get("method")),
                                          "at": names.time(event["at"]), "by": names.user(event["actor"])}
    return told


def participants(names: Names, events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Everyone added to the mediation besides the mediator: co-mediators, interpreters, elders, lawyers."""
    found = []
    for event in events:
        if event["trigger"] == "add_participant":
            data = event["data"]
            extra = [names.value(key, data[key]) for key in ("language", "unit") if data.get(key)]
            found.append({"name": data.get("name") or names.user(data.get("username")),
                          "role": names.value("role", data.get("role")), "role_code": data.get("role") or "",
                          "details": "，".join(extra) if names.lang == "zh" else ", ".join(extra)})
    return found


def session_records(names: Names, events: list[dict[str, Any]], mediator: str) -> list[dict[str, Any]]:
    """Each `record_session` (调解记录) in order: time, place, who took part, each party's statement,
    the findings and the outcome."""
    found = []
    for event in events:
        if event["trigger"] != "record_session":
            continue
        data = event["data"]
        found.append({
            "no": len(found) + 1, "held_at": names.time(data.get("held_at"), stored=False),
            "place": data.get("place") or "", "mediator": mediator, "recorder": names.user(event["actor"]),
            "participants": [names.value("participants", p) for p in data.get("participants") or []
                             if isinstance(p, dict)],
            "statements": [{"party": names.party(s.get("party_id")), "text": s.get("text") or ""}
                           for s in data.get("statements") or [] if isinstance(s, dict)],
            "findings": data.get("findings") or "", "outcome": names.value("outcome", data.get("outcome")),
        })
    return found


def investigation_records(names: Names, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each `record_investigation` (调查记录) in order."""
    found = []
    for event in events:
        if event["trigger"] == "record_investigation":
            data = event["data"]
            found.append({"no": len(found) + 1, "held_at": names.time(data.get("held_at"), stored=False),
                          "place": data.get("place") or "", "interviewee": data.get("interviewee") or "",
                          "content": data.get("content") or "", "investigator": names.user(event["actor"])})
    return found


def outcome_report(names: Names, events: list[dict[str, Any]]) -> dict[str, str] | None:
    """The latest `report_outcome` (the outcome told to the complainant), if there is one."""
    event = next((e for e in reversed(events) if e["trigger"] == "report_outcome"), None)
    if event is None:
        return None
    data = event["data"]
    return {"party": names.party(data.get("party_id")), "method": names.value("method", data.get("method")),
            "summary": data.get("summary") or "", "at": names.time(event["at"]), "by": names.user(event["actor"])}


def registered_by(names: Names, events: list[dict[str, Any]]) -> str:
    """Who filed the case (the intake event's actor)."""
    return names.user(events[0]["actor"]) if events else ""
