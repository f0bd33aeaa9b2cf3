"""SQL statements per request, counted on the engine: a page whose count grows with the data has an N+1."""

from sqlalchemy import event

from ep_events.extensions import db


def count_statements(app, path: str) -> int:
    """Statements the database receives for one GET of `path` (after one warm-up GET)."""
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    warm = client.get(path)
    if warm.status_code != 200:
        raise RuntimeError(f"GET {path} gave {warm.status_code}")
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} gave {response.status_code}")
    return len(statements)
