"""Words of the 我的工作 page and of the role-aware offers (nav, intake refusal), merged into i18n."""

from __future__ import annotations

MY_WORK_TEXT: dict[str, dict[str, str]] = {
    "my_work": {"zh": "我的工作", "en": "My work"},
    "my_work_intro": {"zh": "交给您办理的案件和等待您处理的案件，已超期和即将到期的排在最前。",
                      "en": "Cases assigned to you and cases waiting on you, overdue and due-soon first."},
    "work_kind_all": {"zh": "全部", "en": "All"},
    "work_kind_assigned": {"zh": "我承办的", "en": "Assigned to me"},
    "work_kind_awaiting_me": {"zh": "待我处理", "en": "Awaiting me"},
    "work_kind_due_soon": {"zh": "即将到期", "en": "Due soon"},
    "work_kind_overdue": {"zh": "已超期", "en": "Overdue"},
    "work_kinds": {"zh": "按类别查看", "en": "Show"},
    "work_reason": {"zh": "原因", "en": "Why"},
    "work_reason_assigned": {"zh": "我承办", "en": "Assigned to me"},
    "work_reason_order_owner": {"zh": "督办责任人", "en": "Order owner"},
    "work_reason_awaiting_me": {"zh": "待我处理", "en": "Awaiting me"},
    "work_urgency": {"zh": "紧急程度", "en": "Urgency"},
    "work_urgency_overdue": {"zh": "已超期", "en": "Overdue"},
    "work_urgency_due_soon": {"zh": "即将到期", "en": "Due soon"},
    "work_urgency_rest": {"zh": "未到期", "en": "Not due yet"},
    "work_due": {"zh": "到期时间（北京时间）", "en": "Due (China time)"},
    "work_no_deadline": {"zh": "无期限", "en": "No deadline"},
    "work_empty": {"zh": "目前没有等待您处理的案件。", "en": "Nothing is waiting on you right now."},
    "work_empty_kind": {"zh": "此类别下没有案件。", "en": "No cases of this kind."},
    "intake_not_allowed": {"zh": "您的角色不能登记新案件", "en": "Your role may not file cases"},
    "intake_not_allowed_text": {
        "zh": "您的角色没有登记新案件的权限。如需登记，请联系纠纷发生地的网格员或调解员。",
        "en": "Your roles do not include filing cases; ask a grid worker or mediator where the dispute arose."},
}

