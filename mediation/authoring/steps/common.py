"""Steps every feature uses: the clock, firing any trigger, refusals, states, events, deadlines."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import parse
from pytest_bdd import given, parsers, then, when

from mediation import errors
from mediation.authoring.steps.story import Story, at_start_of, timestamp
from mediation.cases import audit

# Who acts, in a Chinese step: "调解员 mediator1", "民警 police1", or the user name alone.
ROLE_WORDS = "调解员|网格员|民警|法官|督导员|部门|管理员|工作人员"
ROLE = rf"(?:(?:{ROLE_WORDS}) )?"


@parse.with_pattern(rf"(?:{ROLE_WORDS})?")
def _role(text: str) -> str:
    return text


@parse.with_pattern("已?")
def _already(text: str) -> str:
    return text


def zh(pattern: str) -> parsers.parse:
    """A Chinese step pattern: `{role:Role}` is the actor's title, `{past:Already}` an optional 已 (Given)."""
    return parsers.parse(pattern, extra_types={"Role": _role, "Already": _already})


IRREGULAR_PAST = {"refers": "referred", "submits": "submitted", "applies": "applied", "has": "had"}
ACTOR_AND_VERB = re.compile(r"^(\{user\}|\(\?P<user>\\w\+\)) ([a-z]+)\b")


def past_tense(parser: parsers.StepParser) -> parsers.StepParser | None:
    """The same step told in the past ("mediator1 triaged …") for Given, if its verb is plain."""
    found = ACTOR_AND_VERB.match(parser.name)
    if found is None or not found.group(2).endswith("s"):
        return None
    verb = found.group(2)
    past = IRREGULAR_PAST.get(verb) or (verb[:-1] + "d" if verb[:-1].endswith("e") else verb[:-1] + "ed")
    return type(parser)(f"{found.group(1)} {past}{parser.name[found.end():]}")


def action(parser: parsers.StepParser):
    """A step usable as When (a refusal is kept for Then) and as Given (it must succeed).

    As a Given it also reads in the past tense: "Given mediator1 triaged the case …".
    """
    def register(func):
        when(parser, stacklevel=2)(func)
        given(parser, stacklevel=2)(func)
        told = past_tense(parser)
        if told is not None:
            given(told, stacklevel=2)(func)
        return func
    return register


def outcome(pattern: str | parsers.StepParser):
    """A step usable as Given and Then: a fact already true, or one to check."""
    def register(func):
        given(pattern, stacklevel=2)(func)
        then(pattern, stacklevel=2)(func)
        return func
    return register


# ---------------------------------------------------------------------- the county and the clock
@given("the sample county of 永嘉县")
@given("永嘉县示范数据已就绪")
def _(story: Story):
    assert story.unit_code("永嘉县") == story.county.county


@action(parsers.parse("today is {day:ti}"))
@action(parsers.parse("今天是 {day:ti}"))
def _(story: Story, day):
    story.now = at_start_of(day.date().isoformat())


@action(parsers.parse("it is {moment:ti}"))
@action(zh("现在是 {moment:ti}"))
def _(story: Story, moment):
    story.now = moment.replace(tzinfo=None)


@action(parsers.re(r"(?P<count>\d+) (?:day passes|days pass)"))
@action(parsers.re(r"过了 (?P<count>\d+) 天"))
def _(story: Story, count: str):
    story.now += timedelta(days=int(count))


@action(parsers.re(r"(?P<count>\d+) (?:hour passes|hours pass)"))
@action(parsers.re(r"过了 (?P<count>\d+) 小时"))
def _(story: Story, count: str):
    story.now += timedelta(hours=int(count))


def china_time(moment: datetime) -> str:
    """A stored UTC moment as China time; the end of a day reads as that day's 24:00."""
    local = moment + timedelta(hours=8)
    if local.time() == datetime.min.time():
        return f"{local.date() - timedelta(days=1)} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------- any trigger
def table_data(story: Story, rows: list[list[str]]) -> dict[str, Any]:
    """A two-column table as trigger data; party names become party ids, lists are split on commas."""
    data: dict[str, Any] = {}
    for key, value in rows:
        if key == "party":
            data["party_id"] = story.party_id(value)
        elif key == "applicants":
            data[key] = story.party_ids() if value == "all parties" else [
                story.party_id(name.strip()) for name in value.split(",")]
        elif key in ("subject_matters", "co_units", "milestones"):
            data[key] = [item.strip() for item in value.split(",")]
        elif key in ("department", "court"):
            data[key] = story.unit_code(value)
        elif value.isdigit():
            data[key] = int(value)
        elif value in ("true", "false"):
            data[key] = value == "true"
        else:
            data[key] = value
    return data


@action(parsers.re(r'(?P<user>\w+) fires "(?P<trigger>\w+)"'))
@action(parsers.re(rf'{ROLE}(?P<user>\w+) 触发 "(?P<trigger>\w+)"'))
def _(story: Story, user: str, trigger: str):
    story.fire(user, trigger)


@action(parsers.re(r'(?P<user>\w+) fires "(?P<trigger>\w+)" with:'))
@action(parsers.re(rf'{ROLE}(?P<user>\w+) 触发 "(?P<trigger>\w+)"，数据如下：'))
def _(story: Story, user: str, trigger: str, datatable: list[list[str]]):
    story.fire(user, trigger, table_data(story, datatable))


# ---------------------------------------------------------------------- outcomes
@outcome(parsers.parse('the case is in state "{state}"'))
@outcome(parsers.parse('案件状态为 "{state}"'))
def _(story: Story, state: str):
    story.assert_no_pending_refusal()
    case = story.case()
    assert case.state == state, f"case is in {case.state}, not {state}"
    assert case.stage == state.split(".")[0]


@then(parsers.parse('the case is still in state "{state}"'))
@then(zh('案件仍为 "{state}" 状态'))
def _(story: Story, state: str):
    assert story.case().state == state


ERRORS = {name: getattr(errors, name) for name in (
    "Forbidden", "NotFound", "GuardFailed", "InvalidData", "TransitionNotAllowed", "StaleCase")}


@then(parsers.re(r"it is refused as (?P<error>\w+)"))
@then(parsers.re(r"被拒绝，错误类型为 (?P<error>\w+)"))
def _(story: Story, error: str):
    story.take_refusal(ERRORS[error])


@then(parsers.re(r'it is refused by the guard "(?P<guard>\w+)"(?: saying "(?P<text>[^"]+)")?'))
@then(parsers.re(r'被守卫 "(?P<guard>\w+)" 拒绝(?:，理由包含 "(?P<text>[^"]+)")?'))
def _(story: Story, guard: str, text: str | None):
    refusal = story.take_refusal(errors.GuardFailed)
    # The text is in the words (English) or names a code the refusal carries (a category it excludes).
    said = f"{refusal.reason} {refusal.extra}"
    assert refusal.guard == guard and (text or "") in said, f"{refusal.guard}: {refusal.reason}"


@then(parsers.parse('it is refused as invalid "{field}"'))
@then(zh('被拒绝，字段 "{field}" 无效'))
def _(story: Story, field: str):
    refusal = story.take_refusal(errors.InvalidData)
    assert refusal.field == field, f"invalid {refusal.field}: {refusal.reason}"


@then(parsers.parse('it is not allowed in state "{state}"'))
@then(zh('在 "{state}" 状态下不允许此操作'))
def _(story: Story, state: str):
    refusal = story.take_refusal(errors.TransitionNotAllowed)
    assert refusal.extra["state"] == state, refusal.detail


@then(parsers.parse('the triggers still allowed are "{triggers}"'))
@then(zh('仍可执行的操作为 "{triggers}"'))
def _(story: Story, triggers: str):
    allowed = story.checked_refusal.allowed
    assert sorted(allowed) == sorted(t.strip() for t in triggers.split(",")), allowed


@then(parsers.parse('the last event is "{trigger}" by {user} from "{from_state}" to "{to_state}"'))
@then(zh('最后一条事件是 {user} 的 "{trigger}"，由 "{from_state}" 转入 "{to_state}"'))
def _(story: Story, trigger: str, user: str, from_state: str, to_state: str):
    event = story.last_event()
    assert (event.trigger, event.actor, event.from_state, event.to_state) == (trigger, user, from_state, to_state)


@then(parsers.parse('the last event records the reason "{reason}"'))
@then(zh('最后一条事件记录的理由为 "{reason}"'))
def _(story: Story, reason: str):
    assert story.last_event().reason == reason


@then(parsers.parse("the case has {count:d} events and its hash chain verifies"))
@then(zh("案件共有 {count:d} 条事件，哈希链校验通过"))
def _(story: Story, count: int):
    assert len(story.events()) == count, [e.trigger for e in story.events()]
    assert audit.verify_case(story.db, story.case_id) is None


@then("the case's hash chain verifies")
@then("案件的哈希链校验通过")
def _(story: Story):
    assert audit.verify_case(story.db, story.case_id) is None


@then(parsers.parse('a pending "{kind}" deadline is due {due:ti} with the action "{action}"'))
@then(parsers.parse('"{kind}" 期限为 {due:ti}，到期动作 "{action}"'))
def _(story: Story, kind: str, due, action: str):
    pending = [d for d in story.deadlines(kind) if d.status == "pending"]
    assert pending, f"no pending {kind} deadline: {story.deadlines(kind)}"
    found = [(timestamp(d.due_at), d.action) for d in pending]
    assert found == [(due.replace(tzinfo=None), action)], f"pending {kind}: " + ", ".join(
        f"due {moment:%Y-%m-%d %H:%M}, action {found_action}" for moment, found_action in found)


@then(parsers.parse('a pending "{kind}" deadline is due by the end of {day:ti} China time with the action "{action}"'))
@then(parsers.parse('"{kind}" 期限为北京时间 {day:ti} 当日结束，到期动作 "{action}"'))
def _(story: Story, kind: str, day, action: str):
    """Working-day deadlines end at 24:00 China time (UTC+8) of their last working day."""
    end_utc = datetime.combine(day.date() + timedelta(days=1), datetime.min.time()) - timedelta(hours=8)
    found = [(timestamp(d.due_at), d.action) for d in story.deadlines(kind) if d.status == "pending"]
    assert found == [(end_utc, action)], f"pending {kind}: " + (", ".join(
        f"due {china_time(due)} China time, action {found_action}" for due, found_action in found) or "none")


@then(parsers.parse('the "{kind}" deadline is cancelled'))
@then(parsers.parse('"{kind}" 期限已取消'))
def _(story: Story, kind: str):
    rows = story.deadlines(kind)
    assert rows and all(d.status == "cancelled" for d in rows), [(d.kind, d.status) for d in rows]


@then(parsers.parse('there is no "{kind}" deadline'))
@then(zh('没有 "{kind}" 期限'))
def _(story: Story, kind: str):
    assert story.deadlines(kind) == []


@then(parsers.parse('"{recipient}" is notified of "{topic}"'))
@then(zh('"{recipient}" 收到 "{topic}" 通知'))
def _(story: Story, recipient: str, topic: str):
    messages = story.outbox(topic)
    assert [m.recipient for m in messages] == [recipient], [(m.recipient, m.topic) for m in messages]
