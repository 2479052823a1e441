"""users.signed_out_at: a sign-out ends the user's sessions issued before it

Logging out cleared the browser's cookie, but the token in it stayed valid until it expired
(8 hours): a copy of the cookie still worked. Sessions issued up to `signed_out_at` (epoch
seconds) are now refused in every process (within the actors' 30-second refresh elsewhere).

Revision ID: c4d9e2f1a6b3
Revises: b7e3a91d5c20
Create Date: 2026-11-22 10:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'c4d9e2f1a6b3'
down_revision = 'b7e3a91d5c20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('signed_out_at', sa.Float(), nullable=True))


def downgrade() -> None:
    # In place (SQLite 3.35+): rebuilding `users` would trip the foreign keys that reference it.
    op.drop_column('users', 'signed_out_at')
