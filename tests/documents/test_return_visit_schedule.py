"""The return-visit record says of each visit whether it was on schedule (按期) or early (提前), read back from the PDF.

Follow-up starts on 2 March 2026 at 17:00 China time: a visit on 4 March is early (it does not count
as the +7 visit), one on 9 March is the first scheduled visit, one on 1 April the second, one later
an additional visit (DESIGN §9.2).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from documents_support import page_texts, render, squeezed

from mediation.cases.intake import CaseInput, PartyInput
from mediation.db import Database
from mediation.demo.case_paths import TRACKING, drive_to, fire
from mediation.demo.sample_county import SampleCounty

pytest_plugins = ["sample_databases"]  # the county database fixtures

START = datetime(2026, 3, 2, 9, 0)
CHINA = timedelta(hours=8)


def china(text: str) -> datetime:
    return datetime.fromisoformat(text) - CHINA


def visited_case(db: Database) -> int:
    county = SampleCounty()
    case = CaseInput(title="王某与赵某邻里纠纷", channel="grid_screening", unit=county.grid, category="neighbour",
                     description="王某反映楼上赵某家夜间噪音扰民，双方多次争吵。",
                     parties=[PartyInput("王某", "applicant", phone="13857712345"),
                              PartyInput("赵某", "respondent", phone="13905771234")])
    case_id = drive_to(db, state="follow_up.tracking", county=county, route=TRACKING, case_input=case, now=START,
                       step=timedelta(0))
    for at, notes in (("2026-03-04T10:00", "第一次上门，协议尚未到履行期"), ("2026-03-09T10:00", "补偿款已支付"),
                      ("2026-04-01T10:00", "双方关系融洽"), ("2026-04-03T10:00", "电话回访，情况稳定")):
        fire(db, case_id, "record_return_visit", actor="grid1", data={"outcome": "stable", "notes": notes},
             now=china(at))
    fire(db, case_id, "verify_closure", actor="mediator1", data=None, now=china("2026-04-03T11:00"))
    return case_id


def rows_of(text: str, notes: tuple[str, ...]) -> list[str]:
    """The squeezed text of each visit's table row: from its date up to its notes."""
    rows, rest = [], text
    for note in notes:
        end = rest.index(note) + len(note)
        rows.append(rest[:end])
        rest = rest[end:]
    return rows


def test_each_visit_says_whether_it_was_on_schedule(module_county_db: Database) -> None:
    case_id = visited_case(module_county_db)
    text = squeezed("".join(page_texts(render(module_county_db, case_id, "return_visit"))))
    header = "是否按期情况记录"  # the last two column headings
    assert header in text
    first, second, third, fourth = rows_of(text[text.index(header) + len(header):], (
        "第一次上门，协议尚未到履行期", "补偿款已支付", "双方关系融洽", "电话回访，情况稳定"))
    assert "提前（不计为第1次回访）" in first and "按期" not in first
    assert "按期（第1次回访）" in second and "提前" not in second
    assert "按期（第2次回访）" in third
    assert "额外回访" in fourth
    assert "闭环核验" in text


def test_the_english_record_and_the_case_file_say_it_too(module_county_db: Database) -> None:
    case_id = visited_case(module_county_db)
    english = squeezed("".join(page_texts(render(module_county_db, case_id, "return_visit", lang="en"))))
    assert "Early(notcountedasvisit1)" in english
    assert "Onschedule(visit1)" in english and "Onschedule(visit2)" in english
    case_file = squeezed("".join(page_texts(render(module_county_db, case_id, "case_file"))))
    assert "提前（不计为第1次回访）" in case_file and "按期（第2次回访）" in case_file
