"""Fixtures of the document tests: one case with every section, rendered once per module."""

from __future__ import annotations

import pytest
from documents_support import case_with_everything

from mediation.db import Database


@pytest.fixture(scope="module")
def everything_case(module_county_db: Database) -> int:
    """A closed case that went through a referral, two sessions, an agreement, the court and visits."""
    return case_with_everything(module_county_db)
