"""Mail scanners open links: following every link in every email we send changes nothing."""

import re

from sqlalchemy import select

from ep_events.accounts import services as accounts
from ep_events.accounts.models import AccountToken, User
from ep_events.extensions import db
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import SlotOffer, SurgeryBooking, SurgeryWaitlistEntry
from ep_events.surgeries.waitlist import join_waitlist
from tests import factories

LINK = re.compile(r"https?://localhost(/[^\s\"<>]*)")


def state():
    """Everything a GET must not change: bookings, offers, waiting list, accounts and their tokens."""
    rows = []
    for model, fields in ((SurgeryBooking, ("status", "slot_id", "sequence")), (SlotOffer, ("status",)),
                          (SurgeryWaitlistEntry, ("status",)), (User, ("confirmed_at", "password_hash", "feed_token")),
                          (AccountToken, ("used_at",))):
        for obj in db.session.execute(select(model).order_by(model.id)).scalars():
            rows.append((model.__name__, obj.id) + tuple(str(getattr(obj, f)) for f in fields))
    return rows


def test_a_get_of_any_link_in_any_email_changes_nothing(app, client, deliver, mailbox):
    programme = factories.surgery_programme(slug="mtc")
    surgery_date = factories.surgery_date(programme, days_ahead=10, teams_url=factories.TEAMS_URL)
    people = [factories.user() for _ in surgery_date.slots]
    bookings = [book_slot(s, p, "general")[0] for s, p in zip(surgery_date.slots, people)]
    waiting = factories.user()
    join_waitlist(surgery_date, waiting)
    cancel_booking(bookings[0], people[0])  # cancellation + offer emails
    db.session.commit()
    with app.test_request_context():
        accounts.sign_up("New Person", "new@example.org", "Social worker", None, "Council", "long-enough-pw")
        accounts.request_password_reset(people[1].email)
    db.session.commit()
    messages = deliver()
    links = {(m.recipients[0], path) for m in messages for path in LINK.findall(m.text + m.html)}
    paths = {p for _, p in links}
    assert any(p.startswith("/confirm/") for p in paths)
    assert any(p.startswith("/reset-password/") for p in paths)
    assert any(p.startswith("/offers/") for p in paths)
    assert any(p.startswith("/bookings/") for p in paths)

    before = state()
    by_email = {u.email: u for u in db.session.execute(select(User)).scalars()}
    for recipient, path in sorted(links):
        client.post("/sign-out")
        user = by_email.get(recipient)
        if user is not None and user.is_confirmed:
            from tests.conftest import sign_in

            sign_in(client, user)
        response = client.get(path)
        assert response.status_code in (200, 302, 404), (path, response.status_code)
        db.session.expire_all()
        assert state() == before, f"GET {path} changed something"
