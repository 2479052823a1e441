"""Steps of the closed loop back to the complainant (闭环, DESIGN §9.2 `report_outcome`) and of key-case
orders read in China time (DESIGN §9.1): cadres in joint mediation, the order as supervisors list it, the
timer worker run at a China-time moment.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from pypdf import PdfReader
from pytest_bdd import parsers, then

from mediation.authoring.steps.common import action
from mediation.authoring.steps.story import Story
from mediation.deadlines.orders import list_orders
from mediation.deadlines.worker import run_until_idle
from mediation.documents import DocumentRequest, document_bytes, prepare_document
from mediation.workflows.calendar import CHINA_OFFSET

METHOD = r'"(?P<method>\w+)"'


@action(parsers.re(rf'(?P<user>\w+) reports the outcome to (?P<name>\S+) by {METHOD}: "(?P<summary>[^"]+)"'))
@action(parsers.re(rf'调解员 (?P<user>\w+) 以 {METHOD} 方式将处理结果告知 (?P<name>\S+)："(?P<summary>[^"]+)"'))
def _(story: Story, user, name, method, summary):
    (party_id,) = story.parties_named(name)
    story.fire(user, "report_outcome", {"party_id": party_id, "method": method, "summary": summary})


@action(parsers.re(r"调解员 (?P<user>\w+) 邀请(?P<unit>\S+?)干部 (?P<name>\S+) 参加联合调解"))
@action(parsers.re(r"(?P<user>\w+) invites the cadre (?P<name>\S+) of (?P<unit>\S+?) to the joint mediation"))
def _(story: Story, user, unit, name):
    story.fire(user, "add_participant", {"name": name, "role": "cadre", "unit": unit})


@action(parsers.re(r'督导员 (?P<user>\w+) 将案件列为重点疑难，由 (?P<owner>\w+) 牵头，协办单位 "(?P<units>[^"]+)"，'
                   r"办理期限 (?P<deadline>\d{4}-\d{2}-\d{2})"))
@action(parsers.re(r'supervisor (?P<user>\w+) makes the case a key case led by (?P<owner>\w+) with the co-units "(?P<units>[^"]+)" due (?P<deadline>\d{4}-\d{2}-\d{2})'))
def _(story: Story, user, owner, units, deadline):
    story.fire(user, "designate_key_case", {
        "owner": owner, "deadline": deadline, "co_units": [story.unit_code(u.strip()) for u in units.split("、")],
    })


@action(parsers.re(r"北京时间 (?P<moment>\d{4}-\d{2}-\d{2} \d{2}:\d{2})，定时任务运行"))
@action(parsers.re(r"at (?P<moment>\d{4}-\d{2}-\d{2} \d{2}:\d{2}) Beijing time the timer worker runs"))
def _(story: Story, moment):
    story.now = datetime.fromisoformat(moment) - CHINA_OFFSET
    story.assert_no_pending_refusal()
    run_until_idle(story.db, now=story.now)


@then(parsers.re(r'督导员 (?P<user>\w+) 看到的订单状态为 "(?P<status>\w+)"，剩余 (?P<days>-?\d+) 天'))
@then(parsers.re(r'supervisor (?P<user>\w+) sees the order "(?P<status>\w+)" with (?P<days>-?\d+) days? left'))
def _(story: Story, user, status, days):
    page = list_orders(story.db, story.actor(user), now=story.now, page=1, page_size=200)
    (item,) = [item for item in page.items if item.case.id == story.case_id]
    assert (item.status, item.days_left) == (status, int(days)), (item.status, item.days_left, story.now)


@then("订单已办结")
@then("the order is done")
def _(story: Story):
    assert story.order().status == "done"


@then(parsers.re(r"系统(?P<done>已|尚未)就订单超期督办"))
@then(parsers.re(r"the system (?P<done>has|has not yet) supervised the overdue order"))
def _(story: Story, done):
    supervised = [e for e in story.events() if e.trigger == "supervise" and e.actor == "system"]
    assert len(supervised) == (1 if done == "已" else 0), [(e.trigger, e.at) for e in supervised]


@then(parsers.re(r'(?P<user>\w+) 可打印结果告知书，载明告知方式 "(?P<method_label>[^"]+)" 和处理结果 "(?P<summary>[^"]+)"'))
@then(parsers.re(r'(?P<user>\w+) can print the notice of the outcome stating the method "(?P<method_label>[^"]+)" and the outcome "(?P<summary>[^"]+)"'))
def _(story: Story, user, method_label, summary):
    prepared = prepare_document(story.db, story.actor(user), story.case_id, DocumentRequest("outcome_notice", "zh"))
    text = "".join("".join((page.extract_text() or "").split())
                   for page in PdfReader(BytesIO(document_bytes(prepared))).pages)
    assert method_label in text and "".join(summary.split()) in text, text
