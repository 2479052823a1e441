"""Periods of the figures: whole days of China (UTC+8), both ends included, over the stored
naive-UTC timestamps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from mediation.db import RawTransaction
from mediation.workflows.calendar import CHINA_OFFSET


def in_china(moment: datetime) -> datetime:
    """A stored (naive UTC) moment as China's wall-clock time."""
    return moment + CHINA_OFFSET


def day_start(day: date) -> datetime:
    """Midnight in China (UTC+8) at the start of the day, as stored (naive UTC)."""
    start = datetime.combine(day, time())
    return start - CHINA_OFFSET if start - datetime.min >= CHINA_OFFSET else datetime.min


def day_end(day: date) -> datetime | None:
    """The first moment after the day; None when there is none (date.max)."""
    return day_start(day) + timedelta(days=1) if day < date.max else None


def period_condition(tx: RawTransaction, column: str, name: str, start: date | None, end: date | None,
                     params: dict[str, Any]) -> str:
    """A condition on a timestamp column for the period's days (both ends included); adds its parameters."""
    clauses = [f"{column} IS NOT NULL"]
    if start is not None:
        clauses.append(f"{column} >= :{name}_from")
        params[f"{name}_from"] = tx.timestamp(day_start(start))
    end_moment = day_end(end) if end is not None else None
    if end_moment is not None:
        clauses.append(f"{column} < :{name}_to")
        params[f"{name}_to"] = tx.timestamp(end_moment)
    return "(" + " AND ".join(clauses) + ")"
