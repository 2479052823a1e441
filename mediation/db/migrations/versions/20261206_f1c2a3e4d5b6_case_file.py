"""the case file: a party's particulars, attachments stored in chunks

Parties gain the particulars of DESIGN §9.2 (gender, ethnicity, birth date, occupation,
address, language, whether an interpreter is needed, and for a company its name and legal
representative), all optional. Attachments keep their bytes in `attachment_chunks`, in order,
so an upload or a download never holds a whole file in memory.

Revision ID: f1c2a3e4d5b6
Revises: e1a7c3b9d052
Create Date: 2026-12-06 23:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = 'f1c2a3e4d5b6'
down_revision = 'e1a7c3b9d052'
branch_labels = None
depends_on = None

PARTY_COLUMNS = (
    ('gender', 10), ('ethnicity', 20), ('occupation', 100), ('address', 200), ('language', 40),
    ('organisation_name', 200), ('legal_representative', 100),
)


def upgrade() -> None:
    with op.batch_alter_table('parties') as batch:
        for name, length in PARTY_COLUMNS:
            batch.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True))
        batch.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('needs_interpreter', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['uploaded_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_attachments_case_id', 'attachments', ['case_id'], unique=False)
    op.create_table(
        'attachment_chunks',
        sa.Column('attachment_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id']),
        sa.PrimaryKeyConstraint('attachment_id', 'seq'),
    )


def downgrade() -> None:
    op.drop_table('attachment_chunks')
    op.drop_index('ix_attachments_case_id', table_name='attachments')
    op.drop_table('attachments')
    with op.batch_alter_table('parties') as batch:
        batch.drop_column('needs_interpreter')
        batch.drop_column('birth_date')
        for name, _length in reversed(PARTY_COLUMNS):
            batch.drop_column(name)
