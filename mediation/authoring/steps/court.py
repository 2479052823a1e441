"""Shared-court steps (共享法庭，司法确认): joint application, acceptance, ruling, remedies."""

from __future__ import annotations

from pytest_bdd import parsers, then

from mediation.authoring.steps.common import action, zh
from mediation.authoring.steps.story import Story


@action(parsers.re(r"(?P<user>\w+) applies for judicial confirmation at (?P<court>\S+) "
                   r"(?:jointly for every party|for both parties)"))
@action(parsers.re(r"调解员 (?P<user>\w+) 代表全部当事人向 (?P<court>\S+) 共同申请司法确认"))
def _(story: Story, user, court):
    story.fire(user, "apply_judicial_confirmation",
               {"court": story.unit_code(court), "applicants": story.party_ids()})


@action(parsers.re(r"(?P<user>\w+) applies for judicial confirmation at (?P<court>\S+) for (?P<party>\S+) alone"))
@action(parsers.re(r"调解员 (?P<user>\w+) 仅代表 (?P<party>\S+) 向 (?P<court>\S+) 申请司法确认"))
def _(story: Story, user, court, party):
    story.fire(user, "apply_judicial_confirmation",
               {"court": story.unit_code(court), "applicants": [story.party_id(party)]})


@action(parsers.parse("{user} accepts the application"))
@action(parsers.re(r"法官 (?P<user>\w+) 受理申请"))
def _(story: Story, user):
    story.fire(user, "court_accept")


@action(parsers.parse('{user} declines the application because "{reason}"'))
@action(zh('法官 {user} {past:Already}不予受理司法确认申请，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "court_decline", {"reason": reason})


@action(parsers.parse('{user} confirms the agreement by the ruling "{ruling}"'))
@action(parsers.re(r'法官 (?P<user>\w+) 以裁定书 "(?P<ruling>[^"]+)" 确认协议有效'))
def _(story: Story, user, ruling):
    story.fire(user, "confirm", {"ruling_number": ruling})


@action(parsers.parse("{user} confirms the agreement without a ruling number"))
@action(zh("法官 {user} {past:Already}确认协议有效，但未填写裁定书编号"))
def _(story: Story, user):
    story.fire(user, "confirm", {})


@action(parsers.parse('{user} rejects the agreement because "{reason}"'))
@action(zh('法官 {user} {past:Already}驳回申请，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "reject", {"reason": reason})


@action(parsers.parse('{user} has the case re-mediated by {mediator} for "{mechanism}" mediation'))
@action(zh('{role:Role} {user} {past:Already}交由 {mediator} 以 "{mechanism}" 机制重新调解'))
def _(story: Story, user, mediator, mechanism):
    story.fire(user, "remediate", {"mediator": mediator, "mechanism": mechanism, "resolver": "judicial"})


@action(parsers.parse('{user} advises litigation because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}引导当事人向法院起诉，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "advise_litigation", {"reason": reason})


@then(parsers.parse("the case is before {court}"))
@then(zh("案件由 {court} 审查"))
def _(story: Story, court):
    assert story.case().court_id == story.unit_id(court)


@then(parsers.parse('the ruling "{ruling}" is recorded'))
@then(parsers.parse('已记录裁定书 "{ruling}"'))
def _(story: Story, ruling):
    assert story.progress()["ruling_number"] == ruling


@then("every party is recorded as an applicant")
@then("全部当事人均记录为申请人")
def _(story: Story):
    assert story.progress()["applicants"] == sorted(story.party_ids())
