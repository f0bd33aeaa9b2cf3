"""Every event carries practice standards: the upgrade moves a Network Day's and a workshop's tags from their own
tables to `event` (other events get none), and the downgrade puts them back."""

import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from ep_events import create_app
from ep_events.extensions import db

BEFORE, TAGS = "1b2c3d4e5f60", "2c3d4e5f6071"
AT = "2027-03-02 09:30:00"


def _insert_events(conn):
    conn.execute(text(
        "INSERT INTO programme (id, name, slug, kind, contact_email, description, teams_provider, status, created_at)"
        " VALUES (7, 'Coram Network', 'network', 'network_days', 'net@example.org', '', 'manual', 'published', :at)"),
        {"at": AT})
    for event_id, kind in ((1, "network_day"), (2, "workshop"), (3, "surgery_date")):
        conn.execute(text(
            "INSERT INTO event (id, kind, programme_id, title, starts_at, ends_at, status, online_url, venue,"
            " created_at) VALUES (:id, :kind, 7, 'An event', :at, :at, 'published', '', '', :at)"),
            {"id": event_id, "kind": kind, "at": AT})
    conn.execute(text("INSERT INTO network_day (id, topics, practice_standards, rename_deadline)"
                      " VALUES (1, '', :tags, :at)"), {"tags": json.dumps(["S1", "S4"]), "at": AT})
    conn.execute(text("INSERT INTO workshop (id, description, topic, audience, practice_standards,"
                      " registration_closes_at, cancel_message) VALUES (2, '', '', '', :tags, :at, '')"),
                 {"tags": json.dumps(["S3"]), "at": AT})


def _tags(conn, table):
    return {row[0]: json.loads(row[1]) if isinstance(row[1], str) else row[1]
            for row in conn.execute(text(f"SELECT id, practice_standards FROM {table} ORDER BY id"))}


def _carry_tags(url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _insert_events(conn)
        upgrade(revision=TAGS)
        with db.engine.connect() as conn:
            assert _tags(conn, "event") == {1: ["S1", "S4"], 2: ["S3"], 3: []}
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert _tags(conn, "network_day") == {1: ["S1", "S4"]}
            assert _tags(conn, "workshop") == {2: ["S3"]}
            assert conn.execute(text("SELECT count(*) FROM event")).scalar_one() == 3
        db.engine.dispose()


def test_the_tags_move_to_every_event_and_back_on_sqlite(tmp_path):
    _carry_tags(f"sqlite:///{tmp_path / 'tags.db'}")


@pytest.mark.postgres
def test_the_tags_move_to_every_event_and_back_on_postgresql(pg_database):
    _carry_tags(pg_database)
