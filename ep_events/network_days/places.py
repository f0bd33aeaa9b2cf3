"""Places on a Network Day: an agency names who takes its membership place or an extra place, renames
them before the deadline (the organiser after it), and cancels them."""

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ep_events.accounts.policy import can_administer_organisation, can_manage_programme
from ep_events.accounts.services import get_user_by_email, normalise_email
from ep_events.bookings.models import EventStatus, PlaceStatus
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.time import uk_date, uk_datetime, utcnow
from ep_events.extensions import db
from ep_events.network_days import emails
from ep_events.network_days.capacity import free_places, lock_day, offers_held
from ep_events.network_days.memberships import champion_of, membership_for, membership_year_label, membership_year_of
from ep_events.network_days.models import NetworkDay, NetworkPlace, PlaceType
from ep_events.network_days.rules import NoPlacesLeft, RenameDeadlinePassed
from ep_events.network_days.waitlist import offer_freed_places


def _confirmed(network_day: NetworkDay, *where) -> int:
    return db.session.execute(select(func.count(NetworkPlace.id)).where(
        NetworkPlace.event_id == network_day.id, NetworkPlace.status == PlaceStatus.CONFIRMED, *where)).scalar_one()


def _may_change_places(actor, network_day: NetworkDay, agency, now: datetime) -> None:
    """Before the rename deadline the agency's admins and the organisers; after it, only the organisers."""
    organiser = can_manage_programme(actor, network_day.programme)
    if organiser:
        return
    if not can_administer_organisation(actor, agency):
        raise NotAllowed(f"Only {agency.name}'s admins or the programme's organisers can change its places")
    if not network_day.renamable_by_agency(now):
        raise RenameDeadlinePassed(
            f"Places on this Network Day could be changed until {uk_datetime(network_day.rename_deadline)}. "
            f"Email the organisers at {network_day.programme.contact_email} to change it now.")


def _check_day_open(network_day: NetworkDay, now: datetime) -> None:
    if network_day.status is not EventStatus.PUBLISHED:
        raise DomainError("This Network Day is not open for places")
    if network_day.starts_at <= now:
        raise DomainError("This Network Day has already started")


def _check_person(network_day: NetworkDay, person) -> None:
    if person is None:
        raise DomainError("Choose who takes the place", field="person")
    if _confirmed(network_day, NetworkPlace.user_id == person.id):
        raise DomainError(f"{person.name} already has a place on this Network Day", field="person")


def _new_place(network_day: NetworkDay, agency, person, place_type: PlaceType) -> NetworkPlace:
    champion = champion_of(network_day.programme, agency)
    place = NetworkPlace(event=network_day, user=person, agency=agency, place_type=place_type,
                         is_champion=champion is not None and champion.user_id == person.id,
                         starts_at=network_day.starts_at, ends_at=network_day.ends_at)
    db.session.add(place)
    db.session.flush()
    return place


def _unnamed_bought_place(network_day: NetworkDay, agency) -> NetworkPlace | None:
    """One of the agency's paid-for extra places on the day that nobody holds yet (oldest first)."""
    return db.session.execute(select(NetworkPlace).where(
        NetworkPlace.event_id == network_day.id, NetworkPlace.agency_id == agency.id,
        NetworkPlace.place_type == PlaceType.EXTRA, NetworkPlace.status == PlaceStatus.CONFIRMED,
        NetworkPlace.user_id.is_(None), NetworkPlace.invited_email.is_(None))
        .order_by(NetworkPlace.id).limit(1)).scalar_one_or_none()


def _give_to(place: NetworkPlace, person) -> None:
    """Name a held place: the person's organisation is recorded, the invite goes."""
    champion = champion_of(place.event.programme, place.agency)
    place.user = person
    place.organisation_id = person.organisation_id
    place.invited_email = None
    place.is_champion = champion is not None and champion.user_id == person.id
    db.session.flush()
    emails.send_place_confirmed(place)


def _check_membership_place_free(network_day: NetworkDay, agency) -> None:
    year = membership_year_of(network_day)
    if membership_for(network_day.programme, agency, year) is None:
        raise DomainError(f"{agency.name} is not a member for {membership_year_label(year, network_day.programme)}, "
                          "so it has no membership place on this Network Day", field="place_type")
    if _confirmed(network_day, NetworkPlace.agency_id == agency.id, NetworkPlace.place_type == PlaceType.MEMBERSHIP):
        raise DomainError(f"{agency.name}'s membership place on this Network Day is already named. "
                          "Rename it, or name an extra place", field="place_type")


def _checked_email(email: str | None) -> str:
    email = normalise_email(email or "")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError("Enter an email address in the correct format, like name@example.org",
                          field="email") from None
    return email


def offer_membership_place(actor, network_day: NetworkDay, agency, email: str,
                           now: datetime | None = None) -> NetworkPlace:
    """Give the agency's membership place on a day to someone by email: named at once if they have an account,
    otherwise held for them (they are emailed a link to create an account or sign in and accept it)."""
    now = now or utcnow()
    email = _checked_email(email)
    person = get_user_by_email(email)
    if person is not None:
        return name_place(actor, network_day, agency, person, PlaceType.MEMBERSHIP, now)
    _may_change_places(actor, network_day, agency, now)
    lock_day(network_day)
    db.session.refresh(network_day)
    _check_day_open(network_day, now)
    _check_membership_place_free(network_day, agency)
    place = NetworkPlace(event=network_day, agency=agency, place_type=PlaceType.MEMBERSHIP, invited_email=email,
                         starts_at=network_day.starts_at, ends_at=network_day.ends_at)
    db.session.add(place)
    db.session.flush()
    emails.send_place_offered(place, email)
    record_audit(actor, "network.place.offer", place,
                 f"{agency.name}: membership place on {uk_date(network_day.starts_at)} offered by email")
    return place


def name_place(actor, network_day: NetworkDay, agency, person, place_type: PlaceType,
               now: datetime | None = None) -> NetworkPlace:
    """Give one of the agency's places on a day to a person, who is emailed an invite.

    A membership place: one per member agency per day, only if the day is inside a membership year the
    agency holds. An extra place: one the agency has paid for and not named yet; only the organisers may
    give an extra place nobody paid for, and only while the day has room (counted under the day's lock, so
    the last place goes once)."""
    now = now or utcnow()
    place_type = PlaceType(place_type)
    _may_change_places(actor, network_day, agency, now)
    lock_day(network_day)
    db.session.refresh(network_day)  # its status and capacity as they are now, under the lock
    _check_day_open(network_day, now)
    _check_person(network_day, person)
    if place_type is PlaceType.MEMBERSHIP:
        _check_membership_place_free(network_day, agency)
        place = _new_place(network_day, agency, person, place_type)
        emails.send_place_confirmed(place)
    else:
        place = _unnamed_bought_place(network_day, agency)
        if place is not None:
            _give_to(place, person)
        elif not can_manage_programme(actor, network_day.programme):
            raise DomainError(f"{agency.name} has no extra place on this Network Day waiting for a name. "
                              "Buy an extra place first", field="place_type")
        elif free_places(network_day) < 1:
            raise NoPlacesLeft()
        else:
            place = _new_place(network_day, agency, person, place_type)
            emails.send_place_confirmed(place)
    record_audit(actor, "network.place.name", place,
                 f"{agency.name}: {place_type.label.lower()} on {uk_date(network_day.starts_at)} for {person.name}")
    return place


def check_room(network_day: NetworkDay, quantity: int, now: datetime | None = None, agency=None) -> None:
    """Take the day's lock and make sure `quantity` more places fit (counting the places the waiting list holds
    for this agency): the caller then adds them in the same transaction (so the last place is sold once)."""
    now = now or utcnow()
    lock_day(network_day)
    db.session.refresh(network_day)
    _check_day_open(network_day, now)
    free = free_places(network_day)
    if agency is not None:
        free += offers_held([network_day]).get(network_day.id, {}).get(agency.id, 0)
    if free < quantity:
        if free == 0:
            raise NoPlacesLeft()
        raise DomainError(f"Only {free} {'place is' if free == 1 else 'places are'} left on this Network Day",
                          field="quantity")


def add_bought_places(actor, network_day: NetworkDay, agency, quantity: int,
                      order_line_id: int | None) -> list[NetworkPlace]:
    """The extra places an order paid for, held for the agency until it names who comes. Call after
    `check_room` in the same transaction."""
    places = [NetworkPlace(event=network_day, agency=agency, place_type=PlaceType.EXTRA, order_line_id=order_line_id,
                           starts_at=network_day.starts_at, ends_at=network_day.ends_at)
              for _ in range(quantity)]
    db.session.add_all(places)
    db.session.flush()
    record_audit(actor, "network.place.bought", network_day,
                 f"{agency.name}: {quantity} extra place{'s' if quantity != 1 else ''} on "
                 f"{uk_date(network_day.starts_at)}")
    return places


def offer_place(actor, place: NetworkPlace, email: str, now: datetime | None = None) -> NetworkPlace:
    """Offer a held place (membership or bought) to someone by email. With an account of that address they
    are named at once; without one the place waits, and they are emailed a link to create an account or
    sign in and accept it."""
    now = now or utcnow()
    network_day = place.event
    _may_change_places(actor, network_day, place.agency, now)
    email = _checked_email(email)
    person = get_user_by_email(email)
    if person is not None:
        if place.user_id is None:
            lock_day(network_day)
            _check_day_open(network_day, now)
            _check_person(network_day, person)
            _give_to(place, person)
            record_audit(actor, "network.place.name", place,
                         f"{place.agency.name}: place on {uk_date(network_day.starts_at)} for {person.name}")
            return place
        return rename_place(actor, place, person, now)
    lock_day(network_day)
    db.session.refresh(place)
    if not place.is_confirmed:
        raise DomainError("This place has been cancelled")
    _check_day_open(network_day, now)
    if place.user_id is not None:
        # Offering a named place to someone new: the current person's place goes, the new one waits.
        old = place
        old.cancel(now, actor, "Renamed")
        db.session.flush()
        emails.send_place_cancelled(old, f"{old.agency.name} has given the place to a colleague.")
        place = NetworkPlace(event=network_day, agency=old.agency, place_type=old.place_type,
                             order_line_id=old.order_line_id, starts_at=network_day.starts_at,
                             ends_at=network_day.ends_at)
        db.session.add(place)
    place.invited_email = email
    db.session.flush()
    emails.send_place_offered(place, email)
    record_audit(actor, "network.place.offer", place,
                 f"{place.agency.name}: place on {uk_date(network_day.starts_at)} offered by email")
    return place


def accept_offered_place(user, place: NetworkPlace, now: datetime | None = None) -> NetworkPlace:
    """The person a place was offered to takes it, signed in with an account of the address it went to."""
    now = now or utcnow()
    network_day = place.event
    lock_day(network_day)
    db.session.refresh(place)
    if (not place.is_confirmed or place.user_id is not None or place.invited_email is None
            or normalise_email(user.email) != place.invited_email):
        raise DomainError("This offer is no longer open. Ask your agency’s admin to name you again")
    _check_day_open(network_day, now)
    _check_person(network_day, user)
    _give_to(place, user)
    record_audit(user, "network.place.accept", place,
                 f"{place.agency.name}: place on {uk_date(network_day.starts_at)} accepted by {user.name}")
    return place


def cancel_bought_places(actor, order_line_ids: list[int], reason: str, now: datetime | None = None) -> int:
    """When extra-place order lines are cancelled: their places go too (the people named are told)."""
    now = now or utcnow()
    if not order_line_ids:
        return 0
    places = db.session.execute(select(NetworkPlace).where(
        NetworkPlace.order_line_id.in_(order_line_ids), NetworkPlace.status == PlaceStatus.CONFIRMED)).scalars().all()
    for place in places:
        place.cancel(now, actor, reason)
        db.session.flush()
        if place.user is not None and place.starts_at > now:
            emails.send_place_cancelled(place, f"{place.agency.name}’s order for it was cancelled.")
    for network_day in {place.event for place in places}:
        offer_freed_places(network_day, now)
    return len(places)


def rename_place(actor, place: NetworkPlace, new_person, now: datetime | None = None) -> NetworkPlace:
    """Give a place to someone else: the old person's place is cancelled (their invite too) and the new
    person gets a new place and invite. The agency's admins may until the rename deadline; after it only
    the organisers."""
    now = now or utcnow()
    network_day = place.event
    _may_change_places(actor, network_day, place.agency, now)
    lock_day(network_day)
    db.session.refresh(place)
    if not place.is_confirmed:
        raise DomainError("This place has been cancelled")
    _check_day_open(network_day, now)
    _check_person(network_day, new_person)
    old_person = place.user
    place.cancel(now, actor, "Renamed")
    db.session.flush()  # frees the membership place before the new one takes it
    if old_person is not None:
        emails.send_place_cancelled(place, f"{place.agency.name} has given the place to a colleague.")
    renamed = _new_place(network_day, place.agency, new_person, place.place_type)
    renamed.order_line_id = place.order_line_id
    emails.send_place_confirmed(renamed)
    record_audit(actor, "network.place.rename", renamed,
                 f"{place.agency.name}: place on {uk_date(network_day.starts_at)} renamed to {new_person.name}",
                 before={"place": place.id, "user_id": getattr(old_person, "id", None)},
                 after={"place": renamed.id, "user_id": new_person.id})
    return renamed


def cancel_place(actor, place: NetworkPlace, reason: str = "", now: datetime | None = None) -> None:
    """Cancel a named place (the person is told, their invite cancelled): the agency's admins until the
    rename deadline, the organisers until the day starts."""
    now = now or utcnow()
    network_day = place.event
    _may_change_places(actor, network_day, place.agency, now)
    if not place.is_confirmed:
        raise DomainError("This place is already cancelled")
    if network_day.starts_at <= now:
        raise DomainError("This Network Day has already started")
    reason = (reason or "").strip()
    place.cancel(now, actor, reason)
    db.session.flush()
    if place.user is not None:
        emails.send_place_cancelled(place, reason or f"{place.agency.name} has cancelled it.")
    record_audit(actor, "network.place.cancel", place,
                 f"{place.agency.name}: place on {uk_date(network_day.starts_at)} cancelled",
                 after={"reason": reason})
    offer_freed_places(network_day, now)


def release_person(user, now: datetime) -> int:
    """Before an account goes: cancel the person's upcoming places, invites cancelled. Returns places cancelled."""
    places = db.session.execute(select(NetworkPlace).where(
        NetworkPlace.user_id == user.id, NetworkPlace.status == PlaceStatus.CONFIRMED,
        NetworkPlace.starts_at > now)).scalars().all()
    for place in places:
        place.cancel(now, user, "The person's account was deleted")
        db.session.flush()
        emails.send_place_cancelled(place, "Your EP Events account was deleted.")
    return len(places)
