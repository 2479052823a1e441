"""Random sequences of triggers, actors, data and versions against the engine (Hypothesis).

After every step: the state is one of the definition's; the version rose by exactly one on
success and not at all on failure; the event count equals the version; every chain verifies;
nothing leaves `closed.*` except `reopen`; only typed `MediationError`s come out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from database_copies import copy_database, drop_database
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mediation import jsontext
from mediation.cases.audit import verify_case
from mediation.cases.engine import apply_transition
from mediation.cases.intake import CaseInput, PartyInput, open_case
from mediation.db import Database
from mediation.demo.sample_county import UNITS, USERS, SampleCounty
from mediation.directory.accounts import actor_for
from mediation.directory.actors import SYSTEM, Actor
from mediation.errors import MediationError
from mediation.workflows.definition import FieldSpec, TriggerSpec
from mediation.workflows.loader import current_definition

pytest_plugins = ["sample_databases"]  # the county database fixtures

DEFINITION = current_definition()
COUNTY = SampleCounty()
START = datetime(2026, 3, 2, 9, 0)
TRIGGERS = sorted(DEFINITION.triggers)
NOT_TRIGGERS = ["fast_track", "", "Triage", "intake"]
USERNAMES = [username for username, *_ in USERS]
# Who reaches cases filed in 瓯北街道 (the others are drawn too, less often, and get NotFound).
CREW = ["grid1", "mediator1", "police1", "supervisor1", "county_sup", "dept_sj", "court1", "system"]
ROLES_OF = {username: set(roles) for username, _, roles, _ in USERS} | {"system": {"system"}}
UNIT_CODES = [code for code, *_ in UNITS]
UNITS_OF_KIND = {kind: [code for code, _, k, *_ in UNITS if k == kind] for kind in ("department", "court")}
PARTY_NAMES = ("王某", "李某", "张某")


def _weighted_here(state: str) -> list[str]:
    """The triggers defined from `state`; those that move on to an open state three times over (to go deep)."""
    here = [spec for trigger in TRIGGERS for spec in DEFINITION.triggers[trigger].transitions if spec.source == state]
    onward = [spec.trigger for spec in here if spec.dest and not spec.dest.startswith("closed.")]
    return sorted({spec.trigger for spec in here}) + sorted(set(onward)) * 3


WEIGHTED_HERE = {state: _weighted_here(state) for state in DEFINITION.states}

# No shrinking: on a failure it re-runs hundreds of examples (minutes); the failing steps are printed as run.
SETTINGS = settings(
    max_examples=25, stateful_step_count=40, deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.filter_too_much],
)

texts = st.sampled_from(["调解说明", "  前后有空格  ", "字" * 300, "Mixed 中文 and English"])
garbage = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=False), st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**63, 2**70, "\x00", "噪音\x00", " ", "x" * 20001]),  # edges seen to break drivers
    st.text(max_size=20), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def valid_value(spec: FieldSpec, facts: dict[str, Any]) -> st.SearchStrategy:
    """Values that pass the field's type check (guards and lookups may still refuse them)."""
    kind = spec.type
    days = st.integers(min_value=-5, max_value=60).map(lambda n: facts["now"] + timedelta(days=n))
    strategies: dict[str, st.SearchStrategy] = {
        "text": texts,
        "username": st.sampled_from(["mediator1", "police1", "supervisor1"]) | st.sampled_from(USERNAMES),
        "unit_code": st.sampled_from(UNITS_OF_KIND.get(spec.kind or "", UNIT_CODES)),
        "unit_codes": st.lists(st.sampled_from(UNIT_CODES), max_size=3),
        "party_id": st.sampled_from(facts["party_ids"]),
        "party_ids": st.permutations(facts["party_ids"]) | st.lists(st.sampled_from(facts["party_ids"]),
                                                                    min_size=1, max_size=3),
        "case_id": st.sampled_from(facts["case_ids"]),
        "enum": st.sampled_from(spec.values or ("?",)),
        "category": st.sampled_from(sorted(DEFINITION.policy["categories"])),
        "risk_level": st.sampled_from(DEFINITION.risk_levels),
        "boolean": st.booleans(),
        "date": days.map(lambda moment: moment.date().isoformat()),
        "datetime": days.map(lambda moment: moment.isoformat(timespec="minutes")),
        "ruling_number": st.sampled_from(["(2026)浙0324民特123号", "（2025）浙03民特9号"]),
        "list": st.lists(st.sampled_from(spec.values or ("约谈", "回访")), max_size=3),
        "short_text": st.sampled_from(["江北社区调解室", " 王某 ", "字" * 200]),
        "id": st.integers(min_value=1, max_value=2**31 - 1),
        "integer": st.integers(min_value=0, max_value=2**31 - 1),
        "id_number": st.sampled_from(["330324196505130013", "11010519491231002X"]),
        "phone": st.sampled_from(["13857712345", "0577-67212345"]),
        "ethnicity": st.sampled_from(["汉族", "维吾尔族", "畲族"]),
        "sha256": st.just("ab" * 32),
    }
    if kind in ("object", "objects"):
        item = st.fixed_dictionaries({sub.name: valid_value(sub, facts) for sub in spec.fields if sub.required},
                                     optional={sub.name: valid_value(sub, facts) for sub in spec.fields
                                               if not sub.required})
        return item if kind == "object" else st.lists(item, max_size=3)
    return strategies[kind]


def trigger_data(draw: Any, trigger: TriggerSpec | None, facts: dict[str, Any]) -> Any:
    """Mostly data that fits the trigger's field specs; sometimes garbage of every shape."""
    if trigger is None or draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(garbage, st.dictionaries(st.text(max_size=8), garbage, max_size=3)))
    data: dict[str, Any] = {}
    for spec in trigger.fields:
        if spec.required or draw(st.booleans()):
            data[spec.name] = draw(valid_value(spec, facts))
    if draw(st.integers(0, 9)) == 0 and trigger.fields:  # one field ill-typed or dropped
        name = draw(st.sampled_from([spec.name for spec in trigger.fields]))
        data[name] = draw(garbage)
    if draw(st.integers(0, 19)) == 0:
        data[draw(st.text(min_size=1, max_size=8))] = draw(garbage)
    return data


class EngineMachine(RuleBasedStateMachine):
    """A fresh county database per example; a few cases; random triggers fired at them."""

    template: ClassVar[str]
    directory: ClassVar[Path]
    cases = Bundle("cases")

    def __init__(self) -> None:
        super().__init__()
        self.url = copy_database(self.template, self.directory)
        self.db = Database(self.url)
        self.actors: dict[str, Actor] = {name: actor_for(self.db, name) for name in USERNAMES}
        self.actors["system"] = SYSTEM
        self.model: dict[int, tuple[int, str]] = {}  # case id -> (version, state) last seen
        self.clock = START

    def teardown(self) -> None:
        self.db.dispose()
        drop_database(self.url)

    def row(self, case_id: int) -> dict[str, Any]:
        with self.db.read() as connection:
            row = dict(connection.execute(sa.text(
                "SELECT state, version, event_count, risk_level, party_ids FROM cases WHERE id = :id"),
                {"id": case_id}).mappings().one())
            row["events"] = connection.execute(
                sa.text("SELECT count(*) FROM events WHERE case_id = :id"), {"id": case_id}).scalar()
        return row

    def file_case(self, parties: int, risk_level: str, unit: str) -> int:
        people = [PartyInput(name=name, role="applicant" if i == 0 else "respondent")
                  for i, name in enumerate(PARTY_NAMES[:parties])]
        case_id = open_case(self.db, actor=self.actors["supervisor1"], now=self.clock, case=CaseInput(
            title="邻里纠纷", description="楼道堆物引发争执", channel="walk_in", unit=unit, parties=people,
            category="neighbour", risk_level=risk_level))
        self.model[case_id] = (1, DEFINITION.initial)
        return case_id

    @initialize(target=cases, parties=st.integers(1, 3), risk_level=st.sampled_from(DEFINITION.risk_levels))
    def first_case(self, parties: int, risk_level: str) -> int:
        return self.file_case(parties, risk_level, COUNTY.grid)

    @precondition(lambda self: len(self.model) < 4)
    @rule(target=cases, parties=st.integers(1, 3), unit=st.sampled_from([COUNTY.grid, COUNTY.community, COUNTY.town]))
    def another_case(self, parties: int, unit: str) -> int:
        return self.file_case(parties, "low", unit)

    @rule(case_id=cases, draw=st.data())
    def fire(self, case_id: int, draw: Any) -> None:
        before = self.row(case_id)
        state = before["state"]
        trigger = draw.draw(st.sampled_from(WEIGHTED_HERE[state]) if draw.draw(st.integers(0, 4)) else
                            st.sampled_from(TRIGGERS + NOT_TRIGGERS), label="trigger")
        spec = DEFINITION.triggers.get(trigger)
        fitting = [name for name in CREW if spec and ROLES_OF[name] & set(spec.roles)]
        username = draw.draw(st.sampled_from(fitting) if fitting and draw.draw(st.integers(0, 4)) else
                             st.sampled_from(sorted(ROLES_OF)), label="actor")
        facts = {"party_ids": jsontext.loads(before["party_ids"]), "case_ids": sorted(self.model), "now": self.clock}
        data = trigger_data(draw.draw, spec, facts)
        offset = draw.draw(st.sampled_from([0] * 8 + [-1, 1]), label="version offset")
        self.clock += timedelta(hours=1)

        try:
            result = apply_transition(self.db, case_id=case_id, trigger=trigger, actor=self.actors[username],
                                      data=data, expected_version=before["version"] + offset, now=self.clock)
        except MediationError as error:
            result = None  # anything else propagates and fails the test
            event(f"refused: {type(error).__name__}")

        after = self.row(case_id)
        if result is None:
            assert (after["version"], after["events"], after["state"]) == (
                before["version"], before["events"], before["state"])
        else:
            assert offset == 0
            assert result.version == after["version"] == before["version"] + 1
            assert result.state == after["state"]
            assert after["events"] == before["events"] + 1
            if state.startswith("closed.") and not after["state"].startswith("closed."):
                assert trigger == "reopen"
            if trigger == "reopen":
                assert state.startswith("closed.")
        self.model[case_id] = (after["version"], after["state"])
        event(f"reached: {after['state']}")

    @invariant()
    def every_case_is_sound(self) -> None:
        for case_id, (version, state) in self.model.items():
            row = self.row(case_id)
            assert row["state"] in DEFINITION.states
            assert (row["version"], row["state"]) == (version, state)
            assert row["events"] == row["event_count"] == row["version"]
            assert verify_case(self.db, case_id) is None


@pytest.mark.slow
def test_random_triggers_keep_every_case_sound(county_template: str, tmp_path: Path) -> None:
    EngineMachine.template, EngineMachine.directory = county_template, tmp_path
    run_state_machine_as_test(EngineMachine, settings=SETTINGS)
