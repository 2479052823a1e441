"""Characters no person types: NUL anywhere, control characters in a code or a name.

PostgreSQL cannot store NUL in text, and a NUL that reached a query was a 500; a code or a
name (username, unit, title, a party's name) holding any control character is never what a
person meant. Free text keeps tabs and line breaks. The API and the web read every input
through these checks before anything reaches the database.
"""

from __future__ import annotations

import re

_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc

NUL_REASON = "must not contain a NUL character"
CONTROL_REASON = "must not contain control characters"

# Fields that hold a code or a name, wherever they appear in a body or a form.
ONE_LINE_FIELDS = frozenset({
    "username", "trigger", "title", "name", "unit", "channel", "category", "risk_level", "role", "id_number",
    "phone", "mediator", "department", "court", "owner", "co_units", "signer", "outcome", "mechanism", "resolver",
    "kind", "method", "gender", "ethnicity", "language", "ruling_number", "duplicate_of",
})


def refusal(text: str, *, one_line: bool) -> str | None:
    """Why `text` is refused (NUL, or a control character in a one-line field); None when it is fine."""
    if one_line:
        return CONTROL_REASON if _ANY_CONTROL.search(text) else None
    return NUL_REASON if "\x00" in text else None


def without_refused(text: str, *, one_line: bool) -> str:
    """`text` without the characters `refusal` names: what a form shows again beside the refusal."""
    return _ANY_CONTROL.sub("", text) if one_line else text.replace("\x00", "")


__all__ = ["CONTROL_REASON", "NUL_REASON", "ONE_LINE_FIELDS", "refusal", "without_refused"]
