"""What the OpenAPI document says beyond the types: security, error answers, closed bodies."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from mediation import control_characters
from mediation.api.schemas import ErrorBody
from mediation.errors import InvalidData

BEARER = [{"BearerToken": []}]
MAX_DEPTH = 32  # levels of objects and lists in a request body
LARGEST_INTEGER = 2**63  # integers of a body fit in 64 bits (PostgreSQL bigint, the event trail's JSON)
_SUSPECT_BYTES = re.compile(rb"[\\\x7f\xc2]|[0-9]{19}")
ERROR_MEANINGS = {
    400: "malformed request: bad JSON, wrong types, unknown fields, bad query parameters",
    401: "no valid bearer token (or wrong password)",
    403: "the caller's role may not do this",
    404: "no such case, or outside the caller's reach",
    409: "stale version (current_version in extra), or the trigger is not allowed in the case's state now",
    413: "request body or document too large",
    422: "invalid data, failed guard, or an idempotency key reused with another request",
    428: "If-Match or expected_version missing",
    429: "too many failed logins",
    503: "busy (documents: every renderer is at work); retry after the Retry-After seconds",
}


def errors(*codes: int) -> dict[int, ResponseSpec]:
    """Response specs for the error answers an operation may give, each in Litestar's shape."""
    return {
        code: ResponseSpec(data_container=ErrorBody, description=ERROR_MEANINGS[code], generate_examples=False)
        for code in codes
    }


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """Structs that refuse unknown fields say so: `additionalProperties: false`."""

    def to_openapi_schema(self, field_definition: Any, schema_creator: Any) -> Any:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        config = getattr(field_definition.type_, "__struct_config__", None)
        if config is not None and config.forbid_unknown_fields:
            target = schema_creator.schema_registry.from_reference(schema).schema if hasattr(schema, "ref") else schema
            target.additional_properties = False
        return schema


def body_documented_as(type_: type) -> dict[str, Provide]:
    """Dependencies that show `type_` as the operation's JSON request body, for a handler that decodes
    its body itself, once, with `strict_body`.

    Litestar documents a request body from a `data` parameter of the handler or of any dependency of
    its layers. This dependency has one, and no handler asks for it, so Litestar never resolves it and
    never decodes the body a second time (a `data` parameter on the handler would be decoded on every
    request before the handler runs).
    """

    def request_body(data: Any) -> None:  # documentation only: never called
        return None

    request_body.__annotations__ = {"data": JSONBody[type_], "return": None}
    return {"request_body": Provide(request_body, sync_to_thread=False)}


def _whole_numbers_as_int(value: Any) -> Any:
    """JSON has one number type: 5.0 is the integer 5 (as JSON Schema reads it), within 64 bits."""
    if isinstance(value, float) and value.is_integer() and abs(value) < LARGEST_INTEGER:
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers_as_int(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers_as_int(item) for key, item in value.items()}
    return value


def strict_body(body: bytes, type_: type) -> Any:
    """The body decoded with no type coercion ("6" is not an int, 0 not a bool); 400 naming the field.

    No string may hold a NUL, nor a code or a name any control character; integers fit in 64 bits
    and objects nest at most MAX_DEPTH deep (what the database, the event trail and idempotency
    digests can hold): InvalidData (422) naming the field, like the engine's own data rules, before
    anything reaches the database.
    """
    from litestar.exceptions import ValidationException

    try:
        decoded = msgspec.json.decode(body)
        value = msgspec.convert(_whole_numbers_as_int(decoded), type_, strict=True)  # declared types first: 400
        refused = _first_refused(decoded, "", one_line=False, depth=0) if _needs_a_look(body) else None
        if refused is not None:
            raise InvalidData(*refused)
        return value
    except msgspec.ValidationError as error:
        path = str(error).rpartition(" - at `$.")[2].rstrip("`") if " - at `$." in str(error) else "body"
        raise ValidationException(
            detail="Validation failed", extra=[{"message": str(error), "key": path, "source": "body"}]
        ) from None
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        raise ValidationException(detail="the request body is not valid JSON") from None


def _needs_a_look(body: bytes) -> bool:
    """Whether `_first_refused` can find anything: JSON holds C0 characters only as escapes (DEL and C1,
    UTF-8 C2 80 to C2 9F, as they are), a 64-bit integer has at most 19 digits, nesting needs brackets."""
    return _SUSPECT_BYTES.search(body) is not None or body.count(b"[") + body.count(b"{") > MAX_DEPTH


def _first_refused(value: Any, path: str, *, one_line: bool, depth: int) -> tuple[str, str] | None:
    """(the field, the reason) of the first value refused in the body; None when none is."""
    where = path or "body"
    if isinstance(value, str):
        reason = control_characters.refusal(value, one_line=one_line)
        return (where, reason) if reason else None
    if isinstance(value, int) and not isinstance(value, bool):
        return (where, "is out of range (64-bit integers)") if abs(value) >= LARGEST_INTEGER else None
    if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
        return where, f"nests deeper than {MAX_DEPTH} levels"
    if isinstance(value, dict):
        for key, item in value.items():
            if control_characters.refusal(key, one_line=True):
                return where, f"field names {control_characters.CONTROL_REASON}"
            found = _first_refused(item, f"{path}.{key}" if path else key,
                                   one_line=key in control_characters.ONE_LINE_FIELDS, depth=depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_refused(item, f"{path}[{index}]", one_line=one_line, depth=depth + 1)
            if found:
                return found
    return None
