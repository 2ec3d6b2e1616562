"""effectiveness snapshots: an area's effectiveness figures of a day, computed in the
background, so the page reads a few rows instead of a year of visits

Revision ID: e5f1a7c3b9d2
Revises: c3d5e7f9a1b2
Create Date: 2026-12-14 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f1a7c3b9d2'
down_revision = 'c3d5e7f9a1b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'effectiveness_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('settings', sa.JSON(), nullable=False),
        sa.Column('members_certified', sa.Integer(), nullable=False),
        sa.Column('members_other', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_effectiveness_snapshots_unit_id_units'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_effectiveness_snapshots')),
    )
    op.create_index('ix_effectiveness_snapshots_unit', 'effectiveness_snapshots', ['unit_id'],
                    unique=True)
    op.create_table(
        'effectiveness_team_figures',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('certified', sa.Float(), nullable=False),
        sa.Column('older_certified', sa.Float(), nullable=False),
        sa.Column('refreshers_on_time', sa.Float(), nullable=True),
        sa.Column('people_per_member', sa.Float(), nullable=False),
        sa.Column('kinds_covered', sa.Float(), nullable=False),
        sa.Column('follow_ups_closed', sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ['snapshot_id'], ['effectiveness_snapshots.id'],
            name=op.f('fk_effectiveness_team_figures_snapshot_id_effectiveness_snapshots'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'],
                                name=op.f('fk_effectiveness_team_figures_team_id_teams'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('snapshot_id', 'team_id',
                                name=op.f('pk_effectiveness_team_figures')),
    )
    op.create_index('ix_effectiveness_team_figures_position', 'effectiveness_team_figures',
                    ['snapshot_id', 'position'], unique=True)
    op.create_index(op.f('ix_effectiveness_team_figures_team_id'),
                    'effectiveness_team_figures', ['team_id'], unique=False)
    op.create_table(
        'effectiveness_help_figures',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('kind_id', sa.Integer(), nullable=False),
        sa.Column('people_certified', sa.Integer(), nullable=False),
        sa.Column('people_other', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['snapshot_id'], ['effectiveness_snapshots.id'],
            name=op.f('fk_effectiveness_help_figures_snapshot_id_effectiveness_snapshots'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['kind_id'], ['service_kinds.id'],
                                name=op.f('fk_effectiveness_help_figures_kind_id_service_kinds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('snapshot_id', 'kind_id',
                                name=op.f('pk_effectiveness_help_figures')),
    )


def downgrade():
    op.drop_table('effectiveness_help_figures')
    op.drop_index(op.f('ix_effectiveness_team_figures_team_id'),
                  table_name='effectiveness_team_figures')
    op.drop_index('ix_effectiveness_team_figures_position',
                  table_name='effectiveness_team_figures')
    op.drop_table('effectiveness_team_figures')
    op.drop_index('ix_effectiveness_snapshots_unit', table_name='effectiveness_snapshots')
    op.drop_table('effectiveness_snapshots')
