"""Case-file steps (卷宗): rights notices, interpreters, session records, corrections, parties added later.

Each fires the workflow's own trigger through the engine; refusals are checked in the reader's
language by the guard's Chinese reason (DESIGN §9.1).
"""

from __future__ import annotations

from datetime import timezone

from pytest_bdd import parsers, then

from features.steps.common import action
from features.steps.screening import _input
from features.steps.story import Story
from mediation import errors, jsontext
from mediation.cases.intake import PartyInput

WHO = r"(?P<who>every party|both parties|全部当事人|\S+?)"


@action(parsers.re(
    r'网格员 (?P<user>\w+) 在 (?P<unit>\S+) 登记了 (?P<first>\S+) 与 (?P<second>\S+) 之间的 "(?P<category>\w+)" 纠纷，'
    r'(?P=second) 为(?P<ethnicity>\S+族)、讲(?P<language>\S+?语)、需要翻译'))
def _(story: Story, user, unit, first, second, category, ethnicity, language):
    parties = [PartyInput(first, "applicant"),
               PartyInput(second, "respondent", ethnicity=ethnicity, language=language, needs_interpreter=True)]
    story.file(user, _input(story, category=category, unit=unit, parties=parties))


@action(parsers.re(rf"(?P<user>\w+) notifies {WHO} of their rights and duties"))
@action(parsers.re(rf"调解员 (?P<user>\w+) (?:已)?告知{WHO}权利义务"))
def _(story: Story, user, who):
    for party_id in story.parties_named(who):
        story.fire(user, "notify_rights", {"party_id": party_id, "method": "in_person"})


@action(parsers.re(r"调解员 (?P<user>\w+) (?:已)?添加翻译人员 (?P<name>\S+)（(?P<language>\S+)）"))
def _(story: Story, user, name, language):
    story.fire(user, "add_participant", {"name": name, "role": "interpreter", "language": language})


@action(parsers.re(r'(?P<user>\w+) records a session with the outcome "(?P<outcome>\w+)"'))
@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?记录调解笔录，结果 "(?P<outcome>\w+)"'))
def _(story: Story, user, outcome):
    held_at = story.now.replace(tzinfo=timezone.utc).isoformat(timespec="minutes")
    statements = [{"party_id": party_id, "text": "当事人陈述了事实和诉求。"} for party_id in story.party_ids()]
    story.fire(user, "record_session", {"held_at": held_at, "place": "人民调解委员会调解室", "outcome": outcome,
                                        "statements": statements, "findings": "调解员释法明理，双方各自让步。"})


@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?更正案情为 "(?P<description>[^"]+)"，理由 "(?P<reason>[^"]+)"'))
def _(story: Story, user, description, reason):
    story.fire(user, "correct_facts", {"description": description, "reason": reason})


@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?追加第三人 (?P<name>\S+)，理由 "(?P<reason>[^"]+)"'))
def _(story: Story, user, name, reason):
    story.fire(user, "add_party", {"name": name, "role": "third_party", "reason": reason})


@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?记录口头协议 "(?P<terms>[^"]+)"'))
def _(story: Story, user, terms):
    story.fire(user, "record_oral_agreement", {"terms": terms})


@action(parsers.re(r"调解员 (?P<user>\w+) 核查办结"))
def _(story: Story, user):
    story.fire(user, "verify_closure")


@then(parsers.re(r"案件已有 (?P<count>\d+) 份调解记录"))
def _(story: Story, count):
    assert story.progress()["session_records"] == int(count)
    assert [e.trigger for e in story.events()].count("record_session") == int(count)


@then(parsers.re(r'最后一条事件保留了更正前的案情 "(?P<description>[^"]+)"'))
def _(story: Story, description):
    event = story.last_event()
    assert event.trigger == "correct_facts" and jsontext.loads(event.data)["previous"]["description"] == description


@then(parsers.re(r'被守卫 "(?P<guard>\w+)" 拒绝，中文理由包含 "(?P<text>[^"]+)"'))
def _(story: Story, guard, text):
    refusal = story.take_refusal(errors.GuardFailed)
    assert refusal.guard == guard and text in refusal.extra["reasons"]["zh"], refusal.extra
