"""The units a case is shared with for co-mediation (DESIGN §9.5), as its page shows them.

Reads only, for a case the reader reaches (the caller checked): each share with the partner's name,
the reason, who shared it (by name) and when; and the partner a `referral_in` case came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from mediation import jsontext
from mediation.cases.event_lookup import event_ids_of
from mediation.db import RawTransaction, parse_timestamp
from mediation.directory.queries import unit_by_code

SHARES_OF_CASE = (
    "SELECT u.code, u.name, s.reason, s.shared_by, su.display_name, s.created_at FROM case_shares s "
    "JOIN units u ON u.id = s.unit_id LEFT JOIN users su ON su.username = s.shared_by "
    "WHERE s.case_id = :case_id ORDER BY s.created_at, u.code"
)
EVENT_DATA = "SELECT data FROM events WHERE id = :id"  # events are found by id (there is no index by case)


class CaseShare(NamedTuple):
    unit_code: str
    unit_name: str
    reason: str | None
    shared_by: str | None  # the sharer's display name (their username when they have none)
    shared_at: datetime


def case_shares(tx: RawTransaction, case_id: int) -> list[CaseShare]:
    """The units the case is shared with now, oldest share first."""
    return [CaseShare(code, name, reason, display or username, parse_timestamp(at))
            for code, name, reason, username, display, at in tx.all(SHARES_OF_CASE, {"case_id": case_id})]


def referred_from(tx: RawTransaction, case_id: int) -> str | None:
    """The name of the unit a `referral_in` case names as the one that referred it, or None."""
    ids = event_ids_of(tx, case_id)
    found = tx.one(EVENT_DATA, {"id": ids[0]}) if ids else None
    code = jsontext.loads(found[0]).get("referred_by") if found and found[0] else None
    if not code:
        return None
    unit = unit_by_code(tx, code)
    return unit.name if unit else None
