"""The case list's text search (`q`) through its index (mediation.db.search_index), on both databases:
substrings of any length in Chinese, number fragments, parties' names and facts; user input taken as
plain text; kept in the transaction that changes the text, after a restore, a `db copy` and the migration."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from mediation.cases.intake import CaseInput, PartyInput, open_case
from mediation.cases.restore import exported_workflows, restore_cases
from mediation.cases.transfer import exported_cases, matching_case_ids, read_json, write_json
from mediation.cases.views import CaseFilters, list_cases
from mediation.clock import utcnow
from mediation.db import Database, search_index
from mediation.db.copy import copy_database
from mediation.db.schema import MIGRATIONS, upgrade_database
from mediation.demo.case_paths import fire
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.directory.accounts import actor_for

NOW = datetime(2026, 3, 2, 9, 0)
BEFORE_SEARCH = "c7d1e5f3a9b2"


def _file(db: Database, county: SampleCounty, title: str, description: str, names: tuple[str, str]) -> int:
    case = CaseInput(title=title, channel="grid_screening", unit=county.grid, category="neighbour",
                     description=description,
                     parties=[PartyInput(names[0], "applicant", phone="13857712345"),
                              PartyInput(names[1], "respondent", phone="13905771234")])
    return open_case(db, actor=actor_for(db, "grid1"), case=case, now=NOW)


@pytest.fixture
def cases(db: Database) -> dict[str, int]:
    county = build_sample_county(db)
    return {
        "noise": _file(db, county, "张建国与李秀英邻里噪音纠纷", "楼上邻居长期夜间装修，噪音影响休息。", ("张建国", "李秀英")),
        "wall": _file(db, county, "围墙边界纠纷", "两户因宅基地围墙位置发生争执 (50% \"share\") NEAR*-", ("王五", "赵六")),
        "debt": _file(db, county, "Loan dispute", "借款 20000 元到期未还", ("陈三", "周四")),
    }


def found(db: Database, q: str) -> set[int]:
    page = list_cases(db, actor_for(db, "county_sup"), CaseFilters(q=q, page_size=200), NOW)
    assert page.total == len(page.items)
    return {item.id for item in page.items}


def test_one_and_two_chinese_characters_a_name_and_facts_are_found(db: Database, cases: dict[str, int]) -> None:
    assert found(db, "张") == {cases["noise"]}
    assert found(db, "张建") == {cases["noise"]}
    assert found(db, "李秀英") == {cases["noise"]}  # title and a party's name
    assert found(db, "赵六") == {cases["wall"]}  # a party's name only
    assert found(db, "宅基地") == {cases["wall"]}  # facts only
    assert found(db, "墙") == {cases["wall"]}
    assert found(db, "三") == {cases["debt"]}
    assert found(db, "噪音影响休息") == {cases["noise"]}
    assert found(db, "噪音休息") == set()  # its pairs are all there, but not as one substring
    assert found(db, "纠纷") == {cases["noise"], cases["wall"]}


def test_a_fragment_of_the_case_number_finds_the_case(db: Database, cases: dict[str, int]) -> None:
    with db.snapshot() as tx:
        numbers = dict(tx.all("SELECT id, number FROM cases"))
    number = numbers[cases["wall"]]
    digits = number[number.index("〕") + 1:number.index("号")]
    assert found(db, number) == {cases["wall"]}
    assert cases["wall"] in found(db, digits[-3:])
    assert found(db, "〔") == set(cases.values())


def test_ascii_letters_match_as_like_did(db: Database, cases: dict[str, int]) -> None:
    assert found(db, "loan") == ({cases["debt"]} if db.is_sqlite else set())  # SQLite's LIKE ignores ASCII case
    assert found(db, "Loan") == {cases["debt"]}
    assert found(db, "2000") == {cases["debt"]}


@pytest.mark.parametrize("q", ['"', '"share"', "50%", "%", "_", "*", "NEAR", "NEAR*-", "-", "a OR b", "'", "\\",
                               "x5f20", "(", ") AND (", "张*", "^张", "{grams}: 张"])
def test_quotes_wildcards_and_fts_operators_are_plain_text(db: Database, cases: dict[str, int], q: str) -> None:
    with db.snapshot() as tx:
        texts = dict(tx.all("SELECT case_id, text FROM case_search"))
    fold = (lambda text: text.lower()) if db.is_sqlite else (lambda text: text)
    expected = {case_id for case_id, text in texts.items() if fold(q) in fold(text)}
    assert found(db, q) == expected
    assert (cases["wall"] in expected) == (q in '两户因宅基地围墙位置发生争执 (50% "share") NEAR*-')


def test_the_wall_case_is_found_by_its_operators_as_text(db: Database, cases: dict[str, int]) -> None:
    assert found(db, 'NEAR*-') == found(db, '(50% "share")') == found(db, "50%") == {cases["wall"]}


def test_an_edited_case_is_found_by_its_new_text_and_not_its_old(db: Database, cases: dict[str, int]) -> None:
    case_id = cases["noise"]
    fire(db, case_id, "triage", actor="mediator1", now=NOW + timedelta(hours=1))
    fire(db, case_id, "correct_facts", actor="mediator1", now=NOW + timedelta(days=1),
         data={"title": "孙悟空装修纠纷", "description": "更正：噪音来自装修。", "reason": "受理时记录有误"})
    assert found(db, "孙悟空") == {case_id}
    assert found(db, "邻里") == set() and found(db, "夜间") == set()
    assert found(db, "张建国") == {case_id}  # still a party
    with db.snapshot() as tx:
        first = tx.one("SELECT id FROM parties WHERE case_id = :id ORDER BY id", {"id": case_id})[0]
    fire(db, case_id, "correct_party", actor="mediator1", now=NOW + timedelta(days=2),
         data={"party_id": first, "name": "张建华", "reason": "姓名登记有误"})
    assert found(db, "张建国") == set()
    assert found(db, "建华") == {case_id}
    fire(db, case_id, "add_party", actor="mediator1", now=NOW + timedelta(days=3),
         data={"name": "欧阳娜娜", "role": "third_party", "reason": "共有人"})
    assert found(db, "欧阳") == {case_id}


def test_a_transition_that_changes_no_text_leaves_the_index_alone(db: Database, cases: dict[str, int]) -> None:
    with db.snapshot() as tx:
        before = tx.all("SELECT case_id, text FROM case_search ORDER BY case_id")
    fire(db, cases["noise"], "triage", actor="mediator1", now=NOW + timedelta(hours=1))
    with db.snapshot() as tx:
        assert tx.all("SELECT case_id, text FROM case_search ORDER BY case_id") == before


def test_restored_cases_are_found(db: Database, cases: dict[str, int], tmp_path) -> None:
    ids = matching_case_ids(db)
    out = io.StringIO()
    write_json(exported_cases(db, ids, with_record=True), out, exported_at=utcnow(), workflows=exported_workflows(db, ids))
    exported = json.loads(out.getvalue())
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade_database(other_url)
    other = Database(other_url)
    try:
        build_sample_county(other)
        result = restore_cases(other, read_json(json.dumps(exported)), exported["workflows"])
        assert result.refused == [] and len(result.restored) == len(cases)
        assert found(other, "宅基地") == {cases["wall"]}
        assert found(other, "张") == {cases["noise"]}
    finally:
        other.dispose()


def test_a_copy_into_sqlite_is_searchable(db: Database, cases: dict[str, int], tmp_path) -> None:
    target_url = f"sqlite:///{tmp_path / 'copy.db'}"
    copy_database(db.url, target_url)
    target = Database(target_url)
    try:
        assert found(target, "宅基地") == {cases["wall"]}
        assert found(target, "张") == {cases["noise"]}
        assert found(target, "纠纷") == {cases["noise"], cases["wall"]}
    finally:
        target.dispose()


def test_the_migration_indexes_the_cases_already_present(db: Database, cases: dict[str, int]) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = db.url
    db.dispose()
    command.downgrade(config, BEFORE_SEARCH)
    engine = sa.create_engine(db.url)
    with engine.connect() as connection:
        assert not sa.inspect(connection).has_table("case_search")
    engine.dispose()
    command.upgrade(config, "head")
    assert found(db, "宅基地") == {cases["wall"]}
    assert found(db, "张建") == {cases["noise"]}
    assert found(db, "陈三") == {cases["debt"]}


def test_query_grams_are_those_the_text_holds() -> None:
    assert search_index.query_grams("张") == ["张"]
    assert search_index.query_grams("张三丰") == ["张三", "三丰"]
    long = "一二三四五六七八九十" * 3
    assert len(search_index.query_grams(long)) <= search_index.MAX_QUERY_GRAMS
    assert set(search_index.query_grams(long)) <= search_index.grams(long)
    assert search_index.grams("ab\ncd") == {"a", "b", "c", "d", "ab", "cd"}
