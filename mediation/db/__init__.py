"""Persistence: connections and transactions, the schema and its migrations, stored workflow versions."""

from mediation.db.connections import (
    Database,
    RawTransaction,
    database_url,
    escape_like,
    parse_timestamp,
)

__all__ = ["Database", "RawTransaction", "database_url", "escape_like", "parse_timestamp"]
