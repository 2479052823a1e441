"""Reference measurements the engine is compared against.

Each function performs ``n`` operations against a fresh SQLite database at ``path``
and returns ``(operations, seconds)`` where ``seconds`` covers only the timed loop
(setup and warm-up are excluded).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
import time

N_CASES = 1000
STATES = ("intake", "screening", "assigned", "scheduled", "mediating", "agreed", "closed")


def _connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


# --------------------------------------------------------------------------- raw sqlite3


def raw_sqlite_rate(n: int, path: str | os.PathLike[str], warmup: int = 200) -> tuple[int, float]:
    """Per op: BEGIN IMMEDIATE; optimistic-version UPDATE of a case; INSERT an event; COMMIT."""
    conn = _connect(path)
    conn.execute("CREATE TABLE cases(id INTEGER PRIMARY KEY, state TEXT, version INTEGER)")
    conn.execute(
        "CREATE TABLE events(id INTEGER PRIMARY KEY, case_id INTEGER, seq INTEGER,"
        " data TEXT, hash TEXT)"
    )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO cases(id, state, version) VALUES (?, ?, 0)",
        ((i, STATES[0]) for i in range(1, N_CASES + 1)),
    )
    conn.execute("COMMIT")
    versions = {i: 0 for i in range(1, N_CASES + 1)}
    prev_hash = "0" * 64

    def op(i: int) -> None:
        nonlocal prev_hash
        case_id = i % N_CASES + 1
        version = versions[case_id]
        state = STATES[(version + 1) % len(STATES)]
        data = json.dumps({"case": case_id, "to": state, "by": "bench", "seq": version + 1})
        digest = hashlib.sha256((prev_hash + data).encode()).hexdigest()
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute(
            "UPDATE cases SET state=?, version=version+1 WHERE id=? AND version=?",
            (state, case_id, version),
        )
        if cur.rowcount != 1:
            conn.execute("ROLLBACK")
            raise RuntimeError(f"version conflict on case {case_id}")
        conn.execute(
            "INSERT INTO events(case_id, seq, data, hash) VALUES (?, ?, ?, ?)",
            (case_id, version + 1, data, digest),
        )
        conn.execute("COMMIT")
        versions[case_id] = version + 1
        prev_hash = digest

    try:
        for i in range(warmup):
            op(i)
        start = time.perf_counter()
        for i in range(warmup, warmup + n):
            op(i)
        seconds = time.perf_counter() - start
    finally:
        conn.close()
    return n, seconds


# --------------------------------------------------------------------------- SpiffWorkflow

USER_TASKS = ("intake", "screening", "assign", "schedule", "mediate", "close")

_BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _bpmn_xml(process_id: str = "mediation_case") -> str:
    nodes = ["start"] + [f"task_{name}" for name in USER_TASKS] + ["end"]
    flows = [(f"flow_{i}", a, b) for i, (a, b) in enumerate(itertools.pairwise(nodes))]
    incoming = {b: fid for fid, _, b in flows}
    outgoing = {a: fid for fid, a, _ in flows}
    start = f'<bpmn:startEvent id="start"><bpmn:outgoing>{outgoing["start"]}</bpmn:outgoing>'
    parts = [start + "</bpmn:startEvent>"]
    for name in USER_TASKS:
        tid = f"task_{name}"
        parts.append(
            f'<bpmn:userTask id="{tid}" name="{name}">'
            f"<bpmn:incoming>{incoming[tid]}</bpmn:incoming>"
            f"<bpmn:outgoing>{outgoing[tid]}</bpmn:outgoing></bpmn:userTask>"
        )
    parts.append(
        f'<bpmn:endEvent id="end"><bpmn:incoming>{incoming["end"]}</bpmn:incoming></bpmn:endEvent>'
    )
    parts += [
        f'<bpmn:sequenceFlow id="{fid}" sourceRef="{a}" targetRef="{b}"/>' for fid, a, b in flows
    ]
    body = "\n    ".join(parts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<bpmn:definitions xmlns:bpmn="{_BPMN_NS}" id="defs_{process_id}"'
        ' targetNamespace="http://bpmn.io/schema/bpmn">\n'
        f'  <bpmn:process id="{process_id}" name="Mediation case" isExecutable="true">\n'
        f"    {body}\n"
        "  </bpmn:process>\n"
        "</bpmn:definitions>\n"
    )


BPMN_XML = _bpmn_xml()


def spiff_rate(n: int, path: str | os.PathLike[str], warmup: int = 24) -> tuple[int, float]:
    """Per op: complete the next ready user task, run engine steps, serialize the whole
    workflow to JSON and UPDATE it into ``workflows`` (one transaction). A finished
    workflow is replaced by a new one (its INSERT counts within the timed loop)."""
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_str(BPMN_XML.encode("utf-8"), filename="mediation_case.bpmn")
    spec = parser.get_spec("mediation_case")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure())

    conn = _connect(path)
    conn.execute("CREATE TABLE workflows(id INTEGER PRIMARY KEY, json TEXT)")

    state = {"workflow": None, "row_id": 0}

    def new_workflow() -> None:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute(
            "INSERT INTO workflows(json) VALUES (?)", (serializer.serialize_json(workflow),)
        )
        conn.execute("COMMIT")
        state["workflow"], state["row_id"] = workflow, cur.lastrowid

    def op(i: int) -> None:
        workflow = state["workflow"]
        if workflow is None or workflow.is_completed():
            new_workflow()
            workflow = state["workflow"]
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        if task is None:
            raise RuntimeError("no ready user task in an unfinished workflow")
        task.data["completed_by"] = "bench"
        task.data["step"] = i
        task.run()
        workflow.do_engine_steps()
        payload = serializer.serialize_json(workflow)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE workflows SET json=? WHERE id=?", (payload, state["row_id"]))
        conn.execute("COMMIT")

    try:
        for i in range(warmup):
            op(i)
        start = time.perf_counter()
        for i in range(warmup, warmup + n):
            op(i)
        seconds = time.perf_counter() - start
        # Sanity: every started workflow row holds a deserializable workflow.
        last = conn.execute("SELECT json FROM workflows WHERE id=?", (state["row_id"],)).fetchone()[
            0
        ]
        serializer.deserialize_json(last)
    finally:
        conn.close()
    return n, seconds
