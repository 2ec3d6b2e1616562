"""quiz layout: one question a screen (default) or the whole quiz on one page

Revision ID: 5a1e0c7d2b31
Revises: 6a1f0c2d9b34
Create Date: 2026-12-03 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1e0c7d2b31'
down_revision = '6a1f0c2d9b34'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('layout', sa.String(length=20), nullable=False,
                                      server_default='one_per_screen'))


def downgrade():
    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.drop_column('layout')
