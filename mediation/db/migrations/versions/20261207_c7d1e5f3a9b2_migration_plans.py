"""migration plans: the dry run of `workflows migrate` and what its apply did, case by case

A plan (`migration_plans`) names the workflow, the versions from and to, the state map, its
totals and hash; each in-flight case it covers (`migration_plan_cases`) keeps its version when
planned, its state before and after, the outcome or the reason it cannot move, its deadline
changes and its status (planned, moved, changed, refused, skipped).

Revision ID: c7d1e5f3a9b2
Revises: b3c4d5e6f7a8
Create Date: 2026-12-07 11:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = 'c7d1e5f3a9b2'
down_revision = 'b3c4d5e6f7a8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'migration_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('workflow', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('from_version_id', sa.Integer(), nullable=False),
        sa.Column('to_version_id', sa.Integer(), nullable=False),
        sa.Column('state_map', sa.Text(), nullable=False),
        sa.Column('totals', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['from_version_id'], ['workflow_versions.id']),
        sa.ForeignKeyConstraint(['to_version_id'], ['workflow_versions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('hash'),
    )
    op.create_table(
        'migration_plan_cases',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('case_version', sa.Integer(), nullable=False),
        sa.Column('from_state', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('to_state', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('deadline_changes', sa.Text(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('moved_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['plan_id'], ['migration_plans.id']),
        sa.PrimaryKeyConstraint('plan_id', 'case_id'),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table('migration_plan_cases')
    op.drop_table('migration_plans')
