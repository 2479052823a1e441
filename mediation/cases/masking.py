"""Masking of parties' ID and phone numbers (DESIGN §5, PIPL art. 28)."""

from __future__ import annotations

from typing import Any

from mediation.directory.actors import Actor


def mask_id_number(value: str | None) -> str | None:
    """330324199001011234 -> 330324********1234."""
    if not value:
        return value
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """13812345678 -> 138****5678; landlines keep their last four digits only."""
    if not value:
        return value
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    return "*" * (len(value) - 4) + value[-4:]


def sees_full_numbers(actor: Actor, case: Any) -> bool:
    """The assigned mediator, supervisors over the case's unit, court staff of a referred case."""
    if actor.is_system:
        return True
    if case.mediator_id is not None and case.mediator_id == actor.user_id:
        return True
    if "supervisor" in actor.roles and case.unit_path.startswith(actor.unit_path):
        return True
    return "court" in actor.roles and case.court_id is not None and case.court_id == actor.unit_id
