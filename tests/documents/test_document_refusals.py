"""The case page's list of documents (`document_refusals`) says for every kind exactly what asking for
that document alone would say: the same papers offered, the same ones not yet applicable, the same ones
too large."""

from __future__ import annotations

import pytest

from mediation.cases.engine import apply_transition
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.directory.actors import SYSTEM
from mediation.documents import KINDS, DocumentRequest, document_context, document_refusals
from mediation.errors import MediationError

pytest_plugins = ["sample_databases"]  # the county database fixtures

STATES = ("screening.reported", "mediation.in_session", "mediation.agreement_effective", "joint.feedback_received",
          "court.under_review", "follow_up.tracking", "closed.resolved", "closed.withdrawn")


def _one_by_one(db: Database, case_id: int) -> dict[str, str | None]:
    answers: dict[str, str | None] = {}
    for kind in KINDS:
        try:
            document_context(db, SYSTEM, case_id, DocumentRequest(kind))
        except MediationError as refusal:
            answers[kind] = type(refusal).__name__
        else:
            answers[kind] = None
    return answers


def _listed(db: Database, case_id: int) -> dict[str, str | None]:
    return {kind: None if refusal is None else type(refusal).__name__
            for kind, refusal in document_refusals(db, SYSTEM, case_id, "zh").items()}


@pytest.mark.parametrize("state", STATES)
def test_the_list_agrees_with_each_document_asked_for_alone(module_county_db: Database, state: str) -> None:
    case_id = drive_to(module_county_db, state=state, county=SampleCounty())
    assert _listed(module_county_db, case_id) == _one_by_one(module_county_db, case_id)


def test_a_case_file_too_large_to_print_leaves_the_short_papers_offered(module_county_db: Database) -> None:
    db = module_county_db
    case_id = drive_to(db, state="follow_up.tracking", county=SampleCounty())
    with db.snapshot() as tx:
        version = tx.one("SELECT version FROM cases WHERE id = :id", {"id": case_id})[0]
    mediator = actor_for(db, "mediator1")
    for _ in range(2000):
        version = apply_transition(db, case_id=case_id, trigger="record_return_visit", actor=mediator,
                                   data={"outcome": "stable", "notes": "回访双方，关系稳定。"},
                                   expected_version=version).version
    listed = _listed(db, case_id)
    assert listed == _one_by_one(db, case_id), listed
    assert listed["case_file"] == "DocumentTooLarge"
    assert listed["return_visit"] is None and listed["agreement"] is None  # measured each on its own


def test_an_answer_given_again_for_the_same_event_is_worked_out_anew_after_the_next(
        module_county_db: Database) -> None:
    """The case page passes the chain head it read: the same event gets the answer again without a
    read; a new event (an investigation recorded) makes the investigation record available at once."""
    db = module_county_db
    case_id = drive_to(db, state="mediation.in_session", county=SampleCounty())
    mediator = actor_for(db, "mediator1")
    with db.snapshot() as tx:
        version, head = tx.one("SELECT version, last_event_hash FROM cases WHERE id = :id", {"id": case_id})
    before = document_refusals(db, mediator, case_id, "zh", chain_head=head)
    assert type(before["investigation_record"]).__name__ == "DocumentNotApplicable"
    assert document_refusals(db, mediator, case_id, "zh", chain_head=head) == before
    result = apply_transition(db, case_id=case_id, trigger="record_investigation", actor=mediator,
                              data={"held_at": "2026-03-01T10:00:00+08:00", "interviewee": "邻居王大妈",
                                    "content": "了解宅基地边界的由来。"}, expected_version=version)
    after = document_refusals(db, mediator, case_id, "zh", chain_head=result.event_hash)
    assert after["investigation_record"] is None
    by_system = document_refusals(db, SYSTEM, case_id, "zh", chain_head=result.event_hash)  # each viewer its own
    assert {kind: type(r).__name__ for kind, r in by_system.items()} == {kind: type(r).__name__ for kind, r in after.items()}
