"""Department linkage steps (部门联动，双向闭环): acknowledge, return, feedback and its receipt."""

from __future__ import annotations

from pytest_bdd import parsers, then

from mediation.authoring.steps.common import action
from mediation.authoring.steps.story import Story


@action(parsers.parse("{user} acknowledges the referral"))
def _(story: Story, user):
    story.fire(user, "acknowledge")


@action(parsers.parse('{user} returns the referral because "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "return_referral", {"reason": reason})


@action(parsers.parse('{user} submits "{outcome}" feedback: "{summary}"'))
def _(story: Story, user, outcome, summary):
    story.fire(user, "submit_feedback", {"outcome": outcome, "summary": summary})


@action(parsers.parse("{user} confirms the feedback"))
def _(story: Story, user):
    story.fire(user, "confirm_feedback")


@action(parsers.parse('{user} rejects the feedback because "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "reject_feedback", {"reason": reason})


@then(parsers.parse("the referral has been returned {count:d} time"))
@then(parsers.parse("the referral has been returned {count:d} times"))
def _(story: Story, count):
    assert story.case().return_count == count


@then("the case is no longer referred to any department")
def _(story: Story):
    assert story.case().department_id is None


@then(parsers.parse('the recorded feedback is "{outcome}": "{summary}"'))
def _(story: Story, outcome, summary):
    assert story.progress()["feedback"] == {"outcome": outcome, "summary": summary}
