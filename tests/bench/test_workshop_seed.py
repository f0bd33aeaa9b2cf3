"""The bench's workshops data (bench/workshop_seed.py), seeded small: registrations, waiting lists and feedback that
hold together as the services would leave them, and the public list `make bench` measures showing them."""

from collections import Counter
from datetime import UTC, datetime

from freezegun import freeze_time
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from bench.queries import count_statements
from bench.seed import PASSWORD, SMALL, seed
from bench.workshop_seed import WORKSHOPS_SMALL, seed_workshops
from ep_events.bookings.models import Attendance, EventStatus, PlaceStatus, WaitlistStatus
from ep_events.extensions import db
from ep_events.workshops.capacity import places_left_for
from ep_events.workshops.models import Workshop, WorkshopFeedback, WorkshopRegistration, WorkshopWaitlistEntry

NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # a Wednesday: Tuesday's workshop is over, Thursday's to come


def _all(model):
    return db.session.execute(select(model)).scalars().all()


def test_the_small_workshop_seed_holds_together_and_its_list_page_shows_it(app):
    with freeze_time(NOW):
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        seed(SMALL, password_hash)
        seeded = seed_workshops(WORKSHOPS_SMALL, password_hash)
        page = app.test_client().get(f"/workshops/{seeded.slug}")
        statements = count_statements(app, f"/workshops/{seeded.slug}")

    workshops = {w.id: w for w in _all(Workshop)}
    registrations, entries, feedback = _all(WorkshopRegistration), _all(WorkshopWaitlistEntry), _all(WorkshopFeedback)
    weeks = WORKSHOPS_SMALL.weeks_back + WORKSHOPS_SMALL.weeks_ahead
    assert len(workshops) == seeded.workshops == 2 * weeks
    assert len(registrations) == seeded.registrations and len(entries) == seeded.waitlist_entries > 0
    assert len(feedback) == seeded.feedback > 0
    assert all(w.programme_id == seeded.programme_id and w.registration_closes_at <= w.starts_at
               for w in workshops.values())

    # One registration per person and workshop; within capacity, counting the places offered and held.
    assert max(Counter((r.event_id, r.user_id) for r in registrations).values()) == 1
    confirmed = Counter(r.event_id for r in registrations if r.status is PlaceStatus.CONFIRMED)
    offered = Counter(e.event_id for e in entries if e.status is WaitlistStatus.OFFERED)
    assert sum(confirmed.values()) == seeded.confirmed
    left = places_left_for(list(workshops.values()))
    for workshop_id, workshop in workshops.items():
        assert confirmed[workshop_id] + offered[workshop_id] <= workshop.capacity
        assert left[workshop_id] == workshop.capacity - confirmed[workshop_id] - offered[workshop_id]
        if workshop.status is not EventStatus.PUBLISHED:
            assert not confirmed[workshop_id]
    # A waiting list only on a full workshop, never with someone already registered there.
    registered = {(r.event_id, r.user_id) for r in registrations}
    for entry in entries:
        assert left[entry.event_id] == 0 and (entry.event_id, entry.user_id) not in registered
        past = workshops[entry.event_id].ends_at <= NOW
        assert entry.status in ((WaitlistStatus.EXPIRED, WaitlistStatus.LEFT) if past else
                                (WaitlistStatus.WAITING, WaitlistStatus.OFFERED))
        assert (entry.offer_expires_at is not None) == (entry.status is WaitlistStatus.OFFERED)
    # Attendance marked on the past workshops only; feedback only from people who attended.
    for r in registrations:
        past = workshops[r.event_id].ends_at <= NOW
        if past and r.status is PlaceStatus.CONFIRMED:
            assert r.attendance in (Attendance.ATTENDED, Attendance.DID_NOT_ATTEND)
            assert (r.attended_minutes is not None) == (r.attendance is Attendance.ATTENDED)
        else:
            assert r.attendance is Attendance.UNKNOWN and r.attended_minutes is None
    attended = {(r.event_id, r.user_id) for r in registrations if r.attendance is Attendance.ATTENDED}
    assert all((f.workshop_id, f.user_id) in attended and 1 <= f.usefulness <= 5 for f in feedback)

    # The public list: the published workshops to come, not the drafts or cancelled ones; a few statements.
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    shown = {w.id for w in workshops.values() if f'id="workshop-{w.id}"' in text}
    to_come = {w.id for w in workshops.values() if w.status is EventStatus.PUBLISHED and w.ends_at > NOW}
    assert shown == to_come and len(to_come) == seeded.published_upcoming > 0
    assert statements <= 6
