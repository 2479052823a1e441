"""append-only events found through cases.event_ids

Events were a table clustered by (case_id, seq): every append landed in the middle of the
B-tree, in the case's own page. They are now appended in the order written (rowid `id`), and
each case lists its events' ids in `cases.event_ids`, written with the case row in the same
transaction. Existing events are copied in (case_id, seq) order, so their ids follow it.

Revision ID: 8d1f0c2a7b44
Revises: 3e5f82c8cb4e
Create Date: 2026-11-22 09:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '8d1f0c2a7b44'
down_revision = '3e5f82c8cb4e'
branch_labels = None
depends_on = None

COLUMNS = "case_id, seq, trigger, actor, at, from_state, to_state, data, reason, prev_hash, hash"
BATCH = 5000


def _event_columns(with_id: bool) -> list[sa.Column]:
    key = [sa.Column('id', sa.Integer(), nullable=False)] if with_id else []
    return [
        *key,
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('from_state', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('to_state', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
    ]


def _quoted(columns: str) -> str:
    return columns.replace("trigger", '"trigger"')


def upgrade() -> None:
    op.create_table('events_appended', *_event_columns(True), sa.PrimaryKeyConstraint('id'))
    op.execute(f"INSERT INTO events_appended ({_quoted(COLUMNS)}) "
               f"SELECT {_quoted(COLUMNS)} FROM events ORDER BY case_id, seq")
    op.drop_table('events')
    op.rename_table('events_appended', 'events')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_ids', sa.Text(), nullable=False, server_default=''))
    connection = op.get_bind()
    lists: dict[int, list[str]] = {}
    for event_id, case_id in connection.execute(sa.text("SELECT id, case_id FROM events ORDER BY case_id, seq")):
        lists.setdefault(case_id, []).append(str(event_id))
    rows = [{"id": case_id, "ids": ",".join(ids)} for case_id, ids in lists.items()]
    for start in range(0, len(rows), BATCH):
        connection.execute(sa.text("UPDATE cases SET event_ids = :ids WHERE id = :id"), rows[start:start + BATCH])


def downgrade() -> None:
    op.create_table('events_clustered', *_event_columns(False), sa.PrimaryKeyConstraint('case_id', 'seq'),
                    sqlite_with_rowid=False)
    op.execute(f"INSERT INTO events_clustered ({_quoted(COLUMNS)}) SELECT {_quoted(COLUMNS)} FROM events")
    op.drop_table('events')
    op.rename_table('events_clustered', 'events')
    # Not in batch mode: SQLite (3.35+) drops a column in place, and rebuilding `cases` would
    # trip the foreign keys of every table that references it.
    op.drop_column('cases', 'event_ids')
