"""The example scenarios of DOMAIN.md §5."""

from pytest_bdd import scenarios

scenarios("domain_scenarios.feature")
