"""A case with every paper of the bound 卷宗 (DESIGN §9.2), made through the engine and the attachments
service: particulars (one party a company), an interpreter and a co-mediator, rights notices, an
investigation, pictures and an ID card as evidence, two session records, a signed agreement, return
visits and the closing check."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from PIL import Image

from mediation.cases.attachments import store_attachment
from mediation.cases.intake import CaseInput, PartyInput
from mediation.clock import utcnow
from mediation.db import Database
from mediation.demo.case_paths import drive_to, fire
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for

ID_NUMBER = "330324199001031234"
APPLICANT_ADDRESS = "浙江省温州市永嘉县瓯北街道江北路18号3幢201室"
COMPANY, LEGAL_REPRESENTATIVE = "永嘉县江北物业管理有限公司", "陈建华"
INTERPRETER, CO_MEDIATOR = "阿依古丽", "周德明"
INVESTIGATION = "走访楼下住户赵某，证实楼上每晚十点后仍有电钻声音。"
STATEMENTS = ("噪音每晚持续到深夜，影响老人和孩子休息。", "装修已近尾声，愿意调整施工时间并赔偿。")
FINDINGS = ("双方对噪音事实无争议，分歧在于补偿金额。", "双方同意按三千元补偿，物业公司负责监督施工时间。")
PERFORMANCE_MANNER = "现金一次性支付"
PERFORMANCE_PLACE = "瓯北街道人民调解委员会"
TERMS = ("一、李某某于协议签订后十日内向王某某支付补偿款人民币三千元；"
         "二、李某某今后装修施工时间限于每日八时至十八时；"
         "三、物业公司负责监督施工时间。")
MANNER, PLACE = "银行转账", "江北社区人民调解委员会调解室"

CASE_FILE_ROUTE = ("triage", "assign_mediator")
SIGNING = ("sign*", ("sign", {"signer": "mediator"}), "seal", "conclude_agreement", "start_follow_up")


def case_input(county: SampleCounty) -> CaseInput:
    return CaseInput(
        title="王某某与李某某楼上装修噪音纠纷", channel="grid_screening", unit=county.grid, category="neighbour",
        description="网格员排查发现，居民王某某反映楼上李某某家夜间装修，噪音影响休息，双方多次争执。",
        parties=[PartyInput("王某某", "applicant", id_number=ID_NUMBER, phone="13812345678"),
                 PartyInput("李某某", "respondent", phone="13987654321")])


def noise_image(fmt: str, side: int, seed: int = 1) -> bytes:
    """A picture of random pixels (hard to compress: about side² × 3 bytes as PNG)."""
    generator = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), generator.randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def case_with_a_case_file(db: Database, *, sessions: int = 2, images: int = 2, image_side: int = 240,
                          visits: int = 2) -> int:
    """A closed (or, with fewer visits, followed-up) case holding every paper of the 卷宗."""
    county = SampleCounty()
    start = utcnow() - timedelta(days=60)
    case_id = drive_to(db, state="mediation.assigned", county=county, case_input=case_input(county),
                       route=CASE_FILE_ROUTE, now=start, step=timedelta(minutes=5))
    clock = [start + timedelta(hours=1)]

    def act(trigger: str, data: dict | None = None, actor: str = "mediator1") -> None:
        clock[0] += timedelta(minutes=10)
        fire(db, case_id, trigger, actor=actor, data=data, now=clock[0])

    applicant, respondent = _party_ids(db, case_id)[:2]
    _particulars(act, applicant, respondent)
    everyone = _party_ids(db, case_id)
    act("add_participant", {"name": INTERPRETER, "role": "interpreter", "language": "维吾尔语"})
    act("add_participant", {"name": CO_MEDIATOR, "role": "co_mediator", "unit": "江北社区"})
    for party_id in everyone:
        act("notify_rights", {"party_id": party_id, "method": "in_person"})
        act("record_consent", {"party_id": party_id})
    act("record_investigation", {"held_at": _typed(clock[0]), "place": "锦绣花园3幢", "interviewee": "赵某",
                                 "content": INVESTIGATION})
    _attach(db, case_id, clock, images, image_side)
    for number in range(sessions):
        if number:
            act("adjourn", {"next_session_at": _typed(clock[0] + timedelta(days=2)), "reason": "改期再调。"})
        act("start_session")
        act("record_session", _session(number, applicant, respondent, clock[0]))
    act("draft_agreement", {"terms": TERMS, "performance_deadline": (clock[0] + timedelta(days=30)).date().isoformat(),
                            "performance_manner": PERFORMANCE_MANNER, "performance_place": PERFORMANCE_PLACE,
                            "subject_matters": ["compensation"]})
    for party_id in everyone:
        act("sign", {"party_id": party_id})
    for trigger, data in (("sign", {"signer": "mediator"}), ("seal", None), ("conclude_agreement", None),
                          ("start_follow_up", None)):
        act(trigger, data)
    follow_up_since = clock[0]
    for day in (7, 30)[:visits]:
        clock[0] = follow_up_since + timedelta(days=day, hours=1)
        act("record_return_visit", {"outcome": "stable", "notes": f"第{day}天回访，补偿款已支付，施工时间已调整。"},
            actor="grid1")
    if visits >= 2:
        act("verify_closure")
    return case_id


def _party_ids(db: Database, case_id: int) -> list[int]:
    with db.snapshot() as tx:
        return [row[0] for row in tx.all("SELECT id FROM parties WHERE case_id = :id ORDER BY id", {"id": case_id})]


def _particulars(act, applicant: int, respondent: int) -> None:
    act("correct_party", {"party_id": applicant, "gender": "male", "ethnicity": "汉族", "birth_date": "1990-01-03",
                          "occupation": "个体经营", "address": APPLICANT_ADDRESS, "reason": "补充当事人基本情况。"})
    act("correct_party", {"party_id": respondent, "gender": "female", "ethnicity": "维吾尔族",
                          "birth_date": "1985-06-20", "occupation": "教师", "language": "维吾尔语",
                          "needs_interpreter": True, "reason": "补充当事人基本情况。"})
    act("add_party", {"name": "陈建华", "role": "third_party", "reason": "物业公司负责监督施工，追加为第三人。",
                      "organisation": {"name": COMPANY, "legal_representative": LEGAL_REPRESENTATIVE},
                      "address": "浙江省温州市永嘉县瓯北街道江北路1号"})


def _session(number: int, applicant: int, respondent: int, at: datetime) -> dict:
    return {"held_at": _typed(at), "place": "江北社区人民调解委员会调解室",
            "participants": [{"name": INTERPRETER, "role": "翻译人员"}, {"name": CO_MEDIATOR, "role": "协助调解员"}],
            "statements": [{"party_id": applicant, "text": STATEMENTS[0]},
                           {"party_id": respondent, "text": STATEMENTS[1]}],
            "findings": FINDINGS[number % 2], "outcome": "adjourned" if number == 0 else "agreed"}


def _attach(db: Database, case_id: int, clock: list[datetime], images: int, side: int) -> None:
    mediator = actor_for(db, "mediator1")
    for number in range(images):
        fmt = ("JPEG", "PNG")[number % 2]
        clock[0] += timedelta(minutes=1)
        store_attachment(db, actor=mediator, case_id=case_id, kind="photo", description=f"现场照片{number + 1}",
                         file_name=f"现场照片{number + 1}.{fmt.lower()}",
                         stream=io.BytesIO(noise_image(fmt, side, number)),
                         now=clock[0])
    clock[0] += timedelta(minutes=1)
    store_attachment(db, actor=mediator, case_id=case_id, kind="id_document", description="申请人身份证",
                     file_name="身份证.jpeg", stream=io.BytesIO(noise_image("JPEG", 120, 99)), now=clock[0])


def _typed(moment: datetime) -> str:
    """A time as a person types it (China time, no offset)."""
    return (moment + timedelta(hours=8)).isoformat(timespec="minutes")
