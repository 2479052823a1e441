"""the workplace: notifications, saved filters, the personal-data view log, directory changes, calendar keys

Every notice the engine writes for a person is also kept for that person (`notifications`, read or
unread); a list's filters can be saved under a name (`saved_filters`); who saw a case's unmasked
numbers is logged (`personal_data_views`, PIPL); an administrator's changes to units and users are
kept (`directory_changes`); a user's calendar feed token is kept as its hash (`users.calendar_key`).

Revision ID: a9b8c7d6e5f4
Revises: f1c2a3e4d5b6
Create Date: 2026-12-07 02:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = 'a9b8c7d6e5f4'
down_revision = 'f1c2a3e4d5b6'
branch_labels = None
depends_on = None


def _string(length: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.add_column('users', sa.Column('calendar_key', _string(64), nullable=True))
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('topic', _string(64), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notifications_user_unread', 'notifications', ['user_id', 'read_at', 'id'], unique=False)
    op.create_table(
        'saved_filters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('list_name', _string(32), nullable=False),
        sa.Column('name', _string(100), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'list_name', 'name'),
    )
    op.create_table(
        'personal_data_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('via', _string(40), nullable=False),
        sa.Column('viewed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_personal_data_views_case', 'personal_data_views', ['case_id', 'viewed_at'], unique=False)
    op.create_index('ix_personal_data_views_at', 'personal_data_views', ['viewed_at'], unique=False)
    op.create_table(
        'directory_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', _string(40), nullable=False),
        sa.Column('target', _string(64), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_directory_changes_at', 'directory_changes', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_directory_changes_at', table_name='directory_changes')
    op.drop_table('directory_changes')
    op.drop_index('ix_personal_data_views_at', table_name='personal_data_views')
    op.drop_index('ix_personal_data_views_case', table_name='personal_data_views')
    op.drop_table('personal_data_views')
    op.drop_table('saved_filters')
    op.drop_index('ix_notifications_user_unread', table_name='notifications')
    op.drop_table('notifications')
    op.drop_column('users', 'calendar_key')  # natively, SQLite ≥ 3.35: a batch copy of `users` would break its references
