"""Follow-up steps (订单管理、跟踪问效): return visits, recurrence, default, closure, key cases, reopening."""

from __future__ import annotations

import re
from datetime import timedelta

from pytest_bdd import given, parsers, then

from mediation.authoring.steps.common import action, zh
from mediation.authoring.steps.story import Story
from mediation.workflows.return_visits import early_tolerance_days, schedule_days


@action(parsers.parse("{user} starts the follow-up"))
@action(parsers.re(r"调解员 (?P<user>\w+) 转入跟踪回访"))
def _(story: Story, user):
    story.fire(user, "start_follow_up")


@action(parsers.parse('{user} records a "{outcome}" return visit'))
@action(parsers.re(r'网格员 (?P<user>\w+) 回访结果为 "(?P<outcome>\w+)"'))
def _(story: Story, user, outcome):
    story.fire(user, "record_return_visit", {"outcome": outcome, "notes": f"回访结果：{outcome}"})


@given(parsers.re(r"return visits are scheduled at (?P<days>\+\d+(?: and \+\d+)*) days, "
                  r"each counting from (?P<tolerance>\d+) days? before its day"))
@given(parsers.re(r"回访安排在第 (?P<days>\d+(?: 日和第 \d+)*) 日，每次可提前 (?P<tolerance>\d+) 日"))
def _(story: Story, days, tolerance):
    """The policy the scenario is written against (checked, so a changed policy.yaml changes the scenario too)."""
    policy = story.db.workflows.machine(story.db.workflows.current_version_id()).definition.policy
    assert schedule_days(policy) == [int(day) for day in re.findall(r"\d+", days)], schedule_days(policy)
    assert early_tolerance_days(policy) == int(tolerance)


@then(parsers.parse('the return visits on record are "{schedules}"'))
@then(zh('已记录的回访为 "{schedules}"'))
def _(story: Story, schedules):
    recorded = [visit.get("schedule", "").replace("_", " ") for visit in story.progress().get("visits", [])]
    assert recorded == [item.strip() for item in schedules.split(",")], recorded


@action(parsers.parse("{user} verifies the closure"))
@action(parsers.re(r"调解员 (?P<user>\w+) 核查办结"))
def _(story: Story, user):
    story.fire(user, "verify_closure")


@action(parsers.parse('{user} reports a recurrence because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}报告纠纷复发，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "report_recurrence", {"reason": reason})


@action(parsers.parse('{user} reports a default because "{reason}"'))
@action(parsers.re(r'调解员 (?P<user>\w+) 报告当事人不履行协议："(?P<reason>[^"]+)"'))
def _(story: Story, user, reason):
    story.fire(user, "report_default", {"reason": reason})


@action(parsers.parse('{user} designates the case a key case owned by {owner}, due in {days:d} days, '
                      'with the co-units "{units}" and the milestones "{milestones}"'))
@action(zh('{role:Role} {user} {past:Already}将案件列为重点案件，由 {owner} 负责，{days:d} 天内办结，协办单位 "{units}"，节点 "{milestones}"'))
def _(story: Story, user, owner, days, units, milestones):
    story.fire(user, "designate_key_case", {
        "owner": owner, "deadline": (story.now + timedelta(days=days)).date().isoformat(),
        "co_units": [story.unit_code(u.strip()) for u in units.split(",")],
        "milestones": [m.strip() for m in milestones.split(",")],
    })


@action(parsers.parse('{user} reopens the case because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}重新启动案件，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "reopen", {"reason": reason})


@action(parsers.parse("{user} reopens the case without a reason"))
@action(zh("{role:Role} {user} {past:Already}重新启动案件，未说明理由"))
def _(story: Story, user):
    story.fire(user, "reopen", {})


@then(parsers.parse("the case has recurred {count:d} time"))
@then(parsers.parse("the case has recurred {count:d} times"))
@then(zh("案件已复发 {count:d} 次"))
def _(story: Story, count):
    assert story.case().recurrence_count == count


@then("no return visit is on record")
@then("尚无回访记录")
def _(story: Story):
    assert story.progress().get("visits", []) == []


@then(parsers.parse("the case has been reopened {count:d} time"))
@then(zh("案件已重新启动 {count:d} 次"))
def _(story: Story, count):
    assert story.progress().get("reopened") == count


@then(parsers.parse('an open order is owned by {owner} with the deadline {deadline:ti}'))
@then(zh("有一份由 {owner} 负责、期限为 {deadline:ti} 的未办结订单"))
def _(story: Story, owner, deadline):
    order = story.order()
    assert (story.username(order.owner_id), str(order.deadline), order.status) == (
        owner, deadline.date().isoformat(), "open")


@then("the order is done and its timers are cancelled")
@then("订单已办结，其计时已取消")
def _(story: Story):
    assert story.order().status == "done"
    timers = story.deadlines("order_due_soon") + story.deadlines("order_overdue")
    assert [d.status for d in timers] == ["cancelled", "cancelled"], [(d.kind, d.status) for d in timers]


@then(parsers.parse('the resolution at the "{level}" level is credited to {user}'))
@then(zh('在 "{level}" 层级化解的案件计入 {user}'))
def _(story: Story, level, user):
    case = story.case()
    assert (case.state, case.resolved_level, story.username(case.mediator_id)) == ("closed.resolved", level, user)


@then("the case counts as a prevented 民转刑")
@then("案件计为成功预防民转刑")
def _(story: Story):
    case = story.case()
    reached = {event.to_state for event in story.events()}
    assert case.state == "closed.resolved" and "closed.police_case" not in reached
    assert case.risk_level != "low" and case.recurrence_count == 0
