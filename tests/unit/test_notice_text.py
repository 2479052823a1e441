"""A notice reads as a sentence in each language, naming ladder rungs by the policy's labels."""

from __future__ import annotations

from mediation.notifications.notice_text import notice_text


def test_an_escalation_names_the_rung_by_the_policy_label() -> None:
    text = notice_text("case_escalated", {"level": "county"}, "永嘉调〔2026〕00001号", None)
    assert text == {"zh": "案件 永嘉调〔2026〕00001号 已上报至县级矛调中心",
                    "en": "Case 永嘉调〔2026〕00001号 was escalated to the county centre"}


def test_an_unknown_rung_names_nothing_rather_than_a_code() -> None:
    text = notice_text("case_escalated", {"level": "moon_base"}, "永嘉调〔2026〕00001号", None)
    assert "moon_base" not in text["zh"] and "moon_base" not in text["en"]
