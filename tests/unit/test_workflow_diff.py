"""`workflows diff`: a second version built from the package's YAML with one change of each kind is told
section by section, with labels, in Chinese and English; identical definitions give no change."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from mediation.workflows.definition import WorkflowDefinition, parse_definition
from mediation.workflows.diff import diff_definitions
from mediation.workflows.diff_text import render
from mediation.workflows.effects import EFFECTS
from mediation.workflows.guards import GUARDS
from mediation.workflows.loader import WORKFLOW_DIR, load_definition
from mediation.workflows.rule_labels import EFFECT_LABELS, GUARD_LABELS


@pytest.fixture(scope="module")
def v1() -> WorkflowDefinition:
    return load_definition("mediation", WORKFLOW_DIR)


@pytest.fixture(scope="module")
def v2(v1: WorkflowDefinition) -> WorkflowDefinition:
    workflow, policy = copy.deepcopy(v1.source["workflow"]), copy.deepcopy(v1.source["policy"])
    workflow["stages"]["mediation"]["states"]["village"] = {"zh": "村级调解", "en": "Village mediation"}
    workflow["triggers"]["assign_mediator"]["transitions"].append({"from": "mediation.village", "to": "mediation.assigned"})
    del workflow["triggers"]["decline"]
    workflow["triggers"]["triage"]["roles"] = ["mediator", "supervisor"]
    workflow["triggers"]["triage"]["data"]["category"]["required"] = True
    workflow["triggers"]["triage"]["transitions"][0]["guards"] = ["category_and_risk_set"]
    policy["deadlines"]["judicial_confirmation_window"]["after"] = {"days": 20, "count": "civil_procedure"}
    policy["escalation_ladder"].insert(1, {"level": "village", "attempts": 2, "labels": {"zh": "村", "en": "Village"}})
    policy["limits"]["parties_per_case"] = 30
    policy["return_visits"]["early_tolerance_days"] = 2
    return parse_definition(workflow, policy)


def _found(changes, section: str, kind: str, code: str) -> Any:
    matching = [change for change in changes if (change.section, change.kind, change.code) == (section, kind, code)]
    assert len(matching) == 1, (section, kind, code, changes)
    return matching[0]


def test_identical_definitions_give_no_changes(v1: WorkflowDefinition) -> None:
    assert diff_definitions(v1, load_definition("mediation", WORKFLOW_DIR)) == []
    assert render([], "zh", old=v1, new=v1) == []


def test_each_change_is_found_in_its_section(v1: WorkflowDefinition, v2: WorkflowDefinition) -> None:
    changes = diff_definitions(v1, v2)
    state = _found(changes, "states", "added", "mediation.village")
    assert state.label == {"zh": "村级调解", "en": "Village mediation"} and "assign_mediator" in state.after
    assert _found(changes, "triggers", "removed", "decline").label["zh"] == "不予受理"
    roles = _found(changes, "roles", "changed", "triage")
    assert (roles.before, roles.after) == (["mediator", "police", "supervisor"], ["mediator", "supervisor"])
    required = _found(changes, "fields", "changed", "category")
    assert (required.aspect, required.before, required.after, required.within) == ("required", False, True, "triage")
    guard = _found(changes, "guards", "removed", "parties_sufficient")
    assert guard.within == "triage@screening.reported" and guard.label["zh"] == "当事人齐备"
    deadline = _found(changes, "deadlines", "changed", "judicial_confirmation_window")
    assert (deadline.aspect, deadline.before, deadline.after) == ("after", {"days": 30}, {"days": 20})
    rung = _found(changes, "ladder", "added", "village")
    assert rung.after == {"attempts": 2, "position": 2} and rung.label["zh"] == "村"
    limit = _found(changes, "limits", "changed", "limits.parties_per_case")
    assert (limit.before, limit.after) == (50, 30)
    assert _found(changes, "policy", "changed", "return_visits.early_tolerance_days").after == 2
    assert [change.section for change in changes] == ["states", "triggers", "roles", "fields", "guards", "deadlines",
                                                      "ladder", "limits", "policy"]
    assert {change.kind for change in changes} <= {"added", "removed", "changed"}


def test_the_lines_read_in_chinese_by_labels(v1: WorkflowDefinition, v2: WorkflowDefinition) -> None:
    lines = render(diff_definitions(v1, v2), "zh", old=v1, new=v2)
    assert lines[0].startswith("新增状态「村级调解」(mediation.village)（")
    assert "期限「申请司法确认期限」(judicial_confirmation_window)：30日 → 20日" in lines
    assert "操作「研判分流」(triage)可操作角色：调解员、民警、督导人员 → 调解员、督导人员" in lines
    assert "删除操作「不予受理」(decline)" in lines
    assert "新增化解层级「村」(village)（第2级，调解2次）" in lines
    assert "上限「每案当事人上限」(limits.parties_per_case)：50 → 30" in lines
    without_codes = render(diff_definitions(v1, v2), "zh", old=v1, new=v2, codes=False)
    assert not [line for line in without_codes if re.search(r"[A-Za-z]", line)], without_codes


def test_the_lines_read_in_english(v1: WorkflowDefinition, v2: WorkflowDefinition) -> None:
    lines = render(diff_definitions(v1, v2), "en", old=v1, new=v2)
    assert "deadline 'Judicial confirmation window' (judicial_confirmation_window): 30 days → 20 days" in lines
    assert "removed trigger 'Decline' (decline)" in lines
    assert "trigger 'Triage (from Reported)': removed guard 'parties sufficient' (parties_sufficient)" in lines


def test_a_changed_period_and_a_removed_deadline_in_words(v1: WorkflowDefinition) -> None:
    policy = copy.deepcopy(v1.source["policy"])
    policy["deadlines"]["court_acceptance"]["after"] = {"working_days": 3}
    del policy["deadlines"]["police_second_session"]
    v3 = parse_definition(copy.deepcopy(v1.source["workflow"]), policy)
    lines = render(diff_definitions(v1, v3), "zh", old=v1, new=v3, codes=False,
                   value_labels={"on_scene": {"zh": "随警调解", "en": "On scene"}})
    assert lines == ["删除期限「随警调解再次调解期限」（7个工作日；到期动作：调解不成；适用状态：已指派调解员；"
                     "适用条件：调解机制：随警调解）",
                     "期限「法院受理期限」：3日 → 3个工作日", "期限「法院受理期限」计算方式：按民事诉讼法计算 → 无"]


def test_every_guard_and_effect_has_labels() -> None:
    assert set(GUARDS) <= set(GUARD_LABELS) and set(EFFECTS) <= set(EFFECT_LABELS)


def test_a_policy_period_is_compared_whole_and_named_in_chinese(v1: WorkflowDefinition) -> None:
    policy = copy.deepcopy(v1.source["policy"])
    policy["key_case_orders"]["due_soon_before"] = {"days": 3}
    policy["outbox"]["backoff"]["base_seconds"] = 60
    v3 = parse_definition(copy.deepcopy(v1.source["workflow"]), policy)
    changes = diff_definitions(v1, v3)
    assert [change.code for change in changes] == ["key_case_orders.due_soon_before", "outbox.backoff.base_seconds"]
    assert render(changes, "zh", old=v1, new=v3, codes=False) == [
        "政策参数「督办到期前提醒」：5日 → 3日", "政策参数「消息重试基准间隔（秒）」：30 → 60"]


def test_a_quota_and_a_renamed_value_are_named_by_labels(v1: WorkflowDefinition) -> None:
    policy = copy.deepcopy(v1.source["policy"])
    policy["quotas"]["police"]["per_month"] = 6
    policy["quotas"]["mediator"] = {"per_month": 4}
    policy["value_labels"]["kind"]["evidence"] = {"zh": "证据", "en": "Evidence"}
    v3 = parse_definition(copy.deepcopy(v1.source["workflow"]), policy)
    assert render(diff_definitions(v1, v3), "zh", old=v1, new=v3, codes=False) == [
        "政策参数「化解任务数 · 民警 · 每月件数」：5 → 6", "新增政策参数「化解任务数 · 调解员」（每月件数：4）",
        "政策参数「字段选项名称 · 证据」：证据材料 → 证据"]
