"""The bound 卷宗 (DESIGN §9.2): its cover and the papers it holds, in the Ministry of Justice's order.

A paper the case does not have yet (no investigation, no referral, no court) is left out of the
volume and of its table of contents rather than printed as an empty page.
"""

from __future__ import annotations

from typing import Any, Callable

from mediation.documents._labels import translator

NUMERALS = "一二三四五六七八九十"
# (part, whether the case has it), in the order the papers are bound.
PARTS: tuple[tuple[str, Callable[[dict[str, Any]], bool]], ...] = (
    ("application", lambda c: True),
    ("rights", lambda c: True),
    ("identity", lambda c: True),
    ("investigations", lambda c: bool(c["investigations"])),
    ("evidence", lambda c: bool(c["evidence"])),
    ("sessions", lambda c: bool(c["session_records"] or c["sessions"])),
    ("referrals", lambda c: bool(c["referrals"])),
    ("agreement", lambda c: c["agreement"] is not None),
    ("visits", lambda c: bool(c["visits"] or c["scheduled_visits"])),
    ("court", lambda c: c["court"] is not None),
    ("closing", lambda c: True),
)


def volume(context: dict[str, Any]) -> dict[str, Any]:
    """The cover's facts and the numbered papers of the case file."""
    t = translator(context["lang"])
    present = [name for name, has in PARTS if has(context)]
    return {"cover": _cover(context, t), "parts": [
        {"id": f"part-{name}", "name": name, "no": index, "numeral": numeral(index, context["lang"]),
         "title": t(f"part.{name}")} for index, name in enumerate(present, 1)]}


def numeral(number: int, lang: str) -> str:
    """一、 二、 … 十一、 in Chinese; "1. ", "2. " … in English."""
    if lang != "zh":
        return f"{number}. "
    tens, units = divmod(number, 10)
    text = (NUMERALS[tens - 1] if tens > 1 else "") + ("十" if tens else "") + (NUMERALS[units - 1] if units else "")
    return text + "、"


def _cover(context: dict[str, Any], t: Callable[..., str]) -> list[tuple[str, str]]:
    case = context["case"]
    co_mediators = [p["name"] for p in context["participants"] if p["role_code"] in ("co_mediator", "five_elders")]
    mediators = ("、" if context["lang"] == "zh" else ", ").join(n for n in (case["mediator"], *co_mediators) if n)
    period = f"{case['filed_at']} — {case['closed_at'] or t('cover.until_now')}"
    return [
        (t("cover.volume_name"), case["title"]), (t("cover.volume_number"), case["number"]),
        (t("cover.mediators"), mediators), (t("cover.period"), period),
        (t("cover.filed_by"), case["mediator"] or context["registered_by"]),
        (t("cover.retention"), t("cover.retention_value")),
    ]
