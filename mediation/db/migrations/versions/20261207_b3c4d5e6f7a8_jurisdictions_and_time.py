"""jurisdictions and time: who shared a case and why, and deadlines that rest on an estimated calendar

A case shared with a partner unit for co-mediation keeps the reason and who shared it
(`case_shares.reason`, `case_shares.shared_by`), and the shares of a unit are found by unit
(`ix_case_shares_unit`). A deadline counted in working days over a year whose holidays are
estimated says so (`deadlines.estimated`), so it can be shown as such and recomputed when the
State Council's arrangement is entered.

Revision ID: b3c4d5e6f7a8
Revises: a9b8c7d6e5f4
Create Date: 2026-12-07 06:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = 'b3c4d5e6f7a8'
down_revision = 'a9b8c7d6e5f4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('case_shares', sa.Column('reason', sa.Text(), nullable=True))
    op.add_column('case_shares', sa.Column('shared_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_index('ix_case_shares_unit', 'case_shares', ['unit_id'])
    op.add_column('deadlines', sa.Column('estimated', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('deadlines', 'estimated')
    op.drop_index('ix_case_shares_unit', table_name='case_shares')
    op.drop_column('case_shares', 'shared_by')
    op.drop_column('case_shares', 'reason')
