"""Roles and jurisdiction (DESIGN §5)."""

from pytest_bdd import scenarios

scenarios("roles.feature")
