"""Words of the web workspace in Chinese (the default) and English.

Labels of states, stages, triggers, channels and categories come from the workflow
definition and its policy; this module holds only the page's own words.
"""

from __future__ import annotations

from typing import Any

from mediation.web.admin_words import ADMIN_TEXT
from mediation.web.board_words import BOARD_TEXT
from mediation.web.case_file_words import CASE_FILE_TEXT, CASE_FILE_VALUES
from mediation.web.case_page_words import CASE_PAGE_TEXT
from mediation.web.case_share_words import CASE_SHARE_TEXT
from mediation.web.dashboard_words import DASHBOARD_TEXT
from mediation.web.my_work_words import MY_WORK_TEXT
from mediation.web.notice_words import NOTICE_TEXT
from mediation.web.workflow_words import WORKFLOW_TEXT
from mediation.workflows.deadline_labels import DEADLINE_LABELS
from mediation.workflows.engine_triggers import ENGINE_TRIGGER_LABELS
from mediation.workflows.field_labels import FIELD_LABELS, field_label

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

TEXT: dict[str, dict[str, str]] = {
    "app_name": {"zh": "矛盾纠纷多元化解工作台", "en": "Dispute mediation workspace"},
    "login": {"zh": "登录", "en": "Log in"},
    "logout": {"zh": "退出", "en": "Log out"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "bad_login": {"zh": "用户名或密码错误。", "en": "Wrong username or password."},
    "too_many": {"zh": "登录失败次数过多，请 {minutes} 分钟后再试。", "en": "Too many failed logins; try again in {minutes} min."},
    "csrf_failed": {"zh": "表单已失效，请刷新页面后重试。", "en": "The form expired; reload the page and try again."},
    "board": {"zh": "案件看板", "en": "Case board"},
    "new_case": {"zh": "登记新案件", "en": "File a case"},
    "court_inbox": {"zh": "法院待办", "en": "Court inbox"},
    "department_inbox": {"zh": "部门待办", "en": "Department inbox"},
    "orders": {"zh": "督办件", "en": "Orders"},
    "dashboard": {"zh": "统计分析", "en": "Dashboard"},
    "filter": {"zh": "筛选", "en": "Filter"},
    "clear": {"zh": "清除", "en": "Clear"},
    "search": {"zh": "搜索（案号、当事人、内容）", "en": "Search (number, party, text)"},
    "any": {"zh": "全部", "en": "Any"},
    "state": {"zh": "状态", "en": "State"},
    "stage": {"zh": "阶段", "en": "Stage"},
    "channel": FIELD_LABELS["channel"],
    "category": FIELD_LABELS["category"],
    "risk_level": FIELD_LABELS["risk_level"],
    "unit": FIELD_LABELS["unit"],
    "overdue_only": {"zh": "仅看超期", "en": "Overdue only"},
    "number": {"zh": "案号", "en": "Number"},
    "title": FIELD_LABELS["title"],
    "description": FIELD_LABELS["description"],
    "updated": {"zh": "更新时间", "en": "Updated"},
    "next_deadline": {"zh": "最近期限", "en": "Next deadline"},
    "overdue": {"zh": "已超期", "en": "Overdue"},
    "due_soon": {"zh": "即将到期", "en": "Due soon"},
    "no_cases": {"zh": "没有符合条件的案件。", "en": "No cases match."},
    "total": {"zh": "共 {n:,} 件", "en": "{n:,} cases", "en_one": "1 case"},
    "total_more": {"zh": "共 {n:,}+ 件", "en": "{n:,}+ cases"},
    "page_of": {"zh": "第 {page} / {pages} 页", "en": "Page {page} of {pages}"},
    "page_of_more": {"zh": "第 {page} / {pages}+ 页", "en": "Page {page} of {pages}+"},
    "board_capped": {"zh": "仅列出最新的 {n:,} 件；查找更早的案件请缩小筛选范围。",
                     "en": "Only the newest {n:,} are listed; narrow the filters to find older cases."},
    "previous": {"zh": "上一页", "en": "Previous"},
    "next": {"zh": "下一页", "en": "Next"},
    "parties": FIELD_LABELS["parties"],
    "party_name": {"zh": "姓名", "en": "Name"},
    "party_role": {"zh": "身份", "en": "Role"},
    "id_number": {"zh": "身份证号", "en": "ID number"},
    "phone": {"zh": "电话", "en": "Phone"},
    "is_minor": {"zh": "未成年人", "en": "Minor"},
    "yes": {"zh": "是", "en": "yes"},
    "facts": {"zh": "案情", "en": "Facts"},
    "current_state": {"zh": "当前状态", "en": "Current state"},
    "mediator": {"zh": "调解员", "en": "Mediator"},
    "version": {"zh": "版本", "en": "Version"},
    "deadlines": {"zh": "期限", "en": "Deadlines"},
    "no_deadlines": {"zh": "无待办期限。", "en": "No pending deadlines."},
    "estimated_holidays": {"zh": "（按估算的节假日计算）", "en": "(counted on estimated holidays)"},
    "timeline": {"zh": "办理记录", "en": "Timeline"},
    "actions": {"zh": "可办理事项", "en": "Actions"},
    "no_actions": {"zh": "您当前无可办理事项。", "en": "Nothing you may do on this case now."},
    "workflow": {"zh": "流程", "en": "Workflow"},
    "diagram": {"zh": "查看状态图", "en": "Show state diagram"},
    "diagram_title": {"zh": "本阶段状态图", "en": "State diagram of this stage"},
    "you_are_here": {"zh": "当前所在", "en": "you are here"},
    "you_are_here_mark": {"zh": "（当前所在）", "en": "(you are here)"},
    "submit": {"zh": "提交", "en": "Submit"},
    "required": {"zh": "必填", "en": "required"},
    "stale": {
        "zh": "其他人刚刚修改了此案件，您的操作未保存。请重新加载后再办理。",
        "en": "Someone else changed this case — reload. Your action was not saved.",
    },
    "reload": {"zh": "重新加载", "en": "Reload"},
    "fix_errors": {"zh": "请更正标出的字段。", "en": "Please correct the marked fields."},
    "not_allowed": {"zh": "当前状态下不能办理此事项。", "en": "This action is not allowed in the current state."},
    "forbidden": {"zh": "您无权办理此事项。", "en": "You may not do this."},
    "guard_failed": {"zh": "条件未满足：", "en": "Condition not met: "},
    "done": {"zh": "已办理：", "en": "Done: "},
    "left_reach": {"zh": "已办理：{action}。该案件已不在您的办理范围内。",
                   "en": "Done: {action}. The case is no longer in your reach."},
    "not_found": {"zh": "未找到该页面或案件。", "en": "Page or case not found."},
    "back_to_board": {"zh": "返回案件看板", "en": "Back to the board"},
    "filed": {"zh": "案件已登记。", "en": "Case filed."},
    "party_n": {"zh": "当事人 {n}", "en": "Party {n}"},
    "party_hint": {"zh": "至少填写一名当事人；空行将被忽略。", "en": "At least one party; empty rows are ignored."},
    "file": {"zh": "登记", "en": "File"},
    "lang_switch": {"zh": "English", "en": "中文"},
    "skip": {"zh": "跳到正文", "en": "Skip to content"},
    "list_hint": {"zh": "每行一项", "en": "one per line"},
    "signed_in_as": {"zh": "当前用户", "en": "Signed in as"},
    "key_case": {"zh": "重点案件", "en": "Key case"},
    "ladder": {"zh": "调解层级", "en": "Ladder level"},
    "event_by": {"zh": "办理人", "en": "By"},
    "workflow_version": {"zh": "流程版本", "en": "Workflow version"},  # a `migrate` event: version a → b
    "reason": {"zh": "理由", "en": "Reason"},
    # --- inboxes, orders and document links (add their words below this line)
    "inbox_court_intro": {"zh": "申请本法院司法确认、等待受理或审查的案件。",
                          "en": "Cases whose parties applied to your court for judicial confirmation, awaiting acceptance or a ruling."},
    "inbox_department_intro": {"zh": "流转至本部门、等待签收或办理反馈的案件。",
                               "en": "Cases referred to your department, awaiting acknowledgement or feedback."},
    "inbox_court_only": {"zh": "此页面仅供共享法庭工作人员使用。", "en": "This page is for shared-court staff."},
    "inbox_department_only": {"zh": "此页面仅供职能部门工作人员使用。", "en": "This page is for department staff."},
    "inbox_you_may": {"zh": "可办理：", "en": "You may: "},
    "inbox_received": {"zh": "收到时间", "en": "Received"},
    "inbox_nothing": {"zh": "暂无待办案件。", "en": "Nothing waiting."},
    "inbox_shown": {"zh": "显示最早到期的 {n} 件，共 {total} 件。", "en": "Showing the {n} due first of {total}."},
    "orders_intro": {"zh": "列为重点疑难、实行订单管理的案件，按超期、即将到期、办理中排列。",
                     "en": "Key cases under order management: overdue first, then due soon, then open."},
    "orders_none": {"zh": "没有符合条件的督办件。", "en": "No orders match."},
    "due_soon_only": {"zh": "仅看即将到期", "en": "Due soon only"},
    "order_owner": {"zh": "责任人", "en": "Owner"},
    "order_co_units": {"zh": "协办单位", "en": "Co-units"},
    "order_deadline": {"zh": "办结期限", "en": "Deadline"},
    "order_status": {"zh": "督办状态", "en": "Status"},
    "order_is_overdue": {"zh": "已超期", "en": "Overdue"},
    "order_is_due_soon": {"zh": "即将到期", "en": "Due soon"},
    "order_is_open": {"zh": "办理中", "en": "Open"},
    "order_is_done": {"zh": "已办结", "en": "Done"},
    "order_days_left": {"zh": "（剩 {n} 天）", "en": "({n} days left)", "en_one": "(1 day left)"},
    "order_days_late": {"zh": "（超期 {n} 天）", "en": "({n} days late)", "en_one": "(1 day late)"},
    "documents": {"zh": "文书下载", "en": "Documents"},
    "doc_case_file": {"zh": "人民调解卷宗", "en": "Case file"},
    "doc_agreement": {"zh": "人民调解协议书", "en": "Mediation agreement"},
    "doc_referral": {"zh": "矛盾纠纷流转单", "en": "Referral form"},
    "doc_judicial_application": {"zh": "司法确认申请书", "en": "Application for judicial confirmation"},
    "doc_return_visit": {"zh": "回访记录", "en": "Return visit record"},
    "doc_not_yet_agreement": {"zh": "尚无书面调解协议", "en": "no written agreement yet"},
    "doc_not_yet_referral": {"zh": "未流转职能部门", "en": "not referred to a department"},
    "doc_not_yet_judicial_application": {"zh": "未申请司法确认", "en": "no judicial confirmation applied for"},
    "doc_not_yet_return_visit": {"zh": "尚无回访安排或记录", "en": "no return visit scheduled or recorded"},
    "doc_too_large": {"zh": "案卷内容过多，无法生成文书", "en": "the case is too large to print"},
    "doc_busy": {"zh": "文书生成繁忙，请稍后再试。", "en": "Documents are busy rendering; try again shortly."},
    "back_to_case": {"zh": "返回本案", "en": "Back to the case"},
    **DASHBOARD_TEXT,  # the supervisor dashboard's words, in dashboard_words.py
    **MY_WORK_TEXT,  # my work, role-aware offers, in my_work_words.py
    **NOTICE_TEXT,  # notifications, the calendar and the header's unread count, in notice_words.py
    **ADMIN_TEXT,  # directory administration and the personal-data view log, in admin_words.py
    **BOARD_TEXT,  # the board's bulk actions, exports and saved filters, in board_words.py
    **CASE_FILE_TEXT,  # the case file's words (records, corrections, attachments), in case_file_words.py
    **CASE_PAGE_TEXT,  # the case page's proceedings and diagram, in case_page_words.py
    **CASE_SHARE_TEXT,  # the case page's 协同调解 section, in case_share_words.py
    **WORKFLOW_TEXT,  # the workflow versions pages, in workflow_words.py
}


# Values of enum fields and other codes without labels in the workflow files.
VALUE_LABELS: dict[str, dict[str, str]] = {
    **CASE_FILE_VALUES,  # the case file's coded values; the entries below win where both name one
    **ENGINE_TRIGGER_LABELS,  # `migrate`: the engine's own trigger, in no workflow file
    "joint": {"zh": "联合调解", "en": "Joint"},
    "professional": {"zh": "专业调解", "en": "Professional"},
    "on_scene": {"zh": "随警调解", "en": "On scene"},
    "grassroots": {"zh": "基层力量", "en": "Grassroots"},
    "judicial": {"zh": "司法力量", "en": "Judicial"},
    "departmental": {"zh": "部门力量", "en": "Departmental"},
    "resolved": {"zh": "已化解", "en": "Resolved"},
    "unresolved": {"zh": "未化解", "en": "Unresolved"},
    "stable": {"zh": "稳定", "en": "Stable"},
    "recurred": {"zh": "反复", "en": "Recurred"},
    "not_performed": {"zh": "未履行", "en": "Not performed"},
    "applicant": {"zh": "申请人", "en": "Applicant"},
    "respondent": {"zh": "被申请人", "en": "Respondent"},
    "third_party": {"zh": "第三人", "en": "Third party"},
    "low": {"zh": "低", "en": "Low"},
    "elevated": {"zh": "较高", "en": "Elevated"},
    "high": {"zh": "高", "en": "High"},
    "critical": {"zh": "极高", "en": "Critical"},
    "mediator": {"zh": "调解员", "en": "Mediator"},
    "intake": {"zh": "登记", "en": "Intake"},
    # Subject matters of an agreement (the rest are categories of policy.yaml).
    "debt": {"zh": "债务", "en": "Debt"},
    "compensation": {"zh": "赔偿", "en": "Compensation"},
    "boundary": {"zh": "边界", "en": "Boundary"},
    "other": {"zh": "其他", "en": "Other"},
    **DEADLINE_LABELS,  # deadline kinds of policy.yaml and of key-case orders
    # Keys the metrics give to cases with no category or mechanism, and to resolutions with no level.
    "unset": {"zh": "未设置", "en": "Not set"},
    "unrecorded": {"zh": "未记录", "en": "Not recorded"},
}


def pick_language(query: str | None, cookie: str | None) -> str:
    for value in (query, cookie):
        if value in LANGUAGES:
            return value
    return DEFAULT_LANGUAGE


class Words:
    """What templates call: `t('key')`, `field('name')`, `value('code')`, `label(labels)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def t(self, key: str, **values: Any) -> str:
        """The page word; with `n=1`, an entry's `<lang>_one` form when it has one ("1 case")."""
        entry = TEXT.get(key, {})
        text = (values.get("n") == 1 and entry.get(f"{self.lang}_one")) or entry.get(self.lang) or key
        return text.format(**values) if values else text

    def field(self, name: str) -> str:
        return field_label(name, self.lang)

    def value(self, code: str | None) -> str:
        if code is None:
            return ""
        return VALUE_LABELS.get(code, {}).get(self.lang) or code

    def label(self, labels: dict[str, str] | None, fallback: str = "") -> str:
        labels = labels or {}
        return labels.get(self.lang) or labels.get(DEFAULT_LANGUAGE) or fallback
