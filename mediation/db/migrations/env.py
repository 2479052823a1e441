"""Alembic environment: migrations run against MEDIATION_DATABASE_URL (or the given URL)."""

from alembic import context
from sqlmodel import SQLModel

import mediation.db.models  # noqa: F401  (registers the tables)
from mediation.db import Database

config = context.config
url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or None
database = Database(url)

with database.engine.connect() as connection:
    context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=database.is_sqlite)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
database.dispose()
