"""Monthly quotas: each mediator's resolutions per month of China against the policy's quota."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from mediation.cases.read_models import UserRef
from mediation.db import parse_timestamp
from mediation.metrics.periods import in_china
from mediation.metrics.report import MediatorQuota, QuotaMonth, QuotaReport


def _month(value: date | datetime) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def _months(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (YYYY-MM), both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while (label := f"{year:04d}-{month:02d}") <= last:
        months.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def quotas(rows: list[tuple], quota: int, date_from: date | None, date_to: date | None,
           now: datetime) -> QuotaReport:
    """Quota attainment per mediator and month of the resolved cases (rows as `resolution` reads them)."""
    per_mediator: dict[tuple[str, str], Counter] = defaultdict(Counter)
    unattributed = 0
    for _created, _follow_up, closed_at, _level, username, name in rows:
        if username is None:
            unattributed += 1
        else:
            per_mediator[(username, name)][_month(in_china(parse_timestamp(closed_at)))] += 1
    seen = sorted({month for counter in per_mediator.values() for month in counter})
    if not seen:
        return QuotaReport(quota, [], [], unattributed)
    first = max(seen[0], _month(date_from)) if date_from else seen[0]
    this_month = _month(in_china(now))
    last = max(min(_month(date_to), this_month) if date_to else this_month, seen[-1])
    months = _months(first, last)
    mediators = [_mediator_quota(username, name, counter, months, quota)
                 for (username, name), counter in sorted(per_mediator.items())]
    return QuotaReport(quota, months, mediators, unattributed)


def _mediator_quota(username: str, name: str, counter: Counter, months: list[str], quota: int) -> MediatorQuota:
    """One mediator's row: resolutions and attainment in each of `months`."""
    rows = [QuotaMonth(month, counter[month], round(counter[month] / quota, 4) if quota else 0.0,
                       counter[month] >= quota) for month in months]
    return MediatorQuota(UserRef(username, name), sum(counter.values()), sum(row.met for row in rows), rows)
