"""login sessions: one row per login, replacing people.auth_version

Revision ID: 7c3e1a9b5d20
Revises: 5c1d2e7f9a01
Create Date: 2026-12-05 10:00:00

Everyone is logged out once by the upgrade: old cookies name no login row.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e1a9b5d20'
down_revision = '5c1d2e7f9a01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_login_sessions_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_person_id'), ['person_id'], unique=False)

    # Not in a batch: SQLite (3.35+) drops a plain column in place, where a batch would copy
    # the people table, and dropping the old one with foreign keys on would cascade.
    op.drop_column('people', 'auth_version')


def downgrade():
    op.add_column('people', sa.Column('auth_version', sa.Integer(), nullable=False,
                                      server_default='1'))
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_person_id'))

    op.drop_table('login_sessions')
