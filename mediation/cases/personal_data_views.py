"""The personal-data view log (PIPL): who saw which case's unmasked numbers, when, through what.

A view is logged only when the reader actually got unmasked numbers (masking.sees_full_numbers,
and the case has a party with an ID number, a phone or an address). Case reads run in snapshot
transactions; the log is one INSERT in a short write transaction after the read, and the same
reader seeing the same case the same way again within DEDUPLICATE_WITHIN is not logged twice
(the page reloads, the API client polls), so a busy reader does not queue on the write lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from mediation.cases.masking import sees_full_numbers
from mediation.db import Database, RawTransaction, escape_like, parse_timestamp
from mediation.directory.actors import Actor
from mediation.errors import Forbidden

DEDUPLICATE_WITHIN = timedelta(minutes=1)
MAX_PAGE_SIZE = 500
INSERT = "INSERT INTO personal_data_views (user_id, case_id, via, viewed_at) VALUES (:user, :case, :via, :at)"
CASE_AND_RECENT = (
    "SELECT c.mediator_id, c.unit_path, c.court_id, "
    "EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id AND (p.id_number IS NOT NULL OR p.phone IS NOT NULL "
    "OR p.address IS NOT NULL)), "
    "EXISTS (SELECT 1 FROM personal_data_views v WHERE v.case_id = c.id AND v.user_id = :user AND v.via = :via "
    "AND v.viewed_at > :since) FROM cases c WHERE c.id = :case")


class _CaseRow(msgspec.Struct):
    mediator_id: int | None
    unit_path: str
    court_id: int | None


def record_view(*, tx: RawTransaction, user_id: int, case_id: int, via: str, now: datetime) -> None:
    """Log one view in the caller's write transaction (the caller knows the numbers were shown unmasked)."""
    tx.execute(INSERT, {"user": user_id, "case": case_id, "via": via[:40], "at": tx.timestamp(now)})


def log_if_unmasked(db: Database, *, actor: Actor, case_id: int, via: str, now: datetime) -> bool:
    """After a read that showed the case to `actor`: log the view when its numbers were unmasked for
    them (and not logged the same way within the last minute); whether a view was logged."""
    if actor.is_system:
        return False
    found = db.read_one(CASE_AND_RECENT, {"case": case_id, "user": actor.user_id, "via": via[:40],
                                          "since": db.timestamp(now - DEDUPLICATE_WITHIN)})
    if found is None or not found[3] or found[4]:
        return False
    if not sees_full_numbers(actor, _CaseRow(found[0], found[1], found[2])):
        return False
    with db.write() as tx:
        record_view(tx=tx, user_id=actor.user_id, case_id=case_id, via=via, now=now)
    return True


class ViewEntry(msgspec.Struct):
    viewed_at: str
    username: str
    display_name: str
    case_id: int
    case_number: str
    via: str


class ViewPage(msgspec.Struct):
    items: list[ViewEntry]
    total: int
    page: int
    page_size: int


LIST_SELECT = ("SELECT v.viewed_at, u.username, u.display_name, c.id, c.number, v.via FROM personal_data_views v "
               "JOIN users u ON u.id = v.user_id JOIN cases c ON c.id = v.case_id")


def may_read_log(actor: Actor) -> bool:
    """Supervisors (over their unit's subtree) and administrators (everything) read the log."""
    return bool(actor.roles & {"supervisor", "admin"})


def list_views(tx: RawTransaction, actor: Actor, *, case_id: int | None = None, username: str | None = None,
               since: datetime | None = None, until: datetime | None = None, page: int = 1,
               page_size: int = 100) -> ViewPage:
    """Views newest first: a supervisor's of cases in their subtree, an administrator's of all."""
    if not may_read_log(actor):
        raise Forbidden("only supervisors and administrators read the personal-data view log", field="role")
    where, params = _reach(actor)
    for clause, name, value in (("c.id = :case_id", "case_id", case_id), ("u.username = :username", "username",
                                username), ("v.viewed_at >= :since", "since", since),
                                ("v.viewed_at < :until", "until", until)):
        if value is not None:
            where.append(clause)
            params[name] = tx.timestamp(value) if name in ("since", "until") else value
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    total = tx.one(f"SELECT count(*) FROM ({LIST_SELECT}{clause}) counted", params)[0]
    rows = tx.all(f"{LIST_SELECT}{clause} ORDER BY v.id DESC LIMIT :limit OFFSET :offset",
                  {**params, "limit": page_size, "offset": (page - 1) * page_size})
    items = [ViewEntry(parse_timestamp(at).isoformat(timespec="seconds") + "Z", name, display, case, number, via)
             for at, name, display, case, number, via in rows]
    return ViewPage(items, total, page, page_size)


def _reach(actor: Actor) -> tuple[list[str], dict[str, Any]]:
    if "admin" in actor.roles:
        return [], {}
    return ["c.unit_path LIKE :reach ESCAPE '\\'"], {"reach": escape_like(actor.unit_path) + "%"}
