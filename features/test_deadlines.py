"""Deadlines and the timer worker, with time passing (DOMAIN.md §5 scenarios 3, 4 and 7)."""

from pytest_bdd import scenarios

from features.steps.worker_clock import *  # noqa: F403 ("N days pass" here also runs the worker)

scenarios("deadlines.feature")
