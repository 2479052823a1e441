"""Masking of parties' ID and phone numbers and addresses (DESIGN §5, §9.2, PIPL art. 28)."""

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


ADDRESS_SHOWN = 6  # characters: about the county and town; the street and house number are hidden


def mask_address(value: str | None) -> str | None:
    """永嘉县瓯北街道锦绣花园3幢201室 -> 永嘉县瓯北街****; a short address keeps its first two characters."""
    if not value:
        return value
    shown = ADDRESS_SHOWN if len(value) > ADDRESS_SHOWN else min(2, len(value) - 1)
    return value[:shown] + "****"


# The fields of a party (in trigger data and in the event trail) masked for whoever may not see them.
MASKS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}


def masked_data(data: dict[str, Any]) -> dict[str, Any]:
    """An event's data with party numbers and addresses masked, in it and in the values it replaced."""
    if not any(key in data for key in (*MASKS, "previous")):
        return data
    masked = {key: MASKS[key](value) if key in MASKS and isinstance(value, str) else value for key, value in data.items()}
    if isinstance(masked.get("previous"), dict):
        masked["previous"] = masked_data(masked["previous"])
    return masked


def sees_full_numbers(actor: Actor, case: Any) -> bool:
    """The assigned mediator, supervisors over the case's unit, court staff of a referred case."""
    if actor.is_system:
        return True
    if case.mediator_id is not None and case.mediator_id == actor.user_id:
        return True
    if "supervisor" in actor.roles and case.unit_path.startswith(actor.unit_path):
        return True
    return "court" in actor.roles and case.court_id is not None and case.court_id == actor.unit_id
