"""memberships: when a person joined and left a unit's team, for reports on past dates

Revision ID: 8d2f4b6a1c37
Revises: 3b7d9e2f4a61
Create Date: 2026-12-06 10:00:00

Backfilled from people: every member or leader with a unit joined on the day they were created;
those already inactive left on the day of the upgrade (when they left is not known).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d2f4b6a1c37'
down_revision = '3b7d9e2f4a61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on', name=op.f('ck_memberships_left_after_joining')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_memberships_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_memberships_team_id_teams')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_memberships_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_memberships_unit_dates', ['unit_id', 'joined_on', 'left_on'],
                              unique=False)
        batch_op.create_index('ix_memberships_one_open', ['person_id'], unique=True,
                              sqlite_where=sa.text('left_on IS NULL'),
                              postgresql_where=sa.text('left_on IS NULL'))

    joined = ("date(created_at)" if op.get_bind().dialect.name == "sqlite"
              else "CAST(created_at AS DATE)")
    op.execute(
        "INSERT INTO memberships (person_id, unit_id, team_id, joined_on, left_on) "
        f"SELECT id, unit_id, team_id, {joined}, "
        # Never before joining, whatever the clocks say.
        f"CASE WHEN active THEN NULL WHEN CURRENT_DATE < {joined} THEN {joined} "
        "ELSE CURRENT_DATE END FROM people "
        "WHERE role IN ('member', 'leader') AND unit_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_memberships_one_open')
        batch_op.drop_index('ix_memberships_unit_dates')
        batch_op.drop_index(batch_op.f('ix_memberships_person_id'))

    op.drop_table('memberships')
