"""The timer worker: what the system does when deadlines fall due.

"the clock reaches …" moves the clock and runs the worker (`run_until_idle`) at the new time,
as a cron job running `mediation worker --once --now …` would. What the worker did is read
back from the database: events by `system`, deadlines, the outbox and the key-case order.
"""

from __future__ import annotations

from typing import Any

from pytest_bdd import parsers, then

from mediation import jsontext
from mediation.authoring.steps.common import action, zh
from mediation.authoring.steps.story import Story
from mediation.deadlines.worker import run_until_idle


def run_worker(story: Story) -> None:
    story.assert_no_pending_refusal()
    run_until_idle(story.db, now=story.now)


# ---------------------------------------------------------------------- the clock, with the worker
@action(parsers.parse("the clock reaches {moment:ti}"))
@action(zh("时间来到 {moment:ti}，定时任务运行"))
def _(story: Story, moment):
    moment = moment.replace(tzinfo=None)
    assert moment >= story.now, f"the clock does not go back from {story.now} to {moment}"
    story.now = moment
    run_worker(story)


# ---------------------------------------------------------------------- what the system did
def _system_events(story: Story) -> list[Any]:
    return [event for event in story.events() if event.actor == "system"]


def _supervisions(story: Story, kind: str) -> list[Any]:
    return [event for event in _system_events(story)
            if event.trigger == "supervise" and jsontext.loads(event.data).get("deadline") == kind]


@then("the system has not acted on the case")
@then("系统尚未对案件采取任何操作")
def _(story: Story):
    assert _system_events(story) == [], [(e.trigger, e.at) for e in _system_events(story)]


@then(parsers.parse('the system has supervised the case for the "{kind}" deadline'))
@then(zh('系统已就 "{kind}" 期限督办'))
def _(story: Story, kind: str):
    supervised = _supervisions(story, kind)
    assert len(supervised) == 1, [(e.trigger, e.data) for e in _system_events(story)]
    event = supervised[0]
    assert event.from_state == event.to_state == story.case().state, (event.from_state, event.to_state)
    assert [d.status for d in story.deadlines(kind)][-1] == "done"


@then(parsers.parse('the system has fired "{trigger}" from "{from_state}" to "{to_state}"'))
@then(zh('系统触发过 "{trigger}"，由 "{from_state}" 转入 "{to_state}"'))
def _(story: Story, trigger: str, from_state: str, to_state: str):
    fired = [(e.trigger, e.from_state, e.to_state) for e in _system_events(story)]
    assert (trigger, from_state, to_state) in fired, fired


@then("the county centre is notified of the supervision")
@then("县矛调中心收到督办通知")
def _(story: Story):
    recipients = [message.recipient for message in story.outbox("supervise")]
    assert "county_centre" in recipients, recipients


@then(parsers.parse('the referring unit is notified of "{outcome}" feedback'))
@then(zh('移交单位收到 "{outcome}" 反馈通知'))
def _(story: Story, outcome: str):
    messages = [(m.recipient, jsontext.loads(m.payload).get("outcome")) for m in story.outbox("feedback_submitted")]
    assert messages == [("referring_unit", outcome)], messages


def _reminders(story: Story, kind: str) -> list[dict[str, Any]]:
    payloads = [jsontext.loads(message.payload) for message in story.outbox("reminder")]
    return [payload for payload in payloads if payload.get("deadline") == kind]


@then(parsers.parse('{user} is reminded of the "{kind}" deadline'))
@then(zh('{user} 收到 "{kind}" 期限提醒'))
def _(story: Story, user: str, kind: str):
    assert _reminders(story, kind) == [{"deadline": kind, "user_id": story.user_id(user)}], _reminders(story, kind)


@then(parsers.parse('a reminder of the "{kind}" deadline is queued'))
@then(zh('已排队发送 "{kind}" 期限提醒'))
def _(story: Story, kind: str):
    assert len(_reminders(story, kind)) == 1, _reminders(story, kind)


@then(parsers.parse('no reminder of the "{kind}" deadline is queued yet'))
@then(zh('尚未排队发送 "{kind}" 期限提醒'))
def _(story: Story, kind: str):
    assert _reminders(story, kind) == []


@then(parsers.parse('the order is "{status}"'))
@then(zh('订单状态为 "{status}"'))
def _(story: Story, status: str):
    assert story.order().status == status
