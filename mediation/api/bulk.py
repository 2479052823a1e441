"""POST /api/v1/cases/bulk: one trigger on many cases, an answer per case (DESIGN §9.3).

The answer is 200 whenever the request as a whole could be run, with each case's own status
inside (`results`, in the order given): one refused case does not make the others fail, so a
single HTTP status could not say what happened (a 207 would say no more than `results` does).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from msgspec import Meta

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, body_documented_as, errors, strict_body
from mediation.cases import idempotency
from mediation.cases.bulk import MAX_CASES, fire_bulk
from mediation.directory.actors import Actor
from mediation.services import services_of

# No bounds on the items: the document could not state them inside the union, and an id or a number
# that names no case is that case's own 404, not a malformed request.
CaseReference = int | str


class BulkRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Fire `trigger` with the same `data` on each case of `case_ids` (ids or case numbers, at most 200)."""

    trigger: Annotated[str, Meta(min_length=1, max_length=64, examples=["add_note"])]
    case_ids: Annotated[list[CaseReference], Meta(description=f"ids or case numbers, 1 to {MAX_CASES}, each once",
                                                  examples=[[12, "永嘉调〔2026〕00013号"]])]
    data: Annotated[dict[str, Any], Meta(examples=[{"text": "已电话联系双方，约定下周面谈。"}])] = {}
    expected_versions: Annotated[dict[str, int], Meta(
        description="optional: the version you read of a case, keyed by its entry in case_ids as written "
                    "(\"12\" or its number); that case is refused as stale (409) if it changed since. "
                    "Cases not named here are fired at their current version.",
        examples=[{"12": 5}])] = {}


class CaseError(msgspec.Struct):
    code: str
    detail: str
    field: str | None = None
    current_version: int | None = None


class CaseResult(msgspec.Struct, omit_defaults=True):
    """One case's outcome: `status` as the transitions endpoint would have answered for it alone."""

    case: int | str
    status: int
    case_id: int | None = None
    number: str | None = None
    version: int | None = None
    state: str | None = None
    error: dict[str, Any] | None = None


class BulkAnswer(msgspec.Struct):
    trigger: str
    succeeded: int
    failed: int
    results: list[CaseResult]


BulkKey = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key", required=False,
    description="A retry with the same key and request replays the cases it changed and tries the others again.",
    schema_extra={"type": "string", "one_of": None, "min_length": 1, "max_length": idempotency.MAX_KEY_LENGTH})]


@post("/api/v1/cases/bulk", status_code=200, tags=["cases"], dependencies={**AUTHENTICATED,
      **body_documented_as(BulkRequest)}, security=BEARER, responses=errors(400, 401, 413, 422),
      summary="Fire one trigger on many cases, each in its own transaction; an answer per case")
async def bulk_transitions(request: Request, actor: NamedDependency[Actor], idempotency_key: BulkKey = None,
                           ) -> Response[BulkAnswer]:
    """Each case fired at its current version; 200 with `results` (each with its own status) in the order given."""
    strict = strict_body(await request.body(), BulkRequest)
    services = services_of(request)
    # Up to 200 transactions: off the event loop, unlike a single transition.
    outcomes = await sync_to_thread(lambda: fire_bulk(
        services.db, actor=actor, trigger=strict.trigger, references=strict.case_ids, data=strict.data,
        now=services.clock(), idempotency_key=idempotency_key, expected_versions=strict.expected_versions))
    succeeded = sum(outcome.ok for outcome in outcomes)
    answer = BulkAnswer(strict.trigger, succeeded, len(outcomes) - succeeded,
                        [CaseResult(**outcome.answer()) for outcome in outcomes])
    return Response(answer, status_code=200)
