"""The supervisor dashboard (/dashboard) and its CSV export (/dashboard.csv).

Figures come from `case_metrics`, the same as GET /api/v1/metrics, for the signed-in
supervisor's reach, a period of days (default: this year so far), a unit of their subtree and a
partner unit the cases were shared with (co-mediation, DESIGN §9.5).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from mediation.directory.queries import units_in_reach, units_of_kind
from mediation.errors import InvalidData
from mediation.metrics.figures import case_metrics
from mediation.services import services_of
from mediation.web.dashboard_figures import csv_rows, csv_text, dashboard_tables, raw, shown
from mediation.web.page import (
    Page,
    current_definition,
    page_of,
    to_login,
)
from mediation.workflows.calendar import china_today

SUPERVISOR = "supervisor"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadFilter(Exception):
    """A filter the dashboard cannot use: the field, the reason's word key, the HTTP status."""

    def __init__(self, field: str, reason: str, status: int) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason, self.status = field, reason, status


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    unit: str | None
    partner: str | None = None  # only the cases shared with this unit


def parse_filters(query: Mapping[str, Any], *, today: date, units: Mapping[str, str],
                  partners: Mapping[str, str] | None = None) -> Filters:
    """The period, unit and partner asked for; blank dates mean this year so far; `units` are those in reach,
    `partners` the units a case may be shared with."""
    days = []
    for name, default in (("from", today.replace(month=1, day=1)), ("to", today)):
        text = str(query.get(name) or "").strip()
        if not text:
            days.append(default)
            continue
        try:
            if not ISO_DAY.fullmatch(text):
                raise ValueError(text)
            days.append(date.fromisoformat(text))
        except ValueError:
            raise BadFilter(name, "dash_bad_date", 400) from None
    if days[0] > days[1]:
        raise BadFilter("from", "dash_from_after_to", 422)
    unit = str(query.get("unit") or "").strip() or None
    if unit is not None and unit not in units:
        raise BadFilter("unit", "dash_unit_outside", 422)
    partner = str(query.get("partner") or "").strip() or None
    if partner is not None and partner not in (partners or {}):
        raise BadFilter("partner", "dash_partner_unknown", 400)
    return Filters(days[0], days[1], unit, partner)


class DashboardPages(Controller):
    """Supervisors' figures as charts and tables, and the same figures as CSV."""

    include_in_schema = False

    @get("/dashboard", sync_to_thread=True)
    def dashboard(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        return _dashboard(page, export=False)

    @get("/dashboard.csv", sync_to_thread=True)
    def export(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        return _dashboard(page, export=True)


def _dashboard(page: Page, *, export: bool) -> Response:
    """The page (or the CSV) for the request's filters; refusals and bad filters as a page with the reason."""
    t = page.words.t
    query = page.request.query_params
    asked = {name: str(query.get(name) or "")[:64] for name in ("from", "to", "unit", "partner")}
    if SUPERVISOR not in page.actor.roles:
        return page.render("dashboard.html", status=403, refused=True, asked=asked)
    services = services_of(page.request)
    now = services.clock()
    units = _units_in_reach(services.db, page.actor.unit_path)
    partners = _partner_units(services.db, units)
    try:
        filters = parse_filters(query, today=china_today(now), units=units, partners=partners)
        metrics = case_metrics(services.db, page.actor, date_from=filters.date_from, date_to=filters.date_to,
                               unit=filters.unit, partner=filters.partner, now=now)
    except BadFilter as bad:
        colon = "：" if page.lang == "zh" else ": "
        error = f"{t('dash_field_' + bad.field)}{colon}{t(bad.reason)}"
        return _render(page, status=bad.status, asked=asked, units=units, error=error, error_field=bad.field,
                       partners=partners)
    except InvalidData as invalid:  # what case_metrics itself refuses
        return _render(page, status=422, asked=asked, units=units, error=f"{invalid.field}: {invalid.reason}",
                       partners=partners)
    tables = dashboard_tables(metrics, page.words, current_definition(services))
    chosen = {"from": filters.date_from.isoformat(), "to": filters.date_to.isoformat(), "unit": filters.unit or "",
              "partner": filters.partner or ""}
    if export:
        scope = units.get(filters.unit, "") if filters.unit else t("dash_unit_all")
        meta = [("from", t("dash_field_from"), chosen["from"]), ("to", t("dash_field_to"), chosen["to"]),
                ("unit", t("dash_field_unit"), filters.unit or ""), ("unit_name", t("dash_field_unit"), scope),
                ("as_of", t("dash_as_of"), metrics.now)]
        if filters.partner:
            meta.insert(4, ("partner", t("dash_field_partner"), partners[filters.partner]))
        name = f"dashboard-{chosen['from']}-{chosen['to']}{'-' + filters.unit if filters.unit else ''}.csv"
        return Response(csv_text(csv_rows(tables, meta)).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
    charts = [data for data in (table.chart_data() for table in tables) if data]
    return _render(page, asked=chosen, units=units, tables=tables, charts=charts, partners=partners)


def _render(page: Page, *, status: int = 200, asked: dict[str, str], units: dict[str, str],
            error: str | None = None, error_field: str | None = None, tables: list | None = None,
            charts: list | None = None, partners: dict[str, str] | None = None) -> Response:
    csv_query = urlencode({k: v for k, v in asked.items() if v})
    return page.render("dashboard.html", status=status, refused=False, asked=asked, units=units, error=error,
                       error_field=error_field, tables=tables or [], charts=charts or [], partners=partners or {},
                       csv_url=f"/dashboard.csv?{csv_query}", raw=raw,
                       # not `shown`: base.html sets a variable of that name (the unread count)
                       figure_text=lambda value, kind: shown(value, kind, page.words.t))


def _units_in_reach(db, unit_path: str) -> dict[str, str]:
    """Code → name of the units in the supervisor's subtree, in tree order."""
    with db.snapshot() as tx:
        return dict(units_in_reach(tx, unit_path))


def _partner_units(db, units: Mapping[str, str]) -> dict[str, str]:
    """Code → name of the units outside the supervisor's subtree: the partners a case may be shared with."""
    with db.snapshot() as tx:
        return {code: name for code, name in units_of_kind(tx, None) if code not in units}
