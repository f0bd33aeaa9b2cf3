"""A booker cancelling or moving a booking, and an account's bookings released: each slot freed goes to
the waiting list (`waitlist.offer_freed_slot`)."""

from datetime import datetime

from sqlalchemy import String, cast, select
from sqlalchemy.exc import IntegrityError

from ep_events.accounts.services import lock_person
from ep_events.core.errors import DomainError
from ep_events.core.time import uk_datetime, utcnow
from ep_events.extensions import db
from ep_events.surgeries import emails
from ep_events.surgeries.availability import DateAvailability, upcoming_availability
from ep_events.surgeries.bookings import check_slot_bookable, refresh_slot, user_bookings
from ep_events.surgeries.models import SurgeryBooking, SurgerySlot
from ep_events.surgeries.rules import SlotTaken
from ep_events.surgeries.waitlist import leave_waitlist, offer_freed_slot, user_waitlist


def _lock_changeable(booking: SurgeryBooking, now: datetime, change: str) -> None:
    """Take the booker's lock, re-read the booking, and refuse if it can no longer be changed."""
    lock_person(booking.user)
    db.session.refresh(booking)
    if not booking.is_confirmed:
        raise DomainError("This booking is already cancelled")
    if not booking.can_change(now):
        raise DomainError(f"This surgery has already started, so it cannot be {change}")


def cancel_booking(booking: SurgeryBooking, actor, reason: str = "", now: datetime | None = None) -> None:
    """The booker cancels: their invite is cancelled and the slot goes to the waiting list."""
    now = now or utcnow()
    _lock_changeable(booking, now, "cancelled")
    booking.cancel(now, actor, (reason or "").strip()[:500])
    db.session.flush()
    emails.send_booking_cancelled(booking, by_facilitator=False)
    offer_freed_slot(booking.slot, now)


def movable_slots(booking: SurgeryBooking, now: datetime | None = None) -> list[DateAvailability]:
    programme = booking.slot.surgery_date.programme
    out = []
    for availability in upcoming_availability(programme, now):
        availability.free_slots = [s for s in availability.free_slots if s.id != booking.slot_id]
        if availability.free_slots:
            out.append(availability)
    return out


def move_booking(booking: SurgeryBooking, new_slot: SurgerySlot, actor, now: datetime | None = None) -> None:
    """Move to another free slot of the same programme: same booking, same UID, higher SEQUENCE."""
    now = now or utcnow()
    _lock_changeable(booking, now, "moved")
    new_slot = refresh_slot(new_slot)
    if new_slot.id == booking.slot_id:
        raise DomainError("Choose a different slot", field="slot")
    if new_slot.surgery_date.programme_id != booking.slot.surgery_date.programme_id:
        raise DomainError("You can only move to a slot of the same programme", field="slot")
    check_slot_bookable(new_slot, now)
    old_slot = booking.slot
    booking.occupy(new_slot)
    booking.sequence += 1
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SlotTaken() from None
    db.session.refresh(booking)
    emails.send_booking_updated(booking, f"Your surgery has moved from {uk_datetime(old_slot.starts_at)}.")
    offer_freed_slot(old_slot, now)


def release_person(user, now: datetime | None = None) -> int:
    """Before an account goes: cancel its upcoming bookings and leave its waiting lists, so the
    slots pass to the next person, and erase what they wrote on every booking (outlines, colleagues):
    the bookings stay, without the person, for the counts reports keep. Returns the number cancelled."""
    now = now or utcnow()
    bookings = user_bookings(user)
    upcoming = [b for b in bookings if b.can_change(now)]
    for booking in upcoming:
        cancel_booking(booking, user, "The booker's account was deleted", now=now)
    for booking in bookings:
        if booking.outline:
            booking.outline, booking.outline_erased_at = "", now
        booking.colleagues = []
    for entry in user_waitlist(user):
        leave_waitlist(entry, user)
    # Someone else's booking that names them as a colleague joining keeps the booking, not them.
    naming = select(SurgeryBooking).where(SurgeryBooking.user_id != user.id,
                                          cast(SurgeryBooking.colleagues, String).ilike(f"%{user.email}%"))
    for booking in db.session.execute(naming).scalars():
        booking.colleagues = [c for c in booking.colleagues if c["email"].lower() != user.email.lower()]
    db.session.flush()
    return len(upcoming)
