"""Second versions of the package's workflow for `workflows migrate` tests, and cases in every open state."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from mediation.clock import utcnow
from mediation.db import Database, parse_timestamp
from mediation.demo.case_paths import ROUTES, ActorBook, drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.workflows.definition import WorkflowDefinition, parse_definition
from mediation.workflows.loader import load_definition

RENAMED = ("court.rejected", "court.not_confirmed")
REMOVED = "joint.feedback_received"
STATE_MAP = {RENAMED[0]: RENAMED[1]}


def _sources() -> tuple[dict, dict]:
    source = load_definition("mediation").source
    return copy.deepcopy(source["workflow"]), copy.deepcopy(source["policy"])


def _without_state(workflow: dict, state: str) -> None:
    """Drop a state and every transition into or out of it (triggers left with none go too)."""
    stage, name = state.split(".")
    del workflow["stages"][stage]["states"][name]
    for trigger in list(workflow["triggers"]):
        body = workflow["triggers"][trigger]
        kept = [t for t in body.get("transitions") or () if t.get("to") != state and t.get("from") != state]
        for entry in kept:
            if isinstance(entry.get("from"), list):
                entry["from"] = [s for s in entry["from"] if s != state]
        body["transitions"] = kept
        if not kept:
            del workflow["triggers"][trigger]


def _renamed(workflow: dict, policy: dict, old: str, new: str) -> None:
    stage, name = old.split(".")
    states = workflow["stages"][stage]["states"]
    states[new.split(".")[1]] = states.pop(name)
    for body in workflow["triggers"].values():
        for entry in body.get("transitions") or ():
            for end in ("from", "to"):
                if entry.get(end) == old:
                    entry[end] = new
                elif isinstance(entry.get(end), list):
                    entry[end] = [new if s == old else s for s in entry[end]]
    for rule in policy["deadlines"].values():
        if rule.get("state") == old:
            rule["state"] = new


def changed_version() -> WorkflowDefinition:
    """V2: a state removed, one renamed, a deadline shortened, one added, a new guard into a state, an action gone."""
    workflow, policy = _sources()
    _without_state(workflow, REMOVED)
    _renamed(workflow, policy, *RENAMED)
    deadlines = policy["deadlines"]
    deadlines["people_mediation_term"]["after"] = {"days": 20, "count": "civil_procedure"}
    deadlines["follow_up_check"] = {"state": "follow_up.tracking", "after": {"days": 60, "count": "whole_days"},
                                    "action": "remind"}
    del deadlines["department_acknowledgement"]  # joint.referred's timer goes: cancelled
    deadlines["judicial_confirmation_window"]["action"] = "archive_window"  # a trigger no version has
    for entry in workflow["triggers"]["draft_agreement"]["transitions"]:
        entry["guards"] = [*(entry.get("guards") or ()), "risk_below_high"]
    return parse_definition(workflow, policy)


def harmless_version() -> WorkflowDefinition:
    """V1 with one more limit: nothing a case feels."""
    workflow, policy = _sources()
    policy["limits"]["migration_test_limit"] = 1
    return parse_definition(workflow, policy)


def open_routes() -> list[tuple[str, int]]:
    return [(state, i) for state, routes in ROUTES.items() if not state.startswith("closed.")
            for i in range(len(routes))]


def cases_in_every_open_state(db: Database, county: SampleCounty, rounds: int, *,
                              start: datetime | None = None) -> list[int]:
    """`rounds` cases for each route to each open state, days apart; every fourth round's risk raised to high."""
    actors, made = ActorBook(db), []
    start = start or utcnow() - timedelta(days=25)
    for round_number in range(rounds):
        now = start + timedelta(days=round_number % 20, hours=round_number)
        for state, route in open_routes():
            steps = ROUTES[state][route]
            if round_number % 4 == 3 and not any("risk" in str(step) for step in steps):
                steps = (*steps, "raise_risk")
            made.append(drive_to(db, state=state, county=county, route=steps, now=now, actors=actors,
                                 step=timedelta(minutes=10)))
    return made


def pending_deadlines(db: Database) -> dict[int, dict[str, tuple]]:
    """Every case's pending deadlines: kind -> (due, action, guarded state, estimated)."""
    found: dict[int, dict[str, tuple]] = {}
    with db.snapshot() as tx:
        for case_id, kind, due, action, state, estimated in tx.all(
                "SELECT case_id, kind, due_at, action, state, estimated FROM deadlines WHERE status = 'pending'"):
            found.setdefault(case_id, {})[kind] = (parse_timestamp(due), action, state, bool(estimated))
    return found
