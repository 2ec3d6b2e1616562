"""course and lesson reviewed month, course sources and change note

Revision ID: 5c1d2e7f9a01
Revises: e9b3f511ebd1
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1d2e7f9a01'
down_revision = 'e9b3f511ebd1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed', sa.String(length=7), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('sources', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('changes', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed', sa.String(length=7), nullable=False,
                                      server_default=''))
    # A version published in the editor kept its note only on the version: the course's
    # `changes:` is that note, so that exporting the course keeps it.
    op.execute(
        "UPDATE courses SET changes = COALESCE((SELECT v.note FROM course_versions v"
        " WHERE v.course_id = courses.id AND v.version = courses.version"
        " ORDER BY v.id DESC LIMIT 1), '')"
    )


def downgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_column('reviewed')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('changes')
        batch_op.drop_column('sources')
        batch_op.drop_column('reviewed')
