"""Every schema change has an Alembic revision: upgrade an empty database to head and back to base."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

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
