"""The data each trigger is fired with on a demo route, and the reasons given (Chinese, as a mediator writes them).

Each entry builds a trigger's data from the ride: the case's parties, its crew and its clock.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from mediation.demo.case_paths import Ride


def _day(ride: Ride, days: int) -> str:
    return (ride.clock + timedelta(days=days)).date().isoformat()


def _held(ride: Ride) -> str:
    """A record's time: the ride's last step (not ahead of the record itself)."""
    return ride.clock.replace(tzinfo=timezone.utc).isoformat(timespec="minutes")


def _terms(ride: Ride) -> str:
    applicant, respondent = ride.party("applicant")[2], ride.party("respondent")[2]
    return (f"一、{respondent}于{_day(ride, 30)}前向{applicant}支付补偿款人民币三千元；"
            "二、双方今后和睦相处，不再就此事发生争执；"
            "三、本协议自各方签名（捺印）、调解员签名并加盖人民调解委员会印章之日起生效。")


PROFESSIONAL = {"mechanism": "professional"}
TRIGGER_DATA: dict[str, Callable[[Ride], dict[str, Any]]] = {
    "triage": lambda r: {"category": r.case.category or "other", "risk_level": r.case.risk_level,
                         "other_party_unknown": len(r.parties) < 2},
    "mark_duplicate": lambda r: {"duplicate_of": r.duplicate_of},
    "mediate_on_scene": lambda r: {"mediator": r.crew.police},
    "assign_mediator": lambda r: {"mediator": r.crew.mediator, "mechanism": "joint", "resolver": "grassroots"},
    "replace_mediator": lambda r: {"mediator": r.crew.alternate_mediator, **PROFESSIONAL, "resolver": "grassroots"},
    "remediate": lambda r: {"mediator": r.crew.mediator, **PROFESSIONAL, "resolver": "judicial"},
    "refer_department": lambda r: {"department": r.department},
    "party_refuses": lambda r: {"party_id": r.party("respondent")[0]},
    "party_withdraws": lambda r: {"party_id": r.party("applicant")[0]},
    "draft_agreement": lambda r: {"terms": _terms(r), "performance_deadline": _day(r, 30)},
    "record_oral_agreement": lambda r: {"terms": "双方当场达成口头协议，互相赔礼道歉，今后互不滋扰。"},
    "adjourn": lambda r: {"next_session_at": (r.clock + timedelta(days=3)).isoformat(timespec="minutes")},
    "apply_judicial_confirmation": lambda r: {"court": r.county.court, "applicants": r.party_ids},
    "confirm": lambda r: {"ruling_number": f"({r.clock.year})浙0324民特{r.case_id}号"},
    "submit_feedback": lambda r: {"outcome": "resolved", "summary": "部门已责令经营者依法处理，双方达成和解。"},
    "record_return_visit": lambda r: {"outcome": "stable", "notes": "回访双方，协议已履行，关系融洽。"},
    "raise_risk": lambda r: {"risk_level": "high"},
    "lower_risk": lambda r: {"risk_level": "low"},
    "designate_key_case": lambda r: {"owner": r.crew.mediator, "deadline": _day(r, 30),
                                     "co_units": [r.case.unit, r.department]},
    "notify_rights": lambda r: {"method": "in_person"},
    "record_session": lambda r: {
        "held_at": _held(r), "place": "人民调解委员会调解室", "outcome": "agreed",
        "participants": [{"name": name, "role": "当事人"} for _, _, name in r.parties],
        "statements": [{"party_id": party_id, "text": f"{name}陈述了事实经过和诉求。"} for party_id, _, name in r.parties],
        "findings": "经调解员释法明理，双方就赔偿和今后相处达成一致意见。"},
    "record_investigation": lambda r: {"held_at": _held(r), "place": "纠纷现场", "interviewee": "物业管理处工作人员",
                                       "content": "物业工作人员证实双方多次因噪音发生争执，并提供了值班记录。"},
    "add_note": lambda r: {"text": "当事人来电询问办理进度，已告知。"},
    "report_outcome": lambda r: {"party_id": r.party("applicant")[0], "method": "phone",
                                 "summary": "已电话告知申请人调解结果及协议履行情况。"},
    "add_participant": lambda r: {"name": "陈德明", "role": "five_elders", "unit": "江北社区"},
    "correct_facts": lambda r: {"description": r.case.description + "（更正：争执始于去年十月。）"},
    "correct_party": lambda r: {"party_id": r.party("respondent")[0], "address": "永嘉县瓯北街道锦绣花园3幢301室"},
    "share_with_unit": lambda r: {"unit": r.county.partner_post, "reason": "当事人一方居住在福建浦城，需跨省协同调解。"},
    "end_sharing": lambda r: {"unit": r.county.partner_post},
    "add_party": lambda r: {"name": "王立新", "role": "third_party", "gender": "male", "ethnicity": "汉族"},
}
REASONS = {
    "decline": "不属于人民调解受理范围，已告知当事人其他救济途径。",
    "hand_over_to_police": "现场发现持械威胁，存在民转刑风险，移交派出所依法处置。",
    "refer_department": "涉及职能部门监管事项，流转部门联动处置。", "party_refuses": "被申请人明确表示拒绝调解。",
    "party_withdraws": "申请人表示不再调解，准备自行协商。", "adjourn": "一方当事人需要时间筹措款项，改期再调。",
    "escalate": "分歧较大，网格层面难以化解，逐级上报。",
    "declare_failed": "经多次调解双方仍无法达成一致，告知仲裁、行政及诉讼途径。",
    "revise_agreement": "当事人对履行期限提出异议，需修改协议。", "return_referral": "不属于本部门职责范围，予以退回。",
    "reject_feedback": "反馈内容不完整，当事人表示问题仍未解决。", "court_decline": "申请材料不齐全，请补正后再行申请。",
    "reject": "协议内容违反法律强制性规定，不予确认。", "extend_review": "案情复杂，延长审查期限。",
    "advise_litigation": "协议未获司法确认，引导当事人提起诉讼。",
    "report_recurrence": "回访发现双方再次发生争执。", "report_default": "义务人逾期未履行协议约定的给付义务。",
    "raise_risk": "当事人情绪激动，扬言采取过激行为。", "lower_risk": "经疏导双方情绪已趋平稳。",
    "supervise": "重点疑难纠纷即将到期，督促办理。", "reopen": "当事人补充了新的材料，重新启动调解。",
    "correct_facts": "受理登记时案情记录不全，予以补正。", "correct_party": "被申请人门牌号登记有误。",
    "add_party": "调查中发现房屋共有人王立新与本纠纷有利害关系。",
}
