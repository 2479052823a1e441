"""Reading the supervisors' kept counts (`mediation.cases.figure_rows`) for a caller: the cases of the caller's
subtree summed from the kept rows by path prefix, the few other cases in their reach (assigned to them,
referred to or confirmed by their unit, shared with it) added from their own shares, which the same
function that keeps the counts computes, so both parts count alike. The dashboard's figures
(`mediation.metrics.kept`) and the key-case orders list's count (`mediation.deadlines.orders`) read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from mediation.cases import figure_rows
from mediation.cases.views import REACH_BEYOND_SUBTREE
from mediation.db import RawTransaction, escape_like
from mediation.directory.actors import Actor

Predicate = Callable[[dict[str, Any]], bool]
NORMALISED = {"day", "deadline", "due_at", "done", "mediator_id", "ladder_level", "close_us", "agree_us", "on_schedule"}


@dataclass(frozen=True)
class Kept:
    """Where the figures come from: the subtree summed from kept rows (`path`, None for none) and the ids
    of the other cases in scope, whose shares (`extra`) are added."""

    path: str | None
    extra: list[dict[tuple[str, tuple], tuple[int, ...]]] = field(default_factory=list)


def kept_path(actor: Actor, scope_path: str | None, partner: bool) -> str | None:
    """The subtree whose every case is in scope (a path prefix; '' for all cases), or None."""
    if partner:
        return None
    reach = "" if actor.is_system else (actor.unit_path if actor.unit_path != "/" else None)
    if scope_path is None or reach is None:
        return reach
    if scope_path.startswith(reach):
        return scope_path
    return reach if reach.startswith(scope_path) else None


def candidates(actor: Actor, params: dict[str, Any], *, unit_scope: bool, partner: bool) -> str:
    """SQL for the ids of the cases in scope that may lie outside the kept subtree (found by their indexes)."""
    if partner:
        return "SELECT ps.case_id FROM case_shares ps WHERE ps.unit_id = :partner_id"
    parts = []
    if not actor.is_system:
        parts += REACH_BEYOND_SUBTREE
    if unit_scope:
        parts.append("SELECT ss.case_id FROM case_shares ss JOIN units su ON su.id = ss.unit_id "
                     "WHERE su.path LIKE :scope_path ESCAPE '\\'")
    return " UNION ".join(parts) if parts else "SELECT id FROM cases WHERE 1 = 0"


def kept_scope(tx: RawTransaction, actor: Actor, where: str, params: dict[str, Any], scope_path: str | None,
               partner: bool) -> Kept:
    """The kept subtree and the shares of the other cases `where` selects."""
    path = kept_path(actor, scope_path, partner)
    params = dict(params)
    sql = f"SELECT c.id FROM cases c WHERE c.id IN ({candidates(actor, params, unit_scope=scope_path is not None, partner=partner)}) AND {where}"
    if path is not None:
        params["kept_path"] = escape_like(path) + "%"
        sql += " AND NOT (c.unit_path LIKE :kept_path ESCAPE '\\')"
    ids = [row[0] for row in tx.all(sql, params)]
    return Kept(path, [figure_rows.share_of(tx, case_id) for case_id in ids])


def summed(tx: RawTransaction, kept: Kept, table: str, group: tuple[str, ...], conditions: list[str],
           params: dict[str, Any], keep: Predicate) -> list[tuple]:
    """Rows of `group`'s columns and the summed counts of `table`, over the kept subtree (`conditions` in SQL)
    and the other cases' shares (`keep` in Python)."""
    keys, values = figure_rows.TABLES[table]
    totals: dict[tuple, list[int]] = {}
    if kept.path is not None:
        where = list(conditions)
        params = dict(params)
        if kept.path:
            params["kept_path"] = escape_like(kept.path) + "%"
            where.append("unit_path LIKE :kept_path ESCAPE '\\'")
        sql = (f"SELECT {', '.join((*group, *(f'sum({v})' for v in values)))} FROM {table}"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + (f" GROUP BY {', '.join(group)}" if group else ""))
        normal = [figure_rows.normal_value if column in NORMALISED else None for column in group]
        width = len(group)
        for row in tx.all(sql, params):
            key = tuple(value if fix is None else fix(column, value) for fix, column, value in zip(normal, group, row))
            totals[key] = [int(value or 0) for value in row[width:]]
    for share in kept.extra:
        for (name, key), counted in share.items():
            if name != table:
                continue
            named = dict(zip(keys, key))
            if not keep(named):
                continue
            grouped = tuple(named[column] for column in group)
            was = totals.setdefault(grouped, [0] * len(values))
            for i, value in enumerate(counted):
                was[i] += value
    return [(*key, *counted) for key, counted in totals.items()]
