"""Guards of the case file (DESIGN §9.2): rights notice and interpreter before mediation, the closing gate.

Each refusal is a `Refusal`: its text in English, with the Chinese beside it and a stable code,
so every reader gets it in their own language and a client can tell refusals apart.
"""

from __future__ import annotations

from typing import Any

from mediation.workflows.case_state import CaseState
from mediation.workflows.return_visits import (
    ON_SCHEDULE,
    follow_up_start,
    mark_visits,
    schedule_days,
)

PARTY_FIELDS = (
    "name", "role", "id_number", "phone", "is_minor", "gender", "ethnicity", "birth_date", "occupation", "address",
    "language", "needs_interpreter", "organisation",
)
FACT_FIELDS = ("title", "description", "category")
# Items a case resolved through the department (two-way closed loop) does not need of us.
MEDIATION_ITEMS = frozenset({"rights_notice", "session_record", "agreement"})


class Refusal(str):
    """A guard's reason in English (the string itself), in Chinese (`zh`), with a stable `code` and details."""

    zh: str
    code: str
    details: dict[str, Any]

    def __new__(cls, en: str, *, zh: str, code: str, **details: Any) -> Refusal:
        refusal = super().__new__(cls, en)
        refusal.zh, refusal.code, refusal.details = zh, code, details
        return refusal


def rights_notified_to_every_party(case: CaseState) -> str | None:
    """Every party was told of their rights and duties before mediation (规定 art. 30), when the policy asks."""
    if not case.policy.get("require_rights_notice", True):
        return None
    missing = [p for p in case.party_ids if p not in case.progress.get("rights_notified", ())]
    if not missing:
        return None
    return Refusal(
        f"{len(missing)} of {len(case.party_ids)} parties have not been told their rights and duties; "
        "record a rights notice for each before mediation",
        zh=f"尚有{len(missing)}名当事人未进行权利义务告知，不能开始调解（《人民调解工作若干规定》第三十条）",
        code="rights_notice_missing", party_ids=missing,
    )


def interpreter_present_when_needed(case: CaseState) -> str | None:
    """A party who needs an interpreter is mediated only with one recorded, when the policy asks."""
    if not case.policy.get("require_interpreter", True) or not case.progress.get("interpreter_needed"):
        return None
    if any(p.get("role") == "interpreter" for p in case.progress.get("participants", ())):
        return None
    return Refusal(
        "a party needs an interpreter: add an interpreter as a participant before the session",
        zh="有当事人需要翻译，请先添加翻译人员再开始调解",
        code="interpreter_missing", party_ids=list(case.progress["interpreter_needed"]),
    )


def _visits_on_schedule(case: CaseState) -> bool:
    marks = mark_visits(case.policy, follow_up_start(case.progress),
                        [visit["at"] for visit in case.progress.get("visits", ())])
    return sum(mark.schedule == ON_SCHEDULE for mark in marks) >= len(schedule_days(case.policy))


def _has_item(case: CaseState, item: str) -> bool:
    progress = case.progress
    if item in MEDIATION_ITEMS and progress.get("feedback", {}).get("outcome") == "resolved" \
            and "agreement" not in progress:
        return True  # the department resolved it; its feedback is the record
    if item == "rights_notice":
        return all(p in progress.get("rights_notified", ()) for p in case.party_ids)
    if item == "session_record":
        return progress.get("session_records", 0) > 0
    if item == "investigation_record":
        return progress.get("investigation_records", 0) > 0
    if item == "agreement":
        return "agreement" in progress
    if item == "return_visits":
        return _visits_on_schedule(case)
    return True  # the register: intake made it


def case_file_complete(case: CaseState) -> str | None:
    """Every item of policy `required_for_closure` is on file (DESIGN §9.2); the refusal names what is missing."""
    missing = [item for item in case.policy.get("required_for_closure") or () if not _has_item(case, item)]
    if not missing:
        return None
    labels = case.policy.get("closure_items") or {}
    zh = "、".join((labels.get(item) or {}).get("zh", item) for item in missing)
    en = "; ".join((labels.get(item) or {}).get("en", item) for item in missing)
    return Refusal(f"the case file is not complete: missing {en}", zh=f"卷宗材料不全，尚缺：{zh}",
                   code="closure_items_missing", missing=missing)


def facts_changed(case: CaseState) -> str | None:
    if any(case.data.get(name) is not None for name in FACT_FIELDS):
        return None
    return Refusal("name at least one of title, description, category to correct",
                   zh="请至少更正标题、案情或纠纷类型中的一项", code="nothing_to_correct")


def party_fields_changed(case: CaseState) -> str | None:
    if any(case.data.get(name) is not None for name in PARTY_FIELDS):
        return None
    return Refusal("name at least one of the party's fields to correct", zh="请至少更正当事人的一项信息",
                   code="nothing_to_correct")


def party_count_within_limit(case: CaseState) -> str | None:
    limit = case.policy["limits"]["parties_per_case"]
    if len(case.party_ids) < limit:
        return None
    return Refusal(f"a case has at most {limit} parties", zh=f"每件案件最多{limit}名当事人", code="too_many_parties")


CASE_FILE_GUARDS = (
    rights_notified_to_every_party, interpreter_present_when_needed, case_file_complete, facts_changed,
    party_fields_changed, party_count_within_limit,
)
