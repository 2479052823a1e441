"""Only the engine's room writes a case's state, its version or its events (DESIGN §3, STYLE example 1).

Every module of the product is read as Python: its SQL text (string constants, f-string parts and
implicitly joined literals) and its calls. A statement that sets `cases.state` or `cases.version`,
inserts a case or an event, or deletes events, or an ORM write of `Case` or `Event`, is allowed only
in the engine's room: the engine, its statements and intake (which writes a case's first state and
event). Tests that tamper on purpose live in tests/ and are not scanned.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mediation"
ENGINE_ROOM = {"mediation/cases/engine.py", "mediation/cases/rows.py", "mediation/cases/intake.py"}
SKIPPED_FOLDERS = ("mediation/db/migrations/",)  # schema changes, not case writes

CASE_WRITES = [
    re.compile(r"\bUPDATE\s+cases\s+SET\b.*?\b(state|version)\s*=", re.I | re.S),
    re.compile(r"\bINSERT\s+INTO\s+(cases|events)\b", re.I),
    re.compile(r"\b(UPDATE|DELETE\s+FROM)\s+events\b", re.I),
]
ORM_WRITERS = {"update", "insert", "delete"}
ORM_TABLES = {"Case", "Event"}
MODELS = "mediation.db.models"


def _texts(tree: ast.AST) -> list[str]:
    """The string constants of a module, with each f-string's literal parts joined."""
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            texts.append("".join(v.value if isinstance(v, ast.Constant) else " ? " for v in node.values))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
    return texts


def _table_names(tree: ast.AST) -> set[str]:
    """The names under which the module imported the `Case` and `Event` tables."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == MODELS
        for alias in node.names
        if alias.name in ORM_TABLES
    }


def _orm_writes(tree: ast.AST) -> list[str]:
    """`update(Case)`, `insert(Event)`, `delete(Event)` and `Case(...)` / `Event(...)` constructions."""
    tables, found = _table_names(tree), []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in tables:
            found.append(f"{name}(...)")
        elif name in ORM_WRITERS and node.args and getattr(node.args[0], "id", None) in tables:
            found.append(f"{name}({node.args[0].id})")
    return found


def case_writes(source: str) -> list[str]:
    """What in this source writes a case's state or version, or its events."""
    tree = ast.parse(source)
    sql = [text.strip()[:80] for text in _texts(tree) if any(rule.search(text) for rule in CASE_WRITES)]
    return sql + _orm_writes(tree)


def _modules() -> list[Path]:
    return sorted(
        path for path in PACKAGE.rglob("*.py")
        if not str(path.relative_to(ROOT)).startswith(SKIPPED_FOLDERS)
    )


def test_only_the_engine_room_writes_case_state_and_events() -> None:
    writers = {
        str(path.relative_to(ROOT)): found
        for path in _modules()
        if (found := case_writes(path.read_text(encoding="utf-8")))
    }
    outside = {module: found for module, found in writers.items() if module not in ENGINE_ROOM}
    assert outside == {}, f"case state, version or events written outside the engine: {outside}"
    # The rule looks at real code: the engine's own writes are found.
    assert {"mediation/cases/rows.py", "mediation/cases/intake.py"} <= set(writers)


@pytest.mark.parametrize("source", [
    'SQL = "UPDATE cases SET risk_level = :r, state = :s WHERE id = :id"',
    'SQL = ("UPDATE cases SET " "version = version + 1 WHERE id = :id")',
    'def f(t):\n    return f"UPDATE cases SET {t} = 1, version = 2"',
    'tx.execute("INSERT INTO events (case_id, seq) VALUES (:c, :s)")',
    'tx.execute("DELETE FROM events WHERE case_id = :c")',
    'from mediation.db.models import Case\nsession.add(Case(state="closed.resolved"))',
    'from mediation.db.models import Case as C\nconnection.execute(update(C).values(state="x"))',
    'from mediation.db.models import Event\nconnection.execute(insert(Event).values(seq=1))',
])
def test_the_rule_finds_each_kind_of_write(source: str) -> None:
    assert case_writes(source)


@pytest.mark.parametrize("source", [
    'SQL = "UPDATE cases SET party_ids = :p WHERE id = :id"',
    'SQL = "SELECT state, version FROM cases WHERE id = :id"',
    'SQL = "UPDATE deadlines SET state = :s WHERE id = :id"',
    'case.state = "mediation.assigned"',
    'import threading\ndone = threading.Event()',
])
def test_the_rule_leaves_other_statements_alone(source: str) -> None:
    assert case_writes(source) == []
