"""Database behaviour we rely on, whatever the engine."""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless asked, so ON DELETE CASCADE / SET NULL would silently not happen.

    Migrations turn this off again for their own connection (see migrations/env.py), because SQLite's
    batch table rebuilds drop and recreate referenced tables.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
