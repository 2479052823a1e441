"""dashboard figures at scale: what the supervisors' figures read at a million cases

The counts the figures sum (mediation/cases/figure_rows.py: cases by creation day, closings,
return visits, pending deadlines, orders, each by unit path), kept by whoever changes a case in
the same transaction; this migration creates them and fills them from the cases already stored.

Revision ID: e9f3a7b5c2d4
Revises: d8e2f6a4b1c3
Create Date: 2026-12-07 14:00:01
"""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = 'e9f3a7b5c2d4'
down_revision = 'd8e2f6a4b1c3'
branch_labels = None
depends_on = None

TEXT = sa.String(1000)
NAME = sa.String(64)


def _counted(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.BigInteger(), nullable=False, server_default='0') for name in names]


def upgrade() -> None:
    op.create_table(
        'figure_created',
        sa.Column('unit_path', TEXT, nullable=False), sa.Column('day', sa.Date(), nullable=False),
        sa.Column('state', NAME, nullable=False), sa.Column('channel', NAME, nullable=False),
        sa.Column('category', NAME, nullable=False), sa.Column('mechanism', NAME, nullable=False),
        *_counted('cases', 'recurred', 'recurrences', 'followed_up'),
        sa.PrimaryKeyConstraint('day', 'unit_path', 'state', 'channel', 'category', 'mechanism'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'figure_closed',
        sa.Column('unit_path', TEXT, nullable=False), sa.Column('day', sa.Date(), nullable=False),
        sa.Column('state', NAME, nullable=False), sa.Column('mediator_id', sa.Integer(), nullable=False),
        sa.Column('resolved_level', NAME, nullable=False), sa.Column('ladder_level', sa.Integer(), nullable=False),
        sa.Column('close_us', sa.BigInteger(), nullable=False), sa.Column('agree_us', sa.BigInteger(), nullable=False),
        sa.Column('on_schedule', sa.Integer(), nullable=False),
        *_counted('cases'),
        sa.PrimaryKeyConstraint('day', 'unit_path', 'state', 'mediator_id', 'resolved_level', 'ladder_level',
                                'close_us', 'agree_us', 'on_schedule'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'figure_visits',
        sa.Column('unit_path', TEXT, nullable=False), sa.Column('day', sa.Date(), nullable=False),
        sa.Column('schedule', NAME, nullable=False),
        *_counted('visits'),
        sa.PrimaryKeyConstraint('day', 'unit_path', 'schedule'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'figure_deadlines',
        sa.Column('unit_path', TEXT, nullable=False), sa.Column('kind', NAME, nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        *_counted('pending'),
        sa.PrimaryKeyConstraint('kind', 'due_at', 'unit_path'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'figure_orders',
        sa.Column('unit_path', TEXT, nullable=False), sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        *_counted('orders'),
        sa.PrimaryKeyConstraint('deadline', 'unit_path', 'done'),
        sqlite_with_rowid=False,
    )
    _backfill(op.get_bind())


class _Transaction:
    """The few calls of a raw transaction that `figure_recount.recount` makes, on the migration's connection."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.is_sqlite = connection.dialect.name == 'sqlite'

    def all(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        return [tuple(row) for row in self.connection.execute(sa.text(sql), params or {})]

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self.connection.execute(sa.text(sql), params or {})

    def execute_many(self, sql: str, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), 5000):
            self.connection.execute(sa.text(sql), rows[start:start + 5000])

    def day(self, value: date | None) -> Any:
        return value.isoformat() if self.is_sqlite and value is not None else value

    def timestamp(self, value: datetime | None) -> Any:
        return value.isoformat(' ', 'microseconds') if self.is_sqlite and value is not None else value


def _backfill(connection: sa.Connection) -> None:
    """Count the cases already stored (the visits a case kept no judgement of are judged under the
    deployment's workflow as it stands)."""
    if connection.execute(sa.text('SELECT 1 FROM cases LIMIT 1')).first() is None:
        return
    from mediation.cases import figure_recount

    figure_recount.recount(_Transaction(connection))


def downgrade() -> None:
    for table in ('figure_orders', 'figure_deadlines', 'figure_visits', 'figure_closed', 'figure_created'):
        op.drop_table(table)
