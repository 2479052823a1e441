"""The effect of `recompute_deadlines`: a deadline counted on estimated holidays, due anew.

The deadlines service works out the new due moment on the holiday arrangement entered since;
the event keeps the kind, the previous and the new due moment, and the engine writes the row.
"""

from __future__ import annotations

from datetime import datetime, timezone

from mediation.workflows.case_state import CaseState


def naive_utc(moment: str) -> datetime:
    """A trigger's date-time (China time, with its offset) as the naive UTC the database keeps."""
    return datetime.fromisoformat(moment).astimezone(timezone.utc).replace(tzinfo=None)


def recompute_deadline(case: CaseState) -> None:
    case.moved_deadlines.append({"kind": case.data["kind"], "to": naive_utc(case.data["new_due"]),
                                 "estimated": bool(case.data.get("estimated"))})


RECOUNT_EFFECTS = (recompute_deadline,)
