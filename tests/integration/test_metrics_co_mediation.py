"""The supervisors' figures and cross-jurisdiction co-mediation (DESIGN §9.5): a shared case counts for both
units, the `partner` filter keeps the cases shared with one unit, and cases never shared count as before."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mediation.db import Database
from mediation.demo.case_paths import drive_to, fire
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.directory.accounts import actor_for
from mediation.errors import UnknownFilterValue
from mediation.metrics.figures import case_metrics
from mediation.metrics.report import Metrics

NOW = datetime(2026, 11, 20, 8, 0)
COUNTY = SampleCounty()
VILLAGE = COUNTY.village  # 菇溪村: a unit of the same county that does not reach 江北社区's cases


@pytest.fixture
def county_db(db: Database) -> Database:
    build_sample_county(db)
    return db


def figures(db: Database, username: str, **filters: str | None) -> Metrics:
    return case_metrics(db, actor_for(db, username), date_from=None, date_to=None, now=NOW + timedelta(days=1),
                        **filters)


def share(db: Database, case_id: int, unit: str, by: str = "mediator1") -> None:
    fire(db, case_id, "share_with_unit", actor=by, now=NOW + timedelta(hours=2),
         data={"unit": unit, "reason": "跨区域协同调解"})


def counts(metrics: Metrics) -> dict[str, int]:
    return {unit.code: unit.count for unit in metrics.by_unit}


def test_a_shared_case_counts_for_both_units_and_the_home_figures_stay_as_they_were(county_db: Database) -> None:
    shared = drive_to(county_db, state="mediation.in_session", county=COUNTY, now=NOW)
    drive_to(county_db, state="screening.triaged", county=COUNTY, now=NOW)  # never shared
    home_before, away_before = figures(county_db, "supervisor1"), figures(county_db, "partner_sup")
    assert (home_before.co_mediation.cases, home_before.co_mediation.by_partner, away_before.cases) == (0, [], 0)

    share(county_db, shared, COUNTY.partner_post)
    home, away = figures(county_db, "supervisor1"), figures(county_db, "partner_sup")
    assert (home.cases, home.by_state, counts(home)) == (home_before.cases, home_before.by_state, counts(home_before))
    assert home.co_mediation.cases == 1
    assert [(u.code, u.name, u.count) for u in home.co_mediation.by_partner] == [
        (COUNTY.partner_post, "浙闽边界“铁盟”联调站", 1)]
    assert away.cases == 1 and away.by_state["mediation.in_session"] == 1 and away.co_mediation.cases == 1
    assert counts(away) == {COUNTY.grid: 1}  # outside the post's own subtree: under the case's own unit
    assert figures(county_db, "partner_sup", unit=COUNTY.partner_post).cases == 1  # the post's own scope has it

    fire(county_db, shared, "end_sharing", actor="mediator1", now=NOW + timedelta(hours=3),
         data={"unit": COUNTY.partner_post})
    assert figures(county_db, "partner_sup").cases == 0
    assert figures(county_db, "supervisor1").co_mediation.cases == 0


def test_the_partner_filter_keeps_the_cases_shared_with_that_unit(county_db: Database) -> None:
    both = drive_to(county_db, state="mediation.in_session", county=COUNTY, now=NOW)
    post_only = drive_to(county_db, state="screening.triaged", county=COUNTY, now=NOW)
    drive_to(county_db, state="screening.triaged", county=COUNTY, now=NOW)
    share(county_db, both, COUNTY.partner_post)
    share(county_db, both, VILLAGE)
    share(county_db, post_only, COUNTY.partner_post)

    home = figures(county_db, "supervisor1")
    assert home.cases == 3 and home.co_mediation.cases == 2  # a case shared twice is one co-mediated case
    assert {u.code: u.count for u in home.co_mediation.by_partner} == {COUNTY.partner_post: 2, VILLAGE: 1}
    post = figures(county_db, "supervisor1", partner=COUNTY.partner_post)
    assert (post.cases, post.partner.code, post.partner.name) == (2, COUNTY.partner_post, "浙闽边界“铁盟”联调站")
    assert figures(county_db, "supervisor1", partner=VILLAGE).cases == 1
    assert figures(county_db, "supervisor1", partner=COUNTY.court).cases == 0
    assert figures(county_db, "supervisor1").partner is None
    # The village's own mediator reaches the case shared with it; nobody else's figures changed.
    assert figures(county_db, "mediator2").co_mediation.cases == 1


@pytest.mark.parametrize("partner", ["NO-SUCH-UNIT", "%", "3503\n22"])
def test_an_unknown_partner_is_a_400_naming_it(county_db: Database, partner: str) -> None:
    with pytest.raises(UnknownFilterValue) as refused:
        figures(county_db, "supervisor1", partner=partner)
    assert refused.value.field == "partner" and refused.value.status_code == 400
