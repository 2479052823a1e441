"""Audit logs (DESIGN §9.9): who saw unmasked personal data (supervisors over their unit, admins), and
the directory's change log (admins).

`from` and `to` are China dates (`2026-03-02`, whole days, `to` included) or moments with an offset.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from mediation.api.auth import AUTHENTICATED
from mediation.api.directory import admin_services
from mediation.api.openapi_docs import BEARER, errors
from mediation.cases.numbers import case_id_of
from mediation.cases.personal_data_views import MAX_PAGE_SIZE, ViewPage, list_views, may_read_log
from mediation.directory.actors import Actor
from mediation.directory.listings import ChangePage, list_changes
from mediation.directory.queries import user_exists
from mediation.errors import Forbidden, InvalidData, UnknownFilterValue
from mediation.services import services_of
from mediation.workflows.calendar import china_day_start

Page = Annotated[int, QueryParameter(ge=1, le=1_000_000)]
PageSize = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)]
# A China date, or a moment with its offset; a day the calendar lacks (02-30) is refused with 422.
MOMENT_PATTERN = (r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                  r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]))?$")
MOMENT_DOC = "A China date (2026-03-02) or an ISO moment with an offset (2026-03-02T09:00+08:00)"
# The pattern is documented and checked here (400 naming `from` or `to`, not the handler's own names).
Moment = Annotated[str | None, QueryParameter(max_length=40, description=MOMENT_DOC,
                                              schema_extra={"type": "string", "one_of": None, "pattern": MOMENT_PATTERN})]
From = Annotated[str | None, QueryParameter(name="from", max_length=40, description=MOMENT_DOC,
                                            schema_extra={"type": "string", "one_of": None, "pattern": MOMENT_PATTERN})]


def moment_of(text: str | None, parameter: str, *, end: bool = False) -> datetime | None:
    """The naive-UTC moment a `from`/`to` value names (a China date: its start, or for `to` the next day's)."""
    if text is None:
        return None
    if not re.fullmatch(MOMENT_PATTERN, text):
        raise UnknownFilterValue(parameter, text, "must be a date (2026-03-02) or a moment with an offset")
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
        if day is not None:
            return china_day_start(day, end=end)
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise InvalidData(parameter, "a moment needs its offset, e.g. +08:00")
        return moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # 2026-02-30, or a moment beyond the calendar's ends
        raise InvalidData(parameter, "is no day of the calendar") from None


@get("/api/v1/audit/personal-data-views", sync_to_thread=False, tags=["audit"], dependencies=AUTHENTICATED,
     security=BEARER, responses=errors(400, 401, 403, 422),
     summary="Who saw which case's unmasked numbers, when, through what (supervisors: their unit's cases)")
def personal_data_views(
    request: Request, actor: NamedDependency[Actor],
    case: Annotated[str | None, QueryParameter(max_length=64, description="Case id or number")] = None,
    user: Annotated[str | None, QueryParameter(max_length=64, description="Username of the reader")] = None,
    from_: From = None,
    to: Moment = None, page: Page = 1, page_size: PageSize = 100,
) -> ViewPage:
    if not may_read_log(actor):
        raise Forbidden("only supervisors and administrators read the personal-data view log", field="role")
    since, until = moment_of(from_, "from"), moment_of(to, "to", end=True)
    services = services_of(request)
    with services.db.snapshot() as tx:
        case_id = case_id_of(tx, case) if case is not None else None
        if case is not None and case_id is None:
            raise UnknownFilterValue("case", case)
        if user is not None and not user_exists(tx, user):
            raise UnknownFilterValue("user", user)
        return list_views(tx, actor, case_id=case_id, username=user, since=since, until=until, page=page,
                          page_size=page_size)


@get("/api/v1/audit/directory-changes", sync_to_thread=False, tags=["audit"], dependencies=AUTHENTICATED,
     security=BEARER, responses=errors(400, 401, 403, 422),
     summary="The directory's change log, newest first (administrators)")
def directory_changes(
    request: Request, actor: NamedDependency[Actor],
    target: Annotated[str | None, QueryParameter(max_length=64, description="A unit code or a username")] = None,
    from_: From = None,
    to: Moment = None, page: Page = 1, page_size: PageSize = 100,
) -> ChangePage:
    services = admin_services(request, actor)
    since, until = moment_of(from_, "from"), moment_of(to, "to", end=True)
    with services.db.snapshot() as tx:
        return list_changes(tx, target=target, since=since, until=until, page=page, page_size=page_size)
