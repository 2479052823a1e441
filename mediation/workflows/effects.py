"""Effects: named, pure changes a transition makes to the in-memory case.

They change fields, keep progress (consents, signatures, visits) and queue deadlines and
notifications; the engine persists all of it in the transition's transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from mediation.workflows.case_file_effects import CASE_FILE_EFFECTS
from mediation.workflows.case_state import CaseState
from mediation.workflows.deadline_recount import RECOUNT_EFFECTS
from mediation.workflows.return_visits import follow_up_start, mark_visits
from mediation.workflows.sharing import SHARING_EFFECTS

Effect = Callable[[CaseState], None]
EFFECTS: dict[str, Effect] = {}


def effect(function: Effect) -> Effect:
    EFFECTS[function.__name__] = function
    return function


def _now_iso(case: CaseState) -> str:
    assert case.now is not None
    return case.now.isoformat()


def _add_unique(case: CaseState, key: str, value: object) -> None:
    items = case.progress.setdefault(key, [])
    if value not in items:
        items.append(value)


@effect
def set_category_and_risk(case: CaseState) -> None:
    case.category = case.data.get("category") or case.category
    case.risk_level = case.data.get("risk_level") or case.risk_level


@effect
def assign_on_scene_mediator(case: CaseState) -> None:
    case.mediator_id = case.resolved.get("mediator", case.actor_id)
    case.mechanism = "on_scene"
    case.resolver = "grassroots"
    case.notify("mediator", "case_assigned", user_id=case.mediator_id)


@effect
def assign_mediator(case: CaseState) -> None:
    case.mediator_id = case.resolved["mediator"]
    case.mechanism = case.data["mechanism"]
    case.resolver = case.data["resolver"]
    case.notify("mediator", "case_assigned", user_id=case.mediator_id)


@effect
def refer_to_department(case: CaseState) -> None:
    case.department_id = case.resolved["department"]
    case.notify("department", "case_referred", unit_id=case.department_id)


@effect
def record_consent(case: CaseState) -> None:
    _add_unique(case, "consents", case.data["party_id"])


@effect
def count_attempt(case: CaseState) -> None:
    """An adjourned session uses an attempt; a level's last attempt moves the case up."""
    case.ladder_attempts += 1
    allowed = case.ladder[case.ladder_level]["attempts"]
    if case.ladder_attempts >= allowed and case.ladder_level + 1 < len(case.ladder):
        escalate_level(case)


@effect
def escalate_level(case: CaseState) -> None:
    case.ladder_level += 1
    case.ladder_attempts = 0
    case.notify("supervisor", "case_escalated", level=case.ladder_level_name)


@effect
def inform_of_other_routes(case: CaseState) -> None:
    case.progress["routes_informed"] = ["arbitration", "administrative", "litigation"]


@effect
def draft_agreement(case: CaseState) -> None:
    case.progress["agreement"] = {
        "terms": case.data["terms"],
        "performance_deadline": case.data["performance_deadline"],
        "subject_matters": case.data.get("subject_matters") or [],
        "drafted_at": _now_iso(case),
    }
    case.progress["signatures"] = []
    case.progress["mediator_signed"] = False
    case.progress["sealed"] = False


@effect
def record_oral_agreement(case: CaseState) -> None:
    case.progress["agreement"] = {"terms": case.data["terms"], "oral": True, "effective_at": _now_iso(case)}


@effect
def record_signature(case: CaseState) -> None:
    if case.data.get("signer") == "mediator":
        case.progress["mediator_signed"] = True
    else:
        _add_unique(case, "signatures", case.data["party_id"])


@effect
def record_seal(case: CaseState) -> None:
    case.progress["sealed"] = True


@effect
def make_agreement_effective(case: CaseState) -> None:
    case.progress.setdefault("agreement", {})["effective_at"] = _now_iso(case)
    case.progress["agreement_effective_at"] = _now_iso(case)


@effect
def clear_agreement(case: CaseState) -> None:
    for key in ("signatures", "mediator_signed", "sealed"):
        case.progress.pop(key, None)


@effect
def record_resolution_level(case: CaseState) -> None:
    case.resolved_level = case.ladder_level_name


@effect
def refer_to_court(case: CaseState) -> None:
    case.court_id = case.resolved["court"]
    case.progress["applicants"] = sorted(case.data["applicants"])
    case.progress["applied_at"] = _now_iso(case)
    case.notify("court", "confirmation_applied", unit_id=case.court_id)


@effect
def record_court_acceptance(case: CaseState) -> None:
    case.progress["accepted_at"] = _now_iso(case)


@effect
def extend_ruling_deadline(case: CaseState) -> None:
    """The court's ruling deadline moves by the policy's extension, once (SPC rules: 15 + 10 days)."""
    rule = case.policy["deadlines"]["court_ruling"]
    case.progress["review_extended"] = True
    case.moved_deadlines.append({"kind": "court_ruling", "by": rule["extension"]})


@effect
def record_ruling(case: CaseState) -> None:
    case.progress["ruling_number"] = case.data["ruling_number"]
    case.progress["confirmed_at"] = _now_iso(case)
    case.resolved_level = case.policy["judicial_confirmation"]["resolution_level"]["level"]


@effect
def count_return(case: CaseState) -> None:
    case.return_count += 1
    case.department_id = None


@effect
def escalate_to_county(case: CaseState) -> None:
    case.ladder_level = len(case.ladder) - 1
    case.ladder_attempts = 0
    case.notify("county_centre", "referral_returned_twice")


@effect
def record_feedback(case: CaseState) -> None:
    case.progress["feedback"] = {"outcome": case.data["outcome"], "summary": case.data["summary"]}
    case.notify("referring_unit", "feedback_submitted", outcome=case.data["outcome"])


@effect
def start_return_visits(case: CaseState) -> None:
    """Follow-up starts now: the scheduled return visits count from today (DESIGN §9.2).

    Visits of an earlier stay in follow-up (before a default sent the case back to mediation)
    belonged to that agreement's schedule; they stay in the event history, not in this one.
    """
    case.progress["tracking_since"] = _now_iso(case)
    case.progress.pop("visits", None)


@effect
def record_visit(case: CaseState) -> None:
    """Keep the visit with how it counts: on schedule (filling the next scheduled visit), early
    (an extra visit before the scheduled one may count) or extra (after every scheduled visit)."""
    visits = case.progress.setdefault("visits", [])
    visit = {"outcome": case.data["outcome"], "at": _now_iso(case)}
    mark = mark_visits(case.policy, follow_up_start(case.progress), [v["at"] for v in visits] + [visit["at"]])[-1]
    visits.append({**visit, "schedule": mark.schedule, "slot": mark.slot, "day": mark.day})


# What one round of mediation leaves in progress; a recurrence or a reopening starts afresh
# (the earlier round stays in the event history).
ROUND_KEYS = (
    "consents", "signatures", "mediator_signed", "sealed", "agreement", "agreement_effective_at",
    "applicants", "applied_at", "accepted_at", "ruling_number", "confirmed_at", "feedback", "visits",
    "tracking_since", "routes_informed",
)


def _start_new_round(case: CaseState) -> None:
    for key in ROUND_KEYS:
        case.progress.pop(key, None)


@effect
def count_recurrence(case: CaseState) -> None:
    case.recurrence_count += 1
    _start_new_round(case)


@effect
def set_risk(case: CaseState) -> None:
    case.risk_level = case.data["risk_level"]


@effect
def open_order(case: CaseState) -> None:
    """A key case gets an order; due-soon and overdue deadlines watch it."""
    case.key_case = True
    deadline = date.fromisoformat(case.data["deadline"])
    rules = case.policy["key_case_orders"]
    due_soon = deadline - timedelta(days=rules["due_soon_before"]["days"])
    case.new_order = {
        "owner_id": case.resolved["owner"],
        "co_units": case.data.get("co_units") or [],
        "milestones": case.data.get("milestones") or [],
        "deadline": deadline,
    }
    case.new_deadlines.append({"kind": "order_due_soon", "due_on": due_soon, "action": "remind"})
    case.new_deadlines.append(
        {"kind": "order_overdue", "due_on": deadline + timedelta(days=1), "action": rules["overdue_action"]}
    )
    case.notify("owner", "key_case_designated", user_id=case.resolved["owner"])
    _share_with_co_units(case)


CO_UNIT_REASON = "重点疑难案件订单协办单位"  # stored as a share's reason, like the words a person gives


def _share_with_co_units(case: CaseState) -> None:
    """The order's co-units work the case with its owner: each that does not reach it already gets it shared
    (and is told), as share_with_unit would (DESIGN §9.5)."""
    codes, ids = case.data.get("co_units") or [], case.resolved.get("co_units") or []
    for code, unit_id in zip(codes, ids):
        if unit_id in (case.unit_id, case.department_id, case.court_id) or f"/{code}/" in case.unit_path:
            continue
        if unit_id not in case.co_unit_shares:
            case.co_unit_shares.append(unit_id)
            case.notify("partner_unit", "case_shared", unit_id=unit_id, reason=CO_UNIT_REASON)


@effect
def notify_supervisor(case: CaseState) -> None:
    """督办 goes to the supervisor, and also to whoever the expired deadline names.

    A key-case order's overdue timer names the owner's supervisor; policy deadlines name
    theirs with `notify` (the county centre for an unacknowledged referral, the court …).
    """
    case.notify("supervisor", "supervise", reason=case.data.get("reason"))
    deadline = case.data.get("deadline")
    also = "owner_supervisor" if deadline == "order_overdue" else (
        (case.policy.get("deadlines") or {}).get(deadline, {}).get("notify"))
    if also:
        case.notify(also, "supervise", reason=case.data.get("reason"), deadline=deadline)


@effect
def count_reopen(case: CaseState) -> None:
    case.progress["reopened"] = case.progress.get("reopened", 0) + 1
    _start_new_round(case)


for _case_file_effect in (*CASE_FILE_EFFECTS, *SHARING_EFFECTS, *RECOUNT_EFFECTS):
    effect(_case_file_effect)
