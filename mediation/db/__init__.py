"""Persistence: connections and transactions, the schema and its migrations, stored workflow versions."""

from mediation.db.connections import Database, database_url, escape_like, parse_timestamp
from mediation.db.raw_transaction import RawTransaction

__all__ = ["Database", "RawTransaction", "database_url", "escape_like", "parse_timestamp"]
