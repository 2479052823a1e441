"""`workflows migrate`: the dry run's plan is what `--apply` does, case by case, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import re
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediation import jsontext
from mediation.cases.audit import verify_all
from mediation.cases.migration_apply import apply_plan, migrating_admin
from mediation.cases.migration_runs import dry_run, open_migration
from mediation.cli import app
from mediation.demo.case_paths import drive_to, fire
from mediation.demo.sample_county import build_sample_county
from mediation.workflows.definition import parse_definition
from mediation.workflows.loader import load_definition
from tests.migration_versions import (
    STATE_MAP,
    cases_in_every_open_state,
    changed_version,
    harmless_version,
    open_routes,
    pending_deadlines,
)

runner = CliRunner()
MAP_ARGS = [f"--map={old}={new}" for old, new in STATE_MAP.items()]
VARIANT = Path(__file__).resolve().parents[2] / "examples" / "county_variant"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    return lambda *args: runner.invoke(app, [str(arg) for arg in args])


def _dry_run(cli, *args) -> tuple[str, str]:
    result = cli("workflows", "migrate", *args, "--dry-run")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"plan: [0-9a-f]{64}", last), last
    return last.split()[1], result.output


def _apply(cli, plan: str, *args) -> str:
    result = cli("workflows", "migrate", *args, "--apply", "--plan", plan)
    assert result.exit_code == 0, result.output
    return result.output


def _cases(db) -> dict[int, tuple]:
    with db.snapshot() as tx:
        return {row[0]: tuple(row[1:]) for row in tx.all(
            "SELECT id, state, version, workflow_version_id, event_count, last_event_hash, stage FROM cases")}


def _plan_rows(db, plan: str) -> dict[int, tuple]:
    with db.snapshot() as tx:
        return {row[0]: tuple(row[1:]) for row in tx.all(
            "SELECT p.case_id, p.case_version, p.from_state, p.to_state, p.outcome, p.deadline_changes, p.status "
            "FROM migration_plan_cases p JOIN migration_plans m ON m.id = p.plan_id WHERE m.hash = :h", {"h": plan})}


def _last_event(db, case_id: int) -> tuple:
    with db.snapshot() as tx:
        return tx.one("SELECT trigger, actor, from_state, to_state, data FROM events WHERE case_id = :c "
                      "ORDER BY seq DESC LIMIT 1", {"c": case_id})


def _expected_deadlines(before: dict[str, tuple], changes: list[dict]) -> dict[str, tuple]:
    """The pending deadlines the plan says the case has after the move."""
    after = dict(before)
    for change in changes:
        kind = change["kind"]
        if change["change"] == "cancelled":
            del after[kind]
        elif change["change"] == "recomputed":
            after[kind] = (datetime.fromisoformat(change["due"]), change["action"], before[kind][2],
                           change["estimated"])
        elif change["change"] == "added":
            assert kind not in before
            after[kind] = (datetime.fromisoformat(change["due"]), change["action"], change["state"],
                           change["estimated"])
    return after


def test_the_dry_run_predicts_what_apply_does_case_by_case(db, cli) -> None:
    county = build_sample_county(db)
    made = cases_in_every_open_state(db, county, rounds=30)
    assert len(made) > 1000
    db.workflows.ensure_stored(changed_version())
    plan, output = _dry_run(cli, "--from", 1, "--to", 2, *MAP_ARGS)
    planned, before_cases, before_deadlines = _plan_rows(db, plan), _cases(db), pending_deadlines(db)
    assert set(planned) == set(made)  # every in-flight case, nothing closed
    assert {row[1] for row in planned.values()} == {state for state, _ in open_routes()}
    outcomes = {row[3] for row in planned.values()}
    assert outcomes == {"as_is", "state_mapped", "state_removed", "guard_data_missing", "deadline_action_removed"}
    changes = {c["change"] for row in planned.values() for c in jsontext.loads(row[4])}
    assert changes == {"kept", "recomputed", "cancelled", "added"}
    for code in ("state_removed", "guard_data_missing", "deadline_action_removed", "risk_below_high"):
        assert code in output
    _apply(cli, plan, "--from", 1, "--to", 2, *MAP_ARGS)
    after_cases, after_deadlines, v2 = _cases(db), pending_deadlines(db), db.workflows.version_id("mediation", 2)
    for case_id, (version, from_state, to_state, outcome, text, status) in _plan_rows(db, plan).items():
        was = before_cases[case_id]
        if outcome not in ("as_is", "state_mapped"):
            assert status == "refused" and after_cases[case_id] == was
            assert after_deadlines.get(case_id) == before_deadlines.get(case_id)
            continue
        assert status == "moved"
        assert after_cases[case_id][:4] == (to_state, version + 1, v2, was[3] + 1)
        changes = jsontext.loads(text)
        assert after_deadlines.get(case_id, {}) == _expected_deadlines(before_deadlines.get(case_id, {}), changes)
        trigger, actor, event_from, event_to, data = _last_event(db, case_id)
        assert (trigger, actor, event_from, event_to) == ("migrate", "admin", from_state, to_state)
        assert jsontext.loads(data) == {"from_version": 1, "to_version": 2, "from_state": from_state,
                                        "to_state": to_state, "plan": plan, "deadlines": changes}
    assert list(verify_all(db)) == []


def test_there_and_back_with_an_identity_map_leaves_every_case_as_it_was(db, cli) -> None:
    county = build_sample_county(db)
    made = cases_in_every_open_state(db, county, rounds=1)
    before_cases, before_deadlines = _cases(db), pending_deadlines(db)
    with db.snapshot() as tx:
        before_events = tx.all("SELECT id, case_id, seq, hash FROM events ORDER BY id")
    db.workflows.ensure_stored(harmless_version())
    there, _ = _dry_run(cli, "--from", 1, "--to", 2)
    _apply(cli, there, "--from", 1, "--to", 2)
    back, _ = _dry_run(cli, "--from", 2, "--to", 1)
    _apply(cli, back, "--from", 2, "--to", 1)
    after_cases = _cases(db)
    for case_id in made:
        state, version, version_id, events, _, stage = before_cases[case_id]
        assert after_cases[case_id][:4] == (state, version + 2, version_id, events + 2)
        assert after_cases[case_id][5] == stage
    assert pending_deadlines(db) == before_deadlines
    with db.snapshot() as tx:
        assert tx.all("SELECT id, case_id, seq, hash FROM events ORDER BY id")[:len(before_events)] == before_events
        added = tx.all(f"SELECT trigger, actor FROM events WHERE id > {before_events[-1][0]}")
    assert sorted(added) == [("migrate", "admin")] * (2 * len(made))
    assert list(verify_all(db)) == []


def test_a_case_changed_after_the_dry_run_is_reported_not_moved(db, cli) -> None:
    county = build_sample_county(db)
    first = drive_to(db, state="mediation.assigned", county=county)
    second = drive_to(db, state="mediation.assigned", county=county)
    db.workflows.ensure_stored(harmless_version())
    plan, _ = _dry_run(cli, "--from", 1, "--to", 2)
    version = _cases(db)[first][1]
    fire(db, first, "add_note", actor="mediator1", data={"text": "双方同意下周再谈。"})
    with db.snapshot() as tx:
        number = tx.one("SELECT number FROM cases WHERE id = :id", {"id": first})[0]
    output = _apply(cli, plan, "--from", 1, "--to", 2)
    assert "moved: 1  changed: 1" in output and number in output
    cases = _cases(db)
    assert cases[first][1:3] == (version + 1, 1) and cases[second][2] == 2
    assert _plan_rows(db, plan)[first][-1] == "changed"


def test_a_plan_of_another_hash_is_refused_and_moves_nothing(db, cli) -> None:
    county = build_sample_county(db)
    drive_to(db, state="mediation.assigned", county=county)
    db.workflows.ensure_stored(harmless_version())
    plan, _ = _dry_run(cli, "--from", 1, "--to", 2)
    before = _cases(db)
    wrong = cli("workflows", "migrate", "--from", 1, "--to", 2, "--apply", "--plan", "0" * 64)
    assert wrong.exit_code == 1 and "no dry run with plan" in wrong.output
    other_map = cli("workflows", "migrate", "--from", 1, "--to", 2, "--map", "mediation.assigned=mediation.assigned",
                    "--apply", "--plan", plan)
    assert other_map.exit_code == 1
    assert _cases(db) == before


def test_an_interrupted_apply_run_again_moves_the_rest(db, cli) -> None:
    county = build_sample_county(db)
    made = [drive_to(db, state="screening.triaged", county=county) for _ in range(7)]
    db.workflows.ensure_stored(harmless_version())
    plan, _ = _dry_run(cli, "--from", 1, "--to", 2)
    before = _cases(db)
    assert "moved: 3  " in _apply(cli, plan, "--from", 1, "--to", 2, "--limit", 3)
    assert [case_id for case_id, row in _cases(db).items() if row[2] == 2] == made[:3]
    assert "moved: 4  " in _apply(cli, plan, "--from", 1, "--to", 2)
    assert "moved: 0  " in _apply(cli, plan, "--from", 1, "--to", 2)
    after = _cases(db)
    assert all(after[c][1:4] == (before[c][1] + 1, 2, before[c][3] + 1) for c in made)  # each moved once
    assert list(verify_all(db)) == []


def test_the_dry_run_of_the_same_state_gives_the_same_hash(db, cli) -> None:
    county = build_sample_county(db)
    for state in ("mediation.assigned", "follow_up.tracking", "court.rejected"):
        drive_to(db, state=state, county=county)
    db.workflows.ensure_stored(changed_version())
    first, _ = _dry_run(cli, "--from", 1, "--to", 2, *MAP_ARGS)
    second, output = _dry_run(cli, "--from", 1, "--to", 2, *MAP_ARGS, "--list")
    assert first == second and output.count("永嘉调") == 3
    third, _ = _dry_run(cli, "--from", 1, "--to", 2)  # without the map: the renamed state cannot move
    assert third != first


@pytest.mark.parametrize("args, words", [
    (["--from", 1, "--to", 9, "--dry-run"], "no version 9"),
    (["--from", 1, "--to", 2, "--map", "court.rejected", "--dry-run"], "OLD=NEW"),
    (["--from", 1, "--to", 2], "exactly one of --dry-run and --apply"),
    (["--from", 1, "--to", 2, "--apply"], "--plan"),
    (["--from", 1, "--to", 1, "--dry-run"], "the same version"),
    (["--from", 1, "--to", 2, "--apply", "--plan", "x", "--as", "mediator1"], "not an admin"),
])
def test_bad_arguments_are_named_with_exit_2(db, cli, args, words) -> None:
    build_sample_county(db)
    db.workflows.current_version_id()
    db.workflows.ensure_stored(harmless_version())
    result = cli("workflows", "migrate", *args)
    assert result.exit_code == 2 and words in result.output, result.output


def test_cases_move_to_the_county_variant(db, cli) -> None:
    county = build_sample_county(db)
    made = cases_in_every_open_state(db, county, rounds=1)
    variant = db.workflows.ensure_stored(load_definition("mediation", VARIANT))
    number = next(v.version for v in db.workflows.versions("mediation") if v.id == variant)
    plan, output = _dry_run(cli, "--from", 1, "--to", number)
    _apply(cli, plan, "--from", 1, "--to", number)
    moved = [case_id for case_id, row in _cases(db).items() if row[2] == variant]
    planned = _plan_rows(db, plan)
    assert sorted(moved) == sorted(c for c, row in planned.items() if row[-1] == "moved") and moved
    assert set(planned) == set(made)
    assert list(verify_all(db)) == []


def test_a_case_keeps_its_ladder_rung_by_name_when_a_rung_is_inserted_below(db, cli) -> None:
    """The variant inserts 村级调解 between the grid and the community: a case at the community rung stays at
    the community rung (now third, not second); a version without the case's rung cannot take it."""
    county = build_sample_county(db)
    at_community = drive_to(db, state="mediation.in_session", county=county)
    at_grid = drive_to(db, state="mediation.in_session", county=county)
    with db.write() as tx:  # escalated once already (a test placing the case on purpose)
        tx.execute("UPDATE cases SET ladder_level = 1 WHERE id = :id", {"id": at_community})
    variant = load_definition("mediation", VARIANT)
    rungs = [step["level"] for step in variant.policy["escalation_ladder"]]
    stored = db.workflows.ensure_stored(variant)
    number = next(v.version for v in db.workflows.versions("mediation") if v.id == stored)
    plan, output = _dry_run(cli, "--from", 1, "--to", number)
    assert "ladder: 1 cases keep their rung at its new place" in output
    _apply(cli, plan, "--from", 1, "--to", number)
    with db.snapshot() as tx:
        levels = dict(tx.all("SELECT id, ladder_level FROM cases WHERE id IN (:a, :b)",
                             {"a": at_community, "b": at_grid}))
    assert rungs[levels[at_community]] == "community" and rungs[levels[at_grid]] == "grid"
    assert list(verify_all(db)) == []

    without_community = copy.deepcopy(variant.source)
    without_community["policy"]["escalation_ladder"] = [
        step for step in without_community["policy"]["escalation_ladder"] if step["level"] != "community"]
    stored = db.workflows.ensure_stored(parse_definition(without_community["workflow"], without_community["policy"]))
    last = next(v.version for v in db.workflows.versions("mediation") if v.id == stored)
    plan, output = _dry_run(cli, "--from", number, "--to", last)
    assert "ladder_rung_removed" in output and "(community)" in output
    assert _plan_rows(db, plan)[at_community][3] == "ladder_rung_removed"
    assert _plan_rows(db, plan)[at_grid][3] == "as_is"


def test_the_case_page_names_the_move_in_the_readers_words(db, database_url) -> None:
    case_id = drive_to(db, state="mediation.assigned", county=build_sample_county(db))
    db.workflows.ensure_stored(harmless_version())
    migration = open_migration(db, name="mediation", from_number=1, to_number=2, state_map={})
    apply_plan(db, migration, dry_run(db, migration).hash, actor=migrating_admin(db, None))
    timeline = _timeline_on_the_case_page(database_url, case_id)
    assert "迁移到新版本 办理人: 系统管理员" in timeline and "流程版本 1 → 2" in timeline
    assert "migrate" not in timeline


def test_a_renamed_states_old_name_is_still_told_in_words_on_the_case_page(db, database_url) -> None:
    """After a migration that renamed the case's state, its earlier events still name that state by its
    label from the version they were written under, never by its code."""
    old_state, new_state = next(iter(STATE_MAP.items()))
    case_id = drive_to(db, state=old_state, county=build_sample_county(db))
    old_label = load_definition("mediation").states[old_state]["zh"]
    db.workflows.ensure_stored(changed_version())
    migration = open_migration(db, name="mediation", from_number=1, to_number=2, state_map=STATE_MAP)
    apply_plan(db, migration, dry_run(db, migration).hash, actor=migrating_admin(db, None))
    assert _cases(db)[case_id][0] == new_state
    timeline = _timeline_on_the_case_page(database_url, case_id)
    assert old_state not in timeline and new_state not in timeline
    assert f"→ {old_label}" in timeline


def test_a_case_a_person_holds_is_left_for_a_rerun_on_postgresql(db, cli, database_url) -> None:
    """PostgreSQL: a case row locked by another transaction is skipped (SKIP LOCKED), reported busy and
    moved by the next run. SQLite serialises writers (BEGIN IMMEDIATE), so there a case is never busy:
    the same runs move both cases at once."""
    county = build_sample_county(db)
    held, free = (drive_to(db, state="mediation.assigned", county=county) for _ in range(2))
    db.workflows.ensure_stored(harmless_version())
    plan, _ = _dry_run(cli, "--from", 1, "--to", 2)
    with db.snapshot() as tx:
        number = tx.one("SELECT number FROM cases WHERE id = :id", {"id": held})[0]
    if db.is_sqlite:
        assert "moved: 2  changed: 0  busy: 0" in _apply(cli, plan, "--from", 1, "--to", 2)
    else:
        holder = sa.create_engine(database_url)
        with holder.connect() as connection, connection.begin():
            connection.execute(sa.text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": held})
            output = _apply(cli, plan, "--from", 1, "--to", 2)
        holder.dispose()
        assert "moved: 1  changed: 0  busy: 1" in output and number in output
        assert _plan_rows(db, plan)[held][-1] == "planned" and _cases(db)[held][2] == 1
        assert "moved: 1  changed: 0  busy: 0" in _apply(cli, plan, "--from", 1, "--to", 2)
    assert _cases(db)[held][2] == _cases(db)[free][2] == 2
    assert list(verify_all(db)) == []


def _timeline_on_the_case_page(database_url: str, case_id: int) -> str:
    """The text of the case page's timeline as the county supervisor reads it in Chinese."""
    from litestar.testing import TestClient

    from mediation.app import create_app
    from mediation.demo.sample_county import PASSWORD
    from mediation.web.session import CSRF_FIELD

    with TestClient(create_app(database_url)) as client:
        form = client.get("/login").text
        token = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', form).group(1)
        client.post("/login", data={"username": "county_sup", "password": PASSWORD, CSRF_FIELD: token})
        page = client.get(f"/cases/{case_id}", headers={"Accept-Language": "zh-CN"}).text
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.index('id="h-timeline"'):]))
