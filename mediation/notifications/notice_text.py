"""A notice as a sentence in the reader's language: what happened to which case, never ids or code names."""

from __future__ import annotations

from datetime import date
from typing import Any

from mediation.workflows import deadline_labels
from mediation.workflows.loader import current_definition

# The reminder before a key-case order's deadline speaks of that deadline.
DEADLINE_LABELS = {**deadline_labels.DEADLINE_LABELS, "order_due_soon": deadline_labels.DEADLINE_LABELS["order_overdue"]}

LANGUAGES = ("zh", "en")

OUTCOME_LABELS = {"resolved": ("已解决", "resolved"), "unresolved": ("未解决", "unresolved")}
DEADLINE_REASON = "期限届满："  # the worker's reason for a timer's 督办; the timer's label replaces it

SENTENCES = {
    "case_assigned": ("您被指派为案件 {number} 的调解员", "You were assigned as the mediator of case {number}"),
    "case_referred": ("案件 {number} 已移送本部门，请签收", "Case {number} was referred to your department: please acknowledge it"),
    "case_escalated": ("案件 {number} 已上报至{level}", "Case {number} was escalated to {level}"),
    "confirmation_applied": ("案件 {number} 申请司法确认，请受理", "Judicial confirmation of case {number} was applied for: please accept it"),
    "referral_returned_twice": ("案件 {number} 被部门两次退回，已上报县级矛调中心",
                                "Case {number} was returned twice by departments and escalated to the county centre"),
    "feedback_submitted": ("部门已反馈案件 {number} 的处理结果：{outcome}", "The department reported on case {number}: {outcome}"),
    "key_case_designated": ("您被指定为重点案件 {number} 的责任人{due}", "You own the key-case order of case {number}{due}"),
    "supervise": ("督办：案件 {number}{what}{due}", "Supervision: case {number}{what}{due}"),
    "case_shared": ("案件 {number} 已与本单位共享，请协同调解{why}", "Case {number} was shared with your unit for co-mediation{why}"),
    "reminder": ("提醒：案件 {number} 的{deadline}已到{due}", "Reminder: the {deadline} of case {number} is due{due}"),
}
OTHER = ("案件 {number} 有新通知", "News about case {number}")


def notice_text(topic: str, payload: dict[str, Any], number: str | None, order_deadline: date | None) -> dict[str, str]:
    """The notice in Chinese and English: {"zh": …, "en": …}."""
    return {lang: _sentence(i, topic, payload, number or "", order_deadline) for i, lang in enumerate(LANGUAGES)}


def _sentence(i: int, topic: str, payload: dict[str, Any], number: str, order_deadline: date | None) -> str:
    sentence = SENTENCES.get(topic, OTHER)[i]
    kind = _deadline_kind(payload)
    due = ""
    if order_deadline and (topic == "key_case_designated" or kind in ("order_due_soon", "order_overdue")):
        due = ("，期限 {}", ", due {}")[i].format(order_deadline.isoformat())
    return sentence.format(
        number=number, due=due, what=_supervised_what(i, payload, kind),
        level=_level(payload.get("level"), i),
        outcome=_label(OUTCOME_LABELS, payload.get("outcome"), i),
        deadline=_label(DEADLINE_LABELS, kind, i) or ("期限", "deadline")[i],
        why=("：{}", ": {}")[i].format(payload["reason"]) if topic == "case_shared" and payload.get("reason") else "",
    )


def _deadline_kind(payload: dict[str, Any]) -> str | None:
    reason = payload.get("reason") or ""
    if payload.get("deadline"):
        return payload["deadline"]
    return reason[len(DEADLINE_REASON):] if reason.startswith(DEADLINE_REASON) else None


def _supervised_what(i: int, payload: dict[str, Any], kind: str | None) -> str:
    if kind:
        return ("的{}已届满", ": the {} has passed")[i].format(_label(DEADLINE_LABELS, kind, i) or ("期限", "deadline")[i])
    reason = payload.get("reason")
    return ("：{}", ": {}")[i].format(reason) if reason else ""


def _level(code: Any, i: int) -> str:
    """A rung of the escalation ladder by the policy's label ("the county centre" in an English sentence)."""
    step = next((step for step in current_definition().policy["escalation_ladder"] if step["level"] == code), None)
    if step is None:
        return ""
    label = (step.get("labels") or {}).get(LANGUAGES[i]) or str(code)
    return label if i == 0 else "the " + label[:1].lower() + label[1:]


def _label(table: dict[str, Any], code: Any, i: int) -> str:
    """The code's label in language `i` (0 zh, 1 en) from a table of pairs or of {zh, en}; "" when unknown."""
    if code not in table:
        return ""
    labels = table[code]
    return labels[LANGUAGES[i]] if isinstance(labels, dict) else labels[i]


ENTRY_TITLES = {
    "session": ("下次调解", "Next session"),
    "held_session": ("调解记录", "Session held"),
}
DEADLINE_ENDS = ("届满", " ends")


def entry_title(kind: str, detail: str, lang: str) -> str:
    """What a calendar entry is, in words: 下次调解, 第一次回访, 法院受理期限届满, 重点案件督办期限 …"""
    i = LANGUAGES.index(lang) if lang in LANGUAGES else 0
    if kind in ENTRY_TITLES:
        return ENTRY_TITLES[kind][i]
    label = _label(DEADLINE_LABELS, detail, i) or ("期限", "Deadline")[i]
    if kind == "order":
        return ("重点案件督办期限", "Key-case order deadline")[i]
    if kind == "deadline":
        label += DEADLINE_ENDS[i]
    return label[:1].upper() + label[1:] if i else label
