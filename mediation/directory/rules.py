"""The directory's rules in one place: unit kinds and how they nest, codes, names, usernames, roles, passwords.

Every way into the directory (the API, the web admin pages, the CLI, `directory import`) checks its
input here, so a county can never be created under a grid whichever door is used. A refusal names
the field and says why, in English and in Chinese.
"""

from __future__ import annotations

import re
import secrets
from typing import NamedTuple

from mediation import control_characters
from mediation.errors import InvalidData

UNIT_KINDS = ("county", "town", "community", "grid", "station", "department", "court")
ROLES = ("grid_worker", "mediator", "police", "department", "court", "supervisor", "admin")
# The kinds a unit of each kind may sit under; None: at the root (a county has no parent).
PARENT_KINDS: dict[str, tuple[str | None, ...]] = {
    "county": (None,),
    "town": ("county",),
    "community": ("town",),
    "grid": ("community",),
    "station": ("county", "town"),
    "department": ("county", "town"),
    "court": ("county", "town"),
}
KIND_NAMES_ZH = {"county": "县（区）", "town": "乡镇（街道）", "community": "村（社区）", "grid": "网格",
                 "station": "派出所", "department": "职能部门", "court": "法庭"}
ROLE_NAMES_ZH = {"grid_worker": "网格员", "mediator": "调解员", "police": "民警", "department": "部门联络员",
                 "court": "法院人员", "supervisor": "督导人员", "admin": "系统管理员"}
MIN_PASSWORD = 8
MAX_PASSWORD = 200
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_CODE = re.compile(r"[^\s/]{1,64}")


class Refusal(NamedTuple):
    """Why a value is refused: the field, and the reason in English and in Chinese."""

    field: str
    reason: str
    reason_zh: str

    def in_language(self, chinese: bool) -> str:
        return self.reason_zh if chinese else self.reason


class DirectoryRefused(InvalidData):
    """A directory change refused (422): names the field, with the reason in both languages."""

    def __init__(self, refusal: Refusal, status_code: int = 422) -> None:
        super().__init__(refusal.field, refusal.reason)
        self.extra["reason_zh"] = refusal.reason_zh
        self.reason_zh = refusal.reason_zh
        self.status_code = status_code

    def with_status(self, status_code: int) -> DirectoryRefused:
        """The same refusal answered with another status (400: an unknown filter value)."""
        self.status_code = status_code
        return self


def refuse(field: str, reason: str, reason_zh: str) -> DirectoryRefused:
    return DirectoryRefused(Refusal(field, reason, reason_zh))


def _text_refusal(field: str, value: object, longest: int, zh_name: str) -> Refusal | None:
    if not isinstance(value, str) or not value.strip():
        return Refusal(field, "is required", f"{zh_name}不能为空")
    if len(value) > longest:
        return Refusal(field, f"must be at most {longest} characters", f"{zh_name}最多 {longest} 个字")
    if control_characters.refusal(value, one_line=True):
        return Refusal(field, control_characters.CONTROL_REASON, f"{zh_name}不能含控制字符")
    return None


def code_refusal(code: object, field: str = "code") -> Refusal | None:
    """Why a unit code is refused: 1–64 characters, no '/' and no spaces; None when it is fine."""
    if not isinstance(code, str) or not _CODE.fullmatch(code) or control_characters.refusal(code, one_line=True):
        return Refusal(field, "must be 1–64 characters without '/' or spaces", "单位代码须为 1–64 个字符，不含“/”和空格")
    return None


def name_refusal(name: object, field: str = "name") -> Refusal | None:
    """Why a unit name is refused (1–200 characters on one line)."""
    return _text_refusal(field, name, 200, "单位名称")


def abbreviation_refusal(abbreviation: object) -> Refusal | None:
    """Why an abbreviation (used in case numbers) is refused: at most 20 characters, or none."""
    if abbreviation is None or abbreviation == "":
        return None
    return _text_refusal("abbreviation", abbreviation, 20, "简称")


def kind_refusal(kind: object, field: str = "kind") -> Refusal | None:
    if kind not in UNIT_KINDS:
        return Refusal(field, f"must be one of {', '.join(UNIT_KINDS)}",
                       "单位类型须为：" + "、".join(KIND_NAMES_ZH.values()))
    return None


def nesting_refusal(kind: str, parent_kind: str | None, field: str = "parent") -> Refusal | None:
    """Why a unit of `kind` may not sit under a unit of `parent_kind` (None: at the root); None when it may."""
    allowed = PARENT_KINDS.get(kind, ())
    if parent_kind in allowed:
        return None
    if allowed == (None,):
        return Refusal(field, f"a {kind} has no parent unit", f"{KIND_NAMES_ZH[kind]}不能设上级单位")
    names = " or ".join(k for k in allowed if k)
    names_zh = "或".join(KIND_NAMES_ZH[k] for k in allowed if k)
    return Refusal(field, f"a {kind} must be under a {names}",
                   f"{KIND_NAMES_ZH.get(kind, kind)}的上级单位须为{names_zh}")


def username_refusal(username: object) -> Refusal | None:
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        return Refusal("username", "must be 1–64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit",
                       "用户名须为 1–64 个英文字母、数字或 . _ - @，以字母或数字开头")
    return None


def display_name_refusal(display_name: object) -> Refusal | None:
    return _text_refusal("display_name", display_name, 100, "姓名")


def roles_refusal(roles: object, field: str = "roles") -> Refusal | None:
    """Why a list of roles is refused: at least one, each a known role."""
    if not isinstance(roles, (list, tuple)) or not roles:
        return Refusal(field, "at least one role is required", "至少要有一个角色")
    unknown = sorted({str(role) for role in roles} - set(ROLES))
    if unknown:
        return Refusal(field, f"unknown roles {', '.join(unknown)}; known: {', '.join(ROLES)}",
                       f"未知角色 {'、'.join(unknown)}；可选：{'、'.join(ROLE_NAMES_ZH.values())}")
    return None


def password_refusal(password: object) -> Refusal | None:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return Refusal("password", f"must be at least {MIN_PASSWORD} characters (at most {MAX_PASSWORD})",
                       f"密码须为 {MIN_PASSWORD}–{MAX_PASSWORD} 个字符")
    if "\x00" in password:
        return Refusal("password", control_characters.NUL_REASON, "密码不能含空字符")
    return None


def random_password() -> str:
    """A new password for a person to type once and change: 16 characters, about 95 bits."""
    return secrets.token_urlsafe(12)


def check(*refusals: Refusal | None) -> None:
    """Raise the first refusal given, if any."""
    for found in refusals:
        if found is not None:
            raise DirectoryRefused(found)
