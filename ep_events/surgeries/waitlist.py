"""The waiting list of a full date, and who gets a freed slot: offers made, accepted, declined and expired."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ep_events.accounts.services import lock_person
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.jobs import each_row_alone
from ep_events.core.time import uk_datetime, utcnow
from ep_events.extensions import db
from ep_events.surgeries import emails
from ep_events.surgeries.availability import booking_for_slot, open_offer_for_slot, upcoming_availability
from ep_events.surgeries.bookings import book_slot, refresh_slot
from ep_events.surgeries.models import (
    THEME_LABELS,
    OfferStatus,
    SlotOffer,
    SlotStatus,
    SurgeryBooking,
    SurgeryDate,
    SurgeryDateStatus,
    SurgerySettings,
    SurgerySlot,
    SurgeryWaitlistEntry,
    WaitlistStatus,
)
from ep_events.surgeries.settings import get_settings


class AlreadyOnWaitlist(DomainError):
    pass


def waitlist_entry_for(surgery_date: SurgeryDate, user) -> SurgeryWaitlistEntry | None:
    """The person's current place on a date's waiting list (waiting or offered a slot), if any."""
    return db.session.execute(
        select(SurgeryWaitlistEntry).where(SurgeryWaitlistEntry.surgery_date_id == surgery_date.id,
                                           SurgeryWaitlistEntry.user_id == user.id,
                                    SurgeryWaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))
    ).scalar_one_or_none()


def user_waitlist(user) -> list[SurgeryWaitlistEntry]:
    return list(db.session.execute(
        select(SurgeryWaitlistEntry).where(SurgeryWaitlistEntry.user_id == user.id,
                                    SurgeryWaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))
        .options(selectinload(SurgeryWaitlistEntry.surgery_date))
    ).scalars())


def open_offer_for_entry(entry: SurgeryWaitlistEntry) -> SlotOffer | None:
    return db.session.execute(
        select(SlotOffer).where(SlotOffer.entry_id == entry.id, SlotOffer.status == OfferStatus.OPEN)
    ).scalar_one_or_none()


def open_offers_for(user) -> list[SlotOffer]:
    return list(db.session.execute(
        select(SlotOffer).join(SurgeryWaitlistEntry).where(SurgeryWaitlistEntry.user_id == user.id,
                                                    SlotOffer.status == OfferStatus.OPEN)
    ).scalars())


def waitlist_for_date(surgery_date: SurgeryDate) -> list[SurgeryWaitlistEntry]:
    return list(db.session.execute(
        select(SurgeryWaitlistEntry).where(SurgeryWaitlistEntry.surgery_date_id == surgery_date.id,
                                    SurgeryWaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))
        .order_by(SurgeryWaitlistEntry.created_at, SurgeryWaitlistEntry.id)
        .options(selectinload(SurgeryWaitlistEntry.user))
    ).scalars())


def _offer_expiry(slot_starts_at: datetime, settings: SurgerySettings, now: datetime) -> datetime:
    """An offer made now lasts the programme's offer time, but never past the slot's booking close."""
    return min(now + timedelta(hours=settings.offer_hours),
               slot_starts_at - timedelta(hours=settings.booking_close_hours))


@dataclass(frozen=True)
class OfferTerms:
    """How long someone offered a freed slot of a date has to take it, as the waiting list page says."""

    offer_hours: int
    booking_close_hours: int
    earliest_end: datetime | None  # if a slot of the date freed now; None if no slot could still be offered
    latest_end: datetime | None


def offer_terms(surgery_date: SurgeryDate, now: datetime | None = None) -> OfferTerms:
    """The programme's offer time, and when an offer made now would end (the rule `offer_freed_slot` uses)."""
    now = now or utcnow()
    settings = get_settings(surgery_date.programme)
    ends = [end for end in (_offer_expiry(s.starts_at, settings, now) for s in surgery_date.slots
                            if s.status is SlotStatus.OPEN) if end > now]
    return OfferTerms(settings.offer_hours, settings.booking_close_hours, min(ends, default=None),
                      max(ends, default=None))


def join_waitlist(surgery_date: SurgeryDate, user, theme: str = "general", now: datetime | None = None
                  ) -> SurgeryWaitlistEntry:
    """Join the waiting list of a full date, once (joining again is refused), and email to confirm."""
    now = now or utcnow()
    if theme not in THEME_LABELS:
        raise DomainError("Choose what you would like to discuss", field="theme")
    availability = next((a for a in upcoming_availability(surgery_date.programme, now)
                         if a.surgery_date.id == surgery_date.id), None)
    if availability is None or not surgery_date.programme.is_published:
        raise DomainError("This date is not taking bookings")
    if not availability.is_full:
        raise DomainError("This date still has free slots: book one instead")
    if not availability.taking_bookings:
        raise DomainError("Booking has closed for this date, so it has no waiting list")
    lock_person(user)
    if waitlist_entry_for(surgery_date, user) is not None:
        raise AlreadyOnWaitlist(f"You are already on the waiting list for {surgery_date.label}")
    entry = SurgeryWaitlistEntry(surgery_date_id=surgery_date.id, user_id=user.id, theme=theme)
    db.session.add(entry)
    db.session.flush()
    record_audit(user, "surgery.waitlist.join", entry, f"{user.email} joined the waiting list for {surgery_date.label}")
    emails.send_waitlist_joined(entry, offer_terms(surgery_date, now))
    return entry


def leave_waitlist(entry: SurgeryWaitlistEntry, user) -> None:
    if entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        raise DomainError("You are not on this waiting list")
    if entry.status is WaitlistStatus.OFFERED:
        for offer in db.session.execute(select(SlotOffer).where(SlotOffer.entry_id == entry.id,
                                                                SlotOffer.status == OfferStatus.OPEN)).scalars():
            offer.status = OfferStatus.WITHDRAWN
            offer.closed_at = utcnow()
            offer_freed_slot(offer.slot, utcnow(), exclude_entry=entry)
    entry.move_to(WaitlistStatus.LEFT)
    db.session.flush()


def offer_freed_slot(slot: SurgerySlot, now: datetime,
                     exclude_entry: SurgeryWaitlistEntry | None = None) -> SlotOffer | None:
    """Offer a slot that has just become free to the first person waiting for its date."""
    slot = refresh_slot(slot)
    if slot.status is not SlotStatus.OPEN or slot.surgery_date.status is not SurgeryDateStatus.PUBLISHED:
        return None
    if booking_for_slot(slot) is not None or open_offer_for_slot(slot) is not None:
        return None
    expires_at = _offer_expiry(slot.starts_at, get_settings(slot.surgery_date.programme), now)
    if expires_at <= now:
        return None
    query = (select(SurgeryWaitlistEntry).where(SurgeryWaitlistEntry.surgery_date_id == slot.surgery_date_id,
                                         SurgeryWaitlistEntry.status == WaitlistStatus.WAITING)
             .order_by(SurgeryWaitlistEntry.created_at, SurgeryWaitlistEntry.id).limit(1))
    if exclude_entry is not None:
        query = query.where(SurgeryWaitlistEntry.id != exclude_entry.id)
    entry = db.session.execute(query).scalar_one_or_none()
    if entry is None:
        return None
    entry.move_to(WaitlistStatus.OFFERED, offer_expires_at=expires_at)
    offer = SlotOffer(slot=slot, entry=entry, offered_at=now, expires_at=expires_at)
    db.session.add(offer)
    db.session.flush()
    record_audit(None, "surgery.offer.make", offer,
                 f"Offered {uk_datetime(slot.starts_at)} to {entry.user.email} until {uk_datetime(expires_at)}")
    emails.send_offer(offer)
    return offer


def _close_offer(offer: SlotOffer, status: OfferStatus, now: datetime) -> bool:
    """Close an open offer as accepted, declined or expired; False if someone else closed it first
    (one conditional UPDATE, so two requests or a request and the expiry job cannot both win)."""
    return db.session.execute(
        update(SlotOffer).where(SlotOffer.id == offer.id, SlotOffer.status == OfferStatus.OPEN)
        .values(status=status, closed_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1


def accept_offer(offer: SlotOffer, user, now: datetime | None = None) -> SurgeryBooking:
    """The person offered a freed slot takes it; only once, and only before the offer expires."""
    now = now or utcnow()
    if offer.entry.user_id != user.id:
        raise DomainError("This offer is not for you")
    lock_person(user)
    db.session.refresh(offer)
    if offer.status is not OfferStatus.OPEN:
        raise DomainError("This offer has already been accepted, or has expired")
    if offer.expires_at <= now:
        raise DomainError("This offer has expired")
    if not _close_offer(offer, OfferStatus.ACCEPTED, now):
        raise DomainError("This offer has already been accepted, or has expired")
    db.session.refresh(offer)
    booking, _ = book_slot(offer.slot, user, offer.entry.theme, now=now, offer=offer)
    offer.entry.move_to(WaitlistStatus.BOOKED)
    db.session.flush()
    record_audit(user, "surgery.offer.accept", offer, f"{user.email} accepted {uk_datetime(offer.slot.starts_at)}")
    return booking


def decline_offer(offer: SlotOffer, user, now: datetime | None = None) -> SlotOffer | None:
    """The person offered a freed slot says "No thanks": they leave that date's waiting list and the
    slot is offered to the next person at once. Returns the next offer, if anyone was waiting."""
    now = now or utcnow()
    if offer.entry.user_id != user.id:
        raise DomainError("This offer is not for you")
    lock_person(user)
    db.session.refresh(offer)
    if not _close_offer(offer, OfferStatus.DECLINED, now):
        raise DomainError("This offer has already closed: it was accepted, declined or has expired")
    db.session.refresh(offer)
    offer.entry.move_to(WaitlistStatus.DECLINED)
    db.session.flush()
    record_audit(user, "surgery.offer.decline", offer, f"{user.email} declined {uk_datetime(offer.slot.starts_at)}")
    return offer_freed_slot(offer.slot, now)


def expire_offers(now: datetime | None = None) -> int:
    """Scheduled: close offers past their time and pass each slot to the next person waiting."""
    now = now or utcnow()
    due = list(db.session.execute(
        select(SlotOffer).where(SlotOffer.status == OfferStatus.OPEN, SlotOffer.expires_at <= now)
        .order_by(SlotOffer.id)
    ).scalars())
    for offer in due:
        with each_row_alone("expire-offers", f"offer {offer.id}"):
            if not _close_offer(offer, OfferStatus.EXPIRED, now):
                continue
            db.session.refresh(offer)
            offer.entry.move_to(WaitlistStatus.EXPIRED)
            db.session.flush()
            record_audit(None, "surgery.offer.expire", offer,
                         f"Offer of {uk_datetime(offer.slot.starts_at)} to {offer.entry.user.email} expired")
            offer_freed_slot(offer.slot, now)
    return len(due)


def withdraw_offers(slot: SurgerySlot) -> None:
    offer = open_offer_for_slot(slot)
    if offer is not None:
        offer.status = OfferStatus.WITHDRAWN
        offer.closed_at = utcnow()
        offer.entry.move_to(WaitlistStatus.WAITING)
