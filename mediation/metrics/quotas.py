"""Monthly quotas by role, and per station (DOMAIN §1: 社区民警每月排查化解5起, 捆绑考核 with the station).

The policy's `quotas` names the roles that have one (`police: {per_month: 5, roll_up: station}`);
a mediator holding none of them is counted, with no attainment. The resolutions of a role that
rolls up to the station count again together with the station's other officers, against the
quota times the station's officers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mediation.cases.read_models import UnitRef, UserRef
from mediation.db import RawTransaction, parse_timestamp
from mediation.metrics.periods import in_china
from mediation.metrics.report import MediatorQuota, QuotaMonth, QuotaReport, RoleQuota, StationQuota

STATIONS_SQL = "SELECT code, name, path FROM units WHERE kind = 'station' ORDER BY path"
OFFICERS_SQL = ("SELECT u.roles, un.path FROM users u JOIN units un ON un.id = u.unit_id "
                "WHERE u.active = :active AND u.roles LIKE :role")
STATION = "station"


def role_quotas(policy: dict[str, Any]) -> dict[str, RoleQuota]:
    """The policy's quotas by role; an older policy's one `monthly_resolutions_per_mediator` is the police's."""
    quotas = dict(policy.get("quotas") or {})
    if "monthly_resolutions_per_mediator" in quotas:  # before quotas were set per role (the source's 社区民警)
        quotas = {"police": {"per_month": quotas.pop("monthly_resolutions_per_mediator"), "roll_up": STATION},
                  **quotas}
    return {role: RoleQuota(int(rule["per_month"]), rule.get("roll_up")) for role, rule in quotas.items()
            if isinstance(rule, dict)}


@dataclass(frozen=True)
class Stations:
    """The station units ((code, name, path) in path order) and which of them a unit path counts with."""

    units: list[tuple[str, str, str]]

    def of(self, unit_path: str | None) -> tuple[str, str, str] | None:
        """The station a person of this unit counts with: the one they sit in (or under), else their town's."""
        if not unit_path:
            return None
        inside = [s for s in self.units if unit_path.startswith(s[2])]
        if inside:
            return max(inside, key=lambda s: len(s[2]))
        beside = [s for s in self.units if unit_path.startswith(s[2].rstrip("/").rsplit("/", 1)[0] + "/")]
        return max(beside, key=lambda s: len(s[2])) if beside else None


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


def quotas(tx: RawTransaction, rows: list[tuple], policy: dict[str, Any], scope_root: str,
           date_from: date | None, date_to: date | None, now: datetime) -> QuotaReport:
    """Attainment per mediator, month and station of the resolved cases (rows as `figures` reads them)."""
    by_role = role_quotas(policy)
    per_mediator: dict[tuple[str, str], Counter] = defaultdict(Counter)
    about: dict[str, tuple[list[str], str | None]] = {}
    unattributed = 0
    for _created, _follow_up, closed_at, _level, username, name, roles, unit_path, *rest in rows:
        cases = rest[1] if len(rest) > 1 else 1  # a row may stand for several cases alike
        if username is None:
            unattributed += cases
            continue
        per_mediator[(username, name)][_month(in_china(parse_timestamp(closed_at)))] += cases
        about[username] = (str(roles or "").split(), unit_path)
    first_quota = next(iter(by_role.values()), None)
    monthly = first_quota.per_month if first_quota else None
    seen = sorted({month for counter in per_mediator.values() for month in counter})
    if not seen:
        return QuotaReport(monthly, [], [], unattributed, by_role)
    first = max(seen[0], _month(date_from)) if date_from else seen[0]
    last = max(min(_month(date_to), _month(in_china(now))) if date_to else _month(in_china(now)), seen[-1])
    months = _months(first, last)
    stations = Stations([tuple(row) for row in tx.all(STATIONS_SQL)])
    mediators = [_mediator_quota(username, name, counter, months, by_role, *about[username], stations)
                 for (username, name), counter in sorted(per_mediator.items())]
    rolled = _station_quotas(tx, mediators, per_mediator, months, by_role, stations, scope_root)
    return QuotaReport(monthly, months, mediators, unattributed, by_role, rolled)


def _rows(counter: Counter, months: list[str], quota: int | None) -> list[QuotaMonth]:
    """Resolutions of each month, with attainment when there is a quota."""
    if not quota:
        return [QuotaMonth(month, counter.get(month, 0), None, None) for month in months]
    rows = []
    for month in months:
        count = counter.get(month, 0)
        rows.append(QuotaMonth(month, count, round(count / quota, 4), count >= quota))
    return rows


def _mediator_quota(username: str, name: str, counter: Counter, months: list[str], by_role: dict[str, RoleQuota],
                    roles: list[str], unit_path: str | None, stations: Stations) -> MediatorQuota:
    """One mediator's row: resolutions in each of `months`, attainment against their roles' quota."""
    quota = max((by_role[role].per_month for role in roles if role in by_role), default=None)
    rolls_up = any(by_role[role].roll_up == STATION for role in roles if role in by_role)
    station = stations.of(unit_path) if rolls_up else None
    rows = _rows(counter, months, quota)
    return MediatorQuota(UserRef(username, name), sum(counter.values()),
                         sum(bool(row.met) for row in rows) if quota else None, rows, quota, roles,
                         UnitRef(station[0], station[1]) if station else None)


def _station_quotas(tx: RawTransaction, mediators: list[MediatorQuota], per_mediator: dict[tuple[str, str], Counter],
                    months: list[str], by_role: dict[str, RoleQuota], stations: Stations,
                    scope_root: str) -> list[StationQuota]:
    """Each station's officers' resolutions together, against per_month × its active officers."""
    rolling = {role: rule.per_month for role, rule in by_role.items() if rule.roll_up == STATION}
    if not rolling:
        return []
    officers: Counter = Counter()  # station code -> the sum of its officers' monthly quotas
    heads: Counter = Counter()
    for role in rolling:
        for roles, path in tx.all(OFFICERS_SQL, {"active": True, "role": f"%{role}%"}):
            held = [r for r in str(roles).split() if r in rolling]
            station = stations.of(path)
            if station is not None and held and held[0] == role:  # a person counted once, under their first role
                officers[station[0]] += max(rolling[r] for r in held)
                heads[station[0]] += 1
    together: dict[str, Counter] = defaultdict(Counter)
    for mediator in mediators:
        if mediator.station is not None:
            together[mediator.station.code].update(per_mediator[(mediator.mediator.username, mediator.mediator.name)])
    named = {code: name for code, name, _path in stations.units}
    listed = [code for code, _name, path in stations.units
              if code in together or (heads[code] and path.startswith(scope_root))]
    rows = {code: _rows(together[code], months, officers[code] or None) for code in listed}
    return [StationQuota(UnitRef(code, named[code]), heads[code], officers[code], sum(together[code].values()),
                         sum(bool(row.met) for row in rows[code]), rows[code]) for code in listed]
