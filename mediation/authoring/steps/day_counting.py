"""Steps of day_counting_zh.feature: the clock in China time, the timer worker, what it fired.

A moment a person reads is China time (UTC+8); the story's clock, like every stored moment, is UTC.
"""

from __future__ import annotations

from datetime import datetime

from pytest_bdd import parsers, then

from mediation.authoring.steps.common import action
from mediation.authoring.steps.deadlines import run_worker
from mediation.authoring.steps.story import Story, case_input
from mediation.cases.intake import PartyInput
from mediation.workflows.calendar import CHINA_OFFSET


def _utc(moment: str) -> datetime:
    return datetime.fromisoformat(moment) - CHINA_OFFSET


@action(parsers.re(r"现在是北京时间 (?P<moment>\d{4}-\d{2}-\d{2} \d{2}:\d{2})"))
@action(parsers.re(r"it is (?P<moment>\d{4}-\d{2}-\d{2} \d{2}:\d{2}) China time"))
def _(story: Story, moment: str):
    story.now = _utc(moment)


@action(parsers.re(r"定时任务于北京时间 (?P<moment>\d{4}-\d{2}-\d{2} \d{2}:\d{2}) 运行"))
@action(parsers.re(r"the timer worker runs at (?P<moment>\d{4}-\d{2}-\d{2} \d{2}:\d{2}) Beijing time"))
def _(story: Story, moment: str):
    assert _utc(moment) >= story.now, f"the clock does not go back from {story.now} to {moment}"
    story.now = _utc(moment)
    run_worker(story)


@action(parsers.re(r'(?P<first>\S+) 与 (?P<second>\S+) 在 (?P<unit>\S+) 的 "(?P<category>\w+)" 纠纷调解协议已生效'))
@action(parsers.re(r'the agreement of the "(?P<category>\w+)" dispute between (?P<first>\S+) and (?P<second>\S+) in (?P<unit>\S+) has taken effect'))
def _(story: Story, first: str, second: str, unit: str, category: str):
    parties = [PartyInput(first, "applicant"), PartyInput(second, "respondent")]
    story.drive("mediation.agreement_effective",
                case_input(category=category, unit=story.unit_code(unit), parties=parties))


@then(parsers.re(r'系统已触发 "(?P<trigger>\w+)"，案件由 "(?P<source>[\w.]+)" 转入 "(?P<dest>[\w.]+)"'))
@then(parsers.re(r'the system alone has fired "(?P<trigger>\w+)" from "(?P<source>[\w.]+)" to "(?P<dest>[\w.]+)"'))
def _(story: Story, trigger: str, source: str, dest: str):
    fired = [(e.trigger, e.from_state, e.to_state) for e in story.events() if e.actor == "system"]
    assert fired == [(trigger, source, dest)], fired


