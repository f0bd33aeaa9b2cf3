"""Back up the database to one file and restore it: SQLite through its online backup API (a consistent copy while
the site runs), PostgreSQL through `pg_dump` and `pg_restore` (custom format, restored in one transaction, so a
restore that fails changes nothing). `flask backup` and `flask restore` call these."""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, literal, select, table
from sqlalchemy.engine import Engine

from ep_events.core.errors import DomainError

MARKER_TABLE = "alembic_version"  # every EP Events database has it (Flask-Migrate); a backup without it is not ours


def _postgres_program(name: str) -> str:
    found = shutil.which(name) or next(
        (str(path) for path in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise DomainError(f"{name} is needed to back up or restore PostgreSQL: install the postgresql-client package")
    return found


def _libpq_url(engine: Engine) -> str:
    """The database address as pg_dump reads it (without SQLAlchemy's driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _has_data(engine: Engine) -> bool:
    tables = [name for name in inspect(engine).get_table_names() if name != MARKER_TABLE]
    with engine.connect() as conn:
        return any(conn.execute(select(literal(1)).select_from(table(name)).limit(1)).first() for name in tables)


def backup_database(engine: Engine, path: Path) -> None:
    """Write a consistent copy of the whole database to `path` (replaced if it exists)."""
    path = Path(path)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            with sqlite3.connect(path) as target:
                raw.driver_connection.backup(target)
            target.close()
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql":
        done = subprocess.run([_postgres_program("pg_dump"), "--format=custom", "--no-owner", "--file", str(path),
                               "--dbname", _libpq_url(engine)], capture_output=True, text=True)
        if done.returncode != 0:
            raise DomainError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
    else:
        raise DomainError(f"Backing up {engine.dialect.name} is not supported")


def restore_database(engine: Engine, path: Path, replace: bool = False) -> None:
    """Put the backup at `path` in place of the database. Refused when the database holds data, unless `replace`;
    refused when the file is not a backup of this site's database."""
    path = Path(path)
    if not path.is_file():
        raise DomainError(f"There is no backup at {path}")
    if not replace and _has_data(engine):
        raise DomainError("The database already holds data: restore into an empty one, or pass --replace")
    if engine.dialect.name == "sqlite":
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
                if source.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (MARKER_TABLE,)).fetchone() is None:
                    raise DomainError(f"{path} is not a backup of an EP Events database")
                raw = engine.raw_connection()
                try:
                    source.backup(raw.driver_connection)
                finally:
                    raw.close()
            source.close()
        except sqlite3.DatabaseError as error:
            raise DomainError(f"{path} is not an SQLite backup ({error})") from error
        engine.dispose()  # connections opened before the restore would see the old pages
    elif engine.dialect.name == "postgresql":
        listing = subprocess.run([_postgres_program("pg_restore"), "--list", str(path)], capture_output=True, text=True)
        if listing.returncode != 0 or f" {MARKER_TABLE} " not in listing.stdout:
            raise DomainError(f"{path} is not a pg_dump backup of an EP Events database")
        engine.dispose()
        done = subprocess.run([_postgres_program("pg_restore"), "--clean", "--if-exists", "--no-owner",
                               "--single-transaction", "--exit-on-error", "--dbname", _libpq_url(engine), str(path)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise DomainError(f"pg_restore failed and changed nothing: {done.stderr.strip()[-500:]}")
    else:
        raise DomainError(f"Restoring {engine.dialect.name} is not supported")
