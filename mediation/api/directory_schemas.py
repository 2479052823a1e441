"""Request bodies of the directory administration API (DESIGN §9.4): closed structs, examples in Chinese."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

Kind = Literal["county", "town", "community", "grid", "station", "department", "court"]
Role = Literal["grid_worker", "mediator", "police", "department", "court", "supervisor", "admin"]
Code = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[^\s/]+$", examples=["330324001001-G3"])]
UnitName = Annotated[str, Meta(min_length=1, max_length=200, examples=["江北社区第三网格"])]
Abbreviation = Annotated[str, Meta(min_length=1, max_length=20, examples=["永嘉"])]
Username = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$",
                               examples=["grid3"])]
DisplayName = Annotated[str, Meta(min_length=1, max_length=100, examples=["孙网格"])]
Roles = Annotated[list[Role], Meta(min_length=1, max_length=7, examples=[["grid_worker"]])]
Password = Annotated[str, Meta(min_length=8, max_length=200, examples=["a-long-passphrase"])]


class UnitCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name: UnitName
    kind: Kind
    parent: Code | None = None
    abbreviation: Abbreviation | None = None


class UnitPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; parent null puts a county at the root."""

    name: UnitName | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    parent: Code | None | UnsetType = UNSET
    abbreviation: Abbreviation | None | UnsetType = UNSET


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Without a password a random one is made and answered once."""

    username: Username
    unit: Code
    roles: Roles
    display_name: DisplayName | None = None
    password: Password | None = None


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; new roles, a new unit or disabling end the user's tokens."""

    roles: Roles | UnsetType = UNSET
    unit: Code | UnsetType = UNSET
    display_name: DisplayName | UnsetType = UNSET
    disabled: bool | UnsetType = UNSET


class PasswordSet(msgspec.Struct, forbid_unknown_fields=True):
    """The new password; none: a random one, answered once."""

    password: Password | None = None


class PasswordAnswer(msgspec.Struct):
    username: str
    generated_password: str | None  # only when the server made it up; shown this once


def given_fields(body: msgspec.Struct) -> dict:
    """The fields a PATCH body sent (UNSET ones left out)."""
    return {name: value for name in body.__struct_fields__ if (value := getattr(body, name)) is not UNSET}
