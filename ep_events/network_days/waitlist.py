"""The waiting list for extra places on a full Network Day: an agency asks for N places; when places free up
they are offered, in the order agencies asked, to the first whose number fits, and held for it until the offer
ends; the agency buys them (network_orders) or the offer expires and goes to the next."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ep_events.accounts.policy import can_administer_organisation, can_manage_programme
from ep_events.bookings.models import ACTIVE_WAITLIST, EventStatus, WaitlistStatus
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.jobs import each_row_alone
from ep_events.core.time import uk_date, utcnow
from ep_events.extensions import db
from ep_events.network_days import emails
from ep_events.network_days.capacity import free_places, lock_day
from ep_events.network_days.models import NetworkDay, NetworkWaitlistEntry
from ep_events.network_days.rules import MAX_CAPACITY

OFFER_HOURS = 48  # how long freed places are held for the agency offered them


def active_entry(network_day: NetworkDay, agency) -> NetworkWaitlistEntry | None:
    """The agency's current request on the day's waiting list (waiting or offered), if any."""
    return db.session.execute(select(NetworkWaitlistEntry).where(
        NetworkWaitlistEntry.event_id == network_day.id, NetworkWaitlistEntry.agency_id == agency.id,
        NetworkWaitlistEntry.status.in_(ACTIVE_WAITLIST))).scalars().first()


def waiting_list(network_day: NetworkDay) -> list[NetworkWaitlistEntry]:
    """The day's waiting list in the order agencies asked."""
    return list(db.session.execute(select(NetworkWaitlistEntry).where(
        NetworkWaitlistEntry.event_id == network_day.id, NetworkWaitlistEntry.status.in_(ACTIVE_WAITLIST))
        .order_by(NetworkWaitlistEntry.created_at, NetworkWaitlistEntry.id)
        .options(selectinload(NetworkWaitlistEntry.agency), selectinload(NetworkWaitlistEntry.user))).scalars())


def join_waitlist(actor, network_day: NetworkDay, agency, quantity: int,
                  now: datetime | None = None) -> NetworkWaitlistEntry:
    """Ask for N extra places on a full day, once per agency; the admin who asks is emailed to confirm."""
    now = now or utcnow()
    if not (can_administer_organisation(actor, agency) or can_manage_programme(actor, network_day.programme)):
        raise NotAllowed(f"Only {agency.name}'s admins can ask for places for it")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_CAPACITY:
        raise DomainError(f"Enter a number of places from 1 to {MAX_CAPACITY}", field="quantity")
    lock_day(network_day)
    db.session.refresh(network_day)
    if network_day.status is not EventStatus.PUBLISHED or network_day.starts_at <= now:
        raise DomainError("This Network Day is not open for places")
    if free_places(network_day) >= quantity:
        raise DomainError("There is room on this Network Day: buy the places now", field="quantity")
    if active_entry(network_day, agency) is not None:
        raise DomainError(f"{agency.name} is already on the waiting list for this Network Day", field="quantity")
    entry = NetworkWaitlistEntry(event_id=network_day.id, user_id=actor.id, agency_id=agency.id, quantity=quantity,
                                 status=WaitlistStatus.WAITING)
    db.session.add(entry)
    db.session.flush()
    emails.send_waitlist_joined(entry)
    record_audit(actor, "network.waitlist.join", entry,
                 f"{agency.name}: waiting for {quantity} place(s) on {uk_date(network_day.starts_at)}")
    return entry


def leave_waitlist(actor, entry: NetworkWaitlistEntry, now: datetime | None = None) -> None:
    """Take the agency off the waiting list; places offered to it go to the next agency."""
    now = now or utcnow()
    if not (can_administer_organisation(actor, entry.agency) or can_manage_programme(actor, entry.event.programme)):
        raise NotAllowed(f"Only {entry.agency.name}'s admins can change its waiting list request")
    if not entry.is_active:
        raise DomainError("This request is no longer on the waiting list")
    was_offered = entry.status is WaitlistStatus.OFFERED
    entry.move_to(WaitlistStatus.LEFT)
    db.session.flush()
    record_audit(actor, "network.waitlist.leave", entry, f"{entry.agency.name} left the waiting list")
    if was_offered:
        offer_freed_places(entry.event, now)


def held_for(network_day: NetworkDay, agency) -> int:
    """The places offered to (and held for) this agency on the day."""
    entry = active_entry(network_day, agency)
    return entry.quantity if entry is not None and entry.status is WaitlistStatus.OFFERED else 0


def took_offer(network_day: NetworkDay, agency) -> None:
    """The agency bought the places it was offered: its request is done."""
    entry = active_entry(network_day, agency)
    if entry is not None and entry.status is WaitlistStatus.OFFERED:
        entry.move_to(WaitlistStatus.BOOKED)
        db.session.flush()


def offer_freed_places(network_day: NetworkDay, now: datetime | None = None) -> int:
    """Offer the day's free places to the agencies waiting, in the order they asked, to each whose number fits;
    each offer holds the places until it ends. Returns the offers made."""
    now = now or utcnow()
    if network_day.status is not EventStatus.PUBLISHED or network_day.starts_at <= now:
        return 0
    lock_day(network_day)
    free = free_places(network_day)  # already less the places held by open offers
    made = 0
    for entry in waiting_list(network_day):
        if entry.status is not WaitlistStatus.WAITING or entry.quantity > free:
            continue
        entry.move_to(WaitlistStatus.OFFERED, min(now + timedelta(hours=OFFER_HOURS), network_day.starts_at))
        db.session.flush()
        free -= entry.quantity
        made += 1
        if entry.user is not None:
            emails.send_waitlist_offer(entry)
        record_audit(None, "network.waitlist.offer", entry,
                     f"{entry.agency.name}: {entry.quantity} place(s) offered on {uk_date(network_day.starts_at)}")
    return made


def expire_offers(now: datetime | None = None) -> int:
    """Close offers past their time and offer the places to the next agency; safe to run twice at once."""
    now = now or utcnow()
    due = db.session.execute(select(NetworkWaitlistEntry.id).where(
        NetworkWaitlistEntry.status == WaitlistStatus.OFFERED,
        NetworkWaitlistEntry.offer_expires_at <= now)).scalars().all()

    expired = 0
    for entry_id in due:
        with each_row_alone("expire-network-offers", f"waiting list entry {entry_id}"):
            entry = db.session.get(NetworkWaitlistEntry, entry_id)
            lock_day(entry.event)
            db.session.refresh(entry)
            if entry.status is WaitlistStatus.OFFERED and entry.offer_expires_at <= now:
                entry.move_to(WaitlistStatus.EXPIRED)
                db.session.flush()
                if entry.user is not None:
                    emails.send_waitlist_offer_expired(entry)
                offer_freed_places(entry.event, now)
                expired += 1
    return expired
