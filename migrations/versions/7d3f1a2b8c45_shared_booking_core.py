"""shared booking core: events, places, waiting lists and attendance for every programme

Surgery dates become `event` rows (their own table keeps day, session and cancel message), surgery
bookings become `place` rows (their own table keeps slot, theme, outline and colleagues) and the
surgery waiting list moves onto `waitlist_entry`; ids are kept, so links, offers, sent reminders and
calendar UIDs carry over unchanged. Attendance gains minutes and who marked it, when.

Revision ID: 7d3f1a2b8c45
Revises: 4e8a2c6d9b13
Create Date: 2026-12-02 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '7d3f1a2b8c45'
down_revision = '4e8a2c6d9b13'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('waiting', 'offered')")


def _create_shared_tables():
    op.create_table(
        'event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.Enum('draft', 'published', 'cancelled', name='eventstatus', native_enum=False,
                                    length=30), nullable=False),
        sa.Column('online_url', sa.String(length=2000), nullable=False),
        sa.Column('venue', sa.Text(), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_event_programme_id_programme'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_programme_status_starts', ['programme_id', 'status', 'starts_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_event_starts_at'), ['starts_at'], unique=False)

    op.create_table(
        'place',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('uid', sa.String(length=100), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('confirmed', 'cancelled', name='placestatus', native_enum=False, length=30),
                  nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
        sa.Column('cancel_reason', sa.Text(), nullable=False),
        sa.Column('attendance', sa.Enum('unknown', 'attended', 'did_not_attend', name='attendance',
                                        native_enum=False, length=30), nullable=False),
        sa.Column('attended_minutes', sa.Integer(), nullable=True),
        sa.Column('attendance_marked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attendance_marked_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['attendance_marked_by_id'], ['user.id'],
                                name=op.f('fk_place_attendance_marked_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'], name=op.f('fk_place_cancelled_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_place_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_place_organisation_id_organisation'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_place_user_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_place')),
        sa.UniqueConstraint('uid', name=op.f('uq_place_uid')),
    )
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_place_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_place_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index('ix_place_user_starts', ['user_id', 'starts_at'], unique=False)

    op.create_table(
        'waitlist_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('waiting', 'offered', 'booked', 'expired', 'left', 'declined',
                                    name='waitliststatus', native_enum=False, length=30), nullable=False),
        sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_waitlist_entry_event_id_event'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_waitlist_entry_user_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entry')),
    )
    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entry_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entry_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_waitlist_entry_active', ['event_id', 'user_id'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def _restart_sequence(table):
    # PostgreSQL: rows were inserted with their old ids, so the id sequence must move past them.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")


def upgrade():
    _create_shared_tables()
    op.execute("INSERT INTO event (id, kind, programme_id, title, starts_at, ends_at, status, online_url, venue, "
               "capacity, created_at) SELECT id, 'surgery_date', programme_id, 'Practice surgery', starts_at, "
               "ends_at, status, teams_url, '', NULL, created_at FROM surgery_date")
    op.execute("INSERT INTO place (id, kind, event_id, user_id, organisation_id, uid, sequence, status, starts_at, ends_at, "
               "cancelled_at, cancelled_by_id, cancel_reason, attendance, attended_minutes, attendance_marked_at, "
               "attendance_marked_by_id, created_at) "
               "SELECT b.id, 'surgery_booking', s.surgery_date_id, b.user_id, "
               "(SELECT u.organisation_id FROM \"user\" u WHERE u.id = b.user_id), b.uid, b.sequence, b.status, "
               "s.starts_at, s.ends_at, b.cancelled_at, b.cancelled_by_id, b.cancel_reason, b.attendance, NULL, "
               "NULL, NULL, b.created_at FROM surgery_booking b JOIN surgery_slot s ON s.id = b.slot_id")
    op.execute("INSERT INTO waitlist_entry (id, kind, event_id, user_id, status, offer_expires_at, created_at) "
               "SELECT w.id, 'surgery_waitlist_entry', w.surgery_date_id, w.user_id, w.status, "
               "(SELECT o.expires_at FROM surgery_slot_offer o WHERE o.entry_id = w.id AND o.status = 'open'), "
               "w.created_at FROM surgery_waitlist_entry w")
    for table in ('event', 'place', 'waitlist_entry'):
        _restart_sequence(table)
    op.execute("UPDATE sent_reminder SET kind = 'place' WHERE kind = 'surgery'")

    with op.batch_alter_table('surgery_date', schema=None) as batch_op:
        batch_op.drop_index('ix_surgery_date_programme_status_starts')
        batch_op.drop_index(batch_op.f('ix_surgery_date_starts_at'))
        batch_op.drop_constraint(batch_op.f('fk_surgery_date_programme_id_programme'), type_='foreignkey')
        for column in ('programme_id', 'starts_at', 'ends_at', 'status', 'teams_url', 'created_at'):
            batch_op.drop_column(column)
        batch_op.create_foreign_key(batch_op.f('fk_surgery_date_id_event'), 'event', ['id'], ['id'],
                                    ondelete='CASCADE')

    with op.batch_alter_table('surgery_booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_slot_id', sa.Integer(), nullable=True))
    op.execute("UPDATE surgery_booking SET held_slot_id = slot_id WHERE status = 'confirmed'")
    with op.batch_alter_table('surgery_booking', schema=None) as batch_op:
        batch_op.drop_index('uq_surgery_booking_confirmed_slot', sqlite_where=sa.text("status = 'confirmed'"),
                            postgresql_where=sa.text("status = 'confirmed'"))
        batch_op.drop_index(batch_op.f('ix_surgery_booking_user_id'))
        batch_op.drop_constraint(batch_op.f('uq_surgery_booking_uid'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_surgery_booking_user_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_surgery_booking_cancelled_by_id_user'), type_='foreignkey')
        for column in ('uid', 'sequence', 'user_id', 'status', 'cancelled_at', 'cancelled_by_id', 'cancel_reason',
                       'attendance', 'created_at'):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint(batch_op.f('uq_surgery_booking_held_slot_id'), ['held_slot_id'])
        batch_op.create_foreign_key(batch_op.f('fk_surgery_booking_id_place'), 'place', ['id'], ['id'],
                                    ondelete='CASCADE')

    with op.batch_alter_table('surgery_waitlist_entry', schema=None) as batch_op:
        batch_op.drop_index('uq_surgery_waitlist_active', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.drop_index(batch_op.f('ix_surgery_waitlist_entry_user_id'))
        batch_op.drop_index(batch_op.f('ix_surgery_waitlist_entry_surgery_date_id'))
        batch_op.drop_constraint(batch_op.f('fk_surgery_waitlist_entry_surgery_date_id_surgery_date'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_surgery_waitlist_entry_user_id_user'), type_='foreignkey')
        for column in ('surgery_date_id', 'user_id', 'status', 'created_at'):
            batch_op.drop_column(column)
        batch_op.create_foreign_key(batch_op.f('fk_surgery_waitlist_entry_id_waitlist_entry'), 'waitlist_entry',
                                    ['id'], ['id'], ondelete='CASCADE')


def downgrade():
    # Places and waiting-list entries kept without a person (deleted accounts) cannot go back into the
    # old tables, whose rows each needed a person: they are dropped.
    op.execute("DELETE FROM surgery_booking WHERE id IN (SELECT id FROM place WHERE user_id IS NULL)")
    op.execute("DELETE FROM surgery_waitlist_entry WHERE id IN (SELECT id FROM waitlist_entry WHERE user_id IS NULL)")
    with op.batch_alter_table('surgery_waitlist_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_surgery_waitlist_entry_id_waitlist_entry'), type_='foreignkey')
        batch_op.add_column(sa.Column('surgery_date_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE surgery_waitlist_entry SET surgery_date_id = (SELECT w.event_id FROM waitlist_entry w "
               "WHERE w.id = surgery_waitlist_entry.id), user_id = (SELECT w.user_id FROM waitlist_entry w "
               "WHERE w.id = surgery_waitlist_entry.id), status = (SELECT w.status FROM waitlist_entry w "
               "WHERE w.id = surgery_waitlist_entry.id), created_at = (SELECT w.created_at FROM waitlist_entry w "
               "WHERE w.id = surgery_waitlist_entry.id)")
    with op.batch_alter_table('surgery_waitlist_entry', schema=None) as batch_op:
        batch_op.alter_column('surgery_date_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('status', existing_type=sa.String(length=30), nullable=False)
        batch_op.alter_column('created_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_surgery_waitlist_entry_surgery_date_id_surgery_date'),
                                    'surgery_date', ['surgery_date_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_surgery_waitlist_entry_user_id_user'), 'user', ['user_id'],
                                    ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_surgery_waitlist_entry_surgery_date_id'), ['surgery_date_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_surgery_waitlist_entry_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_surgery_waitlist_active', ['surgery_date_id', 'user_id'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)

    with op.batch_alter_table('surgery_booking', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_surgery_booking_id_place'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_surgery_booking_held_slot_id'), type_='unique')
        batch_op.drop_column('held_slot_id')
        for column in (sa.Column('uid', sa.String(length=100)), sa.Column('sequence', sa.Integer()),
                       sa.Column('user_id', sa.Integer()), sa.Column('status', sa.String(length=30)),
                       sa.Column('cancelled_at', sa.DateTime(timezone=True)),
                       sa.Column('cancelled_by_id', sa.Integer()), sa.Column('cancel_reason', sa.Text()),
                       sa.Column('attendance', sa.String(length=30)),
                       sa.Column('created_at', sa.DateTime(timezone=True))):
            batch_op.add_column(column)
    for column in ('uid', 'sequence', 'user_id', 'status', 'cancelled_at', 'cancelled_by_id', 'cancel_reason',
                   'attendance', 'created_at'):
        op.execute(f"UPDATE surgery_booking SET {column} = (SELECT p.{column} FROM place p "
                   f"WHERE p.id = surgery_booking.id)")
    with op.batch_alter_table('surgery_booking', schema=None) as batch_op:
        for name, type_ in (('uid', sa.String(length=100)), ('sequence', sa.Integer()), ('user_id', sa.Integer()),
                            ('status', sa.String(length=30)), ('cancel_reason', sa.Text()),
                            ('attendance', sa.String(length=30)), ('created_at', sa.DateTime(timezone=True))):
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_surgery_booking_uid'), ['uid'])
        batch_op.create_foreign_key(batch_op.f('fk_surgery_booking_user_id_user'), 'user', ['user_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_surgery_booking_cancelled_by_id_user'), 'user',
                                    ['cancelled_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_surgery_booking_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_surgery_booking_confirmed_slot', ['slot_id'], unique=True,
                              sqlite_where=sa.text("status = 'confirmed'"),
                              postgresql_where=sa.text("status = 'confirmed'"))

    with op.batch_alter_table('surgery_date', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_surgery_date_id_event'), type_='foreignkey')
        for column in (sa.Column('programme_id', sa.Integer()), sa.Column('starts_at', sa.DateTime(timezone=True)),
                       sa.Column('ends_at', sa.DateTime(timezone=True)), sa.Column('status', sa.String(length=30)),
                       sa.Column('teams_url', sa.String(length=2000)),
                       sa.Column('created_at', sa.DateTime(timezone=True))):
            batch_op.add_column(column)
    for column, source in (('programme_id', 'programme_id'), ('starts_at', 'starts_at'), ('ends_at', 'ends_at'),
                           ('status', 'status'), ('teams_url', 'online_url'), ('created_at', 'created_at')):
        op.execute(f"UPDATE surgery_date SET {column} = (SELECT e.{source} FROM event e "
                   f"WHERE e.id = surgery_date.id)")
    with op.batch_alter_table('surgery_date', schema=None) as batch_op:
        for name, type_ in (('programme_id', sa.Integer()), ('starts_at', sa.DateTime(timezone=True)),
                            ('ends_at', sa.DateTime(timezone=True)), ('status', sa.String(length=30)),
                            ('teams_url', sa.String(length=2000)), ('created_at', sa.DateTime(timezone=True))):
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_surgery_date_programme_id_programme'), 'programme',
                                    ['programme_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_surgery_date_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index('ix_surgery_date_programme_status_starts', ['programme_id', 'status', 'starts_at'],
                              unique=False)

    # Rows made since the upgrade took their ids from the shared tables' sequences.
    for table in ('surgery_date', 'surgery_booking', 'surgery_waitlist_entry'):
        _restart_sequence(table)
    op.execute("UPDATE sent_reminder SET kind = 'surgery' WHERE kind = 'place'")
    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.drop_index('uq_waitlist_entry_active', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.drop_index(batch_op.f('ix_waitlist_entry_user_id'))
        batch_op.drop_index(batch_op.f('ix_waitlist_entry_event_id'))
    op.drop_table('waitlist_entry')
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_index('ix_place_user_starts')
        batch_op.drop_index(batch_op.f('ix_place_starts_at'))
        batch_op.drop_index(batch_op.f('ix_place_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_place_event_id'))
    op.drop_table('place')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_starts_at'))
        batch_op.drop_index('ix_event_programme_status_starts')
    op.drop_table('event')
