"""What GET /api/v1/metrics answers: typed figures (msgspec structs) and their definitions."""

from __future__ import annotations

from datetime import date

import msgspec

from mediation.cases.read_models import UnitRef, UserRef

RESOLVED_STATES = ("closed.resolved", "closed.enforcement")
EXCLUDED_STATES = ("closed.duplicate", "closed.not_accepted")
MECHANISMS = ("on_scene", "joint", "professional")
UNSET = "unset"  # the key of cases with no category or mechanism yet
UNRECORDED = "unrecorded"  # the key of resolutions with no ladder level recorded
RESOLUTION_DEFINITION = (
    "rate = resolved / denominator over cases closed in the period; resolved = closed.resolved "
    "(closed loop verified after the return visits) + closed.enforcement (court-confirmed agreement, "
    "its enforcement is the court's); denominator = every case closed in the period except "
    "closed.duplicate (a dispute reported twice) and closed.not_accepted (declined at screening, "
    "never taken into mediation)"
)


class Period(msgspec.Struct):
    """Days covered, both ends included (UTC dates); null is unbounded on that side."""

    date_from: date | None = msgspec.field(name="from")
    date_to: date | None = msgspec.field(name="to")


class UnitCount(msgspec.Struct):
    """Cases of one unit (see `Metrics.by_unit` for which unit a case counts under)."""

    code: str
    name: str
    count: int


class CoMediation(msgspec.Struct):
    """Cross-jurisdiction co-mediation (DESIGN §9.5): the cases created in the period that were shared with
    another unit, and per partner unit the cases shared with it (a case shared with two counts for each)."""

    cases: int = 0
    by_partner: list[UnitCount] = msgspec.field(default_factory=list)


class Resolution(msgspec.Struct):
    """化解率 (resolution rate) of the cases closed in the period.

    `resolved` counts cases closed in one of `resolved_states`; `denominator` counts every case
    closed in the period except those in `excluded_states`; `rate` = resolved / denominator
    (null when nothing was closed). `definition` says the same in words.
    """

    closed: int
    closed_by_state: dict[str, int]
    resolved: int
    denominator: int
    rate: float | None
    resolved_states: list[str]
    excluded_states: list[str]
    definition: str


class TimeToResolution(msgspec.Struct):
    """Days from intake to resolution of the cases resolved in the period (`Resolution.resolved`).

    `median_days`: intake (`created_at`) to closure (`closed_at`), the whole closed loop including
    return visits. `median_days_to_agreement`: intake to entering follow-up (an agreement reached or
    a department's resolution confirmed), for the same cases. Null when no case was resolved.
    """

    cases: int
    median_days: float | None
    median_days_to_agreement: float | None


class Overdue(msgspec.Struct):
    """What is overdue at `now` (a snapshot, not limited to the period).

    `cases`: cases with a pending deadline due before `now` (as `GET /cases?overdue=true`, except
    that a key-case order's due-soon reminder, `order_due_soon`, is not a deadline missed);
    `deadlines_by_kind`: those pending overdue deadlines by policy kind. Apart from them, never
    among them: `due_soon_cases` and `due_soon_by_kind`, the pending deadlines due from `now` to
    `due_soon_days` days later. `orders_overdue` and `orders_due_soon`: key-case orders of open
    cases past their deadline, or within the policy's `key_case_orders.due_soon_before` days of
    it; `orders_open`: every order of an open case.
    """

    cases: int
    deadlines_by_kind: dict[str, int]
    orders_overdue: int
    orders_due_soon: int
    orders_open: int
    due_soon_cases: int = 0
    due_soon_by_kind: dict[str, int] = msgspec.field(default_factory=dict)
    due_soon_days: int = 2


class Recurrence(msgspec.Struct):
    """Recurrence (复发) among cases created in the period.

    `cases`: cases reported as recurred at least once (`recurrence_count` > 0); `recurrences`: all
    recurrence reports; `followed_up`: cases that reached follow-up, the only place a recurrence is
    reported (the base); `rate` = cases / followed_up, null when none was followed up.
    """

    cases: int
    recurrences: int
    followed_up: int
    rate: float | None


class ReturnVisits(msgspec.Struct):
    """Return visits (回访) recorded in the period, by how they count (DESIGN §9.2).

    The visit scheduled at +N days from entering follow-up counts only when recorded on or after
    day N − the policy's `return_visits.early_tolerance_days` (China calendar days). `on_schedule`:
    visits that count as a scheduled one; `early`: recorded before the next scheduled visit could
    count, kept as extra visits; `extra`: recorded after every scheduled visit; `recorded`: all
    three. Of the cases closed as `closed.resolved` in the period, `resolved_on_schedule` had
    every scheduled visit on schedule and `resolved_not_on_schedule` did not (closed on early
    visits, possible only before this rule). Visits are those of each case's current follow-up
    (a recurrence, a reopening or a new stay in follow-up starts another; the earlier ones stay
    in the case's events).
    """

    recorded: int = 0
    on_schedule: int = 0
    early: int = 0
    extra: int = 0
    resolved_on_schedule: int = 0
    resolved_not_on_schedule: int = 0


class QuotaMonth(msgspec.Struct, gc=False):  # thousands of them, holding no containers
    """Resolutions in one calendar month against the monthly quota (null when there is none)."""

    month: str  # YYYY-MM
    resolutions: int
    attainment: float | None  # resolutions / quota (1.0 = quota met exactly); null without a quota
    met: bool | None


class MediatorQuota(msgspec.Struct):
    """A mediator's resolutions per month, and their attainment when their role has a quota."""

    mediator: UserRef
    resolutions: int
    months_met: int | None  # null when none of their roles has a quota
    months: list[QuotaMonth]
    quota: int | None = None  # their monthly quota: the largest of their roles' quotas
    roles: list[str] = msgspec.field(default_factory=list)
    station: UnitRef | None = None  # the station their resolutions count with (`roll_up: station`)


class RoleQuota(msgspec.Struct):
    """A role's monthly quota from the policy; `roll_up: station` also counts it per station."""

    per_month: int
    roll_up: str | None = None


class StationQuota(msgspec.Struct):
    """A station's officers' resolutions together (捆绑考核): against `quota` = per_month × officers."""

    station: UnitRef
    officers: int  # active users under the station holding a role that rolls up to it
    quota: int
    resolutions: int
    months_met: int
    months: list[QuotaMonth]


class QuotaReport(msgspec.Struct):
    """Monthly quota attainment by the policy's quotas per role (社区民警每月化解5起, 捆绑考核, DOMAIN §1).

    A resolution (as in `Resolution.resolved`) counts for the case's mediator at closure, in the
    China calendar month of closure. `by_role` is the policy's `quotas` (a role not named has no
    quota); `monthly_quota` is the first role's `per_month` (null when no role has one). `months`
    runs from the later of the period's start and the first resolution to the earlier of the
    period's end and `now` (every row has every month, zeros included); `mediators` are those with
    at least one resolution in the period, with attainment only when one of their roles has a
    quota. `stations` rolls the resolutions of the roles with `roll_up: station` up to each officer's
    station (the station unit they sit in, or the station of their town), every station of the
    scope with such officers listed. `unattributed` counts resolutions with no mediator.
    """

    monthly_quota: int | None
    months: list[str]
    mediators: list[MediatorQuota]
    unattributed: int
    by_role: dict[str, RoleQuota] = msgspec.field(default_factory=dict)
    stations: list[StationQuota] = msgspec.field(default_factory=list)


class YearOnYearChange(msgspec.Struct):
    """Cases created in the period against the same period a year earlier."""

    current: int
    previous: int
    change: int
    change_percent: float | None  # null when the earlier period had none


class YearOnYear(msgspec.Struct):
    """同比 (year-on-year) change of cases created, in total and by category.

    The earlier period is the same dates a year before (29 February becomes 28 February); an open
    end of the period is `now`'s date.
    """

    previous_period: Period
    total: YearOnYearChange
    by_category: dict[str, YearOnYearChange]


class Metrics(msgspec.Struct):
    """Supervisors' figures for the cases in the caller's reach (DESIGN §6, DOMAIN §3).

    `cases` and the `by_*` counts are of cases created (filed at intake) in the period, by their
    channel, category, mechanism, unit, and current stage and state (`unset` when no category or
    mechanism is set yet; every channel, category, stage and state of the workflow is listed, zeros
    included). `by_unit` rolls cases up to the units one level below the scope (the `unit` filter,
    else the caller's own unit): a case filed at the scope unit itself counts under it, and a case
    reached outside that subtree (assigned, referred or shared) counts under its own unit.
    `resolution`, `time_to_resolution`, `quotas` and the levels are of cases closed in the period.
    `agreement_levels` counts the resolved ones by the escalation-ladder level where the agreement
    was reached (小事不出网格，大事不出社区; grid / community / station / county, `unrecorded` when
    none was recorded), a court-confirmed agreement at the level where it was made;
    `court_confirmed` counts those of them the court confirmed (司法确认), by the same levels, shown
    apart: confirmation is not a level. `resolved_levels` (kept for older clients) counts a
    court-confirmed case under `court` instead. `overdue` is a snapshot at `now`.
    `year_on_year` is null when the period has no start. `return_visits` counts the visits recorded
    in the period by whether they were on schedule.
    """

    period: Period
    unit: UnitRef | None
    now: str  # the moment of the snapshot, UTC, ISO 8601 with offset
    cases: int
    by_channel: dict[str, int]
    by_category: dict[str, int]
    by_mechanism: dict[str, int]
    by_unit: list[UnitCount]
    by_stage: dict[str, int]
    by_state: dict[str, int]
    resolution: Resolution
    time_to_resolution: TimeToResolution
    overdue: Overdue
    recurrence: Recurrence
    quotas: QuotaReport
    resolved_levels: dict[str, int]
    year_on_year: YearOnYear | None
    return_visits: ReturnVisits = msgspec.field(default_factory=ReturnVisits)
    agreement_levels: dict[str, int] = msgspec.field(default_factory=dict)
    court_confirmed: dict[str, int] = msgspec.field(default_factory=dict)
    partner: UnitRef | None = None  # the `partner` filter: only the cases shared with this unit
    co_mediation: CoMediation = msgspec.field(default_factory=CoMediation)
