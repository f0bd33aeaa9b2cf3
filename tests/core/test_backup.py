"""`flask backup` and `flask restore`: a seeded database backed up, restored into an empty one, every table the
same; a database holding data is not overwritten unless asked; a file that is not a backup changes nothing.
On SQLite (the online backup API) and on PostgreSQL (pg_dump and pg_restore)."""


import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from ep_events import create_app
from ep_events.demo import load_demo_data
from ep_events.extensions import db
from tests.conftest import fresh_pg_database


def _app(url: str):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=url)


def _seeded(url: str) -> None:
    app = _app(url)
    with app.app_context():
        upgrade()
        load_demo_data()
        db.session.commit()
        db.engine.dispose()


def _everything(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a fixed order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: sorted((tuple(map(repr, row)) for row in conn.execute(text(f'SELECT * FROM "{name}"'))))
                    for name in sorted(inspect(engine).get_table_names())}
    finally:
        engine.dispose()


def _cli(url: str, *args: str):
    app = _app(url)
    with app.app_context():
        try:
            return app.test_cli_runner().invoke(args=list(args))
        finally:
            db.session.remove()
            db.engine.dispose()


def _round_trip(source: str, target: str, backup_file) -> None:
    _seeded(source)
    before = _everything(source)
    assert sum(len(rows) for rows in before.values()) > 100 and before["alembic_version"]
    done = _cli(source, "backup", str(backup_file))
    assert done.exit_code == 0 and f"backed up to {backup_file}" in done.output, done.output
    done = _cli(target, "restore", str(backup_file))
    assert done.exit_code == 0 and f"restored from {backup_file}" in done.output, done.output
    assert _everything(target) == before

    # Into a database that holds data: refused, unless asked to replace it.
    refused = _cli(target, "restore", str(backup_file))
    assert refused.exit_code != 0 and "The database already holds data" in refused.output
    done = _cli(target, "restore", "--replace", str(backup_file))
    assert done.exit_code == 0, done.output
    assert _everything(target) == before


def test_a_backup_restores_every_table_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'new.db'}", tmp_path / "backup.db")


def test_a_file_that_is_not_a_backup_changes_nothing_on_sqlite(tmp_path):
    target = f"sqlite:///{tmp_path / 'live.db'}"
    _seeded(target)
    before = _everything(target)
    (tmp_path / "notes.txt").write_text("not a database")
    not_sqlite = _cli(target, "restore", "--replace", str(tmp_path / "notes.txt"))
    assert not_sqlite.exit_code != 0 and "is not an SQLite backup" in not_sqlite.output
    other = tmp_path / "other.db"
    create_engine(f"sqlite:///{other}").connect().execute(text("CREATE TABLE t (x)")).close()
    not_ours = _cli(target, "restore", "--replace", str(other))
    assert not_ours.exit_code != 0 and "is not a backup of an EP Events database" in not_ours.output
    missing = _cli(target, "restore", str(tmp_path / "nowhere.db"))
    assert missing.exit_code != 0 and "There is no backup at" in missing.output
    assert _everything(target) == before


@pytest.fixture
def second_pg_database(postgres_url):
    with fresh_pg_database(postgres_url) as url:
        yield url


def test_a_backup_restores_every_table_on_postgresql(pg_database, second_pg_database, tmp_path):
    _round_trip(pg_database, second_pg_database, tmp_path / "backup.dump")


def test_a_file_that_is_not_a_backup_changes_nothing_on_postgresql(pg_database, tmp_path):
    _seeded(pg_database)
    before = _everything(pg_database)
    (tmp_path / "notes.dump").write_text("not a dump")
    refused = _cli(pg_database, "restore", "--replace", str(tmp_path / "notes.dump"))
    assert refused.exit_code != 0 and "is not a pg_dump backup of an EP Events database" in refused.output
    assert _everything(pg_database) == before
