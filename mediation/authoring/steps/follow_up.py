"""Follow-up steps (订单管理、跟踪问效): return visits, recurrence, default, closure, key cases, reopening."""

from __future__ import annotations

import re
from datetime import timedelta

from pytest_bdd import given, parsers, then

from mediation.authoring.steps.common import action
from mediation.authoring.steps.story import Story
from mediation.workflows.calendar import CHINA_OFFSET
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


@action(parsers.parse("it is {moment:ti} China time"))
def _(story: Story, moment):
    story.now = moment.replace(tzinfo=None) - CHINA_OFFSET


@then(parsers.parse('the return visits on record are "{schedules}"'))
def _(story: Story, schedules):
    recorded = [visit.get("schedule", "").replace("_", " ") for visit in story.progress().get("visits", [])]
    assert recorded == [item.strip() for item in schedules.split(",")], recorded


@action(parsers.parse("{user} verifies the closure"))
def _(story: Story, user):
    story.fire(user, "verify_closure")


@action(parsers.parse('{user} reports a recurrence because "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "report_recurrence", {"reason": reason})


@action(parsers.parse('{user} reports a default because "{reason}"'))
@action(parsers.re(r'调解员 (?P<user>\w+) 报告当事人不履行协议："(?P<reason>[^"]+)"'))
def _(story: Story, user, reason):
    story.fire(user, "report_default", {"reason": reason})


@action(parsers.parse('{user} designates the case a key case owned by {owner}, due in {days:d} days, '
                      'with the co-units "{units}" and the milestones "{milestones}"'))
def _(story: Story, user, owner, days, units, milestones):
    story.fire(user, "designate_key_case", {
        "owner": owner, "deadline": (story.now + timedelta(days=days)).date().isoformat(),
        "co_units": [story.unit_code(u.strip()) for u in units.split(",")],
        "milestones": [m.strip() for m in milestones.split(",")],
    })


@action(parsers.parse('{user} reopens the case because "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "reopen", {"reason": reason})


@action(parsers.parse("{user} reopens the case without a reason"))
def _(story: Story, user):
    story.fire(user, "reopen", {})


@then(parsers.parse("the case has recurred {count:d} time"))
@then(parsers.parse("the case has recurred {count:d} times"))
def _(story: Story, count):
    assert story.case().recurrence_count == count


@then("no return visit is on record")
def _(story: Story):
    assert story.progress().get("visits", []) == []


@then(parsers.parse("the case has been reopened {count:d} time"))
def _(story: Story, count):
    assert story.progress().get("reopened") == count


@then(parsers.parse('an open order is owned by {owner} with the deadline {deadline:ti}'))
def _(story: Story, owner, deadline):
    order = story.order()
    assert (story.username(order.owner_id), str(order.deadline), order.status) == (
        owner, deadline.date().isoformat(), "open")


@then("the order is done and its timers are cancelled")
def _(story: Story):
    assert story.order().status == "done"
    timers = story.deadlines("order_due_soon") + story.deadlines("order_overdue")
    assert [d.status for d in timers] == ["cancelled", "cancelled"], [(d.kind, d.status) for d in timers]


@then(parsers.parse('the resolution at the "{level}" level is credited to {user}'))
def _(story: Story, level, user):
    case = story.case()
    assert (case.state, case.resolved_level, story.username(case.mediator_id)) == ("closed.resolved", level, user)


@then("the case counts as a prevented 民转刑")
def _(story: Story):
    case = story.case()
    reached = {event.to_state for event in story.events()}
    assert case.state == "closed.resolved" and "closed.police_case" not in reached
    assert case.risk_level != "low" and case.recurrence_count == 0
