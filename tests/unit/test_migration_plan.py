"""The plan of one case for `workflows migrate`, without a database: where it goes, or the reason code it cannot."""

from __future__ import annotations

from datetime import datetime

import pytest

from mediation import jsontext
from mediation.cases.migration import Migration, plan_case
from mediation.cases.rows import CaseRow
from mediation.workflows.calendar import after_counted
from mediation.workflows.loader import load_definition
from mediation.workflows.machine import WorkflowMachine
from tests.migration_versions import STATE_MAP, changed_version, harmless_version

AT = datetime(2026, 3, 2, 1, 30)
ENTERED = datetime(2026, 3, 1, 2, 0)


def _migration(new, state_map=STATE_MAP) -> Migration:
    return Migration("mediation", 1, 2, 1, 2, dict(state_map), WorkflowMachine(load_definition("mediation")),
                     WorkflowMachine(new))


@pytest.fixture(scope="module")
def changed() -> Migration:
    return _migration(changed_version())


def _row(state: str, *, risk: str = "low", mechanism: str | None = "joint", progress: dict | None = None) -> CaseRow:
    values = dict.fromkeys(CaseRow._fields)
    values.update(id=7, state=state, version=5, unit_id=1, unit_path="/1/", risk_level=risk, mechanism=mechanism,
                  ladder_level=0, ladder_attempts=0, return_count=0, recurrence_count=0, key_case=0,
                  party_ids="[1, 2]", progress=jsontext.dumps(progress or {}), event_ids="", event_count=4,
                  workflow_version_id=1, stage=state.split(".")[0])
    return CaseRow(**{name: values[name] for name in CaseRow._fields})


def _plan(migration: Migration, row: CaseRow, pending=()):
    return plan_case(migration, row, "永嘉调〔2026〕00007号", list(pending), lambda _row: ENTERED, AT)


def test_a_state_the_new_version_lacks_cannot_move_unmapped(changed) -> None:
    entry = _plan(changed, _row("joint.feedback_received"))
    assert (entry.outcome, entry.to_state, entry.movable) == ("state_removed", None, False)


def test_a_renamed_state_moves_by_the_map_and_a_map_to_nowhere_is_refused(changed) -> None:
    assert _plan(changed, _row("court.rejected")).outcome == "state_mapped"
    assert _plan(changed, _row("court.rejected")).to_state == "court.not_confirmed"
    wrong = _migration(changed_version(), {"court.rejected": "court.nowhere"})
    assert _plan(wrong, _row("court.rejected")).outcome == "mapped_state_unknown"
    assert _plan(_migration(changed_version(), {}), _row("court.rejected")).outcome == "state_removed"


def test_a_guard_the_new_version_adds_on_the_way_in_is_checked_on_the_case_as_it_stands(changed) -> None:
    refused = _plan(changed, _row("mediation.agreement_drafted", risk="high"))
    assert (refused.outcome, refused.detail) == ("guard_data_missing", "risk_below_high")
    assert _plan(changed, _row("mediation.agreement_drafted", risk="low")).outcome == "as_is"


def test_a_deadline_whose_action_is_gone_keeps_the_case_where_it_is(changed) -> None:
    window = ("judicial_confirmation_window", "2026-04-01 16:00:00.000000", "start_follow_up", "2026-03-02 01:00:00")
    entry = _plan(changed, _row("mediation.agreement_effective"), [window])
    assert (entry.outcome, entry.detail, entry.changes) == ("deadline_action_removed", "judicial_confirmation_window", [])


def test_deadlines_are_kept_recomputed_cancelled_and_added(changed) -> None:
    created = "2026-03-02 01:00:00"
    term = ("people_mediation_term", "2026-04-01 16:00:00", "supervise", created)
    entry = _plan(changed, _row("mediation.assigned"), [term])
    due, estimated = after_counted(datetime(2026, 3, 2, 1), {"days": 20, "count": "civil_procedure"})
    assert entry.changes == [{"kind": "people_mediation_term", "change": "recomputed", "due": due.isoformat(),
                              "estimated": estimated, "action": "supervise", "was": "2026-04-01T16:00:00"}]
    acknowledgement = ("department_acknowledgement", "2026-03-03 16:00:00", "supervise", created)
    assert _plan(changed, _row("joint.referred"), [acknowledgement]).changes == [
        {"kind": "department_acknowledgement", "change": "cancelled"}]
    visits = [(kind, "2026-04-01 16:00:00", "remind", created) for kind in ("return_visit_1", "return_visit_2")]
    tracking = _plan(changed, _row("follow_up.tracking"), visits)
    check, _ = after_counted(ENTERED, {"days": 60, "count": "whole_days"})
    assert tracking.changes == [
        {"kind": "return_visit_1", "change": "kept"}, {"kind": "return_visit_2", "change": "kept"},
        {"kind": "follow_up_check", "change": "added", "due": check.isoformat(), "estimated": False,
         "action": "remind", "state": "follow_up.tracking"}]


def test_an_order_deadline_is_kept_while_its_action_works() -> None:
    migration = _migration(harmless_version(), {})
    order = ("order_overdue", "2026-04-01 16:00:00", "supervise", "2026-03-02 01:00:00")
    entry = _plan(migration, _row("mediation.assigned"), [order])
    assert (entry.outcome, entry.changes) == ("as_is", [{"kind": "order_overdue", "change": "kept"}])


def test_the_same_case_gives_the_same_line_of_the_hash(changed) -> None:
    first, second = _plan(changed, _row("court.rejected")), _plan(changed, _row("court.rejected"))
    assert first.hashed("[]") == second.hashed("[]")
    assert first.hashed("[]") != _plan(changed, _row("court.applied")).hashed("[]")
