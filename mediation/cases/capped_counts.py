"""The board's "more than N" counts, remembered for a short while.

Counting the matches of a list stops at the cap (the board shows "10,000+"); reaching the cap means
reading that many index entries, about a millisecond on SQLite for every load of a large unit's
board. Once a list is found to match more than the cap, that is remembered for HOLD_SECONDS: so
many cases do not fall below the cap within seconds in practice, and a count under the cap is
always counted afresh (it is exact).
"""

from __future__ import annotations

import time
from typing import Any

from mediation.recently_used import RecentlyUsed

HOLD_SECONDS = 30.0
REMEMBERED_LISTS = 1024
IGNORED_PARAMETERS = ("now",)  # the overdue filter's moment: more cases only become overdue as it moves


class CappedCounts:
    """(database, condition, parameters) -> when the list was last found over the cap."""

    def __init__(self, hold_seconds: float = HOLD_SECONDS) -> None:
        self._seen: RecentlyUsed[float] = RecentlyUsed(REMEMBERED_LISTS)
        self._hold = hold_seconds

    @staticmethod
    def key(database: str, clause: str, params: dict[str, Any]) -> tuple:
        return database, clause, tuple(sorted((k, str(v)) for k, v in params.items() if k not in IGNORED_PARAMETERS))

    def over_cap(self, key: tuple) -> bool:
        """True when this list matched more than the cap within the last HOLD_SECONDS."""
        seen = self._seen.get(key)
        if seen is None or time.monotonic() - seen > self._hold:
            self._seen.forget(key)
            return False
        return True

    def note_over_cap(self, key: tuple) -> None:
        self._seen.put(key, time.monotonic())


capped_counts = CappedCounts()
