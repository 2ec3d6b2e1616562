"""scorecard covering indexes: each member's standings, quiz scores and last activity read from
an index alone

Revision ID: 5e1f7a3c9d24
Revises: e5f1a7c3b9d2
Create Date: 2026-12-14 09:00:00

The team scorecard (lms.dashboards.scorecard) needs, per member, the status over the required
courses, the sum and count of submitted quiz percentages and the last activity. These indexes
hold those columns, so the database reads them without visiting the rows (SQLite probes each
member once; PostgreSQL can scan them index-only). The attempts' and enrolments' indexes on
person_id alone are replaced: the new ones start with person_id and serve the same look-ups.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1f7a3c9d24'
down_revision = 'e5f1a7c3b9d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_person_submitted',
                              ['person_id', 'submitted_at', 'percent'], unique=False)
        batch_op.drop_index('ix_attempts_person_id')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_enrolments_person_activity',
                              ['person_id', 'last_activity_at'], unique=False)
        batch_op.drop_index('ix_enrolments_person_id')
    with op.batch_alter_table('course_standings', schema=None) as batch_op:
        batch_op.create_index('ix_course_standings_person',
                              ['person_id', 'course_id', 'valid_until', 'version_seq'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('course_standings', schema=None) as batch_op:
        batch_op.drop_index('ix_course_standings_person')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_enrolments_person_id', ['person_id'], unique=False)
        batch_op.drop_index('ix_enrolments_person_activity')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_person_id', ['person_id'], unique=False)
        batch_op.drop_index('ix_attempts_person_submitted')
