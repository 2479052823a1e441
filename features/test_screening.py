"""Screening and intake (排查受理)."""

from pytest_bdd import scenarios

scenarios("screening.feature")
