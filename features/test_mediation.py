"""Mediation (调解): consent, sessions, the escalation ladder, agreements."""

from pytest_bdd import scenarios

scenarios("mediation.feature")
