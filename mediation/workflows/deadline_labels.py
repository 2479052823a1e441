"""What each kind of deadline is called, in both languages: the policy's timers and the key-case order's.

One table for every reader: the web's pages, my work, notices and the calendar.
"""

from __future__ import annotations

DEADLINE_LABELS: dict[str, dict[str, str]] = {
    "department_acknowledgement": {"zh": "部门签收期限", "en": "Department acknowledgement"},
    "court_acceptance": {"zh": "法院受理期限", "en": "Court acceptance"},
    "court_ruling": {"zh": "司法确认审查期限", "en": "Court ruling"},
    "judicial_confirmation_window": {"zh": "申请司法确认期限", "en": "Judicial confirmation window"},
    "police_first_session": {"zh": "随警调解首次调解期限", "en": "Police first session"},
    "police_second_session": {"zh": "随警调解再次调解期限", "en": "Police second session"},
    "people_mediation_term": {"zh": "人民调解期限", "en": "Mediation term"},
    "return_visit_1": {"zh": "第一次回访", "en": "First return visit"},
    "return_visit_2": {"zh": "第二次回访", "en": "Second return visit"},
    "order_due_soon": {"zh": "重点案件即将到期提醒", "en": "Key-case order due soon"},
    "order_overdue": {"zh": "重点案件督办期限", "en": "Key-case order deadline"},
    "key_case_order": {"zh": "重点案件督办期限", "en": "Key-case order"},
}
