"""idempotency keys: requests a phone queued offline and sent, recorded once per person

Revision ID: 9f2c4e6a8b10
Revises: 9b4e2c7a1d05
Create Date: 2026-12-08 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9f2c4e6a8b10'
down_revision = '9b4e2c7a1d05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('endpoint', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_idempotency_keys_person_id_people'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('person_id', 'key', name=op.f('uq_idempotency_keys_person_id')),
    )
    op.create_index('ix_idempotency_keys_person_created', 'idempotency_keys',
                    ['person_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_idempotency_keys_person_created', table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
