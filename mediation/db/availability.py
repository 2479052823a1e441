"""Which database failures mean "away just now" (answer 503, retry) rather than a fault of the request
or of the code, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
import sys

import sqlalchemy as sa

# SQLite result codes that mean the database cannot be used just now: BUSY and LOCKED (another process
# holds it past the busy timeout), READONLY, IOERR, FULL, CANTOPEN (the file or its disk went away).
_SQLITE_UNAVAILABLE = frozenset({5, 6, 8, 10, 13, 14})
# SQLSTATEs of PostgreSQL that say the same: connection exceptions (08), insufficient resources (53),
# a server shutting down or starting (57P01 to 57P03). A lost connection has no SQLSTATE at all.
_POSTGRESQL_UNAVAILABLE = ("08", "53", "57P01", "57P02", "57P03")
# SQLSTATEs of a transaction the server rolled back because of others running at the same time (a
# deadlock, a serialization failure): nothing was written and the connection is sound; sent again,
# the request goes through, like one refused while SQLite's write lock was held.
_POSTGRESQL_ROLLED_BACK = ("40001", "40P01")


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached or used just now (answer 503 and retry),
    rather than a fault of the request or of the code: a server that is away, or a transaction it
    rolled back because of others (a deadlock)."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection came free in the pool's timeout
        return True
    if isinstance(error, sa.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    if isinstance(error, sqlite3.OperationalError):
        return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in _SQLITE_UNAVAILABLE
    psycopg = sys.modules.get("psycopg")  # imported once a PostgreSQL engine connected
    if psycopg is not None and isinstance(error, psycopg.OperationalError):
        return error.sqlstate is None or error.sqlstate.startswith(_POSTGRESQL_UNAVAILABLE + _POSTGRESQL_ROLLED_BACK)
    return False


def connection_lost(error: BaseException) -> bool:
    """Whether the connection a failed transaction ran on is no use any more (not merely rolled back)."""
    sqlstate = getattr(getattr(error, "orig", error), "sqlstate", None)
    return database_unavailable(error) and not (sqlstate and sqlstate.startswith(_POSTGRESQL_ROLLED_BACK))
