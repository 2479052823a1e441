"""The dashboard's pure parts: filters, tables from a Metrics struct, chart data, CSV text."""

from __future__ import annotations

import csv
import io
from datetime import date

import msgspec
import pytest

from mediation.cases.read_models import UnitRef, UserRef
from mediation.metrics.report import (
    MediatorQuota,
    Metrics,
    Overdue,
    Period,
    QuotaMonth,
    QuotaReport,
    Recurrence,
    Resolution,
    RoleQuota,
    StationQuota,
    TimeToResolution,
    UnitCount,
    YearOnYear,
    YearOnYearChange,
)
from mediation.web.dashboard import BadFilter, parse_filters
from mediation.web.dashboard_figures import (
    BOM,
    CSV_HEADER,
    csv_rows,
    csv_text,
    dashboard_tables,
    shown,
)
from mediation.web.i18n import Words
from mediation.workflows.loader import current_definition

TODAY = date(2026, 11, 22)
UNITS = {"330324001": "瓯北街道", "330324001001-G2": "江北社区第二网格"}
DEFINITION = current_definition()


def sample_metrics(**changes) -> Metrics:
    metrics = Metrics(
        period=Period(date(2026, 1, 1), TODAY), unit=None, now="2026-11-22T01:00:00+00:00", cases=9,
        by_channel={"grid_screening": 6, "walk_in": 3}, by_category={"neighbour": 5, "labour": 0, "unset": 4},
        by_mechanism={"on_scene": 1, "joint": 2, "professional": 0, "unset": 6},
        by_unit=[UnitCount("330324001001", "江北社区", 9)], by_stage={"screening": 3, "closed": 6},
        by_state={"closed.resolved": 4},
        resolution=Resolution(closed=6, closed_by_state={"closed.resolved": 4, "closed.not_accepted": 1,
                                                         "closed.refused": 1},
                              resolved=4, denominator=5, rate=0.8, resolved_states=[], excluded_states=[],
                              definition=""),
        time_to_resolution=TimeToResolution(cases=4, median_days=3.5, median_days_to_agreement=None),
        overdue=Overdue(cases=1, deadlines_by_kind={"people_mediation_term": 1}, orders_overdue=2,
                        orders_due_soon=0, orders_open=3, due_soon_cases=2, due_soon_by_kind={"court_ruling": 2}),
        recurrence=Recurrence(cases=0, recurrences=0, followed_up=4, rate=0.0),
        quotas=QuotaReport(5, ["2026-10", "2026-11"],
                           [MediatorQuota(UserRef("police1", "黄警官"), 6, 1,
                                          [QuotaMonth("2026-10", 1, 0.2, False), QuotaMonth("2026-11", 5, 1.0, True)],
                                          5, ["police"], UnitRef("330324001-PS", "瓯北派出所")),
                            MediatorQuota(UserRef("mediator1", "林调解"), 2, None,
                                          [QuotaMonth("2026-10", 2, None, None), QuotaMonth("2026-11", 0, None, None)],
                                          None, ["mediator"])],
                           unattributed=1, by_role={"police": RoleQuota(5, "station")},
                           stations=[StationQuota(UnitRef("330324001-PS", "瓯北派出所"), 2, 10, 6, 0,
                                                  [QuotaMonth("2026-10", 1, 0.1, False),
                                                   QuotaMonth("2026-11", 5, 0.5, False)])]),
        resolved_levels={"grid": 3, "community": 1, "station": 0, "county": 0, "court": 2},
        agreement_levels={"grid": 4, "community": 2, "station": 0, "county": 0},
        court_confirmed={"grid": 1, "community": 1, "station": 0, "county": 0},
        year_on_year=YearOnYear(Period(date(2025, 1, 1), date(2025, 11, 22)), YearOnYearChange(9, 12, -3, -25.0),
                                {"neighbour": YearOnYearChange(5, 12, -7, -58.33),
                                 "unset": YearOnYearChange(4, 0, 4, None)}),
    )
    return msgspec.structs.replace(metrics, **changes)


def tables(lang: str = "zh", **changes):
    return {t.key: t for t in dashboard_tables(sample_metrics(**changes), Words(lang), DEFINITION)}


def csv_figures(text: str) -> dict[tuple[str, str, str], str]:
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    return {(r[0], r[2], r[4]): r[5] for r in rows[1:]}


# --------------------------------------------------------------------------- filters


def test_blank_filters_mean_this_year_so_far() -> None:
    assert parse_filters({}, today=TODAY, units=UNITS) == parse_filters(
        {"from": " ", "to": "", "unit": ""}, today=TODAY, units=UNITS)
    filters = parse_filters({}, today=TODAY, units=UNITS)
    assert (filters.date_from, filters.date_to, filters.unit) == (date(2026, 1, 1), TODAY, None)


def test_filters_in_reach_are_taken() -> None:
    filters = parse_filters({"from": "2025-02-28", "to": "2025-02-28", "unit": "330324001001-G2"},
                            today=TODAY, units=UNITS)
    assert (filters.date_from, filters.date_to, filters.unit) == (date(2025, 2, 28), date(2025, 2, 28),
                                                                  "330324001001-G2")


@pytest.mark.parametrize(("query", "field", "reason", "status"), [
    ({"from": "2026-02-30"}, "from", "dash_bad_date", 400),
    ({"to": "20261101"}, "to", "dash_bad_date", 400),
    ({"to": "2026-1-1"}, "to", "dash_bad_date", 400),
    ({"from": "2026-06-02", "to": "2026-06-01"}, "from", "dash_from_after_to", 422),
    ({"from": "2027-01-01"}, "from", "dash_from_after_to", 422),  # after today, the default end
    ({"unit": "330324002"}, "unit", "dash_unit_outside", 422),
    ({"unit": "330324001\x00"}, "unit", "dash_unit_outside", 422),
])
def test_bad_filters_name_the_field_and_the_reason(query, field, reason, status) -> None:
    with pytest.raises(BadFilter) as raised:
        parse_filters(query, today=TODAY, units=UNITS)
    assert (raised.value.field, raised.value.reason, raised.value.status) == (field, reason, status)


def test_every_reason_has_words_in_both_languages() -> None:
    for key in ("dash_bad_date", "dash_from_after_to", "dash_unit_outside", "dash_field_from", "dash_field_to",
                "dash_field_unit", "dash_refused"):
        assert Words("zh").t(key) != key and Words("en").t(key) != key
        assert Words("zh").t(key) != Words("en").t(key)


# --------------------------------------------------------------------------- tables and charts


def test_tables_relabel_the_metrics_without_changing_them() -> None:
    by_key = tables()
    channel = by_key["channel"]
    assert [(r.key, r.label, r.values) for r in channel.rows] == [
        ("grid_screening", "村居干部、网格员排查", (6,)), ("walk_in", "来访", (3,))]
    assert [r.label for r in by_key["category"].rows] == ["邻里纠纷", "劳资纠纷", "未设置"]
    assert by_key["ladder"].rows[1].label == "社区（村）"
    # Where agreements were reached; the court's confirmations beside them, never a level of their own.
    assert [(r.key, r.values) for r in by_key["ladder"].rows] == [
        ("grid", (4, 1)), ("community", (2, 1)), ("station", (0, 0)), ("county", (0, 0))]
    assert [c.key for c in by_key["ladder"].columns] == ["resolved", "court_confirmed"]
    assert "2" in by_key["ladder"].headline and "司法确认" in by_key["ladder"].headline
    resolution = {r.key: r.values[0] for r in by_key["resolution"].rows}
    assert set(resolution) == set(DEFINITION.closed_states)  # zeros included
    assert resolution["closed.resolved"] == 4 and resolution["closed.withdrawn"] == 0
    assert "80%" in by_key["resolution"].headline and "4" in by_key["resolution"].headline
    quota = by_key["quotas"]
    assert [c.key for c in quota.columns] == ["2026-10", "2026-11", "total", "quota", "months_met"]
    assert quota.rows[0].values == (1, 5, 6, 5, 1) and "1" in quota.headline
    assert quota.rows[0].label == "黄警官（社区民警）" and "社区民警每月 5 件" in quota.note
    assert quota.rows[1].values == (2, 0, 2, None, None)  # a role without a quota: no attainment
    stations = by_key["stations"]
    assert [(r.key, r.label, r.values) for r in stations.rows] == [
        ("330324001-PS", "瓯北派出所", (1, 5, 6, 2, 10, 0))]
    assert [r.key for r in by_key["yoy"].rows] == ["total", "neighbour", "unset"]
    assert by_key["yoy"].rows[0].values == (9, 12, -3, -25.0)


def test_english_labels() -> None:
    by_key = tables("en")
    assert by_key["channel"].rows[0].label == "Grid screening"
    assert by_key["channel"].title == "Cases filed by channel"
    assert by_key["stage"].rows[1].label == DEFINITION.stage_labels["closed"]["en"]


def test_no_year_on_year_without_a_start() -> None:
    yoy = tables(year_on_year=None)["yoy"]
    assert yoy.rows == [] and yoy.chart_data() is None and yoy.note


def test_chart_data_leaves_out_what_draws_nothing() -> None:
    by_key = tables()
    assert by_key["channel"].chart_data()["datasets"] == [{"label": "件数", "data": [6, 3]}]
    doughnut = by_key["resolution"].chart_data()
    closed = {"closed.resolved": 4, "closed.not_accepted": 1, "closed.refused": 1}
    assert doughnut["labels"] == [DEFINITION.states[s]["zh"] for s in DEFINITION.closed_states if s in closed]
    assert doughnut["datasets"][0]["data"] == [closed[s] for s in DEFINITION.closed_states if s in closed]
    yoy = by_key["yoy"].chart_data()
    assert yoy["labels"] == ["邻里纠纷", "未设置"]  # not the total
    assert [d["data"] for d in yoy["datasets"]] == [[5, 4], [12, 0]]
    quota = by_key["quotas"].chart_data()
    assert quota["labels"] == ["2026-10", "2026-11"] and quota["datasets"] == [{"label": "黄警官（社区民警）",
                                                                                "data": [1, 5]}]
    assert quota["quota"] == 5
    nothing = tables(agreement_levels={"grid": 0, "community": 0, "station": 0, "county": 0},
                     court_confirmed={})["ladder"]
    assert nothing.chart_data() is None and len(nothing.rows) == 4
    assert by_key["summary"].chart_data() is None


def test_long_bar_lists_chart_only_the_non_zero() -> None:
    categories = {code: (2 if code == "labour" else 0) for code in DEFINITION.policy["categories"]}
    chart = tables(by_category=categories)["category"].chart_data()
    assert chart["labels"] == ["劳资纠纷"] and chart["datasets"][0]["data"] == [2]


@pytest.mark.parametrize(("value", "kind", "text"), [
    (0.8, "rate", "80%"), (0.9655, "rate", "96.55%"), (1.0, "rate", "100%"), (0.0, "rate", "0%"),
    (3.5, "days", "3.5 天"), (-25.0, "percent", "-25%"), (12.5, "percent", "+12.5%"), (-3, "signed", "-3"),
    (0, "signed", "+0"), (7, "count", "7"), (None, "rate", "—"),
])
def test_shown(value, kind, text) -> None:
    assert shown(value, kind, Words("zh").t) == text


# --------------------------------------------------------------------------- CSV


def test_csv_has_a_bom_crlf_and_one_row_per_figure() -> None:
    filters = [("from", "开始日期", "2026-01-01"), ("to", "结束日期", "2026-11-22")]
    text = csv_text(csv_rows(tables().values(), filters))
    assert text.startswith(BOM + ",".join(CSV_HEADER) + "\r\n")
    figures = csv_figures(text)
    assert figures[("filters", "from", "")] == "2026-01-01"
    assert figures[("channel", "grid_screening", "cases")] == "6"
    assert figures[("summary", "rate", "value")] == "0.8"
    assert figures[("summary", "median_days_to_agreement", "value")] == ""  # undefined stays blank
    assert figures[("quotas", "police1", "2026-11")] == "5"
    assert figures[("quotas", "mediator1", "quota")] == "" and figures[("quotas", "mediator1", "months_met")] == ""
    assert figures[("deadlines", "people_mediation_term", "overdue")] == "1"
    assert figures[("due_soon", "court_ruling", "due_soon")] == "2"
    assert ("deadlines", "court_ruling", "overdue") not in figures  # due soon is never listed as overdue
    assert figures[("yoy", "unset", "change_percent")] == "" and figures[("yoy", "total", "change")] == "-3"
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert {r[0] for r in rows[1:]} >= {"summary", "channel", "category", "stage", "resolution", "ladder",
                                        "orders", "deadlines", "due_soon", "quotas", "stations", "yoy"}
    assert any(r[3] == "村居干部、网格员排查" for r in rows)
    assert len(rows) - 1 == len(figures)  # no figure twice


def test_csv_defuses_formulas_but_keeps_negative_numbers() -> None:
    text = csv_text([("section", "label", "value"), ("unit", "=HYPERLINK(\"x\")", "-3"), ("unit", "@sum", "+4")])
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows[1] == ["unit", "'=HYPERLINK(\"x\")", "-3"]
    assert rows[2] == ["unit", "'@sum", "+4"]
