"""The case file through the engine (DESIGN §9.2): records, corrections that keep the old values, a party
added later, participants and rights notices in progress, the particulars filed at intake.

Everything on a real database (SQLite or PostgreSQL), as the API and the web fire it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from mediation import jsontext
from mediation.cases.audit import verify_case
from mediation.cases.case_detail import case_detail, case_events
from mediation.cases.intake import CaseInput, PartyInput, open_case
from mediation.db import Database
from mediation.db.models import Case, CaseText, Party
from mediation.demo.case_paths import drive_to, fire
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.errors import GuardFailed, InvalidData, TransitionNotAllowed

pytest_plugins = ["sample_databases"]  # the county database fixtures

COUNTY = SampleCounty()
NOW = datetime(2026, 3, 2, 2, 0)
UYGHUR_PARTY = PartyInput("艾力·买买提", "respondent", phone="13905771234", gender="male", ethnicity="维吾尔族",
                          birth_date="1988-05-02", occupation="个体工商户", address="永嘉县瓯北街道锦绣花园3幢201室",
                          language="维吾尔语", needs_interpreter=True)


def _filed(db: Database, *parties: PartyInput) -> int:
    case = CaseInput(title="张建国与艾力·买买提房屋租赁纠纷", channel="walk_in", unit=COUNTY.grid, category="contract",
                     description="张建国反映承租人拖欠房租三个月。",
                     parties=list(parties) or [PartyInput("张建国", "applicant", id_number="330324196505130013"),
                                               UYGHUR_PARTY])
    return open_case(db, actor=actor_for(db, "grid1"), case=case, now=NOW)


def _case(db: Database, case_id: int) -> sa.Row:
    with db.read() as connection:
        return connection.execute(sa.select(Case.__table__).where(Case.id == case_id)).one()


def _parties(db: Database, case_id: int) -> list[sa.Row]:
    with db.read() as connection:
        return connection.execute(sa.select(Party.__table__).where(Party.case_id == case_id).order_by(Party.id)).all()


def test_intake_keeps_the_particulars_and_notes_who_needs_an_interpreter(county_db: Database) -> None:
    case_id = _filed(county_db)
    uyghur = _parties(county_db, case_id)[1]
    assert (uyghur.ethnicity, uyghur.gender, str(uyghur.birth_date), uyghur.needs_interpreter) == (
        "维吾尔族", "male", "1988-05-02", True)
    assert jsontext.loads(_case(county_db, case_id).progress) == {"interpreter_needed": [uyghur.id]}


def test_intake_takes_a_company_with_its_legal_representative(county_db: Database) -> None:
    company = PartyInput("永嘉县某某建材有限公司", "respondent", organisation={"name": "永嘉县某某建材有限公司",
                                                                           "legal_representative": "陈某某"})
    case_id = _filed(county_db, PartyInput("张建国", "applicant"), company)
    assert (_parties(county_db, case_id)[1].organisation_name, _parties(county_db, case_id)[1].legal_representative) \
        == ("永嘉县某某建材有限公司", "陈某某")


@pytest.mark.parametrize(("field", "value", "named"), [
    ("ethnicity", "火星族", "parties[1].ethnicity"),
    ("gender", "other", "parties[1].gender"),
    ("birth_date", "2099-01-01", "parties[1].birth_date"),
    ("organisation", {"legal_representative": "陈某某"}, "parties[1].organisation.name"),
])
def test_intake_refuses_wrong_particulars_naming_the_field(county_db: Database, field: str, value, named: str) -> None:
    party = PartyInput("李秀英", "respondent", **{field: value})
    with pytest.raises(InvalidData) as refused:
        _filed(county_db, PartyInput("张建国", "applicant"), party)
    assert refused.value.field == named


def test_a_party_added_later_and_corrected_keeps_the_old_values_in_the_event(county_db: Database) -> None:
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=NOW)
    added = fire(county_db, case_id, "add_party", actor="mediator1", now=NOW + timedelta(days=1), data={
        "name": "王五", "role": "third_party", "gender": "male", "ethnicity": "汉族", "address": "瓯北街道新桥村5号",
        "reason": "调查中发现王五系房屋共有人"})
    new = _parties(county_db, case_id)[-1]
    assert (new.name, new.role, new.address) == ("王五", "third_party", "瓯北街道新桥村5号")
    assert new.id in jsontext.loads(_case(county_db, case_id).party_ids)
    fire(county_db, case_id, "correct_party", actor="mediator1", now=NOW + timedelta(days=2), data={
        "party_id": new.id, "address": "瓯北街道新桥村15号", "phone": "13800001111", "reason": "门牌号登记有误"})
    assert _parties(county_db, case_id)[-1].address == "瓯北街道新桥村15号"
    events = case_events(county_db, actor_for(county_db, "supervisor1"), case_id)
    assert events[-2].data["party_id"] == new.id and added.event_seq == events[-2].seq
    assert events[-1].data["previous"] == {"address": "瓯北街道新桥村5号", "phone": None}
    assert verify_case(county_db, case_id) is None


def test_correct_facts_changes_title_description_category_and_keeps_them_in_the_event(county_db: Database) -> None:
    case_id = drive_to(county_db, state="screening.triaged", county=COUNTY, now=NOW)
    before = case_detail(county_db, actor_for(county_db, "mediator1"), case_id)
    fire(county_db, case_id, "correct_facts", actor="mediator1", now=NOW + timedelta(days=1), data={
        "title": "张建国与李秀英装修噪音纠纷", "description": "更正：噪音来自装修而非聚会。", "category": "property_management",
        "reason": "受理时案情记录有误"})
    after = case_detail(county_db, actor_for(county_db, "mediator1"), case_id)
    assert (after.title, after.description, after.category) == (
        "张建国与李秀英装修噪音纠纷", "更正：噪音来自装修而非聚会。", "property_management")
    event = case_events(county_db, actor_for(county_db, "mediator1"), case_id)[-1]
    assert event.data["previous"] == {"title": before.title, "description": before.description,
                                      "category": before.category}
    assert event.data["reason"] == "受理时案情记录有误" and event.to_state == "screening.triaged"
    with county_db.read() as connection:
        assert connection.execute(sa.select(CaseText.description).where(CaseText.case_id == case_id)).scalar_one() \
            == "更正：噪音来自装修而非聚会。"


def test_correct_facts_without_a_change_is_refused(county_db: Database) -> None:
    case_id = drive_to(county_db, state="screening.triaged", county=COUNTY, now=NOW)
    with pytest.raises(GuardFailed) as refused:
        fire(county_db, case_id, "correct_facts", actor="mediator1", data={"reason": "无"})
    assert refused.value.extra["code"] == "nothing_to_correct"
    assert _case(county_db, case_id).version == 2


def test_records_notices_and_participants_are_kept_in_progress(county_db: Database) -> None:
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=NOW)
    first, second = jsontext.loads(_case(county_db, case_id).party_ids)
    later = NOW + timedelta(days=1)
    fire(county_db, case_id, "notify_rights", actor="mediator1", now=later,
         data={"party_id": first, "method": "in_person"})
    fire(county_db, case_id, "add_participant", actor="mediator1", now=later,
         data={"name": "阿依古丽", "role": "interpreter", "language": "维吾尔语"})
    fire(county_db, case_id, "record_session", actor="mediator1", now=later, data={
        "held_at": "2026-03-03T09:30", "place": "江北社区调解室", "outcome": "partial",
        "participants": [{"name": "张建国", "role": "申请人"}],
        "statements": [{"party_id": first, "text": "要求赔偿"}, {"party_id": second, "text": "同意部分赔偿"}]})
    fire(county_db, case_id, "record_investigation", actor="mediator1", now=later, data={
        "held_at": "2026-03-02T15:00", "interviewee": "物业经理", "content": "物业确认装修时间。"})
    progress = jsontext.loads(_case(county_db, case_id).progress)
    assert progress["rights_notified"] == [first]
    assert progress["participants"] == [{"name": "阿依古丽", "role": "interpreter", "language": "维吾尔语"}]
    assert (progress["session_records"], progress["investigation_records"]) == (1, 1)
    assert _case(county_db, case_id).state == "mediation.assigned"


def test_a_statement_of_someone_not_a_party_and_a_session_in_the_future_are_refused(county_db: Database) -> None:
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=NOW)
    session = {"held_at": "2026-03-02T10:00", "place": "调解室", "outcome": "agreed"}
    with pytest.raises(InvalidData) as stranger:
        fire(county_db, case_id, "record_session", actor="mediator1", now=NOW,
             data={**session, "statements": [{"party_id": 999999, "text": "x"}]})
    assert stranger.value.field == "data.statements[0].party_id"
    with pytest.raises(InvalidData) as ahead:
        fire(county_db, case_id, "record_session", actor="mediator1", now=NOW,
             data={**session, "held_at": "2026-03-05T10:00"})
    assert ahead.value.field == "data.held_at"


def test_a_note_goes_on_a_closed_case_but_a_record_does_not(county_db: Database) -> None:
    case_id = drive_to(county_db, state="closed.not_accepted", county=COUNTY, now=NOW)
    fire(county_db, case_id, "add_note", actor="mediator1", data={"text": "当事人来电询问，已解释。"})
    with pytest.raises(TransitionNotAllowed):
        fire(county_db, case_id, "record_investigation", actor="mediator1",
             data={"held_at": "2026-03-02T10:00", "interviewee": "x", "content": "y"})
    assert _case(county_db, case_id).state == "closed.not_accepted"


def test_a_party_corrected_to_need_an_interpreter_holds_the_session_until_one_is_recorded(county_db: Database) -> None:
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=NOW,
                       route=("triage", "assign_mediator", "notify_rights*", "record_consent*"))
    first, second = jsontext.loads(_case(county_db, case_id).party_ids)
    fire(county_db, case_id, "correct_party", actor="mediator1", data={
        "party_id": second, "language": "维吾尔语", "needs_interpreter": True, "reason": "当事人不通晓汉语"})
    assert jsontext.loads(_case(county_db, case_id).progress)["interpreter_needed"] == [second]
    with pytest.raises(GuardFailed) as refused:
        fire(county_db, case_id, "start_session", actor="mediator1")
    assert refused.value.extra["code"] == "interpreter_missing"
    fire(county_db, case_id, "correct_party", actor="mediator1", data={
        "party_id": second, "needs_interpreter": False, "reason": "经核实当事人通晓汉语"})
    assert "interpreter_needed" not in jsontext.loads(_case(county_db, case_id).progress)
    assert fire(county_db, case_id, "start_session", actor="mediator1").state == "mediation.in_session"


def test_a_party_added_after_the_notices_must_be_told_its_rights_before_the_session(county_db: Database) -> None:
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=NOW,
                       route=("triage", "assign_mediator", "notify_rights*", "record_consent*"))
    added = fire(county_db, case_id, "add_party", actor="mediator1",
                 data={"name": "王五", "role": "third_party", "reason": "房屋共有人"})
    new_party = jsontext.loads(_case(county_db, case_id).party_ids)[-1]
    fire(county_db, case_id, "record_consent", actor="mediator1", data={"party_id": new_party})
    with pytest.raises(GuardFailed) as refused:
        fire(county_db, case_id, "start_session", actor="mediator1")
    assert (refused.value.extra["code"], refused.value.extra["party_ids"]) == ("rights_notice_missing", [new_party])
    assert added.state == "mediation.assigned"
