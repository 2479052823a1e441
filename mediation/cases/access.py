"""Who may see and act on a case: roles per trigger and jurisdiction (DESIGN §5)."""

from __future__ import annotations

from typing import Any

from mediation.directory.actors import Actor


def in_reach(actor: Actor, case: Any) -> bool:
    """Own unit subtree, assigned to them, or referred to their department or court.

    Cases shared with the actor's unit are checked separately (it needs a query).
    """
    if actor.is_system:
        return True
    if actor.unit_path != "/" and case.unit_path.startswith(actor.unit_path):
        return True
    if case.mediator_id is not None and case.mediator_id == actor.user_id:
        return True
    return actor.unit_id is not None and actor.unit_id in (case.department_id, case.court_id)


def may_fire(actor: Actor, trigger_roles: tuple[str, ...], case: Any) -> bool:
    """The actor holds a role the trigger lists; department and court roles only on their referrals."""
    return roles_may_fire(actor.roles, trigger_roles, referred_to_them=(
        case.department_id == actor.unit_id, case.court_id == actor.unit_id))


def roles_may_fire(roles: frozenset[str], trigger_roles: tuple[str, ...], *,
                   referred_to_them: tuple[bool, bool]) -> bool:
    """may_fire for roles alone: `referred_to_them` says whether the case is referred to the holder's
    department and to the holder's court."""
    to_department, to_court = referred_to_them
    for role in roles.intersection(trigger_roles):
        if role == "department" and not to_department:
            continue
        if role == "court" and not to_court:
            continue
        return True
    return False
