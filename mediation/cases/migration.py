"""`workflows migrate`, the dry run: what would happen to each in-flight case moved to another version.

A case on the old version in an open state moves to `map.get(state, state)` of the new version, or
cannot move, with a stable reason code. Its pending deadlines are kept, recomputed, cancelled, and
deadlines of the new version are added. The plan is streamed (cases and deadlines, each one ordered
query merged by case id), stored in batches and named by a hash over every entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mediation import jsontext
from mediation.cases import rows as case_rows
from mediation.cases.engine import _applies
from mediation.db import parse_timestamp
from mediation.workflows.calendar import CHINA_OFFSET, after_counted
from mediation.workflows.guards import GUARDS
from mediation.workflows.machine import WorkflowMachine

MOVES = ("as_is", "state_mapped")
REASONS = {
    "state_removed": {"zh": "新版本没有这个状态，也未指定对应的状态", "en": "the new version has no such state and no mapping"},
    "mapped_state_unknown": {"zh": "指定的对应状态在新版本中不存在", "en": "the state it is mapped to is not in the new version"},
    "guard_data_missing": {"zh": "缺少新版本进入该状态所要求的条件", "en": "data a guard of the new version needs is missing"},
    "deadline_action_removed": {"zh": "期限届满时的操作在新版本中已不存在或不能办理",
                                "en": "a deadline's action no longer exists or is not allowed there"},
    "ladder_rung_removed": {"zh": "案件所在的化解层级在新版本中已不存在",
                            "en": "the rung of the escalation ladder the case is on is not in the new version"},
}
LADDER = "escalation_ladder"  # a case's rung is kept by its name: a rung inserted below moves its place
BATCH = 2000  # rows a streaming cursor fetches at a time
STORE_BATCH = 5000  # plan lines written in one transaction
INSERT_ENTRY = (
    "INSERT INTO migration_plan_cases (plan_id, case_id, case_version, from_state, to_state, outcome, detail, "
    "deadline_changes, status) VALUES (:plan_id, :case_id, :case_version, :from_state, :to_state, :outcome, "
    ":detail, :deadline_changes, :status)"
)
PENDING_OF_VERSION = (
    "SELECT d.case_id, d.kind, d.due_at, d.action, d.created_at FROM deadlines d JOIN cases c ON c.id = d.case_id "
    "WHERE c.workflow_version_id = :version_id AND c.stage <> 'closed' AND d.status = 'pending' "
    "ORDER BY d.case_id, d.id"
)


@dataclass(frozen=True)
class StatePlan:
    """What every case in one old state gets: where it goes, or why it cannot; cached per state."""

    to_state: str | None
    outcome: str
    new_guards: tuple[str, ...] = ()
    new_rules: tuple[tuple[str, dict[str, Any], str], ...] = ()  # (kind, rule, scope) the new version adds


@dataclass
class Entry:
    """One case's line of the plan."""

    case_id: int
    number: str
    version: int
    from_state: str
    to_state: str | None
    outcome: str
    detail: str | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    text: str | None = None  # the changes as stored, when they came from the cache

    @property
    def movable(self) -> bool:
        return self.outcome in MOVES

    def hashed(self, changes_text: str) -> bytes:
        """What the plan's hash covers of this case (its deadline changes as stored, `changes_text`)."""
        return (jsontext.dumps([self.case_id, self.version, self.from_state, self.to_state, self.outcome,
                                self.detail]) + changes_text).encode()


@dataclass
class Migration:
    """From one stored version of a workflow to another, with the state map."""

    name: str
    from_id: int
    to_id: int
    from_number: int
    to_number: int
    state_map: dict[str, str]
    old: WorkflowMachine
    new: WorkflowMachine
    _states: dict[str, StatePlan] = field(default_factory=dict, repr=False)
    _counted: dict[tuple, tuple[datetime, bool]] = field(default_factory=dict, repr=False)
    _decisions: dict[tuple, tuple] = field(default_factory=dict, repr=False)
    _shapes: dict[tuple, tuple] = field(default_factory=dict, repr=False)  # (state, rung, pending kinds) -> entry
    _rungs: dict[int, int | None] | None = field(default=None, repr=False)

    def header(self) -> bytes:
        return jsontext.dumps({"from": self.from_number, "to": self.to_number, "map": self.state_map}).encode()

    def state_plan(self, state: str) -> StatePlan:
        found = self._states.get(state)
        if found is None:
            found = self._states[state] = _plan_state(self, state)
        return found

    def counted(self, start: datetime, duration: dict[str, Any]) -> tuple[datetime, bool]:
        """`after_counted`, once per China day and duration: a period in days ends the same for any hour of
        its first day (a period in hours is counted each time)."""
        if "hours" in duration:
            return after_counted(start, duration)
        key = ((start + CHINA_OFFSET).date(), jsontext.dumps(duration))
        found = self._counted.get(key)
        if found is None:
            found = self._counted[key] = after_counted(start, duration)
        return found

    def rung(self, level: int) -> int | None:
        """Where the old ladder's rung `level` is on the new ladder (by its name), None when it is gone."""
        if self._rungs is None:
            new = [step["level"] for step in self.new.definition.policy[LADDER]]
            self._rungs = {index: new.index(step["level"]) if step["level"] in new else None
                           for index, step in enumerate(self.old.definition.policy[LADDER])}
        return self._rungs.get(level)

    def action_valid(self, action: str, to_state: str) -> bool:
        """A deadline's action still works on the new version from `to_state` (`remind` always does)."""
        return action == "remind" or (action in self.new.definition.triggers
                                      and action in self.new.allowed_triggers(to_state))


def _plan_state(migration: Migration, state: str) -> StatePlan:
    new = migration.new.definition
    target = migration.state_map.get(state, state)
    if state in migration.state_map and target not in new.states:
        return StatePlan(None, "mapped_state_unknown")
    if target not in new.states:
        return StatePlan(None, "state_removed")
    old_guards = {g for t in migration.old.definition.triggers.values() for s in t.transitions
                  if s.dest == state for g in s.guards}
    into = [set(s.guards) for t in new.triggers.values() for s in t.transitions if s.dest == target]
    required = set.intersection(*into) if into else set()
    old_rules = migration.old.definition.deadline_rules()
    added = tuple(
        (kind, rule, rule.get("state") or rule.get("stage") or kind)
        for kind, (rule, states) in new.deadline_rules().items()
        if target in states and not (kind in old_rules and state in old_rules[kind][1])
    )
    outcome = "state_mapped" if state in migration.state_map else "as_is"
    return StatePlan(target, outcome, tuple(sorted(required - old_guards)), added)


BASE_COLUMNS = ("id", "state", "version", "progress", "event_ids", "triaged_at", "ladder_level")


def plan_columns(migration: Migration) -> tuple[str, ...]:
    """The case columns a plan reads: its own, and those a deadline rule's `when` names in either version."""
    named = {key for machine in (migration.old, migration.new)
             for rule, _ in machine.definition.deadline_rules().values() for key in (rule.get("when") or {})}
    return BASE_COLUMNS + tuple(sorted(named & set(case_rows.CaseRow._fields) - set(BASE_COLUMNS)))


def plan_case(migration: Migration, row: Any, number: str, pending: list[tuple], entered: Any, now: datetime,
              full_row: Any = None) -> Entry:
    """The plan of one case: `row` its `plan_columns` (or a whole CaseRow), `pending` its pending deadlines
    (kind, due, action, created: as stored), `entered(row)` when it entered its state, `full_row(id)` its
    whole CaseRow (read only when a guard is to be checked)."""
    plan = migration.state_plan(row.state)
    entry = Entry(row.id, number, row.version, row.state, plan.to_state, plan.outcome)
    if plan.to_state is None:
        return entry
    failing = _failing_guard(migration, plan, full_row(row.id) if full_row and plan.new_guards else row, now)
    if failing is not None:
        entry.outcome, entry.detail = "guard_data_missing", failing
        return entry
    rung = migration.rung(row.ladder_level)
    if rung is None:
        entry.outcome, entry.detail = "ladder_rung_removed", _rung_name(migration, row.ladder_level)
        return entry
    shape = (row.state, row.ladder_level, tuple((kind, action) for kind, _, action, _ in pending))
    if not plan.new_rules and shape in migration._shapes:  # the same for every case so placed
        entry.outcome, entry.detail, entry.changes, entry.text = migration._shapes[shape]
        return entry
    if rung != row.ladder_level:
        entry.changes.append({"kind": LADDER, "change": "rung", "level": rung})
    _pending_changes(migration, plan, row, pending, entry)
    if not plan.new_rules and all(c["change"] != "recomputed" for c in entry.changes) and all(
            (plan.to_state, kind, action) in migration._decisions for kind, action in shape[2]):
        entry.text = jsontext.dumps(entry.changes)
        migration._shapes[shape] = (entry.outcome, entry.detail, entry.changes, entry.text)
    kinds = {kind for kind, *_ in pending}
    for kind, rule, scope in plan.new_rules if entry.movable else ():
        if kind not in kinds and _applies(rule, row):
            start = _start(rule, row) or entered(row)
            due, estimated = migration.counted(start, rule["after"])
            entry.changes.append({"kind": kind, "change": "added", "due": due.isoformat(), "estimated": estimated,
                                  "action": rule["action"], "state": scope})
    return entry


def _rung_name(migration: Migration, level: int) -> str:
    return migration.old.definition.policy[LADDER][level]["level"]


def _pending_changes(migration: Migration, plan: StatePlan, row: Any, pending: list[tuple], entry: Entry) -> None:
    """What becomes of each pending deadline; the first whose action would not work keeps the case where it is."""
    for kind, due, action, created in pending:
        change = _pending_change(migration, plan.to_state, row, kind, due, action, created)
        if change is None:
            entry.outcome, entry.detail, entry.changes = "deadline_action_removed", kind, []
            return
        entry.changes.append(change)


def _failing_guard(migration: Migration, plan: StatePlan, row: case_rows.CaseRow, now: datetime) -> str | None:
    """The first guard the new version adds on the way into the state that the case, as it stands, fails."""
    if not plan.new_guards:
        return None
    case = case_rows.case_state_of(row, migration.new.definition.policy)
    case.now = now
    for name in plan.new_guards:
        try:
            if GUARDS[name](case) is not None:
                return name
        except (KeyError, TypeError, ValueError, AttributeError):  # reads trigger data the case does not have
            return name
    return None


def _start(rule: dict[str, Any], row: case_rows.CaseRow) -> datetime | None:
    """The moment a rule with `from` counts from (a case timestamp in its progress), as the engine takes it."""
    if not rule.get("from"):
        return None
    base = jsontext.loads(row.progress).get(rule["from"])
    return datetime.fromisoformat(base) if base else None


def _pending_change(migration: Migration, to_state: str, row: Any, kind: str, due: Any, action: str,
                    created: Any) -> dict[str, Any] | None:
    """Kept, recomputed or cancelled; None when its action would not work on the new version."""
    key = (to_state, kind, action)
    what = migration._decisions.get(key)
    if what is None:
        what = _decision(migration, to_state, kind, action, row)
        if what[1]:  # the same for every case: no `when` to read on the case
            migration._decisions[key] = what
    change, _, rule = what
    if change != "recomputed":
        return None if change is None else {"kind": kind, "change": change}
    counted, estimated = migration.counted(_start(rule, row) or parse_timestamp(created), rule["after"])
    return {"kind": kind, "change": "recomputed", "due": counted.isoformat(), "estimated": estimated,
            "action": rule["action"], "was": parse_timestamp(due).isoformat()}


def _decision(migration: Migration, to_state: str, kind: str, action: str, row: Any) -> tuple[str | None, bool, Any]:
    """What becomes of a pending deadline of `kind` moving to `to_state`: its change (None: its action would
    not work), whether that holds for every case (no rule's `when` read), and the new version's rule."""
    old_rules, new_rules = migration.old.definition.deadline_rules(), migration.new.definition.deadline_rules()
    if kind not in old_rules:  # not the policy's (a key-case order's): kept while its action works
        return ("kept" if migration.action_valid(action, to_state) else None), True, None
    rule, states = new_rules.get(kind, (None, frozenset()))
    if rule is None or to_state not in states:
        return "cancelled", True, rule
    same_for_all = not rule.get("when")
    if not _applies(rule, row):
        return "cancelled", same_for_all, rule
    old = old_rules[kind][0]
    if not migration.action_valid(rule["action"], to_state):
        return None, same_for_all, rule
    if (old["after"], old["action"], old.get("from")) == (rule["after"], rule["action"], rule.get("from")):
        return "kept", same_for_all, rule
    return "recomputed", same_for_all, rule
