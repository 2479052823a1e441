"""search and lists at scale: text-search indexes and list indexes for a million cases

`case_search` holds each case's searchable text (number, title, facts, parties' names), filled here
for the cases already present; its character grams are indexed for the case list's `q`
(`mediation.db.search_index`): a contentless FTS5 table on SQLite, a GIN index over an immutable
function, stored as a generated column, on PostgreSQL.

The state and stage indexes gain the case id and the reach columns (a filtered list pages and counts
from the index alone); PostgreSQL gets a pattern index on the unit path (a unit's subtree by prefix); the
orders an index by deadline (their list's order).

Revision ID: d8e2f6a4b1c3
Revises: c7d1e5f3a9b2
Create Date: 2026-12-07 14:00:00
"""

import sqlalchemy as sa
from alembic import op

from mediation.db import search_index

revision = 'd8e2f6a4b1c3'
down_revision = 'c7d1e5f3a9b2'
branch_labels = None
depends_on = None

LIST_COLUMNS = ('id', 'unit_path', 'mediator_id', 'department_id', 'court_id')  # newest first, reach


def upgrade() -> None:
    bind = op.get_bind()
    is_sqlite = bind.dialect.name == "sqlite"
    op.create_table(
        'case_search',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('case_id'),
    )
    if is_sqlite:
        op.execute(search_index.CREATE_SQLITE_GRAMS)
    else:
        op.execute(search_index.CREATE_POSTGRESQL_FUNCTION)
        op.execute(search_index.ADD_POSTGRESQL_COLUMN)
    search_index.fill(bind.connection.dbapi_connection, is_sqlite)
    if not is_sqlite:  # built after the rows arrived: one pass instead of a GIN insert per row
        op.execute(search_index.CREATE_POSTGRESQL_INDEX)
    for column in ("state", "stage"):
        op.drop_index(f'ix_cases_{column}', table_name='cases')
        op.create_index(f'ix_cases_{column}_list', 'cases', [column, *LIST_COLUMNS])
    op.create_index('ix_orders_deadline', 'orders', ['deadline', 'id'])
    if not is_sqlite:  # a unit's subtree (unit_path LIKE 'prefix%') by index under any collation
        op.execute("CREATE INDEX ix_cases_unit_path_pattern ON cases (unit_path text_pattern_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute("DROP INDEX ix_cases_unit_path_pattern")
    op.drop_index('ix_orders_deadline', table_name='orders')
    for column in ("state", "stage"):
        op.drop_index(f'ix_cases_{column}_list', table_name='cases')
        op.create_index(f'ix_cases_{column}', 'cases', [column])
    if bind.dialect.name == "sqlite":
        op.execute(f"DROP TABLE {search_index.GRAMS}")
    else:
        op.execute("DROP INDEX ix_case_search_grams")
    op.drop_table('case_search')
    if bind.dialect.name != "sqlite":
        op.execute(f"DROP FUNCTION {search_index.GRAMS}(text)")
