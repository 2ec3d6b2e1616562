"""field log: service kinds, visits and the effectiveness settings

Revision ID: 4f6b2c8e1a90
Revises: 6b2e9d4f1a83
Create Date: 2026-12-07 10:00:00

The service kinds are seeded with the list of issue 19 (admins can rename, add and retire them).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f6b2c8e1a90'
down_revision = '6b2e9d4f1a83'
branch_labels = None
depends_on = None

KINDS = [
    ("vneid-level-2", "Kích hoạt VNeID mức 2", "VNeID level 2 activation"),
    ("public-service", "Nộp hồ sơ dịch vụ công trực tuyến", "Online public-service application"),
    ("cashless-payment", "Cài đặt thanh toán không dùng tiền mặt", "Cashless payment set up"),
    ("scam-report", "Báo cáo, phòng tránh lừa đảo", "Scam report"),
    ("online-selling", "Bán hàng trên mạng", "Online selling"),
    ("health-book", "Sổ sức khỏe điện tử", "Electronic health book"),
    ("smartphone-basics", "Sử dụng điện thoại thông minh", "Smartphone basics"),
    ("other", "Việc khác", "Other"),
]


def upgrade():
    kinds = op.create_table('service_kinds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_kinds')),
    sa.UniqueConstraint('code', name=op.f('uq_service_kinds_code'))
    )
    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('people_count', sa.SmallInteger(), nullable=False),
    sa.Column('age_band', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.Enum('done', 'follow_up', 'referred', name='outcome',
                                 native_enum=False, length=16, create_constraint=True),
              nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('follow_up_closed_on', sa.Date(), nullable=True),
    sa.Column('review', sa.Enum('pending', 'confirmed', 'queried', name='review',
                                native_enum=False, length=16, create_constraint=True),
              nullable=False),
    sa.Column('review_note', sa.String(length=200), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('token', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(),
              nullable=False),
    sa.CheckConstraint('people_count BETWEEN 1 AND 30', name=op.f('ck_visits_people_count_range')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_visits_person_id_people'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_visits_team_id_teams')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_visits_unit_id_units')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['people.id'],
                            name=op.f('fk_visits_reviewed_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['people.id'],
                            name=op.f('fk_visits_recorded_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits')),
    sa.UniqueConstraint('token', name=op.f('uq_visits_token'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_unit_day', ['unit_id', 'visited_on'], unique=False)
        batch_op.create_index('ix_visits_team_day', ['team_id', 'visited_on'], unique=False)
        batch_op.create_index('ix_visits_person_day', ['person_id', 'visited_on'], unique=False)
    op.create_table('visit_kinds',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('kind_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kind_id'], ['service_kinds.id'],
                            name=op.f('fk_visit_kinds_kind_id_service_kinds')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_kinds_visit_id_visits'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'kind_id', name=op.f('pk_visit_kinds'))
    )
    with op.batch_alter_table('visit_kinds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_kinds_kind_id'), ['kind_id'], unique=False)
    op.create_table('effectiveness_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('criterion', sa.String(length=40), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight BETWEEN 0 AND 100', name=op.f('ck_effectiveness_settings_weight_range')),
    sa.CheckConstraint('target > 0', name=op.f('ck_effectiveness_settings_target_positive')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                            name=op.f('fk_effectiveness_settings_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_effectiveness_settings'))
    )
    with op.batch_alter_table('effectiveness_settings', schema=None) as batch_op:
        batch_op.create_index('ix_effectiveness_unit_criterion', ['unit_id', 'criterion'],
                              unique=True)
    op.bulk_insert(kinds, [{"code": code, "name_vi": vi, "name_en": en, "position": number,
                            "active": True}
                           for number, (code, vi, en) in enumerate(KINDS, start=1)])


def downgrade():
    with op.batch_alter_table('effectiveness_settings', schema=None) as batch_op:
        batch_op.drop_index('ix_effectiveness_unit_criterion')
    op.drop_table('effectiveness_settings')
    with op.batch_alter_table('visit_kinds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_kinds_kind_id'))
    op.drop_table('visit_kinds')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_person_day')
        batch_op.drop_index('ix_visits_team_day')
        batch_op.drop_index('ix_visits_unit_day')
    op.drop_table('visits')
    op.drop_table('service_kinds')
