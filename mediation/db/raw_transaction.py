"""The raw DBAPI transaction of the engine's hot path: prepared statements, savepoints, the writes
deferred to the moment of the commit and the callbacks run once it is kept."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Iterator

if TYPE_CHECKING:
    from mediation.db.connections import Database

log = logging.getLogger("mediation.db")


class RawTransaction:
    """A DBAPI transaction running prepared statements; the engine's hot path."""

    def __init__(self, database: "Database", cursor: Any) -> None:
        self._database = database
        self._cursor = cursor
        self._savepoints = 0
        # SQLite takes the `:name` style as written; PostgreSQL's statements are translated once.
        self._prepare = None if database.is_sqlite else database.prepare
        self._stamped: tuple[Any, Any] = (None, None)  # one transaction writes one `now` many times
        self._after_commit: list[tuple[Callable[..., None], tuple]] | None = None
        self._deferred: list[tuple[Callable[["RawTransaction", list[Any]], None], Any]] | None = None

    @property
    def database_url(self) -> str:
        """The URL of the database this transaction is on."""
        return self._database.url

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        if self._prepare is not None:
            sql = self._prepare(sql)
        self._cursor.execute(sql, params or {})
        return self._cursor

    def execute_many(self, sql: str, rows: list[dict[str, Any]]) -> None:
        """Run one statement for each of many rows (bulk inserts of an import)."""
        if rows:
            self._cursor.executemany(sql if self._prepare is None else self._prepare(sql), rows)

    def insert(self, sql: str, params: dict[str, Any]) -> int:
        """Run an INSERT of one row into a table keyed by `id`; the new row's id."""
        if self._prepare is None:
            return self.execute(sql, params).lastrowid
        return self.execute(sql + " RETURNING id", params).fetchone()[0]

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple | None:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    @property
    def is_sqlite(self) -> bool:
        return self._database.is_sqlite

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def timestamp(self, value: datetime | None) -> Any:
        if value is self._stamped[0]:
            return self._stamped[1]
        stamp = self._database.timestamp(value)
        self._stamped = (value, stamp)
        return stamp

    def after_commit(self, callback: Callable[..., None], *args: Any) -> None:
        """Call `callback(*args)` once this transaction has committed; never if it (or the savepoint
        around this call) is rolled back. For figures that must count only what was kept."""
        if self._after_commit is None:
            self._after_commit = []
        self._after_commit.append((callback, args))

    def defer(self, write: Callable[["RawTransaction", list[Any]], None], item: Any) -> None:
        """Have `write(tx, items)` called once, just before this transaction commits, with every item
        deferred to it (in the order deferred; none of a savepoint rolled back). For counts that many
        changes of one transaction move: written together at the end, their rows are locked only
        for the moment of the commit, not for the whole transaction."""
        if self._deferred is None:
            self._deferred = []
        self._deferred.append((write, item))

    def _write_deferred(self) -> None:
        deferred, self._deferred = self._deferred, None
        if not deferred:
            return
        grouped: dict[Callable[["RawTransaction", list[Any]], None], list[Any]] = {}
        for write, item in deferred:
            grouped.setdefault(write, []).append(item)
        for write, items in grouped.items():
            write(self, items)

    def _committed(self) -> None:
        for callback, args in self._after_commit or ():
            try:
                callback(*args)
            except Exception:  # the transaction is kept whatever a figure does
                log.exception("after-commit callback %r failed", callback)

    @contextmanager
    def savepoint(self) -> Iterator["RawTransaction"]:
        """A nested unit inside this transaction: undone alone if it raises."""
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        kept_callbacks = len(self._after_commit or ())
        kept_deferred = len(self._deferred or ())
        self._cursor.execute(f"SAVEPOINT {name}")
        try:
            yield self
        except BaseException:
            if self._after_commit:
                del self._after_commit[kept_callbacks:]
            if self._deferred:
                del self._deferred[kept_deferred:]
            self._cursor.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self._cursor.execute(f"RELEASE SAVEPOINT {name}")
            raise
        self._cursor.execute(f"RELEASE SAVEPOINT {name}")

    def day(self, value: date | None) -> Any:
        return self._database.day(value)
