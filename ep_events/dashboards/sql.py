"""The two things SQLite and PostgreSQL write differently that the dashboards need: hours between two moments,
and the codes of a JSON list (practice-standard tags) as rows."""

from sqlalchemy import func

from ep_events.extensions import db


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def hours_between(earlier, later):
    """(later - earlier) in hours, as a number the database compares."""
    if _dialect() == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24
    return func.extract("epoch", later - earlier) / 3600


def json_codes(column):
    """A table-valued function giving one row (`value`) per element of a JSON list column, correlated with the
    row it belongs to (SQLite's json_each; PostgreSQL's json_array_elements_text, LATERAL by default in FROM)."""
    if _dialect() == "sqlite":
        return func.json_each(column).table_valued("value")
    return func.json_array_elements_text(column).table_valued("value")
