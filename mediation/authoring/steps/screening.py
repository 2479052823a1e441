"""Screening steps (排查受理): intake, triage, duplicates, declines, risk, on-scene mediation, routing."""

from __future__ import annotations

from pytest_bdd import given, parsers, then

from mediation.authoring.steps.common import ROLE, action, outcome, zh
from mediation.authoring.steps.story import Story, case_input
from mediation.cases.intake import PartyInput

CHANNEL = r'(?: through "(?P<channel>\w+)")?'
RISK = r'(?: at "(?P<risk>\w+)" risk)?'


def _input(story: Story, *, category, unit, parties, channel=None, risk=None):
    return case_input(category=category, unit=story.unit_code(unit), parties=parties,
                      channel=channel or "grid_screening", risk_level=risk or "low")


@action(parsers.re(
    r'(?P<user>\w+) report(?:s|ed) an? (?:"(?P<category>\w+)" )?dispute between (?P<first>\S+) and '
    r'(?P<second>\S+) in (?P<unit>\S+?)' + CHANNEL + RISK))
@action(parsers.re(
    r'网格员 (?P<user>\w+) 在 (?P<unit>\S+) 登记了 (?P<first>\S+) 与 (?P<second>\S+) 之间的 '
    r'(?:"(?P<category>\w+)" )?纠纷(?:，渠道 "(?P<channel>\w+)")?(?:，风险 "(?P<risk>\w+)")?'))
def _(story: Story, user, category, first, second, unit, channel, risk):
    parties = [PartyInput(first, "applicant"), PartyInput(second, "respondent")]
    story.file(user, _input(story, category=category, unit=unit, parties=parties, channel=channel, risk=risk))


@action(parsers.re(
    r'(?P<user>\w+) report(?:s|ed) an? "(?P<category>\w+)" complaint by (?P<first>\S+) against an unknown '
    r'party in (?P<unit>\S+?)' + CHANNEL))
@action(parsers.re(rf'{ROLE}(?P<user>\w+) 在 (?P<unit>\S+) 登记了 (?P<first>\S+) 对不明对方的 "(?P<category>\w+)" 投诉(?:，渠道 "(?P<channel>\w+)")?'))
def _(story: Story, user, category, first, unit, channel):
    parties = [PartyInput(first, "applicant")]
    story.file(user, _input(story, category=category, unit=unit, parties=parties, channel=channel))


@given(parsers.re(
    r'an? "(?P<category>\w+)" dispute between (?P<first>\S+) and (?P<second>\S+) in (?P<unit>\S+) '
    r'has reached "(?P<state>[\w.]+)"'))
@given(parsers.re(r'(?P<first>\S+) 与 (?P<second>\S+) 在 (?P<unit>\S+) 的 "(?P<category>\w+)" 纠纷已到达 "(?P<state>[\w.]+)"'))
def _(story: Story, category, first, second, unit, state):
    parties = [PartyInput(first, "applicant"), PartyInput(second, "respondent")]
    story.drive(state, _input(story, category=category, unit=unit, parties=parties))


@action(parsers.parse('{user} triages the case as "{category}" at "{risk}" risk'))
@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?研判为 "(?P<category>\w+)" 纠纷，风险等级 "(?P<risk>\w+)"'))
def _(story: Story, user, category, risk):
    story.fire(user, "triage", {"category": category, "risk_level": risk})


@action(parsers.parse('{user} triages the case as "{category}" at "{risk}" risk, the other party being unknown'))
@action(zh('{role:Role} {user} {past:Already}研判为 "{category}" 纠纷，风险等级 "{risk}"，对方当事人不明'))
def _(story: Story, user, category, risk):
    story.fire(user, "triage", {"category": category, "risk_level": risk, "other_party_unknown": True})


@action(parsers.parse("{user} triages the case"))
@action(zh("{role:Role} {user} {past:Already}研判案件"))
def _(story: Story, user):
    story.fire(user, "triage")


@action(parsers.parse("{user} marks the case as a duplicate of the first case"))
@action(zh("{role:Role} {user} {past:Already}将案件标记为第一件案件的重复案件"))
def _(story: Story, user):
    story.fire(user, "mark_duplicate", {"duplicate_of": story.cases[0]})


@action(parsers.parse("{user} marks the case as a duplicate of itself"))
@action(zh("{role:Role} {user} {past:Already}将案件标记为自身的重复案件"))
def _(story: Story, user):
    story.fire(user, "mark_duplicate", {"duplicate_of": story.case_id})


@action(parsers.parse('{user} declines the case because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}不予受理，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "decline", {"reason": reason})


@action(parsers.parse("{user} declines the case without a reason"))
@action(zh("{role:Role} {user} {past:Already}不予受理，未说明理由"))
def _(story: Story, user):
    story.fire(user, "decline", {})


@action(parsers.parse('{user} raises the risk to "{level}" because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}将风险等级提高为 "{level}"，理由 "{reason}"'))
def _(story: Story, user, level, reason):
    story.fire(user, "raise_risk", {"risk_level": level, "reason": reason})


@action(parsers.parse('{user} lowers the risk to "{level}" because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}将风险等级降低为 "{level}"，理由 "{reason}"'))
def _(story: Story, user, level, reason):
    story.fire(user, "lower_risk", {"risk_level": level, "reason": reason})


@action(parsers.parse("{user} mediates on the scene"))
@action(zh("{role:Role} {user} {past:Already}随警现场调解"))
def _(story: Story, user):
    story.fire(user, "mediate_on_scene")


@action(parsers.parse('{user} hands the case over to police because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}将案件移交公安，理由 "{reason}"'))
def _(story: Story, user, reason):
    story.fire(user, "hand_over_to_police", {"reason": reason})


@action(parsers.parse('{user} assigns {mediator} for "{mechanism}" mediation with "{resolver}" resolution'))
@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?指派 (?P<mediator>\w+) 以 "(?P<mechanism>\w+)" 机制、'
                   r'"(?P<resolver>\w+)" 途径调解'))
def _(story: Story, user, mediator, mechanism, resolver):
    story.fire(user, "assign_mediator", {"mediator": mediator, "mechanism": mechanism, "resolver": resolver})


@action(parsers.parse('{user} refers the case to {department} because "{reason}"'))
@action(zh('{role:Role} {user} {past:Already}将案件移交 {department}，理由 "{reason}"'))
def _(story: Story, user, department, reason):
    story.fire(user, "refer_department", {"department": story.unit_code(department), "reason": reason})


@then(parsers.parse('the case is categorised "{category}" at "{risk}" risk'))
@then(zh('案件类别为 "{category}"，风险等级 "{risk}"'))
def _(story: Story, category, risk):
    case = story.case()
    assert (case.category, case.risk_level) == (category, risk)


@then(parsers.parse('the case\'s risk level is "{risk}"'))
@then(zh('案件风险等级为 "{risk}"'))
def _(story: Story, risk):
    assert story.case().risk_level == risk


@then(parsers.parse('the case is mediated by {user} under the "{mechanism}" mechanism'))
@then(zh('案件由 {user} 以 "{mechanism}" 机制调解'))
def _(story: Story, user, mechanism):
    case = story.case()
    assert (story.username(case.mediator_id), case.mechanism) == (user, mechanism)


@outcome(parsers.parse("the case is referred to {department}"))
@outcome(zh("案件已移交 {department}"))
def _(story: Story, department):
    assert story.case().department_id == story.unit_id(department)
