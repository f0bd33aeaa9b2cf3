"""Every schema change has an Alembic revision: upgrade an empty database to head and back to base."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from ep_events import create_app
from ep_events.extensions import db


def _tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _round_trip(url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        upgraded = _tables(url)
        assert upgraded == set(db.metadata.tables)
        downgrade(revision="base")
        assert _tables(url) == set()
        db.engine.dispose()


def test_migrations_upgrade_and_downgrade_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'migrate.db'}")


@pytest.mark.postgres
def test_migrations_upgrade_and_downgrade_on_postgresql(pg_database):
    _round_trip(pg_database)


def test_migrations_match_the_models(tmp_path):
    """An upgraded database has no difference from the models (no change without a revision)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = f"sqlite:///{tmp_path / 'compare.db'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), db.metadata)
        db.engine.dispose()
    # Type differences between DateTime and our UTCDateTime decorator are not schema changes.
    diff = [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_type")]
    assert diff == []


def _carry_surgery_data_through_the_shared_core(url):
    """Upgrading to the shared booking core keeps every surgery date, booking and waiting-list entry,
    with their ids (links, offers and calendar UIDs carry over); downgrading puts them back."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    at = "2026-03-02 09:30:00"
    with app.app_context():
        upgrade(revision="4e8a2c6d9b13")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO programme (id, name, slug, kind, contact_email, description, teams_provider, status,"
                " created_at) VALUES (7, 'MTC', 'mtc', 'practice_surgeries', 'mtc@example.org', '', 'manual',"
                " 'published', :at)"), {"at": at})
            conn.execute(text(
                "INSERT INTO \"user\" (id, email, name, password_hash, job_title, organisation_other, created_at,"
                " session_version) VALUES (3, 'pat@example.org', 'Pat', 'x', 'Social worker', '', :at, 0)"),
                {"at": at})
            conn.execute(text(
                "INSERT INTO surgery_date (id, programme_id, day, session, starts_at, ends_at, status, teams_url,"
                " cancel_message, created_at) VALUES (1, 7, '2026-03-02', 'am', :at, '2026-03-02 12:30:00',"
                " 'published', 'https://teams.microsoft.com/l/meetup-join/x', '', :at)"), {"at": at})
            conn.execute(text("INSERT INTO surgery_slot (id, surgery_date_id, starts_at, ends_at, status) VALUES"
                              " (1, 1, :at, '2026-03-02 10:10:00', 'open')"), {"at": at})
            conn.execute(text(
                "INSERT INTO surgery_booking (id, uid, sequence, slot_id, user_id, status, theme, outline, colleagues,"
                " cancel_reason, attendance, created_at) VALUES (1, 'kept@ep-events', 2, 1, 3, 'confirmed',"
                " 'general', 'An outline', '[]', '', 'attended', :at)"), {"at": at})
            conn.execute(text(
                "INSERT INTO surgery_waitlist_entry (id, surgery_date_id, user_id, status, theme, created_at)"
                " VALUES (1, 1, 3, 'waiting', 'reflect', :at)"), {"at": at})
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id, kind, programme_id, title, status, online_url FROM event")).all() == [
                (1, "surgery_date", 7, "Practice surgery", "published", "https://teams.microsoft.com/l/meetup-join/x")]
            assert conn.execute(text(
                "SELECT id, kind, event_id, user_id, uid, sequence, status, attendance FROM place")).all() == [
                (1, "surgery_booking", 1, 3, "kept@ep-events", 2, "confirmed", "attended")]
            assert conn.execute(text("SELECT id, slot_id, held_slot_id, outline FROM surgery_booking")).all() == [
                (1, 1, 1, "An outline")]
            assert conn.execute(text("SELECT id, event_id, user_id, status FROM waitlist_entry")).all() == [
                (1, 1, 3, "waiting")]
        downgrade(revision="4e8a2c6d9b13")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id, programme_id, status, teams_url FROM surgery_date")).all() == [
                (1, 7, "published", "https://teams.microsoft.com/l/meetup-join/x")]
            assert conn.execute(text("SELECT id, uid, sequence, user_id, status, attendance, outline"
                                     " FROM surgery_booking")).all() == [
                (1, "kept@ep-events", 2, 3, "confirmed", "attended", "An outline")]
            assert conn.execute(text("SELECT id, surgery_date_id, user_id, status, theme"
                                     " FROM surgery_waitlist_entry")).all() == [(1, 1, 3, "waiting", "reflect")]
        # New rows get new ids again (on PostgreSQL the downgrade moves the old tables' sequences on).
        with db.engine.begin() as conn:
            new_id = conn.execute(text(
                "INSERT INTO surgery_date (programme_id, day, session, starts_at, ends_at, status, teams_url,"
                " cancel_message, created_at) VALUES (7, '2026-03-03', 'pm', :at, :at, 'draft', '', '', :at)"
                " RETURNING id"), {"at": at}).scalar_one()
        assert new_id == 2
        db.engine.dispose()


def test_the_shared_booking_core_keeps_surgery_data_on_sqlite(tmp_path):
    _carry_surgery_data_through_the_shared_core(f"sqlite:///{tmp_path / 'carry.db'}")


@pytest.mark.postgres
def test_the_shared_booking_core_keeps_surgery_data_on_postgresql(pg_database):
    _carry_surgery_data_through_the_shared_core(pg_database)
