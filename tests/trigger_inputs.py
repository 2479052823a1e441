"""Valid trigger data built from a trigger's field specs, and who may fire it, for the sample county.

Built from the workflow definition, so a new trigger or field gets data without a test change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mediation.demo.sample_county import SampleCounty
from mediation.workflows.definition import FieldSpec, TriggerSpec
from mediation.workflows.guards import RISK_LEVELS

COUNTY = SampleCounty()
# The sample user of each role who reaches a case filed in 江北社区 (referred to 市场监管, applied to 瓯北共享法庭).
USER_OF_ROLE = {
    "grid_worker": "grid1", "mediator": "mediator1", "police": "police1", "supervisor": "supervisor1",
    "department": "dept_sj", "court": "court1",
}
UNIT_OF_KIND = {"department": COUNTY.market_department, "court": COUNTY.court, None: COUNTY.community}
USERNAME_OF_FIELD = {"mediator": "mediator1", "owner": "supervisor1"}
# A case is shared with a unit outside its own jurisdiction: the partner liaison post (DESIGN §9.5).
SHARING_TRIGGERS = frozenset({"share_with_unit", "end_sharing"})
# Optional fields left out of valid data: both name a signer, and exactly one may.
LEFT_OUT = {("sign", "signer")}


@dataclass(frozen=True)
class CaseFacts:
    """What valid data needs to know about the case it is for."""

    party_ids: list[int]
    risk_level: str
    other_case_id: int
    now: datetime


def user_for(trigger: TriggerSpec) -> str | None:
    """A sample user holding the first role the trigger lists; None when only the system may."""
    return next((USER_OF_ROLE[role] for role in trigger.roles if role in USER_OF_ROLE), None)


def valid_data(trigger: TriggerSpec, facts: CaseFacts) -> dict[str, Any]:
    """Data that passes the trigger's field checks and lookups, and its risk guards."""
    return {
        spec.name: valid_value(trigger.name, spec, facts)
        for spec in trigger.fields
        if (trigger.name, spec.name) not in LEFT_OUT
    }


PARTICULARS = {"id_number": "330324196505130013", "phone": "13857712345", "ethnicity": "维吾尔族", "sha256": "ab" * 32,
               "id": 1, "integer": 1024}


def valid_value(trigger: str, spec: FieldSpec, facts: CaseFacts) -> Any:
    kind = spec.type
    if kind in ("text", "short_text"):
        return f"{trigger}：{spec.name}的说明"
    if kind in PARTICULARS:
        return PARTICULARS[kind]
    if kind == "object":
        return {sub.name: valid_value(trigger, sub, facts) for sub in spec.fields}
    if kind == "objects":
        return [{sub.name: valid_value(trigger, sub, facts) for sub in spec.fields}]
    if kind == "username":
        return USERNAME_OF_FIELD.get(spec.name, "mediator1")
    if kind == "unit_code" and trigger in SHARING_TRIGGERS:
        return COUNTY.partner_post
    if kind == "unit_code":
        return UNIT_OF_KIND.get(spec.kind, COUNTY.community)
    if kind == "unit_codes":
        return [COUNTY.community, COUNTY.market_department]
    if kind == "party_id":
        return facts.party_ids[0]
    if kind == "party_ids":
        return list(facts.party_ids)
    if kind == "case_id":
        return facts.other_case_id
    if kind == "enum":
        return spec.values[0]
    if kind == "category":
        return "neighbour"
    if kind == "risk_level":
        return _risk_for(trigger, facts.risk_level)
    if kind == "boolean":
        return False
    ahead = timedelta(days=-1 if spec.past else 3)  # a birth date or a session held lies behind
    if kind == "date":
        return (facts.now + ahead * 10).date().isoformat()
    if kind == "datetime":
        return (facts.now + ahead).isoformat(timespec="minutes")
    if kind == "ruling_number":
        return f"({facts.now.year})浙0324民特123号"
    if kind == "list":
        return [spec.values[-1]] if spec.values else ["约谈双方当事人"]
    raise AssertionError(f"no valid value known for field type '{kind}' ({trigger}.{spec.name})")


def _risk_for(trigger: str, current: str) -> str:
    rank = RISK_LEVELS.index(current)
    if trigger == "lower_risk":
        return RISK_LEVELS[max(rank - 1, 0)]
    if trigger == "raise_risk":
        return RISK_LEVELS[min(rank + 1, len(RISK_LEVELS) - 1)]
    return current
