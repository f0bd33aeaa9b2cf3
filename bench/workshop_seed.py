"""Workshops data for the bench, added to the databases bench/seed.py fills: one P&SD workshops programme with its
organiser, two workshops a week for a year (half ended, half to come, relative to the real clock: the bench is
not a test), registrations by the bench's existing users (some cancelled; attendance and minutes on the past
ones), waiting lists on the full workshops (people waiting and a place offered and held on those to come;
offers expired and people who left on the past ones), feedback on the past ones, and a few drafts and
cancelled workshops that the public list must leave out.

The volume goes in as rows with SQLAlchemy core bulk inserts, like bench/network_seed.py: the services would
send an email per registration.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy import func, insert, select

from bench.seed import bump_sequences
from ep_events.accounts.models import Grant, Role, User
from ep_events.bookings.models import Attendance, Event, EventStatus, Place, PlaceStatus, WaitlistEntry, WaitlistStatus
from ep_events.core.time import to_uk, uk_to_utc, utcnow
from ep_events.extensions import db
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.workshops.models import (
    PROGRAMME_KIND,
    Workshop,
    WorkshopFeedback,
    WorkshopRegistration,
    WorkshopWaitlistEntry,
)
from ep_events.workshops.rules import OFFER_HOURS

SLUG = "bench-pds-workshops"
ORGANISER_EMAIL = "workshops-organiser@bench.example.org"
TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_workshops%40thread.v2/0?context=%7b%7d"
# Title, topic, audience, practice standards: the workshops take them in turn.
TOPICS = (
    ("Managing family time in EP", "Family time (contact) in early permanence placements",
     "Social workers, supervising social workers and managers", ["S3", "S5"]),
    ("Hope boxes", "Hope boxes: helping carers hold a child's story",
     "Foster for adoption and dually approved carers' social workers", ["S2", "S6"]),
    ("Early permanence for panel members", "The early permanence panel: questions to ask",
     "Panel members and advisers", ["S1"]),
    ("Preparing carers for uncertainty", "Living with uncertainty in early permanence",
     "Assessing social workers", ["S2", "S4", "S7"]),
    ("Court and care planning in EP", "Care proceedings and the early permanence plan",
     "Children's social workers and team managers", ["S1", "S8"]),
)
WEEKDAYS = (1, 3)  # Tuesday and Thursday
STARTS, ENDS = time(10, 0), time(11, 30)
MINUTES = 90


@dataclass
class WorkshopSize:
    weeks_back: int
    weeks_ahead: int
    capacity: int
    fill: tuple[float, float]  # the share of capacity registered, drawn per workshop
    full_share: float  # the share of workshops that are full, with a waiting list
    waiting: tuple[int, int]  # people on a full workshop's waiting list
    cancelled_share: float  # registrations cancelled, as a share of the confirmed ones
    feedback_share: float  # the share of attendees of a past workshop who gave feedback
    users: int  # the bench users (bench.seed) taking part, from id 1


WORKSHOPS_YEAR = WorkshopSize(weeks_back=26, weeks_ahead=26, capacity=40, fill=(0.5, 0.95), full_share=0.3,
                              waiting=(4, 15), cancelled_share=0.15, feedback_share=0.4, users=10_000)
WORKSHOPS_SMALL = WorkshopSize(weeks_back=1, weeks_ahead=1, capacity=6, fill=(0.5, 0.8), full_share=0.5,
                               waiting=(1, 3), cancelled_share=0.2, feedback_share=0.5, users=20)


@dataclass
class WorkshopsSeeded:
    programme_id: int
    slug: str
    organiser_email: str
    workshops: int  # all of them, drafts and cancelled too
    published_upcoming: int
    registrations: int
    confirmed: int
    waitlist_entries: int
    feedback: int


def _next_id(model) -> int:
    return (db.session.execute(select(func.max(model.id))).scalar_one() or 0) + 1


def seed_workshops(size: WorkshopSize, password_hash: str, rng_seed: int = 14) -> WorkshopsSeeded:
    """Add the workshops to a database that bench.seed.seed has filled (an app context is pushed)."""
    rng = random.Random(rng_seed)
    now = utcnow()
    today = to_uk(now).date()
    monday = today - timedelta(days=today.weekday())

    programme_id = _next_id(Programme)
    db.session.execute(insert(Programme), [{
        "id": programme_id, "name": "Bench P&SD workshops", "slug": SLUG, "kind": PROGRAMME_KIND,
        "contact_email": "pds-workshops@example.org",
        "description": "Free online workshops for early permanence practitioners.",
        "status": ProgrammeStatus.PUBLISHED, "created_at": now}])
    organiser_id = _next_id(User)
    db.session.execute(insert(User), [{
        "id": organiser_id, "email": ORGANISER_EMAIL, "name": "Workshops Organiser", "job_title": "Organiser",
        "organisation_id": None, "organisation_other": "", "password_hash": password_hash, "confirmed_at": now,
        "session_version": 1, "created_at": now}])
    db.session.execute(insert(Grant), [{"user_id": organiser_id, "role": Role.ORGANISER,
                                        "programme_id": programme_id, "organisation_id": None, "created_at": now}])
    people = list(range(1, size.users + 1))

    first_event = _next_id(Event)  # the shared event table's ids (surgery dates and Network Days hold the first)
    workshops = []
    for week in range(-size.weeks_back, size.weeks_ahead):
        for weekday in WEEKDAYS:
            day = monday + timedelta(weeks=week, days=weekday)
            n = len(workshops)
            title, topic, audience, standards = TOPICS[n % len(TOPICS)]
            starts_at, ends_at = uk_to_utc(day, STARTS), uk_to_utc(day, ENDS)
            status = EventStatus.PUBLISHED
            if n % 17 == 5:
                status = EventStatus.CANCELLED
            elif n % 23 == 7 and starts_at > now:
                status = EventStatus.DRAFT
            workshops.append({
                "id": first_event + n, "kind": "workshop", "programme_id": programme_id, "title": title,
                "starts_at": starts_at, "ends_at": ends_at, "status": status, "online_url": TEAMS_URL, "venue": "",
                "capacity": size.capacity, "created_at": min(starts_at, now) - timedelta(days=45),
                "description": f"{title}: a 90-minute online workshop with time for questions.",
                "topic": topic, "audience": audience, "practice_standards": standards,
                "registration_closes_at": starts_at - timedelta(hours=2),
                "cancel_message": "The facilitator is unwell; we will set a new date." if
                status is EventStatus.CANCELLED else ""})
    db.session.execute(insert(Workshop), workshops)

    first_place, first_entry = _next_id(Place), _next_id(WaitlistEntry)  # the shared tables' ids
    places, entries, feedback = [], [], []
    for w in workshops:
        if w["status"] is EventStatus.DRAFT:
            continue
        past = w["ends_at"] <= now
        cancelled_event = w["status"] is EventStatus.CANCELLED
        full = not cancelled_event and rng.random() < size.full_share
        confirmed = size.capacity if full else max(1, int(size.capacity * rng.uniform(*size.fill)))
        # A place offered from the waiting list (to come) is held: one fewer confirmed place.
        offered = 1 if full and not past else 0
        confirmed -= offered
        cancelled = max(1, round(confirmed * size.cancelled_share))
        waiting = rng.randint(*size.waiting) if full else 0
        chosen = rng.sample(people, min(len(people), confirmed + cancelled + offered + waiting))
        holders, leavers = chosen[:confirmed], chosen[confirmed:confirmed + cancelled]
        waiters = chosen[confirmed + cancelled:]
        registered_at = w["created_at"] + timedelta(days=1)
        for person in holders + leavers:
            gone = cancelled_event or person in leavers
            came = past and not gone and rng.random() < 0.85
            minutes = rng.randint(MINUTES // 2, MINUTES) if came else None
            places.append({
                "id": first_place + len(places), "kind": "workshop_registration", "event_id": w["id"],
                "user_id": person, "organisation_id": None,
                "uid": f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@ep-events", "sequence": 1 if gone else 0,
                "status": PlaceStatus.CANCELLED if gone else PlaceStatus.CONFIRMED,
                "starts_at": w["starts_at"], "ends_at": w["ends_at"],
                "cancelled_at": min(w["starts_at"] - timedelta(days=1), now) if gone else None,
                "cancelled_by_id": (organiser_id if cancelled_event else person) if gone else None,
                "cancel_reason": "The workshop was cancelled" if cancelled_event else "",
                "attendance": (Attendance.ATTENDED if came else Attendance.DID_NOT_ATTEND) if past and not gone
                else Attendance.UNKNOWN,
                "attended_minutes": minutes, "attendance_marked_at": w["ends_at"] if past and not gone else None,
                "attendance_marked_by_id": organiser_id if past and not gone else None,
                "created_at": registered_at})
            if came and rng.random() < size.feedback_share:
                feedback.append({
                    "workshop_id": w["id"], "user_id": person, "usefulness": rng.randint(2, 5),
                    "relevance": rng.randint(2, 5),
                    "do_differently": "Plan family time with the birth parents earlier." if rng.random() < 0.5
                    else "", "comments": "Useful examples from other agencies." if rng.random() < 0.3 else "",
                    "created_at": w["ends_at"] + timedelta(hours=rng.randint(1, 72))})
        for k, person in enumerate(waiters):
            if past:
                status = WaitlistStatus.EXPIRED if k % 3 else WaitlistStatus.LEFT
            elif k < offered:
                status = WaitlistStatus.OFFERED
            else:
                status = WaitlistStatus.WAITING
            entries.append({
                "id": first_entry + len(entries), "kind": "workshop_waitlist_entry", "event_id": w["id"],
                "user_id": person, "status": status,
                "offer_expires_at": now + timedelta(hours=OFFER_HOURS // 2) if status is WaitlistStatus.OFFERED
                else None, "created_at": registered_at + timedelta(days=3, minutes=k)})
    db.session.execute(insert(WorkshopRegistration), places)
    if entries:
        db.session.execute(insert(WorkshopWaitlistEntry), entries)
    if feedback:
        db.session.execute(insert(WorkshopFeedback), feedback)
    bump_sequences()
    db.session.commit()
    return WorkshopsSeeded(
        programme_id=programme_id, slug=SLUG, organiser_email=ORGANISER_EMAIL, workshops=len(workshops),
        published_upcoming=sum(1 for w in workshops if w["status"] is EventStatus.PUBLISHED and w["ends_at"] > now),
        registrations=len(places), confirmed=sum(1 for p in places if p["status"] is PlaceStatus.CONFIRMED),
        waitlist_entries=len(entries), feedback=len(feedback))
