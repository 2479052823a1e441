"""`db copy --to URL`: every table of one database into another, ids kept (DESIGN §9.7).

The tables are the target's own after its migrations ran (never a list written here), in
foreign-key order, each read in primary-key order from one snapshot of the source and streamed
in batches: PostgreSQL targets take them through COPY FROM STDIN, SQLite targets through
batched INSERTs. The whole copy is one transaction on the target; the row counts of every
table are compared before it commits, and PostgreSQL sequences are set past the largest id.
Triggers of the target (figures maintained on write) are held off while the rows arrive, since
the rows they would derive are copied too. Verifying the hash chains is the caller's (`cases.audit`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from mediation.db import search_index
from mediation.db.schema import upgrade_database

BATCH_ROWS = 5_000
NOT_COPIED = frozenset({"alembic_version"})  # written by the target's own migrations


class CopyRefused(Exception):
    """The copy cannot start or did not arrive whole; the message says why, for a person."""


@dataclass
class CopyReport:
    """Rows per table in the source snapshot and on the target after the copy."""

    source: dict[str, int] = field(default_factory=dict)
    target: dict[str, int] = field(default_factory=dict)

    @property
    def differing(self) -> list[str]:
        return [name for name, count in self.source.items() if self.target.get(name) != count]


def copied_tables(engine: sa.Engine) -> list[sa.Table]:
    """The database's tables in foreign-key order, without the migrations' bookkeeping and
    SQLite's own or full-text shadow tables."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    virtual = _sqlite_virtual_tables(engine)
    return [table for table in metadata.sorted_tables
            if table.name not in NOT_COPIED and not table.name.startswith("sqlite_")
            and not any(table.name == name or table.name.startswith(f"{name}_") for name in virtual)]


def _sqlite_virtual_tables(engine: sa.Engine) -> list[str]:
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as connection:
        return list(connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'").scalars())


def occupied_table(engine: sa.Engine, tables: list[sa.Table]) -> str | None:
    """The first table that holds a row, or None when every one is empty."""
    with engine.connect() as connection:
        for table in tables:
            if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None:
                return table.name
    return None


def schema_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def copy_database(source_url: str, target_url: str, *, batch_rows: int = BATCH_ROWS,
                  on_table: Callable[[str, int], None] | None = None,
                  on_rows: Callable[[int], None] | None = None) -> CopyReport:
    """Copy every row of `source_url` into `target_url` (migrated first; must be empty).

    `on_table(name, rows)` is told as each table starts, `on_rows(n)` after each batch (progress).
    Raises CopyRefused naming the occupied table, a schema out of step, or a table whose count differs.
    """
    upgrade_database(target_url)
    source, target = sa.create_engine(source_url), sa.create_engine(target_url)
    try:
        tables = copied_tables(target)
        if schema_revision(source) != schema_revision(target):
            raise CopyRefused(f"the source database is at schema revision {schema_revision(source)}, the target "
                              f"at {schema_revision(target)}: run `mediation db upgrade` on the source first")
        occupied = occupied_table(target, tables)
        if occupied is not None:
            raise CopyRefused(f"the target is not empty: table {occupied} holds rows. Copy only into an empty "
                              "database: drop and recreate it (or delete the SQLite file) and run the copy again")
        report = CopyReport()
        with _source_snapshot(source) as read, _target_transaction(target, tables) as write:
            for table in tables:
                columns = [column.name for column in table.columns if column.computed is None]  # not generated
                report.source[table.name] = read.count(table.name)
                if on_table:
                    on_table(table.name, report.source[table.name])
                write.load(table, columns, read.rows(table, columns, batch_rows), on_rows)
                report.target[table.name] = write.count(table.name)
            if report.differing:
                raise CopyRefused("rows differ after the copy (nothing was kept): "
                                  + ", ".join(f"{name} {report.source[name]} → {report.target[name]}"
                                              for name in report.differing))
            write.reset_sequences(tables)
            write.rebuild_search_grams()
        return report
    finally:
        source.dispose()
        target.dispose()


class _Side:
    """One end of the copy: a DBAPI connection inside its transaction."""

    def __init__(self, connection: Any, is_sqlite: bool) -> None:
        self._connection, self._is_sqlite = connection, is_sqlite

    def count(self, name: str) -> int:
        cursor = self._connection.cursor()
        cursor.execute(f'SELECT count(*) FROM "{name}"')
        return cursor.fetchone()[0]


class _Reader(_Side):
    def rows(self, table: sa.Table, columns: list[str], batch_rows: int) -> Iterator[list[tuple]]:
        """The table's rows in primary-key order, a batch at a time (never the whole table)."""
        order = ", ".join(f'"{column.name}"' for column in table.primary_key.columns) or "1"
        sql = f'SELECT {", ".join(f"{chr(34)}{name}{chr(34)}" for name in columns)} FROM "{table.name}" ORDER BY {order}'
        cursor = self._connection.cursor() if self._is_sqlite else self._connection.cursor(name=f"copy_{table.name}")
        if not self._is_sqlite:
            cursor.itersize = batch_rows
        cursor.execute(sql)
        try:
            while batch := cursor.fetchmany(batch_rows):
                yield batch
        finally:
            cursor.close()


@contextmanager
def _source_snapshot(engine: sa.Engine) -> Iterator[_Reader]:
    """One read transaction over the whole source: every table as of one moment, however long the copy."""
    connection = engine.raw_connection()
    try:
        raw = connection.dbapi_connection
        is_sqlite = engine.dialect.name == "sqlite"
        if is_sqlite:
            raw.isolation_level = None
            raw.execute("BEGIN")
        else:
            raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield _Reader(raw, is_sqlite)
        raw.rollback() if not is_sqlite else raw.execute("ROLLBACK")
    finally:
        connection.close()


class _Writer(_Side):
    def load(self, table: sa.Table, columns: list[str], batches: Iterator[list[tuple]],
             on_rows: Callable[[int], None] | None) -> None:
        names = ", ".join(f'"{name}"' for name in columns)
        cursor = self._connection.cursor()
        if self._is_sqlite:
            convert = _sqlite_converter(table, columns)
            sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
            for batch in batches:
                cursor.executemany(sql, batch if convert is None else map(convert, batch))
                if on_rows:
                    on_rows(len(batch))
            return
        # COPY's text input parses SQLite's stored text (timestamps, 0/1 booleans) as the column's type.
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
                if on_rows:
                    on_rows(len(batch))

    def rebuild_search_grams(self) -> None:
        """SQLite: the case search's FTS table (a virtual table, never copied) indexed from the copied texts."""
        if self._is_sqlite and search_index.has_sqlite_grams(self._connection):
            search_index.rebuild_sqlite_grams(self._connection)

    def reset_sequences(self, tables: list[sa.Table]) -> None:
        """PostgreSQL: each id sequence continues after the largest copied id (new rows get fresh ids)."""
        if self._is_sqlite:
            return  # SQLite continues after the largest rowid by itself
        cursor = self._connection.cursor()
        for table in tables:
            for column in table.primary_key.columns:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", (f'"{table.name}"', column.name))
                sequence = cursor.fetchone()[0]
                if sequence:
                    cursor.execute(f'SELECT setval(%s, coalesce((SELECT max("{column.name}") FROM "{table.name}"), 0) + 1, false)',
                                   (sequence,))


def _sqlite_converter(table: sa.Table, columns: list[str]) -> Callable[[tuple], tuple] | None:
    """How a PostgreSQL row becomes what SQLite stores: timestamps as SQLAlchemy's text, booleans as 0/1."""
    kinds = [table.c[name].type for name in columns]
    if not any(isinstance(kind, (sa.DateTime, sa.Date, sa.Boolean)) for kind in kinds):
        return None

    def stored(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat(" ", "microseconds")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    return lambda row: tuple(map(stored, row))


@contextmanager
def _target_transaction(engine: sa.Engine, tables: list[sa.Table]) -> Iterator[_Writer]:
    """One transaction on the target with its triggers held off; committed only when the block ends well."""
    connection = engine.raw_connection()
    try:
        raw = connection.dbapi_connection
        is_sqlite = engine.dialect.name == "sqlite"
        if is_sqlite:
            raw.isolation_level = None
            raw.execute("PRAGMA foreign_keys = OFF")  # rows arrive table by table; checked below
            raw.execute("BEGIN IMMEDIATE")
        with _triggers_held_off(raw, is_sqlite, tables):
            yield _Writer(raw, is_sqlite)
        if is_sqlite:
            broken = raw.execute("PRAGMA foreign_key_check").fetchone()
            if broken is not None:
                raise CopyRefused(f"table {broken[0]} row {broken[1]} refers to a missing {broken[2]} row")
            raw.execute("COMMIT")
        else:
            raw.commit()
    except BaseException:
        if engine.dialect.name == "sqlite":
            if raw.in_transaction:
                raw.execute("ROLLBACK")
        else:
            raw.rollback()
        raise
    finally:
        connection.close()


@contextmanager
def _triggers_held_off(raw: Any, is_sqlite: bool, tables: list[sa.Table]) -> Iterator[None]:
    if is_sqlite:
        triggers = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _sql in triggers:
            raw.execute(f'DROP TRIGGER "{name}"')
        yield
        for _name, sql in triggers:
            raw.execute(sql)
        return
    cursor = raw.cursor()
    cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
    with_triggers = [name for (name,) in cursor.fetchall() if name.strip('"') in {t.name for t in tables}]
    for name in with_triggers:
        cursor.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
    yield
    for name in with_triggers:
        cursor.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
