"""The directory's rules (DESIGN §9.4): unit kinds nest county → town → community → grid, stations,
departments and courts under a county or a town; codes, usernames, roles and passwords checked."""

from __future__ import annotations

import pytest

from mediation.directory.rules import (
    PARENT_KINDS,
    UNIT_KINDS,
    code_refusal,
    nesting_refusal,
    password_refusal,
    roles_refusal,
    username_refusal,
)

ALLOWED = {("county", None), ("town", "county"), ("community", "town"), ("grid", "community"),
           ("station", "county"), ("station", "town"), ("department", "county"), ("department", "town"),
           ("court", "county"), ("court", "town")}


@pytest.mark.parametrize("kind", UNIT_KINDS)
@pytest.mark.parametrize("parent", (None, *UNIT_KINDS))
def test_every_pair_of_kinds_nests_only_as_the_design_says(kind: str, parent: str | None) -> None:
    refusal = nesting_refusal(kind, parent)
    assert (refusal is None) == ((kind, parent) in ALLOWED)
    if refusal is not None:
        assert refusal.field == "parent" and refusal.reason and refusal.reason_zh


def test_the_rules_name_every_kind() -> None:
    assert set(PARENT_KINDS) == set(UNIT_KINDS)
    assert "县（区）不能设上级单位" == nesting_refusal("county", "grid").reason_zh
    assert nesting_refusal("grid", "town").reason == "a grid must be under a community"


@pytest.mark.parametrize(("value", "refused"), [("330324001001-G1", False), ("", True), ("a/b", True),
                                                ("a b", True), ("x" * 65, True), ("a\x07", True)])
def test_unit_codes(value: str, refused: bool) -> None:
    assert (code_refusal(value) is not None) == refused


@pytest.mark.parametrize(("value", "refused"), [("grid1", False), ("li.ming@wz", False), ("", True),
                                                ("-x", True), ("张三", True), ("a b", True), ("x" * 65, True)])
def test_usernames(value: str, refused: bool) -> None:
    assert (username_refusal(value) is not None) == refused


def test_roles_and_passwords() -> None:
    assert roles_refusal(["mediator", "supervisor"]) is None
    assert "wizard" in roles_refusal(["mediator", "wizard"]).reason
    assert roles_refusal([]).field == "roles"
    assert password_refusal("long-enough") is None
    assert "8 characters" in password_refusal("short").reason
    assert password_refusal("x" * 201) is not None
