"""The case page's header and its audit trail are of one moment: the case and its events are read in one
snapshot (`case_with_events`), so a change that commits between the two reads shows in neither."""

from __future__ import annotations

import threading
from datetime import datetime

from mediation.cases import case_detail
from mediation.cases.engine import apply_transition
from mediation.db import Database
from mediation.demo.dataset import load_demo
from mediation.directory.accounts import actor_for

NOW = datetime(2026, 3, 2, 9, 0)


def _note_meanwhile(db: Database, case_id: int, version: int) -> None:
    """A note on the case committed from another thread (another connection), waited for."""

    def note() -> None:
        apply_transition(db, case_id=case_id, trigger="add_note", actor=actor_for(db, "county_sup"),
                         data={"text": "读取之间的备注"}, expected_version=version, now=NOW)

    worker = threading.Thread(target=note)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()


def test_a_change_committed_between_the_reads_shows_in_neither(db: Database, monkeypatch) -> None:
    load_demo(db, cases=3, seed=7, now=NOW)
    actor = actor_for(db, "county_sup")
    with db.snapshot() as tx:
        case_id, version, events_before = tx.one("SELECT id, version, event_count FROM cases ORDER BY id LIMIT 1")
    load_in_reach, calls = case_detail._load_in_reach, []

    def read_then_change(tx, actor, case_id):
        row = load_in_reach(tx, actor, case_id)
        if not calls:  # right after the page's first read of the case
            _note_meanwhile(db, case_id, version)
        calls.append(case_id)
        return row

    monkeypatch.setattr(case_detail, "_load_in_reach", read_then_change)
    detail, events = case_detail.case_with_events(db, actor, case_id)
    assert (detail.version, detail.event_count) == (version, events_before)
    assert len(events) == events_before and events[-1].hash == detail.chain_head
    monkeypatch.undo()
    detail, events = case_detail.case_with_events(db, actor, case_id)  # the next read sees the note
    assert detail.version == version + 1 and len(events) == events_before + 1 == detail.event_count
