"""The directory's look-ups every edge calls (mediation/directory/queries.py), on SQLite and PostgreSQL:
a unit by code, units in tree order (the admin forms' choices), whether a user exists; and whether a
user has a calendar feed (mediation/notifications/calendar_feed.py)."""

from __future__ import annotations

import pytest

from mediation.db import Database
from mediation.demo.dataset import load_demo
from mediation.directory.queries import unit_by_code, units_in_tree_order, user_exists
from mediation.notifications.calendar_feed import has_feed, new_calendar_token


@pytest.fixture(scope="module")
def county(module_db: Database) -> Database:
    load_demo(module_db, cases=0)
    return module_db


def _units(db: Database) -> list[tuple[str, str, str, str]]:
    """(path, code, name, kind) of every unit, read without the module under test."""
    with db.snapshot() as tx:
        return [tuple(row) for row in tx.all("SELECT path, code, name, kind FROM units")]


def test_a_unit_is_found_by_its_code_and_an_unknown_code_finds_none(county: Database) -> None:
    path, code, name, kind = _units(county)[0]
    with county.snapshot() as tx:
        found = unit_by_code(tx, code)
        assert (found.code, found.name, found.kind, found.path) == (code, name, kind, path)
        assert unit_by_code(tx, "no-such-unit") is None


def test_units_come_in_tree_order_of_the_kinds_asked_and_no_more_than_the_limit(county: Database) -> None:
    units = sorted(_units(county))
    kinds = {kind for _path, _code, _name, kind in units}
    assert len(kinds) > 2 and len(units) > 5
    wanted = sorted(kinds)[:2]
    with county.snapshot() as tx:
        every = units_in_tree_order(tx, limit=10_000)
        of_kinds = units_in_tree_order(tx, kinds=wanted, limit=10_000)
        first_three = units_in_tree_order(tx, limit=3)
    assert [tuple(row) for row in every] == [(code, name, kind) for _path, code, name, kind in units]
    assert [tuple(row) for row in of_kinds] == [(code, name, kind) for _path, code, name, kind in units
                                               if kind in wanted]
    assert [tuple(row) for row in first_three] == [tuple(row) for row in every[:3]]


def test_a_user_exists_by_username_and_a_calendar_feed_once_asked_for(county: Database) -> None:
    with county.write() as tx:
        user_id = tx.one("SELECT id FROM users WHERE username = 'mediator1'")[0]
        assert user_exists(tx, "mediator1") and not user_exists(tx, "nobody-here")
        assert not has_feed(tx=tx, user_id=user_id)
        new_calendar_token(tx=tx, user_id=user_id)
        assert has_feed(tx=tx, user_id=user_id)
        assert not has_feed(tx=tx, user_id=-1)
