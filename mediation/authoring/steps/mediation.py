"""Mediation steps (调解): consent, sessions, the ladder, agreements oral and written."""

from __future__ import annotations

from datetime import timedelta

from pytest_bdd import parsers, then

from mediation.authoring.steps.common import ROLE, action, zh
from mediation.authoring.steps.story import Story

WHO = r"(?P<who>every party|both parties|\S+)"


@action(parsers.re(rf"(?P<user>\w+) records the consent of {WHO}"))
@action(parsers.re(r"调解员 (?P<user>\w+) (?:已)?记录(?P<who>全部当事人)同意调解"))
def _(story: Story, user, who):
    for party_id in story.parties_named(who):
        story.fire(user, "record_consent", {"party_id": party_id})


@action(parsers.parse('{user} records that {party} refuses mediation because "{reason}"'))
@action(zh('调解员 {user} {past:Already}记录 {party} 拒绝调解，理由 "{reason}"'))
def _(story: Story, user, party, reason):
    story.fire(user, "party_refuses", {"party_id": story.party_id(party), "reason": reason})


@action(parsers.parse('{user} records that {party} withdraws from mediation because "{reason}"'))
@action(zh('调解员 {user} {past:Already}记录 {party} 退出调解，理由 "{reason}"'))
def _(story: Story, user, party, reason):
    story.fire(user, "party_withdraws", {"party_id": story.party_id(party), "reason": reason})


@action(parsers.parse("{user} starts the session"))
@action(parsers.re(r"调解员 (?P<user>\w+) (?:已)?开始调解"))
def _(story: Story, user):
    story.fire(user, "start_session")


@action(parsers.parse("{user} adjourns the session for {days:d} days"))
@action(parsers.re(r"调解员 (?P<user>\w+) (?:已)?宣布休会，(?P<days>\d+) 天后再次调解"))
def _(story: Story, user, days):
    next_session = (story.now + timedelta(days=int(days))).isoformat(timespec="minutes")
    story.fire(user, "adjourn", {"next_session_at": next_session})


@action(parsers.parse("{user} adjourns the session {times:d} times, restarting it each time"))
@action(parsers.re(r"调解员 (?P<user>\w+) (?:已)?休会 (?P<times>\d+) 次，每次重新开始调解"))
def _(story: Story, user, times):
    for _ in range(int(times)):
        story.fire(user, "adjourn", {"next_session_at": (story.now + timedelta(days=3)).isoformat()})
        story.fire(user, "start_session")


@action(parsers.parse('{user} escalates the case because "{reason}"'))
@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?将案件上报上一级，理由 "(?P<reason>[^"]+)"'))
def _(story: Story, user, reason):
    story.fire(user, "escalate", {"reason": reason})


@action(parsers.parse('{user} escalates the case {times:d} times, restarting the session at each level'))
@action(zh("{role:Role} {user} {past:Already}逐级上报 {times:d} 次，每一级重新开始调解"))
def _(story: Story, user, times):
    for _ in range(times):
        story.fire(user, "escalate", {"reason": "分歧较大，逐级上报"})
        story.fire(user, "start_session")


@action(parsers.parse('{user} declares the mediation failed because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}宣布调解未果，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "declare_failed", {"reason": reason})


@action(parsers.parse('{user} records the oral agreement "{terms}"'))
@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?记录口头协议 "(?P<terms>[^"]+)"'))
def _(story: Story, user, terms):
    story.fire(user, "record_oral_agreement", {"terms": terms})


@action(parsers.re(r'(?P<user>\w+) drafts the agreement "(?P<terms>[^"]+)"'))
@action(parsers.re(r'调解员 (?P<user>\w+) 起草了调解协议 "(?P<terms>[^"]+)"'))
def _(story: Story, user, terms):
    deadline = (story.now + timedelta(days=30)).date().isoformat()
    story.fire(user, "draft_agreement", {"terms": terms, "performance_deadline": deadline})


@action(parsers.parse('{user} drafts the agreement "{terms}" with clauses on "{subjects}"'))
@action(parsers.re(r'调解员 (?P<user>\w+) 起草了含 "(?P<subjects>[^"]+)" 条款的调解协议 "(?P<terms>[^"]+)"'))
def _(story: Story, user, terms, subjects):
    deadline = (story.now + timedelta(days=30)).date().isoformat()
    story.fire(user, "draft_agreement", {"terms": terms, "performance_deadline": deadline,
                                         "subject_matters": [s.strip() for s in subjects.split(",")]})


@action(parsers.re(rf"(?P<user>\w+) records the signatures? of {WHO}"))
@action(parsers.re(rf"{ROLE}(?P<user>\w+) (?:已)?记录(?P<who>全部当事人|\S+?)在协议上签名"))
def _(story: Story, user, who):
    for party_id in story.parties_named(who):
        story.fire(user, "sign", {"party_id": party_id})


@action(parsers.parse("{user} signs the agreement as mediator"))
@action(zh("{role:Role} {user} {past:Already}以调解员身份在协议上签名"))
def _(story: Story, user):
    story.fire(user, "sign", {"signer": "mediator"})


@action(parsers.parse("{user} seals the agreement with the committee seal"))
@action(zh("{role:Role} {user} {past:Already}在协议上加盖调委会印章"))
def _(story: Story, user):
    story.fire(user, "seal")


@action(parsers.parse("{user} concludes the agreement"))
@action(zh("{role:Role} {user} {past:Already}确认协议生效"))
def _(story: Story, user):
    story.fire(user, "conclude_agreement")


@action(parsers.parse("{user} has the agreement signed by every party and the mediator, sealed and concluded"))
@action(parsers.re(r"调解员 (?P<user>\w+) (?:已)?组织各方当事人和调解员签名并加盖调委会印章，协议生效"))
def _(story: Story, user):
    for party_id in story.party_ids():
        story.fire(user, "sign", {"party_id": party_id})
    story.fire(user, "sign", {"signer": "mediator"})
    story.fire(user, "seal")
    story.fire(user, "conclude_agreement")


@action(parsers.parse('{user} revises the agreement because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}修改协议，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "revise_agreement", {"reason": reason})


@action(parsers.parse('{user} replaces the mediator with {mediator}'))
@action(zh("{role:Role} {user} {past:Already}将调解员更换为 {mediator}"))
def _(story: Story, user, mediator):
    case = story.case()
    story.fire(user, "replace_mediator",
               {"mediator": mediator, "mechanism": case.mechanism, "resolver": case.resolver})


@then(parsers.parse('the case is at the "{level}" level of the ladder with {attempts:d} attempts used'))
@then(parsers.re(r'案件位于 "(?P<level>[^"]+)" 层级，已调解 (?P<attempts>\d+) 次'))
def _(story: Story, level, attempts):
    assert (story.ladder_level_named(level), story.case().ladder_attempts) == (level, int(attempts)), (
        story.ladder_level(), story.case().ladder_attempts)


@then(parsers.parse('the case is at the "{level}" level of the ladder'))
@then(parsers.re(r'案件位于 "(?P<level>[^"]+)" 层级'))
def _(story: Story, level):
    assert story.ladder_level_named(level) == level, story.ladder_level()


@then("the parties are recorded as informed of the arbitration, administrative and court routes")
@then("已记录告知当事人可申请仲裁、行政处理或向法院起诉")
def _(story: Story):
    assert sorted(story.progress().get("routes_informed", [])) == ["administrative", "arbitration", "litigation"]


@then("no other routes are recorded yet")
@then("尚未记录告知其他解决途径")
def _(story: Story):
    assert "routes_informed" not in story.progress()


@then(parsers.parse('the agreement is recorded as oral with the terms "{terms}"'))
@then(zh('协议记录为口头协议，内容 "{terms}"'))
def _(story: Story, terms):
    agreement = story.progress()["agreement"]
    assert agreement.get("oral") is True and agreement["terms"] == terms, agreement


@then(parsers.parse("the agreement took effect at {moment:ti}"))
@then(zh("协议于 {moment:ti} 生效"))
def _(story: Story, moment):
    assert story.progress()["agreement"]["effective_at"] == moment.replace(tzinfo=None).isoformat()


@then("the agreement carries no signatures and no seal")
@then("协议没有签名和印章")
def _(story: Story):
    progress = story.progress()
    assert not progress.get("signatures") and not progress.get("mediator_signed") and not progress.get("sealed")


@then(parsers.parse('the case was resolved at the "{level}" level'))
@then(zh('案件在 "{level}" 层级化解'))
def _(story: Story, level):
    assert story.case().resolved_level == level
