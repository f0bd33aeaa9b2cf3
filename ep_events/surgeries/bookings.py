"""Booking a slot: the rules a booking must pass, and reading a person's bookings.

Concurrency: every booking-changing service first takes a per-user lock (a row lock on PostgreSQL, the
write lock on SQLite), so one person's requests run one after another; a partial unique index on
confirmed bookings guarantees one booking per slot whatever happens between people.
"""

import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ep_events.accounts.services import lock_person
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications.calendar import build_download
from ep_events.surgeries import emails
from ep_events.surgeries.availability import booking_for_slot, open_offer_for_slot
from ep_events.surgeries.models import (
    THEME_LABELS,
    BookingStatus,
    SlotOffer,
    SlotStatus,
    SurgeryBooking,
    SurgeryDate,
    SurgeryDateStatus,
    SurgerySlot,
)
from ep_events.surgeries.rules import (
    COLLEAGUE_NAME_MAX,
    COLLEAGUE_NAME_RULE,
    MAX_COLLEAGUES,
    OUTLINE_MAX,
    BookingLimitReached,
    BookingWindowClosed,
    SlotTaken,
    limit_message,
)
from ep_events.surgeries.settings import get_settings


def refresh_slot(slot: SurgerySlot) -> SurgerySlot:
    return db.session.execute(
        select(SurgerySlot).where(SurgerySlot.id == slot.id).execution_options(populate_existing=True)
    ).scalar_one()


def check_slot_bookable(slot: SurgerySlot, now: datetime, for_offer: SlotOffer | None = None) -> None:
    """The rules a slot must pass to be booked now, each with the message a person sees."""
    surgery_date = slot.surgery_date
    settings = get_settings(surgery_date.programme)
    if (slot.status is not SlotStatus.OPEN or surgery_date.status is not SurgeryDateStatus.PUBLISHED
            or not surgery_date.programme.is_published):
        raise DomainError("This slot is not available", field="slot")
    if slot.starts_at <= now:
        raise BookingWindowClosed("This slot is in the past", field="slot")
    if now >= slot.starts_at - timedelta(hours=settings.booking_close_hours):
        raise BookingWindowClosed(
            f"Booking for this slot closed {settings.booking_close_hours} hours before it starts", field="slot")
    if booking_for_slot(slot) is not None:
        raise SlotTaken()
    offer = open_offer_for_slot(slot)
    if offer is not None and offer is not for_offer:
        raise SlotTaken()


def upcoming_count(user, programme, now: datetime) -> int:
    return db.session.execute(
        select(func.count(SurgeryBooking.id)).join(SurgerySlot).join(SurgeryDate)
        .where(SurgeryBooking.user_id == user.id, SurgeryBooking.status == BookingStatus.CONFIRMED,
               SurgeryDate.programme_id == programme.id, SurgerySlot.starts_at > now)
    ).scalar_one()


def check_limit(user, programme, now: datetime, ignoring: SurgeryBooking | None = None) -> None:
    settings = get_settings(programme)
    count = upcoming_count(user, programme, now)
    if ignoring is not None and ignoring.is_confirmed and ignoring.slot.starts_at > now:
        count -= 1
    if count >= settings.max_upcoming_bookings:
        raise BookingLimitReached(limit_message(settings.max_upcoming_bookings), field="slot")


def at_booking_limit(user, programme, now: datetime | None = None) -> str | None:
    """The limit message if the person already holds as many upcoming bookings as the programme allows."""
    try:
        check_limit(user, programme, now or utcnow())
    except BookingLimitReached as error:
        return str(error)
    return None


def booked_slot_by(user, slot: SurgerySlot) -> SurgeryBooking | None:
    """The person's own confirmed booking of this slot, if they hold it (Back after booking lands here)."""
    booking = booking_for_slot(slot)
    return booking if booking is not None and booking.user_id == user.id else None


_NAME_PUNCTUATION = frozenset(" -'’.")


def is_plain_name(name: str) -> bool:
    """A person's name on one line: letters of any script (with their accents), spaces, hyphens,
    apostrophes and full stops, and at least one letter. Nothing else a booker could use to write a
    message or a link into the emails we send to the people they name (issue 10)."""
    return (0 < len(name) <= COLLEAGUE_NAME_MAX and any(unicodedata.category(c).startswith("L") for c in name)
            and all(c in _NAME_PUNCTUATION or unicodedata.category(c)[0] in "LM" for c in name))


def clean_colleagues(colleagues: list[dict]) -> list[dict]:
    """The colleagues a booker names, each a plain one-line name and an email address."""
    out = []
    for n, colleague in enumerate(colleagues, start=1):
        name = " ".join(part for part in unicodedata.normalize("NFC", colleague.get("name") or "").split(" ") if part)
        email = (colleague.get("email") or "").strip().lower()
        if name or email:
            if not (name and email):
                raise DomainError("Enter both the name and the email address of each colleague", field="colleagues")
            if not is_plain_name(name):
                raise DomainError(f"Enter colleague {n}'s name using only {COLLEAGUE_NAME_RULE}, on one line, in "
                                  f"{COLLEAGUE_NAME_MAX} characters or fewer", field=f"colleague{n}_name")
            if email.count("@") != 1 or any(c.isspace() or not c.isprintable() for c in email):
                raise DomainError(f"Enter colleague {n}'s email address in the correct format, like "
                                  "name@example.org", field=f"colleague{n}_email")
            out.append({"name": name, "email": email})
    if len(out) > MAX_COLLEAGUES:
        raise DomainError(f"You can name up to {MAX_COLLEAGUES} colleagues", field="colleagues")
    return out


def book_slot(slot: SurgerySlot, user, theme: str, outline: str = "", colleagues: list[dict] | None = None,
              now: datetime | None = None, offer: SlotOffer | None = None) -> tuple[SurgeryBooking, bool]:
    """Book a slot for a person: one booking per slot, within the window and their limit.

    Returns (booking, created). Submitting the same booking twice returns the first one, unchanged.
    """
    now = now or utcnow()
    if theme not in THEME_LABELS:
        raise DomainError("Choose what you would like to discuss", field="theme")
    outline = (outline or "").strip()
    if len(outline) > OUTLINE_MAX:
        raise DomainError(f"Outline must be {OUTLINE_MAX} characters or fewer", field="outline")
    colleagues = clean_colleagues(colleagues or [])
    lock_person(user)
    slot = refresh_slot(slot)
    existing = booking_for_slot(slot)
    if existing is not None and existing.user_id == user.id:
        return existing, False
    check_slot_bookable(slot, now, for_offer=offer)
    check_limit(user, slot.surgery_date.programme, now)
    booking = SurgeryBooking(slot=slot, user=user, theme=theme, outline=outline, colleagues=colleagues)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SlotTaken() from None
    booking.slot = slot
    booking.user = user
    emails.send_booking_confirmation(booking)
    return booking, True


def confirmed_bookings_for_date(surgery_date: SurgeryDate) -> list[SurgeryBooking]:
    """The date's confirmed bookings, including those kept without a person (`user` None: the booker
    has since deleted their account)."""
    return list(db.session.execute(
        select(SurgeryBooking).join(SurgerySlot).where(SurgerySlot.surgery_date_id == surgery_date.id,
                                                       SurgeryBooking.status == BookingStatus.CONFIRMED)
        .options(selectinload(SurgeryBooking.user)).order_by(SurgerySlot.starts_at)
    ).scalars())


def user_bookings(user, programme=None) -> list[SurgeryBooking]:
    query = (select(SurgeryBooking).join(SurgerySlot).where(SurgeryBooking.user_id == user.id)
             .options(selectinload(SurgeryBooking.slot).selectinload(SurgerySlot.surgery_date)
                      .selectinload(SurgeryDate.programme))
             .order_by(SurgerySlot.starts_at))
    if programme is not None:
        query = query.join(SurgeryDate).where(SurgeryDate.programme_id == programme.id)
    return list(db.session.execute(query).scalars())


def booking_invite(booking: SurgeryBooking) -> str:
    """The booker's calendar file to download: the emailed invite's event (same UID and SEQUENCE), published
    without the attendee list, so a later emailed update or cancellation changes the same entry."""
    if not booking.is_confirmed:
        raise DomainError("This booking was cancelled")
    return build_download(emails.calendar_event(booking))
