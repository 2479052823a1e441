"""case reach index

The case list counts every case in the caller's reach (unit subtree, own mediator, referred
department or court). An index holding all four columns answers that count from the index
alone instead of reading every case row (at 100,000 cases, a twentieth of the table's size).
It starts with unit_path, so it replaces the index on unit_path alone.

Revision ID: 3e5f82c8cb4e
Revises: 5c05b6711943
Create Date: 2026-11-22 09:05:00
"""

from alembic import op

revision = '3e5f82c8cb4e'
down_revision = '5c05b6711943'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_reach', ['unit_path', 'mediator_id', 'department_id', 'court_id'],
                              unique=False)
        batch_op.drop_index('ix_cases_unit_path')


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_unit_path', ['unit_path'], unique=False)
        batch_op.drop_index('ix_cases_reach')
