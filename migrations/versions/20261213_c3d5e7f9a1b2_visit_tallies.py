"""visit tallies: per unit (and every unit above), month and age band or kind, for the field
log's reports; filled from the existing visits

Revision ID: c3d5e7f9a1b2
Revises: 4d7a1c9e2b36
Create Date: 2026-12-11 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d5e7f9a1b2'
down_revision = '4d7a1c9e2b36'
branch_labels = None
depends_on = None


def _fill(month: str) -> None:
    """One INSERT … SELECT per table: per village first, then into every unit above it."""
    # every (unit, unit above it or itself): a few rows per unit
    ancestors = ("WITH RECURSIVE ancestors (unit_id, above_id) AS ("
                 "SELECT id, id FROM units UNION ALL "
                 "SELECT ancestors.unit_id, units.parent_id FROM ancestors "
                 "JOIN units ON units.id = ancestors.above_id "
                 "WHERE units.parent_id IS NOT NULL) ")
    above = "JOIN ancestors above ON above.unit_id = v.unit_id"
    op.execute(f"""
        INSERT INTO visit_tallies (unit_id, month, age_band, visits, people, open_follow_ups)
        {ancestors}
        SELECT above.above_id, v.month, v.age_band, sum(v.visits), sum(v.people),
               sum(v.open_count)
        FROM (SELECT unit_id, {month} AS month, age_band, count(*) AS visits,
                     sum(people_count) AS people,
                     sum(CASE WHEN outcome = 'follow_up' AND follow_up_closed_on IS NULL
                         THEN 1 ELSE 0 END) AS open_count
              FROM visits GROUP BY unit_id, {month}, age_band) v
        {above}
        GROUP BY above.above_id, v.month, v.age_band""")
    op.execute(f"""
        INSERT INTO visit_kind_tallies (unit_id, month, kind_id, visits, people)
        {ancestors}
        SELECT above.above_id, v.month, v.kind_id, sum(v.visits), sum(v.people)
        FROM (SELECT visits.unit_id, {month} AS month, visit_kinds.kind_id,
                     count(*) AS visits, sum(people_count) AS people
              FROM visits JOIN visit_kinds ON visit_kinds.visit_id = visits.id
              GROUP BY visits.unit_id, {month}, visit_kinds.kind_id) v
        {above}
        GROUP BY above.above_id, v.month, v.kind_id""")


def upgrade():
    op.create_table(
        'visit_tallies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('age_band', sa.String(length=16), nullable=False),
        sa.Column('visits', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('open_follow_ups', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_visit_tallies_unit_id_units'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_tallies')),
    )
    op.create_index('ix_visit_tallies_key', 'visit_tallies', ['unit_id', 'month', 'age_band'],
                    unique=True)
    op.create_table(
        'visit_kind_tallies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('kind_id', sa.Integer(), nullable=False),
        sa.Column('visits', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['kind_id'], ['service_kinds.id'],
                                name=op.f('fk_visit_kind_tallies_kind_id_service_kinds'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_visit_kind_tallies_unit_id_units'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_kind_tallies')),
    )
    op.create_index('ix_visit_kind_tallies_key', 'visit_kind_tallies',
                    ['unit_id', 'month', 'kind_id'], unique=True)
    with op.batch_alter_table('visits') as batch_op:
        batch_op.create_index('ix_visits_follow_ups',
                              ['outcome', 'follow_up_closed_on', 'visited_on'], unique=False)
        batch_op.create_index('ix_visits_day', ['visited_on'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        _fill("date_trunc('month', visited_on)::date")
    else:
        _fill("date(visited_on, 'start of month')")


def downgrade():
    with op.batch_alter_table('visits') as batch_op:
        batch_op.drop_index('ix_visits_day')
        batch_op.drop_index('ix_visits_follow_ups')
    op.drop_index('ix_visit_kind_tallies_key', table_name='visit_kind_tallies')
    op.drop_table('visit_kind_tallies')
    op.drop_index('ix_visit_tallies_key', table_name='visit_tallies')
    op.drop_table('visit_tallies')
