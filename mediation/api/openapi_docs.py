"""What the OpenAPI document says beyond the types: security, error answers, closed bodies."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec

from mediation import control_characters
from mediation.api.schemas import ErrorBody

BEARER = [{"BearerToken": []}]
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


def _whole_numbers_as_int(value: Any) -> Any:
    """JSON has one number type: 5.0 is the integer 5 (as JSON Schema reads it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers_as_int(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers_as_int(item) for key, item in value.items()}
    return value


def strict_body(body: bytes, type_: type) -> Any:
    """The body decoded with no type coercion ("6" is not an int, 0 not a bool); 400 naming the field.

    No string of it may hold a NUL, nor a code or a name any control character (400 naming the field).
    """
    from litestar.exceptions import ValidationException

    try:
        decoded = msgspec.json.decode(body)
        refused = _control_characters(decoded, "", one_line=False) if _may_hold_control_characters(body) else None
        if refused is not None:
            path, reason = refused
            raise ValidationException(detail=f"{path}: {reason}",
                                      extra=[{"message": reason, "key": path, "source": "body"}])
        return msgspec.convert(_whole_numbers_as_int(decoded), type_, strict=True)
    except msgspec.ValidationError as error:
        path = str(error).rpartition(" - at `$.")[2].rstrip("`") if " - at `$." in str(error) else "body"
        raise ValidationException(
            detail="Validation failed", extra=[{"message": str(error), "key": path, "source": "body"}]
        ) from None
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        raise ValidationException(detail="the request body is not valid JSON") from None


def _may_hold_control_characters(body: bytes) -> bool:
    """JSON holds C0 characters only as escapes; DEL and C1 (UTF-8 C2 80 to C2 9F) may come as they are."""
    return b"\\" in body or b"\x7f" in body or b"\xc2" in body


def _control_characters(value: Any, path: str, *, one_line: bool) -> tuple[str, str] | None:
    """(the field, the reason) of the first string refused by `control_characters`; None when none is."""
    if isinstance(value, str):
        reason = control_characters.refusal(value, one_line=one_line)
        return (path or "body", reason) if reason else None
    if isinstance(value, dict):
        for key, item in value.items():
            if control_characters.refusal(key, one_line=True):
                return path or "body", f"field names {control_characters.CONTROL_REASON}"
            found = _control_characters(item, f"{path}.{key}" if path else key,
                                        one_line=key in control_characters.ONE_LINE_FIELDS)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _control_characters(item, f"{path}[{index}]", one_line=one_line)
            if found:
                return found
    return None
