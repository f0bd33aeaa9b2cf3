"""The waiting list of a full workshop: a freed place is offered to the first person waiting, held for them
for OFFER_HOURS (never past registration close), accepted, declined, or passed on when the offer expires."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ep_events.bookings.models import ACTIVE_WAITLIST, EventStatus, WaitlistStatus
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.jobs import each_row_alone
from ep_events.core.time import uk_datetime, utcnow
from ep_events.extensions import db
from ep_events.workshops import emails
from ep_events.workshops.capacity import add_registration, lock_workshop, places_left, registration_for
from ep_events.workshops.models import Workshop, WorkshopRegistration, WorkshopWaitlistEntry
from ep_events.workshops.rules import OFFER_HOURS, RegistrationClosed


def active_entry(workshop: Workshop, user) -> WorkshopWaitlistEntry | None:
    """The person's current place on the workshop's waiting list (waiting or offered), if any."""
    return db.session.execute(select(WorkshopWaitlistEntry).where(
        WorkshopWaitlistEntry.event_id == workshop.id, WorkshopWaitlistEntry.user_id == user.id,
        WorkshopWaitlistEntry.status.in_(ACTIVE_WAITLIST))).scalars().first()


def waiting_list(workshop: Workshop) -> list[WorkshopWaitlistEntry]:
    """The workshop's waiting list in the order people joined."""
    return list(db.session.execute(select(WorkshopWaitlistEntry).where(
        WorkshopWaitlistEntry.event_id == workshop.id, WorkshopWaitlistEntry.status.in_(ACTIVE_WAITLIST))
        .order_by(WorkshopWaitlistEntry.created_at, WorkshopWaitlistEntry.id)
        .options(selectinload(WorkshopWaitlistEntry.user))).scalars())


def user_waitlist(user) -> list[WorkshopWaitlistEntry]:
    return list(db.session.execute(select(WorkshopWaitlistEntry).where(
        WorkshopWaitlistEntry.user_id == user.id, WorkshopWaitlistEntry.status.in_(ACTIVE_WAITLIST))
        .order_by(WorkshopWaitlistEntry.id)).scalars())


def _check_open(workshop: Workshop, now: datetime) -> None:
    if workshop.status is not EventStatus.PUBLISHED or workshop.starts_at <= now:
        raise DomainError("This workshop is not taking registrations")
    if not workshop.registration_open(now):
        raise RegistrationClosed()


def join_waitlist(workshop: Workshop, user, now: datetime | None = None) -> WorkshopWaitlistEntry:
    """Join the waiting list of a full workshop, once; emailed to confirm."""
    now = now or utcnow()
    lock_workshop(workshop)
    db.session.refresh(workshop)
    _check_open(workshop, now)
    if registration_for(workshop, user) is not None:
        raise DomainError("You already have a place on this workshop")
    if active_entry(workshop, user) is not None:
        raise DomainError("You are already on the waiting list for this workshop")
    if places_left(workshop) > 0:
        raise DomainError("This workshop still has places: register instead")
    entry = WorkshopWaitlistEntry(event_id=workshop.id, user_id=user.id, status=WaitlistStatus.WAITING)
    db.session.add(entry)
    db.session.flush()
    record_audit(user, "workshop.waitlist.join", entry, f"{user.email} joined the waiting list for {workshop.title}")
    emails.send_waitlist_joined(entry)
    return entry


def leave_waitlist(entry: WorkshopWaitlistEntry, user, now: datetime | None = None) -> None:
    """Leave the waiting list; a place offered to them goes to the next person."""
    now = now or utcnow()
    if entry.user_id != user.id:
        raise DomainError("This is not your place on the waiting list")
    lock_workshop(entry.event)
    db.session.refresh(entry)
    if not entry.is_active:
        raise DomainError("You are no longer on this waiting list")
    was_offered = entry.status is WaitlistStatus.OFFERED
    entry.move_to(WaitlistStatus.LEFT)
    db.session.flush()
    record_audit(user, "workshop.waitlist.leave", entry, f"{user.email} left the waiting list for {entry.event.title}")
    if was_offered:
        offer_freed_places(entry.event, now)


def offer_expiry(workshop: Workshop, now: datetime) -> datetime:
    """An offer made now lasts OFFER_HOURS, but never past registration close."""
    return min(now + timedelta(hours=OFFER_HOURS), workshop.registration_closes_at)


def offer_freed_places(workshop: Workshop, now: datetime | None = None) -> int:
    """Offer the workshop's free places to the people waiting, first come first offered; each offer holds one
    place until it ends. Nothing is offered once registration has closed. Returns the offers made."""
    now = now or utcnow()
    if workshop.status is not EventStatus.PUBLISHED or not workshop.registration_open(now):
        return 0
    lock_workshop(workshop)
    free = places_left(workshop)  # already less the places held by open offers
    made = 0
    for entry in waiting_list(workshop):
        if free <= 0:
            break
        if entry.status is not WaitlistStatus.WAITING or entry.user is None:
            continue
        entry.move_to(WaitlistStatus.OFFERED, offer_expiry(workshop, now))
        db.session.flush()
        free -= 1
        made += 1
        emails.send_waitlist_offer(entry)
        record_audit(None, "workshop.offer.make", entry,
                     f"Offered a place on {workshop.title} to {entry.user.email} until "
                     f"{uk_datetime(entry.offer_expires_at)}")
    return made


def _open_offer(entry: WorkshopWaitlistEntry, user, now: datetime) -> None:
    if entry.user_id != user.id:
        raise DomainError("This offer is not for you")
    lock_workshop(entry.event)
    db.session.refresh(entry)
    if entry.status is not WaitlistStatus.OFFERED:
        raise DomainError("This offer has already been accepted, declined or has expired")
    if entry.offer_expires_at <= now:
        raise DomainError("This offer has expired")


def accept_offer(entry: WorkshopWaitlistEntry, user, now: datetime | None = None) -> WorkshopRegistration:
    """The person offered a freed place takes it: once, before the offer ends (the place was held for them)."""
    now = now or utcnow()
    _open_offer(entry, user, now)
    workshop = entry.event
    if registration_for(workshop, user) is not None:
        raise DomainError("You already have a place on this workshop")
    entry.move_to(WaitlistStatus.BOOKED)
    db.session.flush()
    registration = add_registration(workshop, user, now)
    record_audit(user, "workshop.offer.accept", entry, f"{user.email} took a place on {workshop.title}")
    return registration


def decline_offer(entry: WorkshopWaitlistEntry, user, now: datetime | None = None) -> int:
    """'No thanks': they leave the waiting list and the place is offered to the next person at once."""
    now = now or utcnow()
    _open_offer(entry, user, now)
    entry.move_to(WaitlistStatus.DECLINED)
    db.session.flush()
    record_audit(user, "workshop.offer.decline", entry, f"{user.email} declined a place on {entry.event.title}")
    return offer_freed_places(entry.event, now)


def expire_offers(now: datetime | None = None) -> int:
    """Scheduled: close offers past their time and pass each place to the next person; safe to run twice."""
    now = now or utcnow()
    due = db.session.execute(select(WorkshopWaitlistEntry.id).where(
        WorkshopWaitlistEntry.status == WaitlistStatus.OFFERED,
        WorkshopWaitlistEntry.offer_expires_at <= now).order_by(WorkshopWaitlistEntry.id)).scalars().all()
    expired = 0
    for entry_id in due:
        with each_row_alone("expire-workshop-offers", f"waiting list entry {entry_id}"):
            entry = db.session.get(WorkshopWaitlistEntry, entry_id)
            lock_workshop(entry.event)
            db.session.refresh(entry)
            if entry.status is WaitlistStatus.OFFERED and entry.offer_expires_at <= now:
                entry.move_to(WaitlistStatus.EXPIRED)
                db.session.flush()
                if entry.user is not None:
                    emails.send_waitlist_offer_expired(entry)
                record_audit(None, "workshop.offer.expire", entry, f"An offer on {entry.event.title} expired")
                offer_freed_places(entry.event, now)
                expired += 1
    return expired
