"""Labels of the fields of trigger data, intake and the case file, in Chinese and English.

A message that names a field (a refused form, the API's `detail`) names it by these labels; the
machine-readable name stays in the API's `extra.field`.
"""

from __future__ import annotations

import re

# The case file's fields (records, particulars, participants).
CASE_FILE_FIELDS: dict[str, dict[str, str]] = {
    "held_at": {"zh": "时间", "en": "Held at"},
    "place": {"zh": "地点", "en": "Place"},
    "findings": {"zh": "调解情况及查明事实", "en": "Findings"},
    "interviewee": {"zh": "被调查人", "en": "Interviewee"},
    "content": {"zh": "调查内容", "en": "Content"},
    "text": {"zh": "内容", "en": "Text"},
    "name": {"zh": "姓名", "en": "Name"},
    "role": {"zh": "身份", "en": "Role"},
    "id_number": {"zh": "身份证号", "en": "ID number"},
    "phone": {"zh": "电话", "en": "Phone"},
    "is_minor": {"zh": "未成年人", "en": "Minor"},
    "gender": {"zh": "性别", "en": "Gender"},
    "ethnicity": {"zh": "民族", "en": "Ethnicity"},
    "birth_date": {"zh": "出生日期", "en": "Date of birth"},
    "occupation": {"zh": "职业", "en": "Occupation"},
    "address": {"zh": "住址", "en": "Address"},
    "language": {"zh": "使用语言", "en": "Language"},
    "needs_interpreter": {"zh": "需要翻译", "en": "Needs an interpreter"},
    "organisation": {"zh": "单位", "en": "Organisation"},
    "organisation_name": {"zh": "单位名称", "en": "Organisation name"},
    "legal_representative": {"zh": "法定代表人", "en": "Legal representative"},
    "username": {"zh": "系统用户", "en": "User"},
    "unit": {"zh": "工作单位", "en": "Unit"},
    "method": {"zh": "告知方式", "en": "Method"},
    "kind": {"zh": "材料类别", "en": "Kind"},
    "file_name": {"zh": "文件名", "en": "File name"},
    "statements": {"zh": "当事人陈述", "en": "Statements"},
    "participants": {"zh": "参加人员", "en": "Present"},
    "performance_manner": {"zh": "履行方式", "en": "Manner of performance"},
    "performance_place": {"zh": "履行地点", "en": "Place of performance"},
}

# Field names of trigger data and intake.
FIELD_LABELS: dict[str, dict[str, str]] = {
    **CASE_FILE_FIELDS,  # the entries below win where both name one
    "category": {"zh": "纠纷类别", "en": "Category"},
    "risk_level": {"zh": "风险等级", "en": "Risk level"},
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
    "title": {"zh": "标题", "en": "Title"},
    "description": {"zh": "纠纷简要情况", "en": "Facts"},
    "channel": {"zh": "来源渠道", "en": "Channel"},
    "unit": {"zh": "单位", "en": "Unit"},
    "parties": {"zh": "当事人", "en": "Parties"},
}

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
ITEM = {"zh": "第{n}项", "en": "item {n}"}


def field_label(name: str, lang: str) -> str:
    """The field's label in `lang` (zh or en); the name itself when it has none."""
    return FIELD_LABELS.get(name, {}).get(lang) or name


def field_path_label(path: str, lang: str) -> str:
    """A field path as a reader names it: `data.statements[1].party_id` is 当事人陈述 · 第2项 · 当事人."""
    parts = []
    for name, index in _PATH_PART.findall(path.removeprefix("data.")):
        parts.append(ITEM[lang].format(n=int(index) + 1) if index else field_label(name, lang))
    return " · ".join(parts) or path
