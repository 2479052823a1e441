"""Steps of a year the calendar package lacks: estimated holidays, the arrangement entered, deadlines recounted."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from pytest_bdd import given, parsers, then, when

from mediation import jsontext
from mediation.authoring.steps.common import action
from mediation.authoring.steps.story import Story, timestamp
from mediation.deadlines.recount import recount
from mediation.workflows.calendar import _warn_estimated, holidays_file, reload_arrangements
from tests.calendar_years import lacking_is_workday


@given(parsers.re(r"日历程序包尚未收录 (?P<year>\d{4}) 年，holidays\.yaml 中也没有"))
def _(year: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(chinese_calendar, "is_workday", lacking_is_workday(int(year)))
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text("years: {}\n", encoding="utf-8")
    monkeypatch.setenv("MEDIATION_HOLIDAYS_FILE", str(holidays))
    _warn_estimated.cache_clear()
    reload_arrangements()


@action(parsers.re(r'民警 (?P<user>\w+) (?:已)?研判为 "(?P<category>\w+)" 纠纷，风险等级 "(?P<risk>\w+)"'))
def _(story: Story, user: str, category: str, risk: str):
    story.fire(user, "triage", {"category": category, "risk_level": risk})


@action(parsers.re(r"民警 (?P<user>\w+) (?:已)?随警现场调解"))
def _(story: Story, user: str):
    story.fire(user, "mediate_on_scene")


@action(parsers.re(r"民警 (?P<user>\w+) (?:已)?宣布休会，(?P<days>\d+) 天后再次调解"))
def _(story: Story, user: str, days: str):
    next_session = (story.now + timedelta(days=int(days))).isoformat(timespec="minutes")
    story.fire(user, "adjourn", {"next_session_at": next_session})


@then(parsers.re(r'"(?P<kind>\w+)" 期限(?P<negated>不再)?按估算的节假日计算'))
def _(story: Story, kind: str, negated: str | None):
    pending = [d for d in story.deadlines(kind) if d.status == "pending"]
    assert [bool(d.estimated) for d in pending] == [not negated], [(d.due_at, d.estimated) for d in pending]


@when(parsers.re(r"管理员在 holidays\.yaml 录入 (?P<year>\d{4}) 年放假安排：放假 (?P<off>\S+)，调休上班 (?P<worked>\S+)"))
def _(year: str, off: str, worked: str):
    holidays_file().write_text(f"years:\n  {year}:\n    holidays: [{off.replace('、', ', ')}]\n"
                    f"    workdays: [{worked.replace('、', ', ')}]\n", encoding="utf-8")


@when(parsers.re(r"系统重新计算按估算的节假日计算的期限"), target_fixture="recounted")
def _(story: Story):
    return recount(story.db, now=story.now)


@then(parsers.re(r"(?P<moved>\d+) 个期限被重新计算，(?P<unchanged>\d+) 个不变"))
def _(recounted, moved: str, unchanged: str):
    assert (recounted.moved, recounted.unchanged) == (int(moved), int(unchanged)), recounted


@then(parsers.re(r'系统记录了 "(?P<kind>\w+)" 期限由北京时间 (?P<before>\S+) 当日结束改为 (?P<after>\S+) 当日结束'))
def _(story: Story, kind: str, before: str, after: str):
    event = story.last_event()
    assert (event.trigger, event.actor, event.from_state == event.to_state) == ("recompute_deadlines", "system", True)
    data = jsontext.loads(event.data)
    end = lambda day: (date.fromisoformat(day) + timedelta(days=1)).isoformat() + "T00:00:00+08:00"  # noqa: E731
    assert (data["kind"], data["previous_due"], data["new_due"]) == (kind, end(before), end(after)), data
    assert timestamp(event.at) == story.now
