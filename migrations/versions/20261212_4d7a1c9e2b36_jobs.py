"""jobs: background work (roster imports, standings rebuilds) with progress and results

Revision ID: 4d7a1c9e2b36
Revises: 9f2c4e6a8b10
Create Date: 2026-12-12 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d7a1c9e2b36'
down_revision = '9f2c4e6a8b10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=False),
        sa.Column('scope_unit_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='job_state',
                                   native_enum=False, length=16, create_constraint=True),
                  nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('errors', sa.Integer(), nullable=False),
        sa.Column('params', sa.JSON(), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=True),
        sa.Column('result_file', sa.String(length=255), nullable=True),
        sa.Column('error_message', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['started_by_id'], ['people.id'],
                                name=op.f('fk_jobs_started_by_id_people'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['scope_unit_id'], ['units.id'],
                                name=op.f('fk_jobs_scope_unit_id_units'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    )
    op.create_index('ix_jobs_started_by_created', 'jobs', ['started_by_id', 'created_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_jobs_started_by_created', table_name='jobs')
    op.drop_table('jobs')
