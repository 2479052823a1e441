"""Cross-jurisdiction co-mediation (DESIGN §9.5): the guards and effects of `share_with_unit` / `end_sharing`.

A case is shared with a partner unit (a liaison post in another county or province) whose users then
reach it with their own roles. The guards read the units the case is shared with now (`case.shares`,
loaded by the engine for the triggers whose guards say `reads_shares`); the effects queue the share
row to write or delete and the notice to the partner unit, which the engine persists.
"""

from __future__ import annotations

from typing import Any

from mediation.workflows.case_state import CaseState
from mediation.workflows.refusals import Refusal, refuses


def _reads_shares(function: Any) -> Any:
    function.reads_shares = True
    return function


@_reads_shares
@refuses(reads_data=True, own_unit=(), reaches_already=(), already_shared=())
def partner_outside_reach(case: CaseState) -> Refusal | None:
    """The partner is neither the case's unit nor above it, nor the department or court holding it, nor shared."""
    code, unit_id = case.data.get("unit"), case.resolved.get("unit")
    if code is None or unit_id is None:
        return None
    if unit_id == case.unit_id or f"/{code}/" in case.unit_path:
        return Refusal("own_unit")
    if unit_id in (case.department_id, case.court_id):
        return Refusal("reaches_already")
    if unit_id in case.shares:
        return Refusal("already_shared")
    return None


@_reads_shares
@refuses(reads_data=True, not_shared=())
def shared_with_partner(case: CaseState) -> Refusal | None:
    """The case is shared with the unit whose sharing ends."""
    unit_id = case.resolved.get("unit")
    return None if unit_id is None or unit_id in case.shares else Refusal("not_shared")


def share_case(case: CaseState) -> None:
    """The share row to write, and the notice to the partner unit's mediators and supervisors."""
    unit_id, reason = case.resolved.get("unit"), case.data.get("reason")
    if unit_id is None:  # the engine resolved the required unit, or refused the data before
        return
    case.new_share = {"unit_id": unit_id, "reason": reason}
    case.notify("partner_unit", "case_shared", unit_id=unit_id, reason=reason)


def end_share(case: CaseState) -> None:
    case.ended_share = case.resolved.get("unit")


def reads_shares(guards: dict[str, Any], spec: Any) -> bool:
    """Whether a guard of the trigger needs the units the case is shared with."""
    return any(getattr(guards.get(name), "reads_shares", False)
               for transition in spec.transitions for name in transition.guards)


SHARING_GUARDS = (partner_outside_reach, shared_with_partner)
SHARING_EFFECTS = (share_case, end_share)
