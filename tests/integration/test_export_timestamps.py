"""Exports carry offsets on their timestamps (DESIGN §9.1): JSON in UTC (`…Z`), CSV in China time
(`…+08:00`), which a person reads. The stored moments and the event hash chain do not change:
each exported event's hash is recomputed from the export itself, and `mediation verify` passes."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from mediation import jsontext
from mediation.cases.hashchain import verify_events
from mediation.cli import app
from mediation.db import Database, parse_timestamp
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import build_sample_county

runner = CliRunner()
FILED = datetime(2026, 3, 1, 17, 30, 15, 250000)  # 2 March, 01:30 in China


@pytest.fixture
def resolved(db: Database) -> int:
    """A case filed at FILED and resolved through the engine."""
    return drive_to(db, state="closed.resolved", county=build_sample_county(db), now=FILED)


def export(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    monkeypatch.setenv("MEDIATION_DATABASE_URL", db.url)
    out = tmp_path / name
    result = runner.invoke(app, ["export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8-sig")


def utc(text: str) -> datetime:
    """An exported UTC timestamp as naive UTC; fails unless it ends in Z."""
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text).astimezone(timezone.utc).replace(tzinfo=None)


def test_json_timestamps_are_utc_with_z_and_the_chain_verifies_from_the_export(
        db: Database, resolved: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [case] = json.loads(export(db, tmp_path, monkeypatch, "cases.json"))["cases"]
    with db.snapshot() as tx:
        created, closed = tx.one("SELECT created_at, closed_at FROM cases WHERE id = :id", {"id": resolved})
        stored = tx.all("SELECT at FROM events WHERE case_id = :id ORDER BY seq", {"id": resolved})
    assert (utc(case["created_at"]), utc(case["closed_at"])) == (parse_timestamp(created), parse_timestamp(closed))
    assert utc(case["created_at"]) == FILED
    assert [utc(event["at"]) for event in case["events"]] == [parse_timestamp(at) for (at,) in stored]
    # The chain, recomputed from the export alone: the hash covers the stored moment, without its offset.
    exported = [SimpleNamespace(**{**event, "case_id": resolved, "at": utc(event["at"]),
                                   "data": jsontext.dumps(event["data"])}) for event in case["events"]]
    assert verify_events(resolved, exported) is None
    verified = runner.invoke(app, ["verify"])
    assert verified.exit_code == 0, verified.output


def test_csv_timestamps_are_china_time_with_their_offset(
        db: Database, resolved: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [row] = list(csv.DictReader(io.StringIO(export(db, tmp_path, monkeypatch, "cases.csv"))))
    assert row["created_at"] == "2026-03-02T01:30:15+08:00"
    with db.snapshot() as tx:
        closed = parse_timestamp(tx.one("SELECT closed_at FROM cases WHERE id = :id", {"id": resolved})[0])
    shown = datetime.fromisoformat(row["closed_at"])
    assert shown.utcoffset() == timedelta(hours=8)
    assert shown.astimezone(timezone.utc).replace(tzinfo=None) == closed.replace(microsecond=0)


def test_an_open_case_exports_no_closing_time(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drive_to(db, state="screening.triaged", county=build_sample_county(db), now=FILED)
    [case] = json.loads(export(db, tmp_path, monkeypatch, "open.json"))["cases"]
    assert case["closed_at"] is None and utc(case["created_at"]) == FILED
    [row] = list(csv.DictReader(io.StringIO(export(db, tmp_path, monkeypatch, "open.csv"))))
    assert row["closed_at"] == "" and row["created_at"] == "2026-03-02T01:30:15+08:00"

