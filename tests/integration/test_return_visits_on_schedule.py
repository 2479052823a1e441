"""The closed loop cannot be faked: a scheduled return visit counts only on (or a day before) its day.

DESIGN §9.2: the visit scheduled at +N days counts only when recorded on or after day
N − `early_tolerance_days` (policy, 1); an earlier record is kept as an extra visit. Follow-up
starts here on 2 March 2026 at 17:00 China time (09:00 UTC): the +7 visit counts from 8 March,
the +30 one from 31 March (China days). Everything goes through the engine on a real database;
the supervisors' figures then say which visits were on schedule.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from mediation import jsontext
from mediation.cases import figure_recount
from mediation.cases.audit import verify_case
from mediation.cases.intake import CaseInput, PartyInput
from mediation.db import Database
from mediation.demo.case_paths import ON_SCENE_ORAL, TRACKING, drive_to, fire
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.errors import GuardFailed
from mediation.metrics.figures import case_metrics

pytest_plugins = ["sample_databases"]  # the county database fixtures

START = datetime(2026, 3, 2, 9, 0)  # follow-up starts: 17:00 China time
CHINA = timedelta(hours=8)


def china(text: str) -> datetime:
    """A China wall-clock time as stored (naive UTC)."""
    return datetime.fromisoformat(text) - CHINA


def neighbours(county: SampleCounty, title: str = "王某与赵某邻里纠纷") -> CaseInput:
    return CaseInput(title=title, channel="grid_screening", unit=county.grid,
                     category="neighbour", description="王某反映楼上赵某家夜间噪音扰民，双方多次争吵。",
                     parties=[PartyInput("王某", "applicant", phone="13857712345"),
                              PartyInput("赵某", "respondent", phone="13905771234")])


def in_follow_up(db: Database, route=TRACKING, start: datetime = START) -> int:
    """A new case that reaches follow-up at `start` (every step of its route at that moment)."""
    county = SampleCounty()
    return drive_to(db, state="follow_up.tracking", county=county, route=route, case_input=neighbours(county),
                    now=start, step=timedelta(0))


def visit(db: Database, case_id: int, at: datetime, outcome: str = "stable", who: str = "grid1") -> None:
    fire(db, case_id, "record_return_visit", actor=who, data={"outcome": outcome, "notes": f"回访：{outcome}"}, now=at)


def close(db: Database, case_id: int, at: datetime) -> None:
    fire(db, case_id, "verify_closure", actor="mediator1", data=None, now=at)


def state_and_visits(db: Database, case_id: int) -> tuple[str, list[str | None]]:
    with db.read() as connection:
        state, progress = connection.execute(sa.text("SELECT state, progress FROM cases WHERE id = :id"),
                                             {"id": case_id}).one()
    return state, [v.get("schedule") for v in jsontext.loads(progress).get("visits", [])]


def test_both_visits_in_the_first_minutes_do_not_close_the_case(county_db: Database) -> None:
    case_id = in_follow_up(county_db)
    visit(county_db, case_id, START + timedelta(minutes=1))
    visit(county_db, case_id, START + timedelta(minutes=2), who="mediator1")
    with pytest.raises(GuardFailed) as refused:
        close(county_db, case_id, START + timedelta(minutes=3))
    assert refused.value.extra["guard"] == "visits_complete_and_stable"
    assert "0 of 2 scheduled return visits recorded on schedule" in refused.value.detail
    assert "2026-03-08" in refused.value.detail
    assert "2026年3月8日" in refused.value.extra["reasons"]["zh"]
    assert state_and_visits(county_db, case_id) == ("follow_up.tracking", ["early", "early"])


def test_an_early_visit_is_an_extra_one_and_the_scheduled_ones_count_from_the_day_before(county_db: Database) -> None:
    case_id = in_follow_up(county_db)
    visit(county_db, case_id, china("2026-03-04T10:00"))  # day 2: early
    visit(county_db, case_id, china("2026-03-07T23:59"))  # day 5: still early
    with pytest.raises(GuardFailed):
        close(county_db, case_id, china("2026-03-08T00:00"))
    visit(county_db, case_id, china("2026-03-08T00:00"))  # day 6 = 7 − 1: counts as the +7 visit
    visit(county_db, case_id, china("2026-03-30T23:59"))  # day 28: early for the +30 visit
    with pytest.raises(GuardFailed) as refused:
        close(county_db, case_id, china("2026-03-31T00:00"))
    assert "1 of 2 scheduled return visits recorded on schedule; visit 2 counts from 2026-03-31" in refused.value.detail
    visit(county_db, case_id, china("2026-03-31T00:00"))  # day 29: the +30 visit
    close(county_db, case_id, china("2026-03-31T00:05"))
    assert state_and_visits(county_db, case_id) == (
        "closed.resolved", ["early", "early", "on_schedule", "early", "on_schedule"])
    assert verify_case(county_db, case_id) is None


def test_the_last_visit_must_find_the_dispute_stable(county_db: Database) -> None:
    case_id = in_follow_up(county_db)
    visit(county_db, case_id, china("2026-03-09T10:00"))
    visit(county_db, case_id, china("2026-04-01T10:00"))
    visit(county_db, case_id, china("2026-04-02T10:00"), outcome="recurred")  # an extra visit, after both
    with pytest.raises(GuardFailed) as refused:
        close(county_db, case_id, china("2026-04-02T11:00"))
    assert refused.value.extra["code"] == "last_visit_recurred"
    assert refused.value.extra["reasons"]["zh"] == "最近一次回访发现纠纷反复，不能结案"
    assert state_and_visits(county_db, case_id)[1] == ["on_schedule", "on_schedule", "extra"]


def test_a_new_stay_in_follow_up_starts_a_new_schedule(county_db: Database) -> None:
    """A default sends the case back to mediation; the visits of the first stay count for nothing after."""
    case_id = in_follow_up(county_db, route=ON_SCENE_ORAL)
    visit(county_db, case_id, china("2026-03-09T10:00"))
    visit(county_db, case_id, china("2026-04-01T10:00"), outcome="not_performed")
    again = china("2026-04-02T10:00")
    fire(county_db, case_id, "report_default", actor="mediator1", data={"reason": "逾期未履行"}, now=again)
    for party_id in jsontext.loads(_row(county_db, case_id)["party_ids"]):
        fire(county_db, case_id, "record_consent", actor="mediator1", data={"party_id": party_id}, now=again)
    fire(county_db, case_id, "start_session", actor="mediator1", data=None, now=again)
    fire(county_db, case_id, "record_oral_agreement", actor="mediator1", data={"terms": "当场履行完毕"}, now=again)
    assert state_and_visits(county_db, case_id) == ("follow_up.tracking", [])
    with pytest.raises(GuardFailed) as refused:
        close(county_db, case_id, again + timedelta(hours=1))
    assert "visit 1 counts from 2026-04-08" in refused.value.detail


def _row(db: Database, case_id: int) -> dict:
    with db.read() as connection:
        return dict(connection.execute(sa.text("SELECT * FROM cases WHERE id = :id"), {"id": case_id}).mappings().one())


def test_the_supervisors_figures_say_which_visits_were_on_schedule(county_db: Database) -> None:
    on_time = in_follow_up(county_db)
    visit(county_db, on_time, china("2026-03-03T09:00"))  # early
    visit(county_db, on_time, china("2026-03-09T09:00"))
    visit(county_db, on_time, china("2026-04-01T09:00"))
    close(county_db, on_time, china("2026-04-01T10:00"))
    waiting = in_follow_up(county_db, start=START + timedelta(days=20))
    visit(county_db, waiting, china("2026-03-23T09:00"))  # early
    visit(county_db, waiting, china("2026-03-29T09:00"))  # on schedule (day 6)
    visit(county_db, waiting, china("2026-04-15T09:00"))  # early for +30 (day 23): recorded in the period's end

    supervisor = actor_for(county_db, "supervisor1")
    figures = case_metrics(county_db, supervisor, now=china("2026-04-20T09:00")).return_visits
    assert (figures.recorded, figures.on_schedule, figures.early, figures.extra) == (6, 3, 3, 0)
    assert (figures.resolved_on_schedule, figures.resolved_not_on_schedule) == (1, 0)

    march = case_metrics(county_db, supervisor, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31),
                         now=china("2026-04-20T09:00")).return_visits
    assert (march.recorded, march.on_schedule, march.early) == (4, 2, 2)  # the visits of March (China days)
    assert (march.resolved_on_schedule, march.resolved_not_on_schedule) == (0, 0)  # closed in April

    outside = case_metrics(county_db, actor_for(county_db, "mediator2"), now=china("2026-04-20T09:00"))
    assert outside.return_visits.recorded == 0  # 桥头镇's mediator reaches neither case


def test_a_resolution_closed_on_early_visits_before_the_rule_shows_in_the_figures(county_db: Database) -> None:
    """A case closed by the earlier release on two visits of its first minutes, as that release left it."""
    case_id = in_follow_up(county_db)
    visit(county_db, case_id, china("2026-03-09T09:00"))
    visit(county_db, case_id, china("2026-04-01T09:00"))
    close(county_db, case_id, china("2026-04-01T10:00"))
    faked = {"visits": [{"outcome": "stable", "at": (START + timedelta(minutes=1)).isoformat()},
                        {"outcome": "stable", "at": (START + timedelta(minutes=2)).isoformat()}]}
    with county_db.begin() as connection:  # the progress the earlier release kept: no schedule, no start
        connection.execute(sa.text("UPDATE cases SET progress = :progress WHERE id = :id"),
                           {"progress": jsontext.dumps(faked), "id": case_id})
    with county_db.write() as tx:  # such a case enters the kept figures as the upgrade counts it: by a recount
        figure_recount.recount(tx)

    figures = case_metrics(county_db, actor_for(county_db, "supervisor1"), now=china("2026-04-20T09:00"))
    visits = figures.return_visits
    assert (visits.recorded, visits.on_schedule, visits.early) == (2, 0, 2)  # judged from entering follow-up
    assert (visits.resolved_on_schedule, visits.resolved_not_on_schedule) == (0, 1)
    assert figures.resolution.resolved == 1  # still a resolution: the figures say what it rests on
