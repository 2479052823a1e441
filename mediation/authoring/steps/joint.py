"""Department linkage steps (部门联动，双向闭环): acknowledge, return, feedback and its receipt."""

from __future__ import annotations

from pytest_bdd import parsers, then

from mediation.authoring.steps.common import action, zh
from mediation.authoring.steps.story import Story


@action(parsers.parse("{user} acknowledges the referral"))
@action(zh("部门 {user} {past:Already}签收移交"))
def _(story: Story, user):
    story.fire(user, "acknowledge")


@action(parsers.parse('{user} returns the referral because "{reason}"'))
@action(zh('部门 {user} {past:Already}退回移交，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "return_referral", {"reason": reason})


@action(parsers.parse('{user} submits "{outcome}" feedback: "{summary}"'))
@action(zh('部门 {user} {past:Already}反馈 "{outcome}"："{summary}"'))
def _(story: Story, user, outcome, summary):
    story.fire(user, "submit_feedback", {"outcome": outcome, "summary": summary})


@action(parsers.parse("{user} confirms the feedback"))
@action(zh("{role:Role} {user} {past:Already}确认反馈"))
def _(story: Story, user):
    story.fire(user, "confirm_feedback")


@action(parsers.parse('{user} rejects the feedback because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}不认可反馈，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "reject_feedback", {"reason": reason})


@then(parsers.parse("the referral has been returned {count:d} time"))
@then(parsers.parse("the referral has been returned {count:d} times"))
@then(zh("移交已被退回 {count:d} 次"))
def _(story: Story, count):
    assert story.case().return_count == count


@then("the case is no longer referred to any department")
@then("案件已不在任何部门")
def _(story: Story):
    assert story.case().department_id is None


@then(parsers.parse('the recorded feedback is "{outcome}": "{summary}"'))
@then(zh('记录的反馈为 "{outcome}"："{summary}"'))
def _(story: Story, outcome, summary):
    assert story.progress()["feedback"] == {"outcome": outcome, "summary": summary}
