"""Reopening a closed case (重新启动)."""

from pytest_bdd import scenarios

scenarios("reopen.feature")
