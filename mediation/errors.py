"""Typed errors raised by the domain; the API maps each to one HTTP status in one place."""

from __future__ import annotations

from typing import Any


class MediationError(Exception):
    """Base of every error the domain raises on purpose."""

    status_code = 400

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(MediationError):
    """The thing does not exist, or is outside the caller's reach (no existence leak)."""

    status_code = 404


class Forbidden(MediationError):
    """The caller's role may not do this."""

    status_code = 403


class StaleCase(MediationError):
    """The case changed since the caller read it."""

    status_code = 409

    def __init__(self, case_id: int, expected_version: int, current_version: int) -> None:
        super().__init__(
            f"case {case_id} is at version {current_version}, not {expected_version}",
            case_id=case_id,
            expected_version=expected_version,
            current_version=current_version,
        )
        self.current_version = current_version


class ChangedMeanwhile(MediationError):
    """Something other than a case changed since the caller read it (its If-Match no longer matches)."""

    status_code = 409


class TransitionNotAllowed(MediationError):
    """The trigger is unknown or cannot be fired from the case's state."""

    status_code = 409

    def __init__(self, trigger: str, state: str, allowed: list[str]) -> None:
        super().__init__(
            f"trigger '{trigger}' is not allowed in state '{state}'",
            trigger=trigger,
            state=state,
            allowed_triggers=allowed,
        )
        self.allowed = allowed


class GuardFailed(MediationError):
    """A guard of the transition refused it."""

    status_code = 422

    def __init__(self, trigger: str, guard: str, reason: str) -> None:
        super().__init__(reason, trigger=trigger, guard=guard)
        self.guard = guard
        self.reason = reason


class InvalidData(MediationError):
    """Input is missing, ill-typed or too long; names the field and the reason."""

    status_code = 422

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", field=field, reason=reason)
        self.field = field
        self.reason = reason


class IdempotencyConflict(MediationError):
    """The idempotency key was used before with a different request."""

    status_code = 422


class DefinitionError(MediationError):
    """A workflow definition or its policy is not sound."""

    status_code = 500


class UnknownFilterValue(InvalidData):
    """A list filter names a value that does not exist (a state, a unit …): a malformed request, 400
    (DESIGN §9.9), naming the parameter and the value."""

    status_code = 400

    def __init__(self, parameter: str, value: str, reason: str | None = None) -> None:
        super().__init__(parameter, reason or f"unknown value '{value}'")
        self.extra["value"] = value
        self.value = value
