"""Steps of cross-jurisdiction co-mediation (DESIGN §9.5): sharing a case with a partner unit, what the
partner and a third unit reach, a referral the partner files, and the figures counted for both units."""

from __future__ import annotations

import re

from pytest_bdd import parsers, then

from mediation.authoring.steps.common import action
from mediation.authoring.steps.story import Story
from mediation.cases.case_detail import case_detail
from mediation.cases.intake import CaseInput, PartyInput
from mediation.cases.views import CaseFilters, list_cases
from mediation.errors import NotFound
from mediation.metrics.figures import case_metrics
from mediation.notifications.inbox import notifications_for


@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?邀请 (?P<unit>\S+) 协同调解，理由 "(?P<reason>[^"]+)"'))
@action(parsers.re(r'(?P<user>\w+) invites (?P<unit>\S+) to co-mediate because "(?P<reason>[^"]+)"'))
def _(story: Story, user, unit, reason):
    story.fire(user, "share_with_unit", {"unit": story.unit_code(unit), "reason": reason})


@action(parsers.re(r"调解员 (?P<user>\w+) 结束与 (?P<unit>\S+) 的协同调解"))
@action(parsers.re(r"(?P<user>\w+) ends the co-mediation with (?P<unit>\S+)"))
def _(story: Story, user, unit):
    story.fire(user, "end_sharing", {"unit": story.unit_code(unit)})


@action(parsers.re(r'(?P<unit>\S+) 的调解员 (?P<user>\w+) 将 (?P<first>\S+) 与 (?P<second>\S+) 之间的 '
                   r'"(?P<category>\w+)" 纠纷转入 (?P<target>\S+)'))
@action(parsers.re(r'(?P<user>\w+) of (?P<unit>\S+) transfers the "(?P<category>\w+)" dispute between (?P<first>\S+) and (?P<second>\S+) to (?P<target>\S+)'))
def _(story: Story, unit, user, first, second, category, target):
    story.file(user, CaseInput(
        title=f"{first}与{second}{category}纠纷", description="跨省边界纠纷，由联调站转入本地调解。",
        channel="referral_in", unit=story.unit_code(target), category=category,
        parties=[PartyInput(first, "applicant"), PartyInput(second, "respondent")],
        referred_by=story.unit_code(unit)))


@then(parsers.re(r"(?P<users>[\w、]+) 收到协同调解通知"))
@then(parsers.re(r"(?P<users>[\w、]+) (?:is|are) notified of the co-mediation"))
def _(story: Story, users):
    for username in users.split("、"):
        with story.db.snapshot() as tx:
            page = notifications_for(tx=tx, user_id=story.user_id(username), unread_only=False, page=1, page_size=50)
        topics = [(item.topic, item.case_id) for item in page.items]
        assert ("case_shared", story.case_id) in topics, (username, topics)


@then(parsers.re(r"(?P<users>[\w、]+) (?P<negated>看不到|可以查看)该案件"))
@then(parsers.re(r"(?P<users>[\w、]+) (?P<negated>cannot see|can see) the case"))
def _(story: Story, users, negated):
    for username in users.split("、"):
        actor = story.actor(username)
        listed = [item.id for item in list_cases(story.db, actor, CaseFilters(page_size=200), story.now).items]
        try:
            case_detail(story.db, actor, story.case_id)
            reached = True
        except NotFound:
            reached = False
        assert reached == (story.case_id in listed) == (negated == "可以查看"), (username, reached, listed)


@then(parsers.re(r"最后一条事件由 (?P<user>\w+) 记录"))
@then(parsers.re(r"the last event was recorded by (?P<user>\w+)"))
def _(story: Story, user):
    assert story.events()[-1].actor == user


def _figures(story: Story, username: str, partner: str | None = None, unit: str | None = None):
    return case_metrics(story.db, story.actor(username), date_from=None, date_to=None, now=story.now,
                        partner=story.unit_code(partner) if partner else None,
                        unit=story.unit_code(unit) if unit else None)


FIGURES = re.compile(r"案件 (?P<cases>\d+) 件，化解 (?P<resolved>\d+) 件，协同调解 (?P<shared>\d+) 件")


@then(parsers.re(r"督导员 (?P<user>\w+) (?:按(?P<scope>合作单位|单位) (?P<unit>\S+) 筛选)?的统计为："
                 r"(?P<figures>案件 \d+ 件，化解 \d+ 件，协同调解 \d+ 件)"))
@then(parsers.re(r"supervisor (?P<user>\w+)'s figures(?: for the (?P<scope>partner|unit) (?P<unit>\S+))? are: (?P<figures>\d+ cases, \d+ resolved, \d+ co-mediated)"))
def _(story: Story, user, scope, unit, figures):
    metrics = _figures(story, user, partner=unit if scope == "合作单位" else None,
                       unit=unit if scope == "单位" else None)
    expected = {key: int(value) for key, value in FIGURES.match(figures).groupdict().items()}
    assert {"cases": metrics.cases, "resolved": metrics.resolution.resolved,
            "shared": metrics.co_mediation.cases} == expected, metrics


@then(parsers.re(r"督导员 (?P<user>\w+) 的统计中，与 (?P<unit>\S+) 协同调解的案件 (?P<count>\d+) 件"))
@then(parsers.re(r"supervisor (?P<user>\w+)'s figures count (?P<count>\d+) cases? co-mediated with (?P<unit>\S+)"))
def _(story: Story, user, unit, count):
    by_partner = {item.code: item.count for item in _figures(story, user).co_mediation.by_partner}
    assert by_partner.get(story.unit_code(unit), 0) == int(count), by_partner
