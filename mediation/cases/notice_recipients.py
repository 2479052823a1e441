"""Who a notice reaches: one row in `notifications` per person, in the transaction that writes the notice.

Every message the engine or the deadline worker puts in the outbox names a `recipient` (a role,
not a person). Each is resolved here, with one INSERT … SELECT and no extra round trip, to the
active people it concerns:

| recipient | people |
|---|---|
| `mediator`, `owner` | the user the payload names (`user_id`; else the case's mediator) |
| `department`, `court` | the active users of that unit (payload `unit_id`, else the case's department/court) holding that role |
| `supervisor` | the supervisors of the nearest unit up the case's unit path that has any |
| `county_centre` | the supervisors of the county the case belongs to |
| `owner_supervisor` | the supervisors of the nearest unit up the key-case order owner's unit path that has any |
| `referring_unit` | the case's mediator, whoever made the last referral, and the supervisors nearest up the case's unit path |
| `partner_unit` | the active mediators, police and supervisors of the unit a case is shared with (payload `unit_id`) |

督办 (`supervise`) also reaches the case's mediator, whose work it urges (once, however many
recipients the 督办 names).

The person whose own action caused the notice is left out (nobody is told what they just did);
a role nobody holds reaches nobody, and the outbox message still goes to the webhooks.
Disabled users get nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mediation.cases.event_lookup import event_ids_of, events_with_ids
from mediation.db import RawTransaction
from mediation.workflows.case_state import CaseState

INSERT_FOR = (
    "INSERT INTO notifications (user_id, case_id, topic, payload, created_at) "
    "SELECT u.id, :case_id, CAST(:topic AS VARCHAR(64)), :payload, :now FROM users u "
    "WHERE u.active AND u.id <> :actor_id AND ({people})"
)
HOLDS = "(' ' || {who}.roles || ' ') LIKE :{role}_like"  # roles are space-separated
ROLE_PATTERNS = {f"{role}_like": f"% {role} %" for role in ("supervisor", "department", "court", "mediator", "police")}
PERSON = "u.id = :user_id"
UNIT_ROLE = "u.unit_id = :unit_id AND " + HOLDS.format(who="u", role="{role}")
# The unit on `path` (a unit's own path, or a prefix of it) nearest to its end that has an active supervisor.
NEAREST_SUPERVISED_UNIT = (
    "SELECT s.id FROM units s WHERE substr({path}, 1, length(s.path)) = s.path AND EXISTS ("
    "SELECT 1 FROM users su WHERE su.unit_id = s.id AND su.active AND " + HOLDS.format(who="su", role="supervisor")
    + ") ORDER BY length(s.path) DESC LIMIT 1"
)
SUPERVISORS_OF = HOLDS.format(who="u", role="supervisor") + " AND u.unit_id = ({unit})"
OWNER_PATH = (
    "(SELECT un.path FROM orders o JOIN users ou ON ou.id = o.owner_id JOIN units un ON un.id = ou.unit_id "
    "WHERE o.case_id = :case_id ORDER BY o.id DESC LIMIT 1)"
)
COUNTY_OF_PATH = "SELECT s.id FROM units s WHERE s.kind = 'county' AND substr(:path, 1, length(s.path)) = s.path"

PEOPLE = {
    "mediator": PERSON,
    "owner": PERSON,
    "department": UNIT_ROLE.format(role="department"),
    "court": UNIT_ROLE.format(role="court"),
    "supervisor": SUPERVISORS_OF.format(unit=NEAREST_SUPERVISED_UNIT.format(path=":path")),
    "county_centre": HOLDS.format(who="u", role="supervisor") + f" AND u.unit_id IN ({COUNTY_OF_PATH})",
    "owner_supervisor": SUPERVISORS_OF.format(unit=NEAREST_SUPERVISED_UNIT.format(path=OWNER_PATH)),
    "referring_unit": f"{PERSON} OR u.username = :referrer OR "
                      f"({SUPERVISORS_OF.format(unit=NEAREST_SUPERVISED_UNIT.format(path=':path'))})",
}
PEOPLE["partner_unit"] = "u.unit_id = :unit_id AND (" + " OR ".join(
    HOLDS.format(who="u", role=role) for role in ("mediator", "police", "supervisor")) + ")"
STATEMENTS = {recipient: INSERT_FOR.format(people=people) for recipient, people in PEOPLE.items()}
# A second message of the same topic in one transition (督办 to the supervisor and to whom the
# deadline names) reaches a person who had the first one only once.
NOT_TOLD_YET = (
    " AND NOT EXISTS (SELECT 1 FROM notifications x WHERE x.user_id = u.id AND x.read_at IS NULL "
    "AND x.case_id = :case_id AND x.topic = CAST(:topic AS VARCHAR(64)) AND x.created_at = :now)"
)
STATEMENTS_AGAIN = {recipient: statement + NOT_TOLD_YET for recipient, statement in STATEMENTS.items()}
SUPERVISE = "supervise"  # 督办 urges whoever handles the case: its mediator hears it too
NEEDS_PERSON = frozenset({"mediator", "owner"})
NEEDS_UNIT = frozenset({"department", "court", "partner_unit"})


def add_person_notices(
    tx: RawTransaction,
    *,
    case_id: int,
    recipient: str,
    topic: str,
    payload: str,
    now: datetime,
    actor_id: int | None,
    user_id: int | None,
    unit_id: int | None,
    unit_path: str,
    again: bool = False,
) -> None:
    """Write the notice for each person `recipient` stands for on this case (nothing when nobody).

    `again`: the same topic went to others in this transaction already; nobody gets it twice.
    """
    statement = (STATEMENTS_AGAIN if again else STATEMENTS).get(recipient)
    if statement is None or (recipient in NEEDS_PERSON and user_id is None) or (
            recipient in NEEDS_UNIT and unit_id is None):
        return
    tx.execute(statement, {
        "case_id": case_id, "topic": topic, "payload": payload, "now": tx.timestamp(now),
        "actor_id": actor_id or 0, "user_id": user_id, "unit_id": unit_id, "path": unit_path, **ROLE_PATTERNS,
        "referrer": _last_referrer(tx, case_id) if recipient == "referring_unit" else None,
    })


def _last_referrer(tx: RawTransaction, case_id: int) -> str | None:
    """The username of whoever made the case's last referral to a department (its events read by id)."""
    found = events_with_ids(tx, event_ids_of(tx, case_id), "seq, actor", "trigger = 'refer_department'")
    return max(found)[1] if found else None


def add_case_notices(tx: RawTransaction, case: CaseState, message: dict[str, Any], payload: dict[str, Any],
                     text: str, now: datetime) -> None:
    """Write a transition's notice for each person it concerns (payload `user_id`/`unit_id` first, then the case's)."""
    recipient, topic = message["recipient"], message["topic"]
    earlier = case.notifications[:next(i for i, m in enumerate(case.notifications) if m is message)]
    default_unit = case.court_id if recipient == "court" else case.department_id
    again = any(m["topic"] == topic for m in earlier)
    add_person_notices(
        tx, case_id=case.id, recipient=recipient, topic=topic, payload=text, now=now, actor_id=case.actor_id,
        user_id=payload.get("user_id", case.mediator_id), unit_id=payload.get("unit_id", default_unit),
        unit_path=case.unit_path, again=again,
    )
    if topic == SUPERVISE and not again and case.mediator_id is not None:
        add_person_notices(tx, case_id=case.id, recipient="mediator", topic=topic, payload=text, now=now,
                           actor_id=case.actor_id, user_id=case.mediator_id, unit_id=None,
                           unit_path=case.unit_path, again=True)
