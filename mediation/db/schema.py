"""Bring a database's schema to the latest Alembic revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def upgrade_database(url: str | None = None) -> None:
    """Run every pending migration on the database at `url` (default: MEDIATION_DATABASE_URL)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    command.upgrade(config, "head")
