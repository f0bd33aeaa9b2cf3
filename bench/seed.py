"""A year of surgery data written straight into the tables with SQLAlchemy core bulk inserts.

The services would take minutes to book 20,000 slots one by one (locks, emails, audit); the benchmark
measures reading and booking, so the data goes in as rows. Dates are AM and PM sessions every day,
half in the past and half ahead, all published, with the programme's default slot times.
"""

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import insert, text, update

from ep_events.accounts.models import User
from ep_events.core.time import uk_to_utc, utcnow
from ep_events.extensions import db
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.surgeries.dates import slot_times
from ep_events.surgeries.models import (
    Attendance,
    BookingStatus,
    SessionKind,
    SlotStatus,
    SurgeryBooking,
    SurgeryDate,
    SurgeryDateStatus,
    SurgerySettings,
    SurgerySlot,
)

PASSWORD = "bench-password-2026"
SLUG = "mtc-practice-surgeries"
TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_bench%40thread.v2/0?context=%7b%7d"
DEFAULTS = SurgerySettings.__table__.c  # the programme's default window and slot length, read from the model
SLOT_RULES = SimpleNamespace(slot_minutes=DEFAULTS.slot_minutes.default.arg,
                             buffer_minutes=DEFAULTS.buffer_minutes.default.arg)
WINDOWS = ((SessionKind.AM, DEFAULTS.am_starts.default.arg, DEFAULTS.am_ends.default.arg),
           (SessionKind.PM, DEFAULTS.pm_starts.default.arg, DEFAULTS.pm_ends.default.arg))


@dataclass
class SeedSize:
    days_back: int
    days_ahead: int
    users: int
    bookings: int
    confirmed: int  # at most one per slot: the partial unique index allows no more
    frequent_users: int  # people who book often; the signed-in load uses them
    frequent_share: float  # the share of all bookings that are theirs
    feed_bookings: int  # confirmed bookings of the one person whose calendar feed is fetched


YEAR = SeedSize(days_back=183, days_ahead=183, users=10_000, bookings=20_000, confirmed=1_900,
                frequent_users=100, frequent_share=0.25, feed_bookings=200)
SMALL = SeedSize(days_back=3, days_ahead=2, users=20, bookings=20, confirmed=10, frequent_users=2,
                 frequent_share=0.5, feed_bookings=2)
FEED_SINCE = timedelta(days=80)  # the feed shows confirmed bookings from 90 days back; keep a margin


@dataclass
class Seeded:
    programme_id: int
    slug: str
    dates: int
    slots: int
    users: int
    bookings: int
    confirmed: int
    frequent_emails: list[str]
    feed_token: str
    feed_bookings: int


def email_of(user_id: int) -> str:
    return f"person{user_id}@bench.example.org"


def user_rows(first_id: int, count: int, password_hash: str, now) -> list[dict]:
    return [{"id": i, "email": email_of(i), "name": f"Bench Person {i}", "job_title": "Social worker",
             "organisation_id": None, "organisation_other": "Bench Agency", "password_hash": password_hash,
             "confirmed_at": now, "session_version": 1, "created_at": now}
            for i in range(first_id, first_id + count)]


def bump_sequences() -> None:
    """After rows went in with explicit ids: on PostgreSQL, move every table's id sequence past its highest id, so
    the next row the app itself adds gets a free one (SQLite takes the highest id + 1 by itself)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            db.session.execute(text(  # the names come from the models, not from any input
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # nosec B608
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'))


def seed(size: SeedSize, password_hash: str, rng_seed: int = 2026) -> Seeded:
    """Create the schema and fill it; the caller has an app context on an empty database."""
    rng = random.Random(rng_seed)
    now = utcnow()
    today = date.today()
    db.create_all()

    db.session.execute(insert(Programme), [{
        "id": 1, "name": "MTC practice surgeries", "slug": SLUG, "kind": "practice_surgeries",
        "contact_email": "surgeries@example.org", "description": "Informal 40-minute practice surgeries.",
        "status": ProgrammeStatus.PUBLISHED, "created_at": now}])
    db.session.execute(insert(SurgerySettings), [{"programme_id": 1}])

    dates, slots = [], []
    for offset in range(-size.days_back, size.days_ahead):
        day = today + timedelta(days=offset)
        for session, starts, ends in WINDOWS:
            date_id = len(dates) + 1
            dates.append({"id": date_id, "kind": "surgery_date", "programme_id": 1, "title": "Practice surgery",
                          "day": day, "session": session,
                          "starts_at": uk_to_utc(day, starts), "ends_at": uk_to_utc(day, ends),
                          "status": SurgeryDateStatus.PUBLISHED, "online_url": TEAMS_URL, "venue": "",
                          "cancel_message": "", "created_at": now})
            for slot_starts, slot_ends in slot_times(day, starts, ends, SLOT_RULES):
                slots.append({"id": len(slots) + 1, "surgery_date_id": date_id, "starts_at": slot_starts,
                              "ends_at": slot_ends, "status": SlotStatus.OPEN})
    db.session.execute(insert(SurgeryDate), dates)
    db.session.execute(insert(SurgerySlot), slots)

    db.session.execute(insert(User), user_rows(1, size.users, password_hash, now))

    slot_ids = [s["id"] for s in slots]
    starts = {s["id"]: s["starts_at"] for s in slots}
    slot_rows = {s["id"]: s for s in slots}
    confirmed_slots = rng.sample(slot_ids, min(size.confirmed, len(slot_ids)))
    plan = [(slot_id, BookingStatus.CONFIRMED) for slot_id in confirmed_slots]
    plan += [(rng.choice(slot_ids), BookingStatus.CANCELLED) for _ in range(size.bookings - len(plan))]
    rng.shuffle(plan)
    frequent_bookings = int(size.bookings * size.frequent_share)
    others = size.users - size.frequent_users
    bookings = []
    for k, (slot_id, status) in enumerate(plan):
        user_id = (k % size.frequent_users + 1) if k < frequent_bookings else (size.frequent_users + 1 + k % others)
        cancelled = status is BookingStatus.CANCELLED
        bookings.append({
            "id": k + 1, "kind": "surgery_booking", "event_id": slot_rows[slot_id]["surgery_date_id"],
            "starts_at": starts[slot_id], "ends_at": slot_rows[slot_id]["ends_at"],
            "uid": f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@ep-events",
            "sequence": 1 if cancelled else 0, "slot_id": slot_id, "held_slot_id": None if cancelled else slot_id,
            "user_id": user_id, "status": status,
            "theme": "general", "outline": "", "outline_erased_at": None, "colleagues": [],
            "cancelled_at": starts[slot_id] - timedelta(days=2) if cancelled else None,
            "cancelled_by_id": user_id if cancelled else None, "cancel_reason": "",
            "attendance": Attendance.UNKNOWN, "created_at": starts[slot_id] - timedelta(days=14)})
    # One person holds many confirmed bookings, recent and upcoming: their calendar feed is the big one.
    feed_user = size.users
    feed_token = f"bench-{secrets.token_urlsafe(24)}"
    in_feed = [b for b in bookings
               if b["status"] is BookingStatus.CONFIRMED and starts[b["slot_id"]] >= now - FEED_SINCE]
    for booking in in_feed[:size.feed_bookings]:
        booking["user_id"] = feed_user
    db.session.execute(insert(SurgeryBooking), bookings)
    db.session.execute(update(User).where(User.id == feed_user).values(feed_token=feed_token))
    bump_sequences()
    db.session.commit()
    return Seeded(programme_id=1, slug=SLUG, dates=len(dates), slots=len(slots), users=size.users,
                  bookings=len(bookings), confirmed=len(confirmed_slots),
                  frequent_emails=[email_of(i) for i in range(1, size.frequent_users + 1)],
                  feed_token=feed_token, feed_bookings=len(in_feed[:size.feed_bookings]))
