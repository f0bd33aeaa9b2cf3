"""A workshop announced to 2,000 subscribers: the time to start it and queue every recipient into the outbox, then
delivery over a loopback SMTP server that is down for the first run and up for the second."""

import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import insert

from bench.server import free_port
from ep_events import create_app
from ep_events.accounts.models import User
from ep_events.bookings.models import EventStatus
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.invitations.models import InvitationListEntry, ListEntryStatus
from ep_events.notifications.devmail import start_mail_catcher
from ep_events.notifications.mailings import mailing_progress, queue_all
from ep_events.notifications.models import Mailing
from ep_events.notifications.outbox import deliver_all
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.workshops.announcements import announce_workshop
from ep_events.workshops.models import Workshop

SUBSCRIBERS = 2000


def _seed(password_hash: str) -> tuple[int, int]:
    now = utcnow()
    programme = Programme(name="Bench P&SD workshops", slug="bench-workshops", kind="workshops",
                          contact_email="workshops@example.org", description="", status=ProgrammeStatus.PUBLISHED)
    organiser = User(email="organiser@example.org", name="Bench Organiser", job_title="Organiser",
                     password_hash=password_hash, confirmed_at=now)
    starts = now + timedelta(days=30)
    workshop = Workshop(programme=programme, title="Hope boxes", starts_at=starts, ends_at=starts + timedelta(hours=1),
                        status=EventStatus.PUBLISHED, capacity=50, registration_closes_at=starts)
    db.session.add_all([programme, organiser, workshop])
    db.session.flush()
    db.session.execute(insert(InvitationListEntry), [
        {"programme_id": programme.id, "email": f"subscriber{i}@example.org", "name": f"Subscriber {i}",
         "status": ListEntryStatus.CONFIRMED, "consent_at": now, "confirmed_at": now}
        for i in range(SUBSCRIBERS)])
    db.session.commit()
    return organiser.id, workshop.id


def announce_2000(database_url: str, password_hash: str) -> tuple[float, int]:
    """Returns (seconds to start the announcement and queue all 2,000 recipients, recipients who received exactly
    one message after a first delivery run with the mail server down and a second with it up)."""
    port = free_port()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, MAIL_PORT=port, OUTBOX_BACKOFF_SECONDS=0)
    try:
        with app.app_context():
            db.create_all()
            organiser_id, workshop_id = _seed(password_hash)
        with app.app_context():
            organiser, workshop = db.session.get(User, organiser_id), db.session.get(Workshop, workshop_id)
            started = time.perf_counter()
            mailing = announce_workshop(organiser, workshop, "Hope boxes: a new workshop",
                                        "Join us online.\n\nhttps://example.org/workshops/1", "bench-announce-2000-0")
            db.session.commit()
            mailing_id = mailing.id
            queued = queue_all(per_minute=SUBSCRIBERS)
            seconds = time.perf_counter() - started
            if queued != SUBSCRIBERS:
                raise RuntimeError(f"queued {queued} of {SUBSCRIBERS}")
            sent, _ = deliver_all("bench")  # nothing listens on the port yet: the mail server is down
            if sent:
                raise RuntimeError(f"{sent} sent with the mail server down")
        controller, catcher = start_mail_catcher(port)
        try:
            with app.app_context():
                deliver_all("bench")
                progress = mailing_progress(db.session.get(Mailing, mailing_id))
        finally:
            controller.stop()
        received = Counter(message.recipients[0] for message in catcher.messages)
        once = sum(1 for count in received.values() if count == 1)
        if progress.sent != once:
            raise RuntimeError(f"outbox says {progress.sent} sent, the server received {once} once")
        return seconds, once
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
