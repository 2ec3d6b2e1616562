"""person text size: the A-/A/A+ choice kept for the person (percent of the normal size)

Revision ID: 3b7d9e2f4a61
Revises: 3b7d9e2a4c18
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7d9e2f4a61'
down_revision = '3b7d9e2a4c18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_size', sa.SmallInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_people_text_size_step'),
            'text_size IS NULL OR text_size IN (100, 125, 150, 175, 200)')


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_people_text_size_step'), type_='check')
        batch_op.drop_column('text_size')
