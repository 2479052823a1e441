"""Which database errors are answered 503 with Retry-After (try again shortly) rather than 500.

A deadlock or a serialization failure on PostgreSQL rolled the whole transaction back and nothing was
written: the same request sent again (with its Idempotency-Key) succeeds, like one refused while
SQLite's write lock was held. Errors of the request or the code stay errors.
"""

import sqlite3

import psycopg.errors
import pytest

from mediation.db.availability import database_unavailable


@pytest.mark.parametrize("error", [
    psycopg.errors.DeadlockDetected("deadlock detected"),
    psycopg.errors.SerializationFailure("could not serialize access due to concurrent update"),
    psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    psycopg.OperationalError("connection lost"),  # no SQLSTATE at all
])
def test_a_transaction_rolled_back_by_the_server_or_a_lost_server_is_unavailable(error: Exception) -> None:
    assert database_unavailable(error)


@pytest.mark.parametrize("error", [
    psycopg.errors.UniqueViolation("duplicate key value violates unique constraint"),
    psycopg.errors.SyntaxError("syntax error at or near"),
    psycopg.errors.DivisionByZero("division by zero"),
    sqlite3.IntegrityError("UNIQUE constraint failed"),
    ValueError("not a database error"),
])
def test_errors_of_the_request_or_the_code_are_not(error: Exception) -> None:
    assert not database_unavailable(error)
