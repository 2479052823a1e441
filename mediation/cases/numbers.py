"""Case numbers as people write them: `永嘉调〔2026〕00123号` is taken wherever a case id is (DESIGN §9.1)."""

from __future__ import annotations

import re
import unicodedata

from mediation.db import RawTransaction

# The number intake prints ({prefix}调〔{year}〕{serial:05d}号) with the brackets people type instead of
# 〔〕 ([], (), （）, 【】), the serial without its zeros, 第 before it or 号 left off.
_TYPED_NUMBER = re.compile(
    r"^(?P<prefix>\S+?)调\s*[〔\[(【]\s*(?P<year>\d{4})\s*[〕\])】]\s*第?\s*(?P<serial>\d{1,9})\s*号?$"
)
_MAX_ID_DIGITS = 18  # ids are 64-bit: a longer run of digits names no case


def printed_number(text: str) -> str:
    """`text` as intake prints a case number, when it reads as one; otherwise `text` trimmed."""
    text = text.strip()
    typed = _TYPED_NUMBER.match(unicodedata.normalize("NFKC", text))
    if typed is None:
        return text
    return f"{typed['prefix']}调〔{int(typed['year'])}〕{int(typed['serial']):05d}号"


def case_id_by_number(tx: RawTransaction, text: str) -> int | None:
    """The id of the case numbered `text` (as printed or as typed); None when there is none."""
    row = tx.one("SELECT id FROM cases WHERE number = :number", {"number": printed_number(text)})
    return row[0] if row else None


def case_id_of(tx: RawTransaction, text: str) -> int | None:
    """The id of the case `text` names, by its id (ASCII digits) or by its number; None when there is none."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return case_id_by_number(tx, text)
    if len(text) > _MAX_ID_DIGITS:
        return None
    row = tx.one("SELECT id FROM cases WHERE id = :id", {"id": int(text)})
    return row[0] if row else None
