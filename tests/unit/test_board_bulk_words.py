"""What the board says after a bulk action: Chinese words, failures by case number, unreachable cases only counted."""

from __future__ import annotations

from mediation.cases.bulk import CaseOutcome
from mediation.web.board_bulk import bulk_outcome
from mediation.web.i18n import Words

ZH = Words("zh")
NUMBER = "永嘉调〔2026〕00012号"


def _done(case_id: int) -> CaseOutcome:
    return CaseOutcome(case_id, 200, case_id, f"永嘉调〔2026〕{case_id:05d}号", version=3, state="mediation.assigned")


def test_all_done_is_one_sentence() -> None:
    said = bulk_outcome(ZH, "添加备注", [_done(1), _done(2)])
    assert said == {"ok": True, "headline": "添加备注：2 件全部成功。", "failures": []}


def test_failures_are_named_by_number_and_reason_and_unreachable_ones_counted() -> None:
    outcomes = [*(_done(i) for i in range(1, 13)),
                CaseOutcome(12, 409, 12, NUMBER, code="stale", extra={"current_version": 4}),
                CaseOutcome(99, 404, 99, code="not_found", detail="no such case"),
                CaseOutcome(13, 422, 13, "永嘉调〔2026〕00013号", code="not_key_case", detail="already a key case",
                            extra={"guard": "not_key_case", "reasons": {"zh": "本案已列为重点疑难案件", "en": "x"}})]
    said = bulk_outcome(ZH, "添加备注", outcomes)
    assert said["ok"] is False
    assert said["headline"] == "添加备注：12 件成功，3 件未成功："
    assert said["failures"] == [(NUMBER, "案件已被他人更新，请刷新后重试"),
                                ("永嘉调〔2026〕00013号", "本案已列为重点疑难案件"),
                                (None, "1 件案件不存在或不在您的范围内")]
    assert "99" not in str(said)  # a case out of reach is never named, not even by its id


def test_the_same_data_refusal_on_every_case_is_said_once() -> None:
    refused = [CaseOutcome(i, 422, i, f"n{i}", code="invalid_data", detail="data.text: is required",
                           extra={"field": "data.text", "reason": "is required"}) for i in (1, 2, 3)]
    said = bulk_outcome(ZH, "添加备注", refused)
    assert said == {"ok": False, "headline": "未办理任何案件：内容：必填", "failures": []}
