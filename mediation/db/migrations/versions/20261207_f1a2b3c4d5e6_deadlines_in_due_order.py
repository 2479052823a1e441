"""deadlines in due order: the pending deadlines' index holds their id after the due moment

The worker takes the pending deadlines due by now in (due moment, id) order, and a long queue of my work
pages its cases in the order of their first pending deadline, (due moment, id); with the id in the index
PostgreSQL reads both in that order from the index instead of sorting every deadline due at the moment
(thousands, when the judicial-confirmation windows of one day fall due together). SQLite's index already
held the id as its row id: it is rebuilt alike, and the plans stay.

Revision ID: f1a2b3c4d5e6
Revises: e9f3a7b5c2d4
Create Date: 2026-12-07 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'f1a2b3c4d5e6'
down_revision = 'e9f3a7b5c2d4'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def _index(columns: list[str]) -> None:
    op.drop_index('ix_deadlines_pending_due', table_name='deadlines')
    op.create_index('ix_deadlines_pending_due', 'deadlines', columns, sqlite_where=PENDING, postgresql_where=PENDING)


def upgrade() -> None:
    _index(['due_at', 'id'])


def downgrade() -> None:
    _index(['due_at'])
