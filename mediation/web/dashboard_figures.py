"""The supervisor dashboard's figures as labelled tables: one shape feeds the page, its charts and the CSV.

`dashboard_tables` only relabels a `Metrics` (what `case_metrics` and GET /api/v1/metrics give);
it computes no figure of its own, so the page, the CSV and the API cannot disagree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mediation.metrics.figures import resolution_levels
from mediation.metrics.report import UNRECORDED, UNSET, Metrics
from mediation.spreadsheet import safe_cell
from mediation.web.i18n import Words
from mediation.workflows.definition import WorkflowDefinition

COUNT, RATE, DAYS, PERCENT, SIGNED, QUOTA = "count", "rate", "days", "percent", "signed", "quota"
CSV_HEADER = ("section", "section_label", "key", "label", "measure", "value")
BOM = "\ufeff"  # Excel reads a UTF-8 file as UTF-8 (and Chinese as Chinese) only with it

Number = int | float | None


@dataclass(frozen=True)
class Column:
    key: str  # the measure's name in the CSV
    label: str
    kind: str = COUNT


@dataclass(frozen=True)
class Row:
    key: str  # the code (channel, category, state, username, month …)
    label: str
    values: tuple[Number, ...]
    kind: str | None = None  # overrides the column's kind (the one-column summary mixes kinds)


@dataclass
class Table:
    """One figure: a titled table whose numbers a chart may also draw (`chart` names how)."""

    key: str
    title: str
    dimension: str  # the heading of the row labels
    columns: tuple[Column, ...]
    rows: list[Row]
    chart: str | None = None  # bar, hbar, doughnut, quota, yoy (see dashboard.js)
    headline: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def kind(self, row: Row, column: Column) -> str:
        return row.kind or column.kind

    def chart_data(self) -> dict[str, Any] | None:
        """What dashboard.js draws: labels and datasets (zero slices and empty bars left out)."""
        if self.chart is None or not any(value for row in self.rows for value in row.values):
            return None  # an empty chart says nothing: the table says "0"
        if self.chart == "quota":
            months = self.columns[:-3]  # then the total, the quota and the months met
            sets = [{"label": r.label, "data": list(r.values[:len(months)])} for r in self.rows
                    if r.values[-2] is not None]  # only those with a quota are drawn against it
            if not sets:
                return None
            return {"id": self.key, "kind": "quota", "labels": [c.label for c in months], "datasets": sets,
                    **self.extra}
        rows = [r for r in self.rows if r.key != "total"] if self.chart == "yoy" else self.rows
        if self.chart == "doughnut" or (self.chart == "hbar" and len(rows) > 8):  # long lists: the non-zero
            rows = [r for r in rows if any(r.values)]
        plotted = self.columns[:2] if self.chart == "yoy" else self.columns[:1]
        sets = [{"label": c.label, "data": [r.values[i] for r in rows]} for i, c in enumerate(plotted)]
        return {"id": self.key, "kind": self.chart, "labels": [r.label for r in rows], "datasets": sets,
                **self.extra}


# --------------------------------------------------------------------------- the tables


def dashboard_tables(metrics: Metrics, words: Words, definition: WorkflowDefinition) -> list[Table]:
    """The dashboard's tables, in page order, labelled in the words' language."""
    t, value, policy = words.t, words.value, definition.policy
    count = (Column("cases", t("m_count")),)

    def labelled(counts: dict[str, int], labels: Callable[[str], Any]) -> list[Row]:
        return [Row(code, value(code) if code in (UNSET, UNRECORDED) else words.label(labels(code), code), (n,))
                for code, n in counts.items()]

    ladder = {step["level"]: step.get("labels") for step in resolution_levels(policy)}
    resolution = metrics.resolution
    return [
        _summary(metrics, t),
        Table("channel", t("dash_channel"), t("channel"), count,
              labelled(metrics.by_channel, lambda c: policy["channels"].get(c)), "hbar"),
        Table("category", t("dash_category"), t("category"), count,
              labelled(metrics.by_category, lambda c: policy["categories"].get(c)), "hbar"),
        Table("stage", t("dash_stage"), t("stage"), count,
              labelled(metrics.by_stage, definition.stage_labels.get), "bar"),
        Table("mechanism", t("dash_mechanism"), words.field("mechanism"), count,
              [Row(code, value(code), (n,)) for code, n in metrics.by_mechanism.items()], "bar"),
        Table("unit", t("dash_unit"), t("unit"), count,
              [Row(u.code, u.name, (u.count,)) for u in metrics.by_unit], "hbar"),
        Table("co_mediation", t("dash_co_mediation"), t("dash_field_partner"), count,
              [Row(u.code, u.name, (u.count,)) for u in metrics.co_mediation.by_partner], "hbar",
              headline=t("dash_co_mediation_cases", n=metrics.co_mediation.cases)),
        Table("resolution", t("dash_resolution"), t("state"), (Column("cases", t("m_closed")),),
              labelled({s: resolution.closed_by_state.get(s, 0) for s in definition.closed_states},
                       definition.states.get), "doughnut",
              headline=t("dash_rate_headline", rate=shown(resolution.rate, RATE, t), resolved=resolution.resolved,
                         base=resolution.denominator),
              note=t("dash_rate_definition")),
        _ladder(metrics, words, ladder),
        _orders(metrics, t),
        Table("deadlines", t("dash_deadlines"), t("dash_kind"), (Column("overdue", t("m_overdue")),),
              [Row(kind, value(kind), (n,)) for kind, n in metrics.overdue.deadlines_by_kind.items()], "hbar",
              headline=t("dash_overdue_cases", n=metrics.overdue.cases)),
        Table("due_soon", t("dash_due_soon", days=metrics.overdue.due_soon_days), t("dash_kind"),
              (Column("due_soon", t("m_due_soon")),),
              [Row(kind, value(kind), (n,)) for kind, n in metrics.overdue.due_soon_by_kind.items()], "hbar",
              headline=t("dash_due_soon_cases", n=metrics.overdue.due_soon_cases)),
        _quotas(metrics, words),
        _station_quotas(metrics, t),
        _year_on_year(metrics, words, policy),
    ]


def _summary(m: Metrics, t: Callable[..., str]) -> Table:
    yoy = m.year_on_year.total.change_percent if m.year_on_year else None
    figures = (("cases", m.cases, COUNT), ("closed", m.resolution.closed, COUNT),
               ("resolved", m.resolution.resolved, COUNT), ("rate", m.resolution.rate, RATE),
               ("median_days", m.time_to_resolution.median_days, DAYS),
               ("median_days_to_agreement", m.time_to_resolution.median_days_to_agreement, DAYS),
               ("overdue_cases", m.overdue.cases, COUNT), ("due_soon_cases", m.overdue.due_soon_cases, COUNT),
               ("orders_overdue", m.overdue.orders_overdue, COUNT),
               ("recurrence_rate", m.recurrence.rate, RATE), ("yoy_change_percent", yoy, PERCENT))
    return Table("summary", t("dash_summary"), t("m_item"), (Column("value", t("m_value")),),
                 [Row(key, t("m_" + key), (value,), kind) for key, value, kind in figures])


def _orders(m: Metrics, t: Callable[..., str]) -> Table:
    counts = (("overdue", m.overdue.orders_overdue), ("due_soon", m.overdue.orders_due_soon),
              ("open", m.overdue.orders_open))
    return Table("orders", t("dash_orders"), t("m_item"), (Column("orders", t("m_orders")),),
                 [Row(key, t("m_orders_" + key), (n,)) for key, n in counts], "bar")


def _ladder(m: Metrics, words: Words, labels: dict[str, Any]) -> Table:
    """Where agreements were reached on the ladder; the court's confirmations beside them, not as a level."""
    t = words.t
    levels = m.agreement_levels or {k: n for k, n in m.resolved_levels.items() if k in labels and k != "court"}
    rows = [Row(code, words.value(code) if code == UNRECORDED else words.label(labels.get(code), code),
                (n, m.court_confirmed.get(code, 0))) for code, n in levels.items()]
    confirmed = sum(m.court_confirmed.values())
    return Table("ladder", t("dash_ladder"), t("dash_level"),
                 (Column("resolved", t("m_agreements")), Column("court_confirmed", t("m_court_confirmed"))), rows,
                 "bar", headline=t("dash_court_confirmed", n=confirmed), note=t("dash_ladder_note"))


def _quotas(m: Metrics, words: Words) -> Table:
    """Each mediator's resolutions per month; attainment only for a role the policy gives a quota."""
    t, report = words.t, m.quotas
    columns = tuple(Column(month, month) for month in report.months) + (
        Column("total", t("m_total")), Column("quota", t("m_quota"), QUOTA), Column("months_met", t("m_months_met")))
    rows = [Row(q.mediator.username, _person(q, words),
                tuple(month.resolutions for month in q.months) + (q.resolutions, q.quota, q.months_met))
            for q in report.mediators]
    unattributed = t("dash_unattributed", n=report.unattributed) if report.unattributed else ""
    rules = "；".join(t("dash_role_quota", role=t("dash_role_" + role), quota=rule.per_month)
                     + (t("dash_rolled_up") if rule.roll_up else "") for role, rule in report.by_role.items())
    return Table("quotas", t("dash_quotas"), t("m_mediator"), columns, rows, "quota", headline=unattributed,
                 note=rules or t("dash_no_quota"), extra={"quota": report.monthly_quota, "quota_label": t("m_quota")})


def _person(q: Any, words: Words) -> str:
    """A mediator's name with their roles' words (民警, 调解员 …)."""
    roles = "、".join(words.t("dash_role_" + role) for role in q.roles)
    return f"{q.mediator.name or q.mediator.username}（{roles}）" if roles else q.mediator.name or q.mediator.username


def _station_quotas(m: Metrics, t: Callable[..., str]) -> Table:
    """The quota rolled up per station: its officers' resolutions together against per_month × officers."""
    report = m.quotas
    columns = tuple(Column(month, month) for month in report.months) + (
        Column("total", t("m_total")), Column("officers", t("m_officers")),
        Column("quota", t("m_station_quota")), Column("months_met", t("m_months_met")))
    rows = [Row(s.station.code, s.station.name,
                tuple(month.resolutions for month in s.months) + (s.resolutions, s.officers, s.quota, s.months_met))
            for s in report.stations]
    return Table("stations", t("dash_stations"), t("m_station"), columns, rows, note=t("dash_stations_note"))


def _year_on_year(m: Metrics, words: Words, policy: dict[str, Any]) -> Table:
    t = words.t
    columns = (Column("current", t("m_current")), Column("previous", t("m_previous")),
               Column("change", t("m_change"), SIGNED), Column("change_percent", t("m_change_percent"), PERCENT))
    yoy = m.year_on_year
    if yoy is None:
        return Table("yoy", t("dash_yoy"), t("category"), columns, [], note=t("dash_yoy_none"))
    changes = [("total", t("m_total"), yoy.total)] + [
        (code, words.value(code) if code == UNSET else words.label(policy["categories"].get(code), code), change)
        for code, change in yoy.by_category.items()]
    rows = [Row(code, label, (c.current, c.previous, c.change, c.change_percent)) for code, label, c in changes]
    period = yoy.previous_period
    return Table("yoy", t("dash_yoy"), t("category"), columns, rows, "yoy",
                 headline=t("dash_previous_period", start=period.date_from, end=period.date_to))


# --------------------------------------------------------------------------- showing and exporting


def shown(value: Number, kind: str, t: Callable[..., str]) -> str:
    """A figure as the page shows it: 96.55%, 3.5 天, +12, −24.5%; `t` gives the page's words."""
    if value is None:
        return "—"
    if kind == RATE:
        return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"
    if kind == DAYS:
        return f"{value:g} {t('m_days_unit')}"
    if kind == PERCENT:
        return f"{value:+g}%"
    if kind == SIGNED:
        return f"{value:+d}"
    if kind == QUOTA:
        return t("m_per_month", n=value)
    return str(value)


def raw(value: Number) -> str:
    """A figure as the CSV and the table's data-value carry it: the API's number, blank when undefined."""
    return "" if value is None else str(value)


def csv_rows(tables: Iterable[Table], filters: Iterable[tuple[str, str, str]]) -> list[tuple[str, ...]]:
    """One row per figure (section, section label, key, label, measure, value), after the filters used."""
    rows: list[tuple[str, ...]] = [CSV_HEADER]
    rows.extend(("filters", "", key, label, "", value) for key, label, value in filters)
    for table in tables:
        for row in table.rows:
            for column, value in zip(table.columns, row.values):
                rows.append((table.key, table.title, row.key, row.label, column.key, raw(value)))
    return rows


def csv_text(rows: Iterable[tuple[str, ...]]) -> str:
    """CSV text with a byte-order mark and CRLF line ends, as Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return BOM + buffer.getvalue()
