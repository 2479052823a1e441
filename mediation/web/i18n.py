"""Words of the web workspace in Chinese (the default) and English.

Labels of states, stages, triggers, channels and categories come from the workflow
definition and its policy; this module holds only the page's own words.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

TEXT: dict[str, dict[str, str]] = {
    "app_name": {"zh": "矛盾纠纷多元化解工作台", "en": "Dispute mediation workspace"},
    "login": {"zh": "登录", "en": "Log in"},
    "logout": {"zh": "退出", "en": "Log out"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "bad_login": {"zh": "用户名或密码错误。", "en": "Wrong username or password."},
    "too_many": {"zh": "失败次数过多，请稍后再试。", "en": "Too many failed logins; try again later."},
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
    "channel": {"zh": "来源渠道", "en": "Channel"},
    "category": {"zh": "纠纷类别", "en": "Category"},
    "risk_level": {"zh": "风险等级", "en": "Risk level"},
    "unit": {"zh": "单位", "en": "Unit"},
    "overdue_only": {"zh": "仅看超期", "en": "Overdue only"},
    "number": {"zh": "案号", "en": "Number"},
    "title": {"zh": "标题", "en": "Title"},
    "description": {"zh": "纠纷简要情况", "en": "Facts"},
    "updated": {"zh": "更新时间", "en": "Updated"},
    "next_deadline": {"zh": "最近期限", "en": "Next deadline"},
    "overdue": {"zh": "已超期", "en": "Overdue"},
    "due_soon": {"zh": "即将到期", "en": "Due soon"},
    "no_cases": {"zh": "没有符合条件的案件。", "en": "No cases match."},
    "total": {"zh": "共 {n} 件", "en": "{n} cases"},
    "page_of": {"zh": "第 {page} / {pages} 页", "en": "Page {page} of {pages}"},
    "previous": {"zh": "上一页", "en": "Previous"},
    "next": {"zh": "下一页", "en": "Next"},
    "parties": {"zh": "当事人", "en": "Parties"},
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
    "reason": {"zh": "理由", "en": "Reason"},
}

# Field names of trigger data and intake.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "category": TEXT["category"],
    "risk_level": TEXT["risk_level"],
    "other_party_unknown": {"zh": "另一方当事人不明", "en": "Other party unknown"},
    "duplicate_of": {"zh": "重复案件编号（ID）", "en": "Duplicate of (case id)"},
    "reason": {"zh": "理由", "en": "Reason"},
    "mediator": {"zh": "调解员", "en": "Mediator"},
    "mechanism": {"zh": "调解机制", "en": "Mechanism"},
    "resolver": {"zh": "化解力量", "en": "Resolver"},
    "party_id": {"zh": "当事人", "en": "Party"},
    "next_session_at": {"zh": "下次调解时间", "en": "Next session at"},
    "terms": {"zh": "协议条款", "en": "Terms"},
    "performance_deadline": {"zh": "履行期限", "en": "Performance deadline"},
    "signer": {"zh": "签名人", "en": "Signer"},
    "court": {"zh": "共享法庭", "en": "Court"},
    "applicants": {"zh": "申请人", "en": "Applicants"},
    "ruling_number": {"zh": "裁定书编号", "en": "Ruling number"},
    "department": {"zh": "职能部门", "en": "Department"},
    "outcome": {"zh": "结果", "en": "Outcome"},
    "summary": {"zh": "办理情况", "en": "Summary"},
    "notes": {"zh": "回访记录", "en": "Notes"},
    "owner": {"zh": "责任人", "en": "Owner"},
    "deadline": {"zh": "期限", "en": "Deadline"},
    "co_units": {"zh": "协办单位", "en": "Co-units"},
    "milestones": {"zh": "节点", "en": "Milestones"},
    "subject_matters": {"zh": "协议事项", "en": "Subject matters"},
    "title": TEXT["title"],
    "description": TEXT["description"],
    "channel": TEXT["channel"],
    "unit": TEXT["unit"],
    "parties": TEXT["parties"],
}

# Values of enum fields and other codes without labels in the workflow files.
VALUE_LABELS: dict[str, dict[str, str]] = {
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
    # Deadline kinds of policy.yaml.
    "department_acknowledgement": {"zh": "部门签收期限", "en": "Department acknowledgement"},
    "court_acceptance": {"zh": "法院受理期限", "en": "Court acceptance"},
    "court_ruling": {"zh": "司法确认审查期限", "en": "Court ruling"},
    "judicial_confirmation_window": {"zh": "申请司法确认期限", "en": "Judicial confirmation window"},
    "police_first_session": {"zh": "随警调解首次调解期限", "en": "Police first session"},
    "police_second_session": {"zh": "随警调解再次调解期限", "en": "Police second session"},
    "people_mediation_term": {"zh": "人民调解期限", "en": "Mediation term"},
    "return_visit_1": {"zh": "第一次回访", "en": "First return visit"},
    "return_visit_2": {"zh": "第二次回访", "en": "Second return visit"},
    "key_case_order": {"zh": "重点案件督办期限", "en": "Key-case order"},
    # --- inboxes, orders and document links (add their words below this line)
    # --- supervisor dashboard (add its words below this line)
    "dash_intro": {"zh": "辖区内案件的受理、化解、超期和任务完成情况，数据与统计接口一致。",
                   "en": "Cases filed, resolved and overdue in your jurisdiction, and mediators' quotas (the same figures as the metrics API)."},
    "dash_refused": {"zh": "统计分析仅向督导人员开放。", "en": "The dashboard is for supervisors."},
    "dash_field_from": {"zh": "开始日期", "en": "From"},
    "dash_field_to": {"zh": "结束日期", "en": "To"},
    "dash_field_unit": {"zh": "单位", "en": "Unit"},
    "dash_unit_all": {"zh": "本辖区全部", "en": "Whole jurisdiction"},
    "dash_bad_date": {"zh": "日期格式应为 年-月-日（如 2026-01-31）", "en": "must be a date, YYYY-MM-DD (e.g. 2026-01-31)"},
    "dash_from_after_to": {"zh": "不能晚于结束日期", "en": "must be on or before the end date"},
    "dash_unit_outside": {"zh": "不在您的辖区内", "en": "is not in your jurisdiction"},
    "dash_csv": {"zh": "导出 CSV", "en": "Download CSV"},
    "dash_period": {"zh": "统计期间：{start} 至 {end}（按受理或结案日期）", "en": "Period: {start} to {end} (by date filed or closed)"},
    "dash_as_of": {"zh": "统计时点", "en": "As of"},
    "dash_chart_of": {"zh": "{title}图表，数据见下表", "en": "Chart of {title}; the numbers are in the table below"},
    "dash_no_rows": {"zh": "本期无数据。", "en": "Nothing in this period."},
    "dash_summary": {"zh": "关键指标", "en": "Key figures"},
    "dash_channel": {"zh": "受理案件（按来源渠道）", "en": "Cases filed by channel"},
    "dash_category": {"zh": "受理案件（按纠纷类别）", "en": "Cases filed by category"},
    "dash_stage": {"zh": "受理案件（按当前阶段）", "en": "Cases filed by current stage"},
    "dash_mechanism": {"zh": "受理案件（按调解机制）", "en": "Cases filed by mechanism"},
    "dash_unit": {"zh": "受理案件（按单位）", "en": "Cases filed by unit"},
    "dash_resolution": {"zh": "结案与化解率", "en": "Closures and resolution rate"},
    "dash_rate_headline": {"zh": "化解率 {rate}（化解 {resolved} 件 / 计算基数 {base} 件）",
                           "en": "Resolution rate {rate} ({resolved} resolved of {base})"},
    "dash_rate_definition": {"zh": "化解率 = 期内化解结案数 ÷（期内结案数 − 重复登记 − 不予受理）；化解结案含回访闭环后结案和经司法确认后转强制执行。",
                             "en": "Rate = cases resolved ÷ cases closed in the period, leaving out duplicates and cases not accepted; resolved includes court-confirmed agreements sent to enforcement."},
    "dash_ladder": {"zh": "化解层级（小事不出网格，大事不出社区）", "en": "Where on the ladder cases were resolved"},
    "dash_level": {"zh": "层级", "en": "Level"},
    "dash_orders": {"zh": "督办件（当前）", "en": "Key-case orders (now)"},
    "dash_deadlines": {"zh": "超期期限（当前，按类型）", "en": "Overdue deadlines (now, by kind)"},
    "dash_kind": {"zh": "期限类型", "en": "Kind"},
    "dash_quotas": {"zh": "调解员月度化解任务（每月 {quota} 件）", "en": "Mediators' monthly resolutions (quota {quota} a month)"},
    "dash_unattributed": {"zh": "另有 {n} 件化解无承办调解员（如部门办结）。", "en": "{n} more resolved with no mediator (e.g. by a department)."},
    "dash_yoy": {"zh": "同比变化（受理案件）", "en": "Year-on-year change (cases filed)"},
    "dash_previous_period": {"zh": "上年同期：{start} 至 {end}", "en": "Same period last year: {start} to {end}"},
    "dash_yoy_none": {"zh": "无法计算同比。", "en": "No year-on-year figures for this period."},
    "m_item": {"zh": "项目", "en": "Figure"},
    "m_value": {"zh": "数值", "en": "Value"},
    "m_count": {"zh": "件数", "en": "Cases"},
    "m_cases": {"zh": "受理案件", "en": "Cases filed"},
    "m_closed": {"zh": "结案", "en": "Closed"},
    "m_resolved": {"zh": "化解", "en": "Resolved"},
    "m_rate": {"zh": "化解率", "en": "Resolution rate"},
    "m_median_days": {"zh": "化解用时中位数", "en": "Median time to resolve"},
    "m_median_days_to_agreement": {"zh": "达成协议用时中位数", "en": "Median time to agreement"},
    "m_days_unit": {"zh": "天", "en": "days"},
    "m_overdue_cases": {"zh": "超期案件", "en": "Overdue cases"},
    "m_overdue": {"zh": "超期", "en": "Overdue"},
    "m_orders": {"zh": "件数", "en": "Orders"},
    "m_orders_overdue": {"zh": "超期督办件", "en": "Overdue orders"},
    "m_orders_due_soon": {"zh": "即将到期督办件", "en": "Orders due soon"},
    "m_orders_open": {"zh": "在办督办件", "en": "Open orders"},
    "m_recurrence_rate": {"zh": "复发率", "en": "Recurrence rate"},
    "m_yoy_change_percent": {"zh": "受理数同比", "en": "Cases filed, year on year"},
    "m_mediator": {"zh": "调解员", "en": "Mediator"},
    "m_total": {"zh": "合计", "en": "Total"},
    "m_months_met": {"zh": "达标月数", "en": "Months met"},
    "m_quota": {"zh": "月度任务", "en": "Monthly quota"},
    "m_current": {"zh": "本期", "en": "This period"},
    "m_previous": {"zh": "上年同期", "en": "Year before"},
    "m_change": {"zh": "增减", "en": "Change"},
    "m_change_percent": {"zh": "增减幅度", "en": "Change %"},
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
        text = TEXT.get(key, {}).get(self.lang) or key
        return text.format(**values) if values else text

    def field(self, name: str) -> str:
        return FIELD_LABELS.get(name, {}).get(self.lang) or name

    def value(self, code: str | None) -> str:
        if code is None:
            return ""
        return VALUE_LABELS.get(code, {}).get(self.lang) or code

    def label(self, labels: dict[str, str] | None, fallback: str = "") -> str:
        labels = labels or {}
        return labels.get(self.lang) or labels.get(DEFAULT_LANGUAGE) or fallback
