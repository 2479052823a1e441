"""A realistic demo dataset: the sample county and a few hundred cases in every state of the workflow.

Every case is filed and moved by the engine (`case_paths.drive_to`), so its events, deadlines,
orders and hash chain are real. Closed cases spread over the last ~18 months (year-on-year
metrics), open ones over the last three weeks. The same seed gives the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Callable

import sqlalchemy as sa

from mediation.cases.intake import CaseInput, PartyInput
from mediation.clock import utcnow
from mediation.db import Database
from mediation.db.models import Case, Unit
from mediation.demo.case_paths import ROUTES, ActorBook, Route, drive_to, fire, route_triggers
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.workflows.loader import current_definition
from mediation.workflows.return_visits import schedule_days
from mediation.workflows.trigger_data import id_check_character

SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗郑谢潘金叶章蔡邵"
GIVEN_NAMES = (
    "建国", "秀英", "志强", "丽华", "海燕", "国平", "美玲", "小军", "春燕", "永明", "桂兰", "德胜",
    "晓东", "玉珍", "文斌", "雪梅", "家豪", "淑芬", "立新", "金花", "宏伟", "素琴", "伟", "芳", "敏", "磊",
)
PLACES = {
    "oubei": ("江北社区锦绣花园", "瓯北嘉园小区", "江北农贸市场", "滨江路", "江北社区双塔路"),
    "qiaotou": ("菇溪村", "菇溪村二组", "桥头镇纽扣市场", "菇溪村文化礼堂"),
}
COMPANIES = {
    "labour": ("永嘉县宏达阀门厂", "瓯北恒通泵业有限公司", "桥头镇纽扣加工厂"),
    "consumer": ("江北好又多超市", "瓯北电动车商行", "永嘉县悦享健身会所"),
    "property_management": ("瓯北嘉园物业服务有限公司", "江北锦绣物业管理有限公司"),
    "medical": ("瓯北街道社区卫生服务中心", "桥头镇卫生院"),
}
KIN_CATEGORIES = ("maintenance", "property_title")  # the respondent is family: same surname
# Per category: (title ending, description); {a} applicant, {b} respondent, {place}, {n}, {months}, {amount}.
STORIES: dict[str, tuple[tuple[str, str], ...]] = {
    "neighbour": (
        ("邻里噪音纠纷", "{place}住户{a}反映楼上邻居{b}家长期在夜间拖拽家具、装修施工，噪音影响家中老人和孩子休息，"
                   "双方多次争吵，{a}情绪激动，网格员上门排查后登记。"),
        ("邻里漏水纠纷", "{a}家卫生间天花板持续渗水，怀疑系楼上{b}家防水层破损所致，要求{b}承担维修费用约{amount}元，"
                   "{b}否认责任，双方僵持不下。"),
        ("公共通道占用纠纷", "{b}在{place}楼道及门前通道长期堆放杂物、停放电动车，{a}多次劝说无果，认为存在消防隐患，"
                     "双方发生口角。"),
    ),
    "family": (
        ("家庭矛盾纠纷", "{a}与丈夫{b}因家务分担和子女教育问题长期争吵，近日{b}酒后摔砸家中物品，{a}带孩子回娘家居住，"
                   "请求社区出面调解。"),
        ("婆媳矛盾纠纷", "{a}与儿媳{b}因照看孙子、生活习惯等琐事长期不和，近日发生激烈争吵，{a}搬出家中独居，家人请求调解。"),
    ),
    "maintenance": (
        ("赡养纠纷", "{a}年逾八旬，育有子女{n}人，近年因病生活不能自理，其子{b}以家庭困难为由拒绝承担赡养费和医疗费，"
                 "{a}向村（居）委会求助。"),
        ("赡养费纠纷", "{a}老伴去世后独自居住，儿子{b}长期在外务工，约定的每月赡养费已拖欠{months}个月，{a}生活困难，希望调解解决。"),
    ),
    "marriage_status": (
        ("离婚纠纷", "{a}与{b}结婚{n}年，因性格不合长期分居，{a}提出离婚，{b}不同意，双方就子女抚养和共同财产分割分歧较大。"),
    ),
    "property_title": (
        ("房屋权属纠纷", "{a}与其弟{b}对父母遗留的{place}老宅归属发生争议，双方均主张对房屋享有所有权，兄弟关系紧张。"),
    ),
    "land_boundary": (
        ("宅基地边界纠纷", "{a}与{b}两户相邻，{b}翻建房屋时砌墙越过原界址约{n}0厘米，{a}认为侵占其宅基地，"
                    "双方多次发生口角，村民小组调处未果。"),
        ("山林界址纠纷", "{a}与{b}对村后{n}亩承包山林的四至界线各执一词，{b}雇人砍伐了争议区域内的杉木，{a}要求停止砍伐并赔偿损失。"),
    ),
    "labour": (
        ("拖欠农民工工资纠纷", "{a}等{n}名外来务工人员在{b}务工，{b}以资金周转困难为由拖欠{months}个月工资共计{amount}元，"
                      "务工人员多次讨要未果，有聚集讨薪苗头。"),
        ("工伤待遇纠纷", "{a}在{b}务工期间左手被机器压伤，住院治疗花费{amount}元，{b}仅支付部分医疗费，双方就误工费和伤残补助金协商不成。"),
    ),
    "consumer": (
        ("消费纠纷", "{a}在{b}购买的商品使用不到一个月即出现质量问题，要求退货退款，商家以人为损坏为由只同意维修，双方协商不成。"),
        ("预付卡消费纠纷", "{a}在{b}办理会员预付卡充值{amount}元，商家近期突然停业，余额无法退还，多名消费者在网上发帖投诉。"),
    ),
    "contract": (
        ("民间借贷纠纷", "{b}于前年向{a}借款{amount}元用于生意周转，约定一年内归还，到期后{b}以生意亏损为由拖延还款，{a}多次催讨未果。"),
        ("装修合同纠纷", "{a}将自家房屋装修包给{b}，约定工期两个月，现已逾期{n}周仍未完工且墙面开裂，双方就尾款{amount}元发生争执。"),
    ),
    "traffic": (
        ("交通事故赔偿纠纷", "{a}驾驶电动自行车与{b}驾驶的小型轿车在{place}路口发生碰撞，{a}受轻伤，交警认定{b}负主要责任，"
                     "双方对医疗费、误工费等{amount}元赔偿存在分歧。"),
    ),
    "medical": (
        ("医疗纠纷", "{a}在{b}输液后出现过敏反应，经转院治疗后好转，{a}认为医务人员未尽告知义务，要求赔偿医疗费等{amount}元。"),
    ),
    "property_management": (
        ("物业服务纠纷", "{place}业主{a}等反映{b}服务不到位，电梯频繁故障、垃圾清运不及时，部分业主拒交物业费，物业公司张贴催缴通知，矛盾激化。"),
        ("停车收费纠纷", "{b}调整小区停车收费标准，业主{a}等认为未经业主大会表决，拒绝缴费，双方在小区门口发生推搡。"),
    ),
    "public_order": (
        ("酒后纠纷", "{a}与{b}在{place}附近夜宵摊饮酒时因琐事发生推搡，双方均有轻微擦伤，民警到场后将双方分开，现场情绪仍较激动。"),
    ),
    "other": (
        ("宠物伤人纠纷", "{b}饲养的犬只未拴绳，在{place}将路过的{a}咬伤，{a}注射狂犬疫苗等花费{amount}元，要求{b}赔偿并道歉。"),
    ),
}
CATEGORY_WEIGHTS = {
    "neighbour": 20, "family": 10, "maintenance": 7, "land_boundary": 9, "labour": 8, "consumer": 7, "contract": 8,
    "traffic": 7, "property_management": 7, "medical": 2, "public_order": 5, "marriage_status": 3,
    "property_title": 3, "other": 4,
}
POLICE_CATEGORIES = ("neighbour", "family", "public_order", "traffic")
POLICE_CHANNELS = ("police_call", "police_call", "law_enforcement")
JOINT_CATEGORIES = ("consumer", "labour", "property_management", "contract")
CHANNEL_WEIGHTS = {"grid_screening": 30, "community_work": 15, "walk_in": 18, "online_opinion": 8,
                   "law_enforcement": 6, "police_call": 12, "referral_in": 11}
STATE_WEIGHTS = {
    "screening.reported": 4, "screening.triaged": 4, "mediation.assigned": 5, "mediation.in_session": 4,
    "mediation.agreement_drafted": 2, "mediation.agreement_effective": 3, "joint.referred": 2,
    "joint.in_progress": 3, "joint.feedback_received": 2, "court.applied": 1, "court.under_review": 1,
    "court.rejected": 1, "follow_up.tracking": 8, "closed.duplicate": 2, "closed.not_accepted": 2,
    "closed.police_case": 2, "closed.refused": 2, "closed.withdrawn": 2, "closed.mediation_failed": 3,
    "closed.resolved": 40, "closed.enforcement": 1, "closed.litigation_advised": 1,
}
MIN_PER_STATE = 3
KEY_CASE_SHARE = 0.15  # of open cases, designated 重点疑难 at triage
PHONE_PREFIXES = ("138", "139", "135", "137", "150", "151", "158", "159", "187", "188", "133", "153", "189")


@dataclass
class PlannedCase:
    """One demo case: where it should end, by which route, when it starts and how fast it moves."""

    state: str
    route: Route
    case_input: CaseInput
    filed_by: str | None
    created: datetime
    step: timedelta


def id_number(rng: random.Random) -> str:
    """A well-formed 永嘉 resident ID number (GB 11643 check digit)."""
    born = datetime(1945, 1, 1) + timedelta(days=rng.randrange(365 * 58))
    body = f"330324{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_check_character(body)


def _person(rng: random.Random, role: str, surname: str | None = None, *, other_than: str = "") -> PartyInput:
    """A person in `role`, named other than `other_than` (intake takes one name on both sides for one person)."""
    name = other_than
    while name == other_than:
        name = (surname or rng.choice(SURNAMES)) + rng.choice(GIVEN_NAMES)
    phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}" if rng.random() < 0.85 else None
    return PartyInput(name, role, id_number=id_number(rng) if rng.random() < 0.6 else None, phone=phone)


def _parties(rng: random.Random, category: str) -> list[PartyInput]:
    applicant = _person(rng, "applicant")
    if category in COMPANIES:
        respondent = PartyInput(rng.choice(COMPANIES[category]), "respondent",
                                phone=f"0577-6{rng.randrange(10**7):07d}")
    else:
        respondent = _person(rng, "respondent", applicant.name[0] if category in KIN_CATEGORIES else None,
                             other_than=applicant.name)
    parties = [applicant, respondent]
    if category == "family" and rng.random() < 0.3:
        parties.append(PartyInput(applicant.name[0] + rng.choice(GIVEN_NAMES), "third_party", is_minor=True))
    elif rng.random() < 0.1:
        parties.append(_person(rng, "third_party"))
    return parties


def _case_input(rng: random.Random, county: SampleCounty, *, category: str, channel: str, town: str,
                risk_level: str) -> CaseInput:
    parties = _parties(rng, category)
    ending, story = rng.choice(STORIES[category])
    facts = {"a": parties[0].name, "b": parties[1].name, "place": rng.choice(PLACES[town]),
             "n": rng.randint(2, 9), "months": rng.randint(2, 8), "amount": rng.randrange(2000, 80000, 100)}
    grid, community = ("grid", "community") if town == "oubei" else ("village_grid", "village")
    unit = getattr(county, grid if channel in ("grid_screening", "online_opinion") else community)
    return CaseInput(title=f"{parties[0].name}与{parties[1].name}{ending}", description=story.format(**facts),
                     channel=channel, unit=unit, parties=parties, category=category, risk_level=risk_level)


def _weighted(rng: random.Random, weights: dict[str, int], among: tuple[str, ...] | None = None) -> str:
    names = [name for name in weights if among is None or name in among]
    return rng.choices(names, weights=[weights[name] for name in names])[0]


def _risk(rng: random.Random, triggers: list[str]) -> str:
    if triggers == ["hand_over_to_police"]:
        return "critical"
    if not triggers:
        return rng.choices(("low", "elevated", "high", "critical"), weights=(60, 25, 10, 5))[0]
    if "mediate_on_scene" in triggers:
        return rng.choices(("low", "elevated"), weights=(70, 30))[0]
    return rng.choices(("low", "elevated", "high"), weights=(65, 28, 7))[0]


def _state_counts(rng: random.Random, cases: int) -> dict[str, int]:
    """At least a few cases in every state; the rest spread by weight."""
    floor = min(MIN_PER_STATE, cases // len(STATE_WEIGHTS))
    counts = dict.fromkeys(STATE_WEIGHTS, floor)
    rest = cases - sum(counts.values())
    for state in rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()), k=rest):
        counts[state] += 1
    return counts


def _plan_case(rng: random.Random, county: SampleCounty, state: str, now: datetime) -> PlannedCase:
    route = rng.choice(ROUTES[state])
    triggers = route_triggers(route)
    police = bool({"mediate_on_scene", "hand_over_to_police"} & set(triggers))
    town = "oubei" if police or rng.random() < 0.65 else "qiaotou"
    if police:
        category, channel = rng.choice(POLICE_CATEGORIES), rng.choice(POLICE_CHANNELS)
    else:
        among = JOINT_CATEGORIES if "refer_department" in triggers else None
        category, channel = _weighted(rng, CATEGORY_WEIGHTS, among), _weighted(rng, CHANNEL_WEIGHTS)
        if "apply_judicial_confirmation" in triggers and category in ("marriage_status", "property_title"):
            category = "maintenance"  # art. 33: no confirmation of status or title
    case_input = _case_input(rng, county, category=category, channel=channel, town=town,
                             risk_level=_risk(rng, triggers))
    filed_by = "police1" if town == "oubei" and channel in ("police_call", "law_enforcement") else None
    closed = state.startswith("closed.")
    age = timedelta(days=rng.uniform(3, 540) if closed else rng.uniform(0.5, 20))
    waits = _visit_wait(triggers)  # return visits wait for their days (+7, +30)
    if waits:
        age = max(age, waits + timedelta(days=2))
    created = now - age
    key_case = route[:1] == ("triage",) and "designate_key_case" not in triggers
    if not closed and key_case and rng.random() < KEY_CASE_SHARE:
        deadline = (created + timedelta(days=rng.randint(7, 35))).date().isoformat()
        route = (route[0], ("designate_key_case", {"deadline": deadline}), *route[1:])
    firings = len(route) + 2 * len(case_input.parties) + 4
    step = min(timedelta(hours=rng.uniform(1, 30) if closed else rng.uniform(0.5, 8)), (age - waits) / firings)
    return PlannedCase(state, route, case_input, filed_by, created, step)


def _visit_wait(triggers: list[str]) -> timedelta:
    """How long a route's return visits keep it in follow-up: until the last visit it records is due."""
    visits = triggers.count("record_return_visit")
    days = schedule_days(current_definition().policy)
    return timedelta(days=days[min(visits, len(days)) - 1]) if visits and days else timedelta(0)


def plan_demo(county: SampleCounty, *, cases: int, seed: int, now: datetime) -> list[PlannedCase]:
    """The demo's cases, oldest first (so case numbers follow filing order)."""
    rng = random.Random(seed)
    planned = [_plan_case(rng, county, state, now)
               for state, count in _state_counts(rng, cases).items() for _ in range(count)]
    planned.sort(key=lambda case: case.created)
    if len(planned) > 1 and planned[0].state == "closed.duplicate":  # a duplicate needs a case before it
        planned[0].created, planned[1].created = planned[1].created, planned[0].created
        planned[0], planned[1] = planned[1], planned[0]
    return planned


def _county(db: Database) -> SampleCounty:
    with db.read() as connection:
        empty = connection.execute(sa.select(sa.func.count()).select_from(Unit)).scalar() == 0
    return build_sample_county(db) if empty else SampleCounty()


def load_demo(
    db: Database, *, cases: int = 240, seed: int = 7, now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Load the demo cases (and the sample county if there are no units); returns case counts by state.

    `progress` is called after each case with the number of demo cases loaded so far.
    """
    county = _county(db)
    actors = ActorBook(db)
    filed: list[tuple[int, CaseInput]] = []
    for done, case in enumerate(plan_demo(county, cases=cases, seed=seed, now=now or utcnow()), 1):
        case_input, filed_by, original = case.case_input, case.filed_by, None
        if case.state == "closed.duplicate" and filed:
            # A second report of a dispute filed before, through another channel.
            original, first = filed[-1]
            case_input, filed_by = replace(first, channel="online_opinion", risk_level="low"), None
        case_id = drive_to(db, state=case.state, county=county, now=case.created, case_input=case_input,
                           step=case.step, route=case.route, filed_by=filed_by, duplicate_of=original,
                           actors=actors)
        filed.append((case_id, case_input))
        if progress:
            progress(done)
    _share_with_the_partner(db, county, now or utcnow())
    return {state: count for _stage, state, count in demo_summary(db) if count}


SHARED_DEMO_CASES = 3  # open boundary-like disputes of 瓯北 co-mediated with the 浙闽 liaison post (DESIGN §9.5)
SHARED_CATEGORIES = ("land_boundary", "contract", "traffic", "neighbour")


def _share_with_the_partner(db: Database, county: SampleCounty, now: datetime) -> None:
    """Share a few open cases of 瓯北街道 with the partner liaison post, so its users have cases to work."""
    with db.read() as connection:
        ids = connection.execute(
            sa.select(Case.id).where(Case.stage != "closed", Case.risk_level != "critical",
                                     Case.category.in_(SHARED_CATEGORIES),
                                     Case.unit_path.like(f"/{county.county}/{county.town}/%"))
            .order_by(Case.id).limit(SHARED_DEMO_CASES)).scalars().all()
    for case_id in ids:
        fire(db, case_id, "share_with_unit", actor="supervisor1", now=now,
             data={"unit": county.partner_post, "reason": "当事人一方居住在福建浦城，邀请铁盟联调站协同调解。"})


def demo_summary(db: Database) -> list[tuple[str, str, int]]:
    """(stage, state, number of cases) for every state of the workflow, in workflow order."""
    with db.read() as connection:
        counts = dict(connection.execute(sa.select(Case.state, sa.func.count()).group_by(Case.state)).all())
    return [(state.split(".", 1)[0], state, counts.get(state, 0)) for state in current_definition().states]
