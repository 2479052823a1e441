"""Words of the case page's proceedings and state diagram (web/case_proceedings.py, workflows/graph.py),
merged into i18n.TEXT and i18n.VALUE_LABELS."""

from __future__ import annotations

CASE_PAGE_TEXT: dict[str, dict[str, str]] = {
    "signing": {"zh": "签名与盖章", "en": "Signatures and seal"},
    "signed": {"zh": "已签名", "en": "signed"},
    "not_signed": {"zh": "未签名", "en": "not signed"},
    "sealed": {"zh": "已盖章", "en": "sealed"},
    "not_sealed": {"zh": "未盖章", "en": "not sealed"},
    "mediator_signature": {"zh": "调解员签名", "en": "Mediator's signature"},
    "committee_seal": {"zh": "人民调解委员会印章", "en": "Mediation committee's seal"},
    "oral_agreement": {"zh": "口头协议", "en": "Oral agreement"},
    "agreement_effective_at": {"zh": "协议生效时间", "en": "In effect since"},
    "court_section": {"zh": "司法确认", "en": "Judicial confirmation"},
    "ruling_number_is": {"zh": "裁定书编号：{number}", "en": "Ruling number: {number}"},
    "visits_section": {"zh": "回访记录", "en": "Return visits"},
    "no_visits": {"zh": "尚无回访。", "en": "No return visits yet."},
    "visit_number": {"zh": "第 {n} 次回访", "en": "Visit {n}"},
    "visit_time": {"zh": "回访时间", "en": "When"},
    "visit_by": {"zh": "回访人", "en": "By"},
    "visit_result": {"zh": "回访结果", "en": "Result"},
    "visit_stable": {"zh": "是否稳定", "en": "Stable"},
    "visit_notes": {"zh": "回访情况", "en": "What was found"},
    "referral_section": {"zh": "流转与反馈", "en": "Referral and feedback"},
    "order_section": {"zh": "重点疑难督办", "en": "Key-case order"},
    "next_session": {"zh": "下次调解时间", "en": "Next session"},
    "diagram_next_steps": {"zh": "当前可进行的下一步", "en": "What can be done next"},
    "diagram_no_next": {"zh": "本案已办结，无后续步骤。", "en": "The case is closed: no further steps."},
    "diagram_step": {"zh": "{trigger} → {state}", "en": "{trigger} → {state}"},
    "diagram_same": {"zh": "{trigger}（状态不变）", "en": "{trigger} (state unchanged)"},
    "diagram_hint": {"zh": "图中高亮的是本案当前所处状态；在手机上可左右滑动查看。",
                     "en": "The highlighted state is where the case stands; on a phone, swipe sideways."},
}

CASE_PAGE_VALUES: dict[str, dict[str, str]] = {
    "order_due_soon": {"zh": "重点案件即将到期提醒", "en": "Key-case order due soon"},
    "order_overdue": {"zh": "重点案件办理期限", "en": "Key-case order deadline"},
}
