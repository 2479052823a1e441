"""Case-file steps (卷宗): rights notices, interpreters, session records, corrections, parties added later.

Each fires the workflow's own trigger through the engine; refusals are checked in the reader's
language by the guard's Chinese reason (DESIGN §9.1).
"""

from __future__ import annotations

import hashlib
import io
from datetime import timezone

from PIL import Image
from pypdf import PdfReader
from pytest_bdd import parsers, then

from mediation import errors, jsontext
from mediation.authoring.steps.common import action
from mediation.authoring.steps.screening import _input
from mediation.authoring.steps.story import Story
from mediation.cases.attachments import store_attachment
from mediation.cases.intake import PartyInput
from mediation.documents import DocumentRequest, document_bytes, prepare_document

WHO = r"(?P<who>every party|both parties|全部当事人|\S+?)"


@action(parsers.re(
    r'网格员 (?P<user>\w+) 在 (?P<unit>\S+) 登记了 (?P<first>\S+) 与 (?P<second>\S+) 之间的 "(?P<category>\w+)" 纠纷，'
    r'(?P=second) 为(?P<ethnicity>\S+族)、讲(?P<language>\S+?语)、需要翻译'))
@action(parsers.re(r'(?P<user>\w+) reports an? "(?P<category>\w+)" dispute between (?P<first>\S+) and (?P<second>\S+) in (?P<unit>\S+), (?P=second) being of the (?P<ethnicity>\S+族) and speaking (?P<language>\S+?语) through an interpreter'))
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
@action(parsers.re(r"(?P<user>\w+) adds the interpreter (?P<name>\S+) \((?P<language>\S+)\)"))
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
@action(parsers.re(r'(?P<user>\w+) corrects the description to "(?P<description>[^"]+)" because "(?P<reason>[^"]+)"'))
def _(story: Story, user, description, reason):
    story.fire(user, "correct_facts", {"description": description, "reason": reason})


@action(parsers.re(r'调解员 (?P<user>\w+) (?:已)?追加第三人 (?P<name>\S+)，理由 "(?P<reason>[^"]+)"'))
@action(parsers.re(r'(?P<user>\w+) adds the third party (?P<name>\S+) because "(?P<reason>[^"]+)"'))
def _(story: Story, user, name, reason):
    story.fire(user, "add_party", {"name": name, "role": "third_party", "reason": reason})


@then(parsers.re(r"案件已有 (?P<count>\d+) 份调解记录"))
@then(parsers.re(r"the case file holds (?P<count>\d+) session records?"))
def _(story: Story, count):
    assert story.progress()["session_records"] == int(count)
    assert [e.trigger for e in story.events()].count("record_session") == int(count)


@then(parsers.re(r'最后一条事件保留了更正前的案情 "(?P<description>[^"]+)"'))
@then(parsers.re(r'the last event keeps the description before the correction "(?P<description>[^"]+)"'))
def _(story: Story, description):
    event = story.last_event()
    assert event.trigger == "correct_facts" and jsontext.loads(event.data)["previous"]["description"] == description


@then(parsers.re(r'被守卫 "(?P<guard>\w+)" 拒绝，中文理由包含 "(?P<text>[^"]+)"'))
@then(parsers.re(r'it is refused by the guard "(?P<guard>\w+)" saying in Chinese "(?P<text>[^"]+)"'))
def _(story: Story, guard, text):
    refusal = story.take_refusal(errors.GuardFailed)
    assert refusal.guard == guard and text in refusal.extra["reasons"]["zh"], refusal.extra


def _photo(seed: int) -> bytes:
    """A small PNG photo of the evidence (its pixels differ per seed, so does its hash)."""
    image = Image.new("RGB", (64, 48), (seed % 256, 120, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@action(parsers.re(r'调解员 (?P<user>\w+) 上传证据照片 "(?P<name>[^"]+)"，说明 "(?P<description>[^"]+)"'))
@action(parsers.re(r'(?P<user>\w+) uploads the evidence photo "(?P<name>[^"]+)" described as "(?P<description>[^"]+)"'))
def _(story: Story, user, name, description):
    photo = _photo(len(name))
    story.attempt(store_attachment, story.db, actor=story.actor(user), case_id=story.case_id, kind="evidence",
                  description=description, file_name=name, stream=io.BytesIO(photo), now=story.now)
    story.evidence[name] = hashlib.sha256(photo).hexdigest()


@then(parsers.re(r'(?P<user>\w+) 打印的卷宗列明证据 "(?P<name>[^"]+)" 及其 SHA-256、翻译人员 (?P<interpreter>\S+)、'
                 r'(?P<count>\d+) 份调解记录和更正后的案情 "(?P<description>[^"]+)"'))
@then(parsers.re(r'the case file (?P<user>\w+) prints lists the evidence "(?P<name>[^"]+)" with its SHA-256, the interpreter (?P<interpreter>\S+), (?P<count>\d+) session records and the corrected description "(?P<description>[^"]+)"'))
def _(story: Story, user, name, interpreter, count, description):
    prepared = prepare_document(story.db, story.actor(user), story.case_id, DocumentRequest("case_file", "zh", False))
    text = "".join("".join((page.extract_text() or "").split())
                   for page in PdfReader(io.BytesIO(document_bytes(prepared))).pages)
    assert name in text and story.evidence[name] in text, "the evidence list names the file and its SHA-256"
    assert interpreter in text
    assert f"第{count}次调解" in text and f"第{int(count) + 1}次调解" not in text
    assert "".join(description.split()) in text
