"""Database connections: SQLite (WAL, busy timeout, immediate writes) or PostgreSQL.

Two ways in: SQLAlchemy connections for queries and admin writes, and `write()`, a raw
DBAPI transaction for the engine's hot path (`raw_transaction.py`), with statements prepared
once per dialect. Which failures mean the database is away is told by `availability.py`.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from mediation.db.availability import connection_lost
from mediation.db.raw_transaction import RawTransaction

DEFAULT_SQLITE_PATH = Path("var") / "mediation.db"
SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 32 * 1024
SQLITE_PAGE_BYTES = 2048
_NAMED_PARAM = re.compile(r"(?<![:\w]):(\w+)")


def database_url() -> str:
    """`MEDIATION_DATABASE_URL`, else SQLite at ./var/mediation.db."""
    url = os.environ.get("MEDIATION_DATABASE_URL")
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _sqlite_engine(url: str, begin: str) -> Engine:
    # Every transaction ends in an explicit COMMIT or ROLLBACK, so the pool need not reset.
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_reset_on_return=None
    )

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        # A new database gets 2 KiB pages: a transition rewrites a few pages of the case, its
        # state index, its event and outbox rows, and each goes whole into the WAL (no effect on
        # an existing database).
        cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_BYTES}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Checkpoint in larger steps: each checkpoint syncs the main file.
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        # Read pages through a memory map and keep a larger page cache per connection.
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def start(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


class Database:
    """One database: its URL, SQLAlchemy engines and the raw write path."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        self.dialect = sa.make_url(self.url).get_backend_name()
        self.is_sqlite = self.dialect == "sqlite"
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url, "BEGIN IMMEDIATE")
            self.read_engine = _sqlite_engine(self.url, "BEGIN")
        else:
            # Each checkout (the raw path's too) pings its connection first: after the server
            # restarted, the pool's connections are dead, and each would fail one request.
            self.engine = sa.create_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            self.read_engine = self.engine
        self._prepared: dict[str, str] = {}
        self._local = threading.local()
        self._held: list[Any] = []
        self._workflows = None
        self._writer_lock = threading.Lock()
        self._checkpointer: threading.Event | None = None
        self._lock_file = self._open_lock_file()

    def _open_lock_file(self) -> Any:
        """The file SQLite writers of every process queue on (beside the database file)."""
        database = sa.make_url(self.url).database if self.is_sqlite else None
        if not database or database == ":memory:":
            return None
        return open(f"{database}.writer-lock", "a+b")  # noqa: SIM115 — held for the object's life

    @property
    def workflows(self):
        """The workflow registry of this database (versions and their cached machines)."""
        if self._workflows is None:
            from mediation.db.workflow_versions import WorkflowRegistry

            self._workflows = WorkflowRegistry(self)
        return self._workflows

    def prepare(self, sql: str) -> str:
        """The statement in this driver's parameter style (`:name` or `%(name)s`)."""
        prepared = self._prepared.get(sql)
        if prepared is None:
            prepared = sql if self.is_sqlite else _NAMED_PARAM.sub(r"%(\1)s", sql)
            self._prepared[sql] = prepared
        return prepared

    def timestamp(self, value: datetime | None) -> Any:
        """A naive-UTC datetime as this driver stores it (SQLAlchemy's SQLite text form)."""
        if value is None or not self.is_sqlite:
            return value
        return value.isoformat(" ", "microseconds")

    def day(self, value: date | None) -> Any:
        if value is None or not self.is_sqlite:
            return value
        return value.isoformat()

    def _thread_connection(self) -> Any:
        """This thread's own SQLite connection, kept open: the hot path skips the pool."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self.engine.raw_connection()
            self._held.append(connection)
        return connection

    @contextmanager
    def _raw_transaction(self, begin: str, keep: bool) -> Iterator[RawTransaction]:
        if self.is_sqlite:
            connection = self._thread_connection()
            cursor = connection.cursor()
            cursor.execute(begin)
        else:
            connection = self.engine.raw_connection()
            if not keep:  # one state throughout: PostgreSQL's default (READ COMMITTED) sees each commit at once
                connection.dbapi_connection.isolation_level = _REPEATABLE_READ
            cursor = connection.cursor()
        tx = RawTransaction(self, cursor)
        try:
            yield tx
            if keep:
                tx._write_deferred()
                connection.commit()
            else:
                connection.rollback()
        except BaseException as error:
            _roll_back_or_drop(connection, error, pooled=not self.is_sqlite)
            raise
        finally:
            if not self.is_sqlite:
                _back_to_the_pool(connection, reset_isolation=not keep)
        if keep:
            tx._committed()

    def write(self) -> AbstractContextManager[RawTransaction]:
        """One write transaction: commits on success, rolls back on any exception.

        On SQLite, writers queue on a lock (threads) and a lock file (processes) first:
        SQLite's own busy handler sleeps in growing steps, which ruins latency under load.
        """
        if self.is_sqlite:
            return _SqliteWrite(self)
        return self._raw_transaction("BEGIN", keep=True)

    def snapshot(self):
        """One consistent read through the raw path (no lock taken, nothing written): every statement sees
        the database as its first statement did (SQLite's WAL; PostgreSQL at REPEATABLE READ, where a read
        never fails for others' writes)."""
        return self._raw_transaction("BEGIN", keep=False)

    def read_one(self, sql: str, params: dict[str, Any]) -> tuple | None:
        """The first row of one SELECT, the cheapest read there is (a look-up on every request).

        One statement reads one consistent state by itself, so it runs in autocommit, with no
        BEGIN and ROLLBACK around it: on SQLite on the thread's connection, on PostgreSQL on a
        pooled connection switched to autocommit for the one round trip.
        """
        if self.is_sqlite:
            return self._thread_connection().execute(sql, params).fetchone()
        connection = self.engine.raw_connection()
        try:
            raw = connection.dbapi_connection
            raw.autocommit = True
            try:
                cursor = raw.cursor()
                cursor.execute(self.prepare(sql), params)
                return cursor.fetchone()
            finally:
                raw.autocommit = False
        except BaseException as error:
            if connection_lost(error):
                connection.invalidate()  # never back into the pool
            raise
        finally:
            connection.close()

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.read_engine.connect() as connection:
            yield connection

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A SQLAlchemy write transaction (admin commands, intake of many rows)."""
        with self.engine.begin() as connection:
            yield connection

    def start_checkpointer(self, interval_seconds: float = 0.5) -> None:
        """SQLite: copy the WAL back into the database from a background thread.

        A checkpoint syncs the database file; done by the writer that crosses the
        autocheckpoint threshold it stalls that request for a long while. Passive
        checkpoints from here run beside readers and writers, so the threshold is rarely met.
        """
        if not self.is_sqlite or self._checkpointer is not None:
            return
        stop = threading.Event()

        def run() -> None:
            connection = self.read_engine.raw_connection()
            try:
                while not stop.wait(interval_seconds):
                    connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()

        self._checkpointer = stop
        threading.Thread(target=run, name="sqlite-checkpointer", daemon=True).start()

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.set()
            self._checkpointer = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        for connection in self._held:
            connection.invalidate()
        self._held.clear()
        self._local = threading.local()
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


_REPEATABLE_READ = 3  # psycopg.IsolationLevel.REPEATABLE_READ: a snapshot taken at its first statement


def _back_to_the_pool(connection: Any, *, reset_isolation: bool) -> None:
    """Close a pooled PostgreSQL connection, first back at the server's default isolation if a read changed it
    (a connection the failure dropped has nothing to reset)."""
    raw = connection.dbapi_connection
    if reset_isolation and raw is not None and not raw.closed:
        try:
            raw.isolation_level = None
        except Exception:  # never back into the pool still reading at REPEATABLE READ
            connection.invalidate()
    connection.close()


def _roll_back_or_drop(connection: Any, error: BaseException, *, pooled: bool) -> None:
    """After a failed transaction: roll back, or drop a pooled connection the server no longer answers on
    (rolling it back would fail again, and it must never go back into the pool)."""
    if pooled and connection_lost(error):
        connection.invalidate()
    else:
        connection.rollback()


class _SqliteWrite:
    """One SQLite write transaction, queued on the thread lock and the lock file first.

    A class rather than nested generator context managers: it is on every transition's path.
    """

    __slots__ = ("_connection", "_database", "_locked_file", "_tx")

    def __init__(self, database: Database) -> None:
        self._database = database

    def __enter__(self) -> RawTransaction:
        database = self._database
        database._writer_lock.acquire()
        self._locked_file = database._lock_file
        try:
            if self._locked_file is not None:
                fcntl.flock(self._locked_file, fcntl.LOCK_EX)
            self._connection = database._thread_connection()
            cursor = self._connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._unlock()
            raise
        self._tx = RawTransaction(database, cursor)
        return self._tx

    def __exit__(self, exc_type: type[BaseException] | None, _exc: object, _tb: object) -> None:
        try:
            if exc_type is None:
                self._tx._write_deferred()
                self._connection.commit()
            else:
                self._connection.rollback()
        except BaseException:
            if exc_type is None:
                self._connection.rollback()
            raise
        finally:
            self._unlock()
        if exc_type is None:
            self._tx._committed()

    def _unlock(self) -> None:
        if self._locked_file is not None:
            fcntl.flock(self._locked_file, fcntl.LOCK_UN)
        self._database._writer_lock.release()


def escape_like(text: str) -> str:
    """Text for a LIKE pattern with ESCAPE '\\': its own % and _ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_timestamp(value: Any) -> datetime | None:
    """A timestamp read through the raw path (or as the read models show it, `…Z`), as a naive-UTC datetime."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo is not None else moment
