"""dashboard figures at scale: what the supervisors' figures read at a million cases

Revision ID: e9f3a7b5c2d4
Revises: d8e2f6a4b1c3
Create Date: 2026-12-07 14:00:01
"""

revision = 'e9f3a7b5c2d4'
down_revision = 'd8e2f6a4b1c3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
