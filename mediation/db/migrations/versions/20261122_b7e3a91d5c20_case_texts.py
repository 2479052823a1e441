"""case facts in their own table

A case's description is written once, at intake, but it sat in the case row that every
transition rewrites: a long text (up to 20,000 characters) spilled into overflow pages that
were copied again on each change. It now lives in `case_texts`, one row per case.

Revision ID: b7e3a91d5c20
Revises: 8d1f0c2a7b44
Create Date: 2026-11-22 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'b7e3a91d5c20'
down_revision = '8d1f0c2a7b44'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_texts',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.execute("INSERT INTO case_texts (case_id, description) SELECT id, description FROM cases ORDER BY id")
    # In place (SQLite 3.35+ drops a column itself): rebuilding `cases` would trip the foreign
    # keys of every table that references it.
    op.drop_column('cases', 'description')


def downgrade() -> None:
    op.add_column('cases', sa.Column('description', sa.Text(), nullable=False, server_default=''))
    op.execute("UPDATE cases SET description = "
               "(SELECT t.description FROM case_texts t WHERE t.case_id = cases.id)")
    op.drop_table('case_texts')
