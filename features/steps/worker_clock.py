"""Test-only: "N days pass" (and hours) that also runs the timer worker, as a cron job would.

Imported by `features/test_deadlines.py` and `features/test_day_counting_zh.py`, where it takes the
place of the library's plain clock steps; not in the author's catalogue (the library's
"N days pass" only moves the clock; "the clock reaches …" runs the worker).
"""

from __future__ import annotations

from datetime import timedelta

from pytest_bdd import parsers

from mediation.authoring.steps.common import action
from mediation.authoring.steps.deadlines import run_worker
from mediation.authoring.steps.story import Story


@action(parsers.re(r"(?P<count>\d+) (?:day passes|days pass)"))
def _(story: Story, count: str):
    story.now += timedelta(days=int(count))
    run_worker(story)


@action(parsers.re(r"(?P<count>\d+) (?:hour passes|hours pass)"))
def _(story: Story, count: str):
    story.now += timedelta(hours=int(count))
    run_worker(story)
