"""Tiny reporting helpers shared by the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table


@dataclass
class Row:
    name: str
    count: int | None = None
    seconds: float | None = None
    ratio: float | None = None
    note: str = ""

    @property
    def rate(self) -> float | None:
        if self.count is None or not self.seconds:
            return None
        return self.count / self.seconds


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(rows: list[Row], title: str | None = None) -> None:
    """Print an aligned table: name, count, seconds, rate/s, ratio (and a note if any)."""
    table = Table(title=title)
    table.add_column("name")
    table.add_column("count", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("rate/s", justify="right")
    table.add_column("ratio", justify="right")
    has_notes = any(r.note for r in rows)
    if has_notes:
        table.add_column("note")
    for r in rows:
        cells = [
            r.name,
            _fmt(r.count, ","),
            _fmt(r.seconds, ".3f"),
            _fmt(r.rate, ",.0f"),
            _fmt(r.ratio, ".3f"),
        ]
        if has_notes:
            cells.append(r.note)
        table.add_row(*cells)
    Console(soft_wrap=True).print(table)


def format_kv(**values: float | str) -> str:
    parts = []
    for key, value in values.items():
        parts.append(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}")
    return " ".join(parts)


def print_kv(**values: float | str) -> None:
    """Print the machine-readable ``k=v k=v`` summary line (must be the last line)."""
    print(format_kv(**values), flush=True)
