"""The printed words of the documents, Chinese first, with English labels (`lang=en`); those of the
case-file records and forms are in `_record_labels`.

Workflow names (states, triggers, categories, channels) come from the workflow definition;
this table holds what the documents add around them.
"""

from __future__ import annotations

from typing import Callable

from mediation.documents._record_labels import RECORD_LABELS

LANGUAGES = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # titles of the five kinds
    "title.case_file": ("人民调解卷宗", "People's mediation case file"),
    "title.agreement": ("人民调解协议书", "People's mediation agreement"),
    "title.referral": ("矛盾纠纷流转单", "Dispute referral form"),
    "title.judicial_application": ("司法确认申请书", "Application for judicial confirmation"),
    "title.return_visit": ("回访记录", "Return visit record"),
    # punctuation: full-width in Chinese
    "colon": ("：", ": "),
    "gap": ("　", "  "),
    "open": ("（", " ("),
    "close": ("）", ")"),
    # notices
    "masked_notice": ("本文书已对当事人身份证号码、联系电话作脱敏处理。",
                      "ID and phone numbers of the parties are masked in this copy."),
    "archival_notice": ("归档副本（PDF/A）", "Archival copy (PDF/A)"),
    "times_note": ("文中时间均为北京时间。", "Times are China Standard Time (UTC+8)."),
    "none": ("无", "None"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    # cover and case facts
    "case_number": ("案件编号", "Case number"),
    "case_title": ("案由", "Matter"),
    "unit": ("受理单位", "Receiving unit"),
    "committee": ("调解组织", "Mediation committee"),
    "category": ("纠纷类型", "Category"),
    "channel": ("排查途径", "Screening channel"),
    "state": ("当前状态", "Current state"),
    "risk_level": ("风险等级", "Risk level"),
    "mechanism": ("调解机制", "Mechanism"),
    "resolver": ("化解途径", "Resolution route"),
    "mediator": ("调解员", "Mediator"),
    "ladder_level": ("调解层级", "Mediation level"),
    "key_case": ("重点疑难（订单管理）", "Key case (order-managed)"),
    "filed_at": ("登记日期", "Filed"),
    "closed_at": ("结案日期", "Closed"),
    "updated_at": ("最后更新", "Last change"),
    "version": ("版本", "Version"),
    "event_count": ("事件数", "Events"),
    "chain_head": ("审计链头哈希", "Audit chain head hash"),
    "verify_hint": ("核验：mediation verify --case {id} --hash <哈希>",
                    "Check: mediation verify --case {id} --hash <hash>"),
    "qr_caption": ("扫码核验案件编号与审计链", "Scan to check the case number and audit chain"),
    # sections
    "section.parties": ("当事人", "Parties"),
    "section.facts": ("纠纷事实与争议事项", "Facts and matters in dispute"),
    "section.timeline": ("办理过程（全部事件）", "Timeline (every event)"),
    "section.sessions": ("调解情况", "Mediation sessions"),
    "section.agreement": ("调解协议", "Agreement"),
    "section.referrals": ("部门流转与反馈", "Referrals and department feedback"),
    "section.court": ("司法确认", "Judicial confirmation"),
    "section.visits": ("回访情况", "Return visits"),
    "section.audit": ("审计链", "Audit chain"),
    "section.request": ("请求事项", "Request"),
    "section.reasons": ("事实与理由", "Facts and reasons"),
    "section.handling": ("办理情况", "Handling"),
    "section.signatures": ("签名盖章", "Signatures and seal"),
    "section.scheduled": ("待回访", "Visits scheduled"),
    # parties
    "party.name": ("姓名（名称）", "Name"),
    "party.role": ("身份", "Role"),
    "party.id_number": ("身份证号码", "ID number"),
    "party.phone": ("联系电话", "Phone"),
    "party.minor": ("未成年人", "Minor"),
    "role.applicant": ("申请人", "Applicant"),
    "role.respondent": ("被申请人", "Respondent"),
    "role.third_party": ("第三人", "Third party"),
    # timeline columns
    "col.seq": ("序号", "No."),
    "col.at": ("时间", "Time"),
    "col.action": ("事项", "Action"),
    "col.states": ("状态变化", "State change"),
    "col.actor": ("经办人", "By"),
    "col.details": ("内容", "Details"),
    "col.outcome": ("结果", "Outcome"),
    "col.notes": ("情况记录", "Notes"),
    "col.schedule": ("是否按期", "Schedule"),
    "col.due": ("计划日期", "Due"),
    "col.started": ("开始", "Started"),
    "col.ended": ("结束方式", "Ended by"),
    "col.level": ("层级", "Level"),
    # agreement (art. 29)
    "agreement.terms": ("协议内容", "Terms"),
    "agreement.performance": ("履行方式与期限", "Manner and deadline of performance"),
    "agreement.performance_text": ("按协议约定方式履行，履行期限至 {deadline}。",
                                   "As the terms provide, by {deadline}."),
    "agreement.effect": ("本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效。",
                         "This agreement takes effect when every party has signed, sealed or fingerprinted it, "
                         "the mediator has signed it and the committee has sealed it."),
    "agreement.copies": ("本协议一式 {copies} 份，当事人各执一份，人民调解委员会留存一份。",
                         "Made in {copies} copies: one for each party and one for the committee."),
    "agreement.oral": ("口头协议（人民调解法第二十八条，由调解员记录）",
                       "Oral agreement (art. 28, recorded by the mediator)"),
    "agreement.drafted_at": ("起草时间", "Drafted"),
    "agreement.effective_at": ("生效时间", "In effect since"),
    "agreement.not_effective": ("尚未生效", "Not yet in effect"),
    "agreement.subject_matters": ("协议事项", "Subject matters"),
    "sign.party": ("签名、盖章或按指印", "signature, seal or fingerprint"),
    "sign.mediator": ("人民调解员签名", "Mediator's signature"),
    "sign.seal": ("人民调解委员会（印章）", "Mediation committee (seal)"),
    "sign.signed": ("已签署", "Signed"),
    "sign.unsigned": ("未签署", "Not signed"),
    "sign.sealed": ("已盖章", "Sealed"),
    "sign.unsealed": ("未盖章", "Not sealed"),
    "sign.date": ("日期", "Date"),
    # referral
    "referral.from": ("流转单位", "Referred by"),
    "referral.to": ("接收部门", "Department"),
    "referral.at": ("流转时间", "Referred on"),
    "referral.reason": ("流转事由", "Reason"),
    "referral.by": ("流转人", "Referred by (person)"),
    "referral.acknowledged": ("部门签收", "Acknowledged"),
    "referral.feedback": ("办理反馈", "Feedback"),
    "referral.closing": ("回执确认", "Receipt confirmed"),
    "referral.returned": ("退回", "Returned"),
    "referral.number": ("流转序号", "Referral no."),
    "referral.loop": ("双向闭环：部门办结后须向流转单位反馈，经流转单位确认后方可闭环。",
                      "Two-way closed loop: the department reports back and the referring unit confirms."),
    "referral.pending": ("待办理", "Pending"),
    # judicial application (art. 33)
    "court.to": ("此致", "To"),
    "court.applicants": ("申请人", "Applicants"),
    "court.request_text": ("请求人民法院依法确认申请人于 {date} 在{committee}主持下达成的人民调解协议有效。",
                           "We ask the court to confirm as valid the people's mediation agreement made on {date} "
                           "under {committee}."),
    "court.reasons_text": ("申请人之间的纠纷经人民调解委员会调解，于 {date} 达成调解协议并已生效。"
                           "申请人依据《中华人民共和国人民调解法》第三十三条，在协议生效之日起三十日内共同提出本申请。"
                           "申请人保证协议系自愿达成，内容不违反法律、行政法规的强制性规定，不损害国家利益、社会公共利益和他人合法权益。",
                           "The dispute between the applicants was mediated by the people's mediation committee and the "
                           "agreement took effect on {date}. Under art. 33 of the People's Mediation Law the applicants "
                           "apply jointly within thirty days of that date, and declare that they made the agreement "
                           "freely and that it harms no one's lawful rights."),
    "court.applied_at": ("申请日期", "Applied on"),
    "court.accepted_at": ("受理日期", "Accepted on"),
    "court.ruling_number": ("裁定书文号", "Ruling number"),
    "court.confirmed_at": ("确认日期", "Confirmed on"),
    "court.result": ("审查结果", "Result"),
    "court.attachment": ("附：人民调解协议书", "Attached: the mediation agreement"),
    "court.applicant_sign": ("申请人（签名或盖章）", "Applicant (signature or seal)"),
    # return visits
    "visit.outcome.stable": ("稳定", "Stable"),
    "visit.outcome.recurred": ("复发", "Recurred"),
    "visit.outcome.not_performed": ("未履行", "Not performed"),
    "visit.verified": ("闭环核验", "Closure verified"),
    "visit.none": ("尚无回访记录", "No visit recorded yet"),
    # a visit counts as the scheduled one on (or a policy's tolerance before) its day (DESIGN §9.2)
    "visit.schedule.on_schedule": ("按期（第{slot}次回访）", "On schedule (visit {slot})"),
    "visit.schedule.early": ("提前（不计为第{slot}次回访）", "Early (not counted as visit {slot})"),
    "visit.schedule.extra": ("额外回访", "Additional visit"),
    "feedback.resolved": ("已化解", "Resolved"),
    "feedback.unresolved": ("未化解", "Unresolved"),
    # enumerations
    "risk.low": ("低", "Low"),
    "risk.elevated": ("较高", "Elevated"),
    "risk.high": ("高", "High"),
    "risk.critical": ("极高", "Critical"),
    "mechanism.on_scene": ("随警调解", "On-scene (police)"),
    "mechanism.joint": ("联合调解", "Joint mediation"),
    "mechanism.professional": ("专业调解", "Professional mediation"),
    "resolver.grassroots": ("基层组织化解", "Grassroots organisation"),
    "resolver.judicial": ("司法调解化解", "Judicial mediation"),
    "resolver.departmental": ("部门联动化解", "Departmental linkage"),
    "trigger.intake": ("登记受理", "Intake"),
    "signer.mediator": ("调解员", "Mediator"),
    # event data fields
    "field.category": ("类型", "category"),
    "field.channel": ("途径", "channel"),
    "field.risk_level": ("风险", "risk"),
    "field.title": ("案由", "title"),
    "field.unit": ("单位", "unit"),
    "field.party_ids": ("当事人", "parties"),
    "field.party_id": ("当事人", "party"),
    "field.signer": ("签署人", "signer"),
    "field.mediator": ("调解员", "mediator"),
    "field.mechanism": ("机制", "mechanism"),
    "field.resolver": ("途径", "resolver"),
    "field.department": ("部门", "department"),
    "field.court": ("法院", "court"),
    "field.applicants": ("申请人", "applicants"),
    "field.ruling_number": ("文号", "ruling"),
    "field.outcome": ("结果", "outcome"),
    "field.summary": ("反馈", "summary"),
    "field.notes": ("记录", "notes"),
    "field.terms": ("协议内容", "terms"),
    "field.performance_deadline": ("履行期限", "perform by"),
    "field.next_session_at": ("下次调解", "next session"),
    "field.duplicate_of": ("重复于", "duplicate of"),
    "field.owner": ("责任人", "owner"),
    "field.deadline": ("期限", "deadline"),
    "field.co_units": ("协办单位", "co-units"),
    "field.other_party_unknown": ("对方不明", "other party unknown"),
    "field.subject_matters": ("事项", "subject matters"),
    "field.milestones": ("节点", "milestones"),
    **RECORD_LABELS,
}


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **values)`: the label in `lang`, formatted; an unknown key prints as itself."""
    index = LANGUAGES.index(lang)

    def t(key: str, **values: object) -> str:
        pair = LABELS.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def label_of(labels: dict[str, str] | None, lang: str, fallback: str) -> str:
    """A workflow label in `lang` (Chinese when the language is missing)."""
    labels = labels or {}
    return labels.get(lang) or labels.get("zh") or fallback
