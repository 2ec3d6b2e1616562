"""revoked certificates index: the few revoked certificates found without reading them all

Revision ID: 6b2e9d4f1a83
Revises: 4e8a1c3b7d52
Create Date: 2026-12-08 09:00:00

The monthly chart (lms.dashboards.trend) looks month by month at the members and courses with a
certificate revoked within the months; a partial index holds only the revoked ones (a few), so
finding them no longer reads every certificate (840,000 nationally).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b2e9d4f1a83'
down_revision = '4e8a1c3b7d52'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_revoked', ['revoked_at'], unique=False,
                              sqlite_where=sa.text('revoked_at IS NOT NULL'),
                              postgresql_where=sa.text('revoked_at IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_revoked')
