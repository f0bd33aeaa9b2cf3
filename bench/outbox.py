"""The outbox worker against a real loopback SMTP server: queue a thousand emails, deliver them all."""

import time

from sqlalchemy import insert

from bench.seed import user_rows
from bench.server import free_port
from ep_events import create_app
from ep_events.accounts.models import User
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications.devmail import start_mail_catcher
from ep_events.notifications.outbox import deliver_all, queue_email


def deliver_a_thousand(database_url: str, password_hash: str, count: int = 1000) -> tuple[float, float]:
    """Returns (seconds to queue, seconds for deliver_all to send them all)."""
    port = free_port()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, MAIL_PORT=port, OUTBOX_BACKOFF_SECONDS=0)
    try:
        with app.app_context():
            db.create_all()
            db.session.execute(insert(User), user_rows(1, 1, password_hash, utcnow()))
            db.session.commit()
        with app.test_request_context():
            user = db.session.get(User, 1)
            started = time.perf_counter()
            for _ in range(count):
                queue_email(user.email, "accounts/confirm_email", user=user, confirm_url="http://x", hours=48)
            db.session.commit()
            queued = time.perf_counter() - started
        controller, catcher = start_mail_catcher(port)
        try:
            with app.app_context():
                started = time.perf_counter()
                sent, failed = deliver_all("bench")
                delivered = time.perf_counter() - started
        finally:
            controller.stop()
        if sent != count or failed or len(catcher.messages) != count:
            raise RuntimeError(f"outbox sent {sent}, failed {failed}, catcher received {len(catcher.messages)}; "
                               f"expected {count}")
        return queued, delivered
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
