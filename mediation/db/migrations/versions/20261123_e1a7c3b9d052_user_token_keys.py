"""users: ids never given twice, a token key per user, an administrator's login unlock

A token named its user by id alone, and SQLite gives the highest id again once its row is
deleted: a deleted user's token acted as the next user created. `users` is rebuilt on SQLite
with AUTOINCREMENT (PostgreSQL's sequence never gives a number twice), and every user gets a
random `token_key` that each token carries: replacing it (sign-out, disabling) ends every
token of the user at once, and a row that ever comes back under an old id has another key.
`signed_out_at` gives way to the key. `logins_unlocked_at`: failed logins before it no longer
slow the user's logins down.

Revision ID: e1a7c3b9d052
Revises: c4d9e2f1a6b3
Create Date: 2026-11-23 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = 'e1a7c3b9d052'
down_revision = 'c4d9e2f1a6b3'
branch_labels = None
depends_on = None

KEPT = ('id', 'username', 'display_name', 'password_hash', 'roles', 'unit_id', 'active', 'created_at')


def _kept_columns() -> list[sa.Column]:
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('roles', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    ]


def _token_key(**options) -> sa.Column:
    return sa.Column('token_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, **options)


def _unlocked_at() -> sa.Column:
    return sa.Column('logins_unlocked_at', sa.DateTime(), nullable=True)


def _signed_out_at() -> sa.Column:
    return sa.Column('signed_out_at', sa.Float(), nullable=True)


def _rebuild_sqlite_users(extra: list[sa.Column], *, upgrading: bool) -> None:
    """Make `users` anew with the `extra` columns, keeping every row and id (SQLite cannot alter
    a key); upgrading, with AUTOINCREMENT and a random key per user.

    Deferred foreign keys: the rows of cases and orders that name a user are checked at commit,
    when the new table holds every id again, so the rebuild keeps them valid without turning
    the checks off.
    """
    op.execute('PRAGMA defer_foreign_keys = ON')
    op.execute('DROP TABLE IF EXISTS temp.users_copy')
    op.execute('CREATE TEMP TABLE users_copy AS SELECT * FROM users')
    op.drop_table('users')  # with its indexes
    op.create_table('users', *_kept_columns(), *extra,
                    sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sqlite_autoincrement=upgrading)
    names = ', '.join(KEPT)
    into, values = (f'{names}, token_key', f'{names}, lower(hex(randomblob(8)))') if upgrading else (names, names)
    op.execute(f'INSERT INTO users ({into}) SELECT {values} FROM temp.users_copy ORDER BY id')
    op.execute('DROP TABLE temp.users_copy')
    op.create_index('ix_users_unit_id', 'users', ['unit_id'], unique=False)
    op.create_index('ix_users_username', 'users', ['username'], unique=True)


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite_users([_token_key(), _unlocked_at()], upgrading=True)
        return
    op.add_column('users', _token_key(server_default=''))
    op.execute("UPDATE users SET token_key = substr(md5(random()::text || clock_timestamp()::text || id), 1, 16)")
    op.alter_column('users', 'token_key', server_default=None)  # every writer names the key itself
    op.add_column('users', _unlocked_at())
    op.drop_column('users', 'signed_out_at')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite_users([_signed_out_at()], upgrading=False)
    else:
        op.add_column('users', _signed_out_at())
        op.drop_column('users', 'logins_unlocked_at')
        op.drop_column('users', 'token_key')
