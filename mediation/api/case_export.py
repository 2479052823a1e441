"""GET /api/v1/cases/export?format=csv|xlsx: the case list with its filters, as a spreadsheet file.

The filters are those of `GET /api/v1/cases` (an unknown value is 400 naming it, before any byte is
sent); every match is exported, not a page. `lang=en` labels the columns and values in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream

from mediation.api.auth import AUTHENTICATED
from mediation.api.cases import FILTER_CHOICES
from mediation.api.openapi_docs import BEARER, errors
from mediation.cases.list_export import CONTENT_TYPES, case_sheet, file_name, spreadsheet_bytes
from mediation.cases.views import CaseFilters
from mediation.directory.actors import Actor
from mediation.services import services_of


@dataclass
class SpreadsheetOperation(Operation):
    """The operation as documented, its 200 answer in both formats: CSV text or XLSX bytes."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if ok is not None and ok.content is not None:
            ok.content[CONTENT_TYPES["csv"]] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
            ok.content[CONTENT_TYPES["xlsx"]] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING,
                                                                               format=OpenAPIFormat.BINARY))


class FileStream(Stream):
    """A download whose own type wins over the operation's documented one (text/csv; XLSX when asked for)."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        return super().to_asgi_response(*args, **{**kwargs, "media_type": self.media_type})


@get("/api/v1/cases/export", sync_to_thread=True, tags=["cases"], dependencies=AUTHENTICATED, security=BEARER,
     responses=errors(400, 401, 422), media_type=CONTENT_TYPES["csv"], operation_class=SpreadsheetOperation,
     summary="The filtered case list as CSV (UTF-8 with BOM) or XLSX: every match, labelled, masked per reader")
def export_cases(
    request: Request,
    actor: NamedDependency[Actor],
    file_format: Annotated[Literal["csv", "xlsx"], QueryParameter(name="format")] = "csv",
    lang: Annotated[Literal["zh", "en"], QueryParameter(description="language of headings and labels")] = "zh",
    case_state: Annotated[str | None, QueryParameter(name="state", max_length=64,
                                                     schema_extra=FILTER_CHOICES["state"])] = None,
    stage: Annotated[str | None, QueryParameter(max_length=32, schema_extra=FILTER_CHOICES["stage"])] = None,
    unit: Annotated[str | None, QueryParameter(max_length=64)] = None,
    channel: Annotated[str | None, QueryParameter(max_length=40, schema_extra=FILTER_CHOICES["channel"])] = None,
    category: Annotated[str | None, QueryParameter(max_length=40, schema_extra=FILTER_CHOICES["category"])] = None,
    risk_level: Annotated[str | None, QueryParameter(max_length=16, schema_extra=FILTER_CHOICES["risk_level"])] = None,
    overdue: FromQuery[bool | None] = None,
    q: Annotated[str | None, QueryParameter(max_length=100)] = None,
) -> FileStream:
    """Each matching case in the caller's reach, newest first, streamed a batch at a time."""
    services = services_of(request)
    now = services.clock()
    filters = CaseFilters(case_state, stage, unit, channel, category, risk_level, overdue, q)
    rows = case_sheet(services.db, actor, filters, now, lang)
    name = file_name("cases", file_format, now)
    return FileStream(spreadsheet_bytes(rows, file_format, lang), media_type=CONTENT_TYPES[file_format],
                  headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
