"""Case endpoints: intake, list, detail, transitions, events."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery, HeaderParameter, QueryParameter

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, body_documented_as, errors, strict_body
from mediation.api.schemas import CaseCreate, TransitionRequest
from mediation.cases import idempotency
from mediation.cases.attachments import ATTACH, refuse_direct_attach
from mediation.cases.case_detail import (
    answer_after_change,
    case_detail,
    case_detail_in,
    case_events,
    case_share_views,
)
from mediation.cases.engine import TransitionResult, apply_transition
from mediation.cases.intake import CaseInput, PartyInput, open_case_answered
from mediation.cases.personal_data_views import log_if_unmasked
from mediation.cases.read_models import CaseDetail, CasePage, CaseReceipt, EventView, ShareView
from mediation.cases.views import API_COUNT_LIMIT, CaseFilters, filter_values, list_cases
from mediation.db import RawTransaction
from mediation.directory.actors import Actor
from mediation.services import Services, services_of
from mediation.workflows.loader import current_definition

encode = msgspec.json.encode
JSON_HEADERS = {"content-type": MediaType.JSON}


# Headers as the OpenAPI document declares them; their values are checked by the handlers (400/422
# naming the header), so the declarations carry no constraint Litestar would enforce on its own.
HEADER_TEXT = {"type": "string", "one_of": None}  # a header is text or absent, never null
IfMatch = Annotated[str | None, HeaderParameter(
    name="If-Match", required=False,
    description='The ETag of the case as you read it, e.g. "5" (or send expected_version); both must agree.',
    schema_extra={**HEADER_TEXT, "pattern": r'^((W/)?"?[0-9]{1,10}"?)?$', "examples": ['"5"']})]
IdempotencyKey = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key", required=False,
    description="Any 1–255 characters of your choice: a retry with the same key and request is answered as the "
                "first one was and changes nothing; the same key with another request is refused (422).",
    schema_extra={**HEADER_TEXT, "min_length": 1, "max_length": idempotency.MAX_KEY_LENGTH,
                  "examples": ["3f2b8c1e-6a4d-4c1b-9a57-0d2e7c9b1f44"]})]
ETAG = ResponseHeader(name="ETag", value='"5"', documentation_only=True, required=True,
                      description="The case's version, quoted: send it back as If-Match.")
REPLAYED = ResponseHeader(name="Idempotent-Replayed", value="true", documentation_only=True,
                          description="true when the answer is the one stored under the Idempotency-Key.")


# The list's enumerable filters take the shipped workflow's values: any other is refused (400 naming it).
FILTER_CHOICES = {name: {"type": "string", "one_of": None, "enum": values}
                  for name, values in filter_values(current_definition()).items()}


class PreconditionRequired(HTTPException):
    status_code = 428


def _expected_version(if_match: str | None, body_version: int | None) -> int:
    """The version the caller read: If-Match (ETag) or expected_version; 428 when neither."""
    header_version = None
    if if_match:
        text = if_match.strip().removeprefix("W/").strip('"')
        if not (text.isascii() and text.isdigit()) or len(text) > 10:
            raise HTTPException(status_code=400, detail="If-Match must be the case's ETag, e.g. \"5\"",
                                extra={"field": "If-Match"})
        header_version = int(text)
    if header_version is not None and body_version is not None and header_version != body_version:
        raise HTTPException(status_code=400, detail="If-Match and expected_version disagree",
                            extra={"field": "expected_version"})
    version = header_version if header_version is not None else body_version
    if version is None:
        raise PreconditionRequired(detail="send If-Match or expected_version with the version you read",
                                   extra={"field": "expected_version"})
    return version


def _case_response(body: bytes | str, status: int, version: int | None = None, replayed: bool = False) -> Response:
    headers = dict(JSON_HEADERS)
    if version is not None:
        headers["etag"] = f'"{version}"'
    if replayed:
        headers["idempotent-replayed"] = "true"
    return Response(body.encode() if isinstance(body, str) else body, status_code=status, headers=headers)


def _case_input(data: CaseCreate) -> CaseInput:
    return CaseInput(
        title=data.title, description=data.description, channel=data.channel, unit=data.unit,
        category=data.category, risk_level=data.risk_level, referred_by=data.referred_by,
        parties=[PartyInput(**msgspec.to_builtins(p)) for p in data.parties],
    )


class CaseController(Controller):
    """Writes run on the event loop's own thread, not a worker thread: a write transaction
    is short and serialised per database, and a thread holding the write lock that must win
    the GIL back from request threads stretches every other writer's wait (measured: the
    transition rate doubled and its p99 fell threefold without the hop)."""

    path = "/api/v1/cases"
    tags = ["cases"]
    dependencies = AUTHENTICATED
    security = BEARER

    @post("/", status_code=201, summary="Intake: file a new case", responses=errors(400, 401, 403, 409, 413, 422),
          response_headers=[ETAG, REPLAYED], dependencies=body_documented_as(CaseCreate))
    async def create(
        self, request: Request, actor: NamedDependency[Actor],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[CaseDetail]:
        strict = strict_body(await request.body(), CaseCreate)
        return _create(services_of(request), actor, strict, idempotency_key)

    @get("/", sync_to_thread=False, summary="Cases in the caller's reach, filtered and paged",
         responses=errors(400, 401, 422))
    def index(
        self,
        request: Request,
        actor: NamedDependency[Actor],
        case_state: Annotated[str | None, QueryParameter(name="state", max_length=64,
                                                         schema_extra=FILTER_CHOICES["state"])] = None,
        stage: Annotated[str | None, QueryParameter(max_length=32, schema_extra=FILTER_CHOICES["stage"])] = None,
        unit: Annotated[str | None, QueryParameter(max_length=64)] = None,
        channel: Annotated[str | None, QueryParameter(max_length=40, schema_extra=FILTER_CHOICES["channel"])] = None,
        category: Annotated[str | None, QueryParameter(max_length=40, schema_extra=FILTER_CHOICES["category"])] = None,
        risk_level: Annotated[str | None, QueryParameter(max_length=16,
                                                         schema_extra=FILTER_CHOICES["risk_level"])] = None,
        overdue: FromQuery[bool | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> CasePage:
        filters = CaseFilters(case_state, stage, unit, channel, category, risk_level, overdue, q, page, page_size)
        services = services_of(request)
        return list_cases(services.db, actor, filters, services.clock(), count_limit=API_COUNT_LIMIT)

    @get("/{case_id:int}", sync_to_thread=False, summary="One case, with the triggers the caller may fire",
         responses=errors(400, 401, 404), response_headers=[ETAG])
    def show(self, request: Request, case_id: FromPath[int], actor: NamedDependency[Actor]) -> Response[CaseDetail]:
        services = services_of(request)
        detail = case_detail(services.db, actor, case_id)
        log_if_unmasked(services.db, actor=actor, case_id=case_id, via="api_case", now=services.clock())
        return _case_response(encode(detail), 200, detail.version)

    @post("/{case_id:int}/transitions", status_code=200, summary="Fire a trigger",
          responses=errors(400, 401, 403, 404, 409, 413, 422, 428), response_headers=[ETAG, REPLAYED],
          dependencies=body_documented_as(TransitionRequest))
    async def transition(
        self, request: Request, case_id: FromPath[int],
        actor: NamedDependency[Actor], if_match: IfMatch = None, idempotency_key: IdempotencyKey = None,
    ) -> Response[CaseDetail | CaseReceipt]:
        strict = strict_body(await request.body(), TransitionRequest)
        if strict.trigger == ATTACH:
            refuse_direct_attach(services_of(request).db, actor, case_id)
        expected = _expected_version(if_match, strict.expected_version)
        return _transition(services_of(request), actor, case_id, strict, expected, idempotency_key)

    @get("/{case_id:int}/shares", sync_to_thread=False, summary="The units the case is shared with (co-mediation)",
         responses=errors(400, 401, 404))
    def shares(self, request: Request, case_id: FromPath[int], actor: NamedDependency[Actor]) -> list[ShareView]:
        return case_share_views(services_of(request).db, actor, case_id)

    @get("/{case_id:int}/events", sync_to_thread=False, summary="The audit trail, hash-chained",
         responses=errors(400, 401, 404))
    def events(self, request: Request, case_id: FromPath[int], actor: NamedDependency[Actor]) -> list[EventView]:
        services = services_of(request)
        events = case_events(services.db, actor, case_id)
        log_if_unmasked(services.db, actor=actor, case_id=case_id, via="api_events", now=services.clock())
        return events


def _create(services: Services, actor: Actor, data: CaseCreate, key: str | None) -> Response:
    """Intake in one write transaction, answered with the new case (stored under the key, if any)."""
    digest = idempotency.request_digest("POST /cases", msgspec.to_builtins(data)) if key is not None else ""
    answer = open_case_answered(
        services.db, actor=actor, case=_case_input(data), idempotency_key=key, request_hash=digest,
        now=services.clock(),
        respond=lambda case_id, tx: (201, encode(case_detail_in(tx, services.db, actor, case_id)).decode()))
    return _case_response(answer.body, answer.status, _version_of(answer.body), replayed=answer.replayed)


def _transition(
    services: Services, actor: Actor, case_id: int, data: TransitionRequest, expected: int, key: str | None
) -> Response:
    """Fire the trigger through the engine's one door, answered with what the caller may see after it."""
    digest = (idempotency.request_digest("POST transitions", case_id, expected, msgspec.to_builtins(data))
              if key is not None else None)
    def answer(result: TransitionResult, tx: RawTransaction) -> tuple[int, str]:
        return 200, encode(answer_after_change(tx, services.db, actor, case_id, result.in_reach)).decode()

    # Under a key the answer is stored with the change, so it is built inside the write transaction;
    # without one it is read right after the commit, outside the database's write lock.
    result = apply_transition(
        services.db, case_id=case_id, trigger=data.trigger, actor=actor, data=data.data, expected_version=expected,
        idempotency_key=key, request_hash=digest, now=services.clock(), respond=answer if key is not None else None)
    if key is None:
        with services.db.snapshot() as tx:
            result.response_status, result.response_body = answer(result, tx)
    version = result.version if not result.replayed else _version_of(result.response_body)
    return _case_response(result.response_body, result.response_status, version, replayed=result.replayed)


def _version_of(body: str) -> int | None:
    try:
        return msgspec.json.decode(body.encode(), type=dict).get("version")
    except msgspec.DecodeError:
        return None
