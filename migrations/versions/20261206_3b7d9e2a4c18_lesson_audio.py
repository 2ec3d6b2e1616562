"""lesson recording: its path and length

Revision ID: 3b7d9e2a4c18
Revises: 7c3e1a9b5d20
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7d9e2a4c18'
down_revision = '7c3e1a9b5d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audio', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('audio_seconds', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_column('audio_seconds')
        batch_op.drop_column('audio')
