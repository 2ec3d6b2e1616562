"""option explanations; course tags one a line

Revision ID: 6a1f0c2d9b34
Revises: e9b3f511ebd1
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a1f0c2d9b34'
down_revision = 'e9b3f511ebd1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('options', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation_md', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('explanation_html', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('attempt_options', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation_html', sa.Text(), server_default='', nullable=False))
    # Tags were joined with spaces, so "an toàn" could not be told from two tags. They are now
    # one a line; a stored text with a space may have held such a tag, so its digest is cleared
    # and the next import of that course rewrites its tags from the files.
    courses = sa.table('courses', sa.column('tags', sa.String), sa.column('content_digest', sa.String))
    op.execute(courses.update().where(courses.c.tags.contains(' '))
               .values(tags=sa.func.replace(courses.c.tags, ' ', '\n'), content_digest=''))


def downgrade():
    courses = sa.table('courses', sa.column('tags', sa.String))
    op.execute(courses.update().values(tags=sa.func.replace(courses.c.tags, '\n', ' ')))
    with op.batch_alter_table('attempt_options', schema=None) as batch_op:
        batch_op.drop_column('explanation_html')
    with op.batch_alter_table('options', schema=None) as batch_op:
        batch_op.drop_column('explanation_html')
        batch_op.drop_column('explanation_md')
