"""`workflows publish`: a county's variant is stored only when its own scenarios pass (DESIGN §9.6).

The deployment database is the test's (SQLite, or PostgreSQL under MEDIATION_TEST_DATABASES);
the scenarios run on a scratch SQLite file of their own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediation.authoring import publish
from mediation.cli import app
from mediation.db import Database

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "county_variant"
runner = CliRunner()


def _copy_of_example(tmp_path: Path, *features: str) -> Path:
    """The example's workflow and policy with only the named feature files."""
    folder = tmp_path / "county"
    (folder / "features").mkdir(parents=True)
    for name in ("mediation.yaml", "policy.yaml"):
        shutil.copyfile(EXAMPLE / name, folder / name)
    for name in features:
        shutil.copyfile(EXAMPLE / "features" / name, folder / "features" / name)
    return folder


def _stored(db: Database) -> list[int]:
    return [stored.version for stored in db.workflows.versions("mediation")]


def test_publishing_the_example_stores_it_as_the_next_version_and_it_becomes_current(db: Database) -> None:
    db.workflows.current_version_id()  # the package's workflow, stored as version 1
    result = publish(EXAMPLE, database=db)
    assert [(o.name, o.passed) for o in result.outcomes if not o.passed] == []
    assert len(result.outcomes) == 5 and all(o.chinese for o in result.outcomes)
    assert (result.version, result.already_stored) == (2, False)
    db.workflows.forget_current()
    current = db.workflows.current_version_id()
    assert current == db.workflows.version_id("mediation", 2)
    policy = db.workflows.definition(current).policy
    assert [step["level"] for step in policy["escalation_ladder"]][:3] == ["grid", "village", "community"]
    assert publish(EXAMPLE, features=EXAMPLE / "features" / "return_visits.feature", database=db).already_stored
    assert _stored(db) == [1, 2]


def test_a_false_scenario_fails_in_the_authors_words_and_nothing_is_stored(db: Database, tmp_path: Path) -> None:
    folder = _copy_of_example(tmp_path, "return_visits.feature")
    feature = folder / "features" / "return_visits.feature"
    text = feature.read_text(encoding="utf-8")
    feature.write_text(text.replace("2026-03-17 当日结束", "2026-03-16 当日结束"), encoding="utf-8")
    result = publish(folder, database=db)
    assert not result.published and _stored(db) == []
    (failed,) = result.outcomes
    assert (failed.name, failed.passed) == ("回访在转入跟踪回访后第3日和第15日", False)
    assert failed.step == '而且 "return_visit_2" 期限为北京时间 2026-03-16 当日结束，到期动作 "remind"'
    assert failed.reason == "pending return_visit_2: due 2026-03-17 24:00 China time, action remind"


def test_a_broken_definition_is_refused_by_the_check_and_nothing_runs_or_is_stored(
        db: Database, tmp_path: Path) -> None:
    folder = _copy_of_example(tmp_path, "return_visits.feature")
    workflow = folder / "mediation.yaml"
    text = workflow.read_text(encoding="utf-8")
    assert "to: closed.mediation_failed," in text
    workflow.write_text(text.replace("to: closed.mediation_failed,", "to: closed.nowhere,", 1), encoding="utf-8")
    result = publish(folder, database=db)
    assert result.outcomes == [] and not result.published and _stored(db) == []
    assert any("closed.nowhere" in problem for problem in result.problems), result.problems


def test_an_unreadable_feature_file_fails_alone_and_an_unchecked_refusal_is_told_in_its_words(db: Database, tmp_path: Path) -> None:
    folder = _copy_of_example(tmp_path, "court_acceptance.feature")
    (folder / "features" / "broken.feature").write_text(
        "# language: zh-CN\n功能: 残缺\n  场景大纲: 没有例子 <x>\n    假如 永嘉县示范数据已就绪\n   例子\n", encoding="utf-8")
    (folder / "features" / "unchecked.feature").write_text(
        "# language: zh-CN\n功能: 未检查的拒绝\n  场景: 未经同意开始调解\n    假如 永嘉县示范数据已就绪\n"
        '    而且 张建国 与 李秀英 在 江北社区第一网格 的 "neighbour" 纠纷已到达 "mediation.assigned"\n'
        "    当 调解员 mediator1 开始调解\n", encoding="utf-8")
    result = publish(folder, database=db)
    outcomes = {(o.feature, o.passed) for o in result.outcomes}
    assert outcomes == {("broken.feature", False), ("court_acceptance.feature", True), ("unchecked.feature", False)}
    assert not result.published and _stored(db) == []
    (unchecked,) = [o for o in result.outcomes if o.feature == "unchecked.feature"]
    assert unchecked.reason == "操作被拒绝：GuardFailed: 当事人张建国、李秀英尚未同意调解"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    return lambda *args: runner.invoke(app, list(args))


def test_a_misspelt_english_step_is_reported_as_no_such_step(cli, db: Database, tmp_path: Path) -> None:
    folder = _copy_of_example(tmp_path)
    (folder / "features" / "ladder.feature").write_text(
        "Feature: The village rung\n"
        "  Scenario: Escalating from the grid reaches the village\n"
        "    Given the sample county of 永嘉县\n"
        '    And a "neighbour" dispute between 张建国 and 李秀英 in 江北社区第一网格 has reached "mediation.in_session"\n'
        '    When mediator1 escalats the case because "网格层面分歧较大"\n'
        '    Then the case is at the "village" level of the ladder\n', encoding="utf-8")
    result = cli("workflows", "publish", str(folder))
    assert result.exit_code == 1, result.output
    assert "Escalating from the grid reaches the village … failed" in result.output
    assert 'no such step: When mediator1 escalats the case because "网格层面分歧较大"' in result.output
    assert "workflows steps" in result.output and "Traceback" not in result.output
    assert "nothing was stored" in result.output and _stored(db) == []


def test_the_cli_publishes_in_chinese_words(cli, db: Database, tmp_path: Path) -> None:
    folder = _copy_of_example(tmp_path, "court_acceptance.feature")
    result = cli("workflows", "publish", str(folder))
    assert result.exit_code == 0, result.output
    assert "周四申请的，跨过周末，受理期限至下周二结束 … 通过" in result.output
    assert "published mediation version 1" in result.output and _stored(db) == [1]


def test_the_steps_are_printed_in_chinese_with_an_example_each() -> None:
    result = runner.invoke(app, ["workflows", "steps", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "今天是 {日期}" in result.output and "例： 假如 今天是 2026-03-02" in result.output
    assert "Given" not in result.output and "today is" not in result.output
