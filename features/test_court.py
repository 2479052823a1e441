"""Judicial confirmation at the shared court (共享法庭，司法确认)."""

from pytest_bdd import scenarios

scenarios("court.feature")
