"""The supervisors' kept figures counted again from the cases (`figure_rows` keeps them change by change):
`recount` rebuilds every count (the migration's backfill, `mediation metrics recount`, a restore);
`differences` tells where the kept counts and a recount disagree."""

from __future__ import annotations

from collections import defaultdict

from mediation.cases.figure_rows import (
    CASE_COLUMNS,
    TABLES,
    contributions,
    normal_value,
    row_params,
)
from mediation.db import RawTransaction


def recounted(tx: RawTransaction) -> dict[str, dict[tuple, tuple[int, ...]]]:
    """Every count as it should be, from the cases, their pending deadlines and orders."""
    deadlines: dict[int, list[tuple]] = defaultdict(list)
    for case_id, kind, due_at in tx.all("SELECT case_id, kind, due_at FROM deadlines WHERE status = 'pending'"):
        deadlines[case_id].append((kind, due_at))
    orders: dict[int, list[tuple]] = defaultdict(list)
    for case_id, deadline, status in tx.all("SELECT case_id, deadline, status FROM orders"):
        orders[case_id].append((deadline, status))
    totals: dict[str, dict[tuple, tuple[int, ...]]] = {table: {} for table in TABLES}
    last = 0
    while True:  # in batches, so a million cases never sit in memory at once
        rows = tx.all(f"SELECT id, {CASE_COLUMNS} FROM cases WHERE id > :last ORDER BY id LIMIT 20000",
                      {"last": last})
        if not rows:
            break
        for row in rows:
            share = contributions(row[1:], deadlines.get(row[0], ()), orders.get(row[0], ()))
            for (table, key), values in share.items():
                counts = totals[table]
                was = counts.get(key)
                counts[key] = values if was is None else tuple(a + b for a, b in zip(was, values))
        last = rows[-1][0]
    return totals


def recount(tx: RawTransaction) -> dict[str, int]:
    """Rebuild every kept count from the cases; the number of rows written per table."""
    totals = recounted(tx)
    written = {}
    for table, counts in totals.items():
        tx.execute(f"DELETE FROM {table}")
        keys, values = TABLES[table]
        columns = (*keys, *values)
        rows = [row_params(tx, table, key, counted) for key, counted in counts.items()]
        tx.execute_many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
                        rows)
        written[table] = len(rows)
    return written


def kept(tx: RawTransaction) -> dict[str, dict[tuple, tuple[int, ...]]]:
    """The counts as kept, without rows that count nothing, keys as `contributions` makes them."""
    found: dict[str, dict[tuple, tuple[int, ...]]] = {}
    for table, (keys, values) in TABLES.items():
        counts: dict[tuple, tuple[int, ...]] = {}
        for row in tx.all(f"SELECT {', '.join((*keys, *values))} FROM {table}"):
            key = tuple(normal_value(column, value) for column, value in zip(keys, row[:len(keys)]))
            counted = tuple(int(value) for value in row[len(keys):])
            if any(counted):
                counts[key] = counted
        found[table] = counts
    return found


def differences(tx: RawTransaction) -> dict[str, list[tuple]]:
    """Where the kept counts differ from a recount: per table, (key, kept, recounted) of each count that differs."""
    now_kept = kept(tx)
    wanted = {table: {key: values for key, values in counts.items() if any(values)}
              for table, counts in recounted(tx).items()}
    found: dict[str, list[tuple]] = {}
    for table in TABLES:
        have, want = now_kept[table], wanted[table]
        wrong = [(key, have.get(key), want.get(key)) for key in sorted(have.keys() | want.keys(), key=repr)
                 if have.get(key) != want.get(key)]
        if wrong:
            found[table] = wrong
    return found
