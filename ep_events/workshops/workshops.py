"""Workshops as organisers run them: create and edit (UK times in, UTC stored), publish, cancel."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, select

from ep_events.accounts.policy import can_facilitate_programme, can_manage_programme
from ep_events.bookings.models import EventStatus, PlaceStatus, WaitlistStatus
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.inputs import EARLIEST_YEAR, LATEST_YEAR, has_forbidden_character
from ep_events.core.time import uk_date, uk_datetime, uk_to_utc, utcnow
from ep_events.extensions import db
from ep_events.notifications.teams import validate_teams_url
from ep_events.standards import validate_codes
from ep_events.workshops import emails
from ep_events.workshops.capacity import lock_workshop
from ep_events.workshops.models import Workshop, WorkshopRegistration
from ep_events.workshops.rules import (
    AHEAD_YEARS,
    AUDIENCE_MAX,
    CANCEL_MESSAGE_MAX,
    DESCRIPTION_MAX,
    LONGEST_HOURS,
    MAX_CAPACITY,
    MIN_CAPACITY,
    TITLE_MAX,
    TOPIC_MAX,
    latest_day,
)
from ep_events.workshops.waitlist import offer_freed_places, waiting_list


@dataclass(frozen=True)
class WorkshopDetails:
    """What an organiser enters for a workshop; times are UK wall-clock times on `day`."""

    title: str
    day: date
    starts: time
    ends: time
    capacity: int
    description: str = ""
    online_url: str = ""  # the Teams joining link; empty: "link to follow"
    topic: str = ""
    audience: str = ""
    practice_standards: tuple[str, ...] = ()
    registration_closes_at: datetime | None = None  # None: when the workshop starts


def _text(value: str, name: str, field: str, longest: int, required: bool = False, one_line: bool = True) -> str:
    value = " ".join((value or "").split()) if one_line else (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {name}", field=field)
    if len(value) > longest:
        raise DomainError(f"{name[0].upper()}{name[1:]} must be {longest} characters or fewer", field=field)
    if has_forbidden_character(value):
        raise DomainError(f"{name[0].upper()}{name[1:]} contains a character that cannot be saved", field=field)
    return value


def _checked(details: WorkshopDetails, now: datetime) -> dict:
    """The workshop's column values from what the organiser entered; DomainError on the first thing wrong."""
    title = _text(details.title, "a title for the workshop", "title", TITLE_MAX, required=True)
    if details.day is None or not EARLIEST_YEAR <= details.day.year <= LATEST_YEAR:
        raise DomainError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}", field="day")
    latest = latest_day(now)
    if details.day > latest:
        raise DomainError(f"The workshop must be within {AHEAD_YEARS} years of today, so on or before "
                          f"{latest.day} {latest:%B %Y}", field="day")
    if details.starts is None:
        raise DomainError("Enter the start time", field="starts")
    if details.ends is None or details.ends <= details.starts:
        raise DomainError("The end time must be after the start time", field="ends")
    starts_at, ends_at = uk_to_utc(details.day, details.starts), uk_to_utc(details.day, details.ends)
    if ends_at - starts_at > timedelta(hours=LONGEST_HOURS):
        raise DomainError(f"A workshop can last at most {LONGEST_HOURS} hours", field="ends")
    if starts_at <= now:
        raise DomainError("The workshop must be in the future", field="day")
    if isinstance(details.capacity, bool) or not isinstance(details.capacity, int) or not (
            MIN_CAPACITY <= details.capacity <= MAX_CAPACITY):
        raise DomainError(f"Enter a number of places between {MIN_CAPACITY} and {MAX_CAPACITY}", field="capacity")
    online_url = (details.online_url or "").strip()
    if online_url:
        try:
            online_url = validate_teams_url(online_url)
        except DomainError as error:
            raise DomainError(str(error), field="online_url") from None
    standards = validate_codes(details.practice_standards)
    closes = details.registration_closes_at or starts_at
    if closes > starts_at:
        raise DomainError("Registration must close by the time the workshop starts", field="registration_closes")
    return {"title": title, "starts_at": starts_at, "ends_at": ends_at, "capacity": details.capacity,
            "online_url": online_url,
            "description": _text(details.description, "the description", "description", DESCRIPTION_MAX,
                                 one_line=False),
            "topic": _text(details.topic, "the topic", "topic", TOPIC_MAX),
            "audience": _text(details.audience, "who it is for", "audience", AUDIENCE_MAX),
            "practice_standards": list(standards), "registration_closes_at": closes}


def _organiser_only(actor, programme) -> None:
    if not can_manage_programme(actor, programme):
        raise NotAllowed("Only the programme's organisers can do this")


def create_workshop(actor, programme, details: WorkshopDetails, now: datetime | None = None) -> Workshop:
    """A draft workshop (published separately), from UK times, within the bounds in rules.py."""
    _organiser_only(actor, programme)
    values = _checked(details, now or utcnow())
    workshop = Workshop(programme_id=programme.id, venue="", **values)
    db.session.add(workshop)
    db.session.flush()
    record_audit(actor, "workshop.create", workshop,
                 f"{programme.name}: {workshop.title}, {uk_date(workshop.starts_at)}")
    return workshop


def confirmed_registrations(workshop: Workshop) -> list[WorkshopRegistration]:
    return list(db.session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.event_id == workshop.id, WorkshopRegistration.status == PlaceStatus.CONFIRMED)
        .order_by(WorkshopRegistration.id)).scalars())


@dataclass(frozen=True)
class WorkshopUpdate:
    """What saving a workshop did: registrants sent the updated invite, and waiting-list offers made."""

    told: int
    offers: int = 0


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def update_workshop(actor, workshop: Workshop, details: WorkshopDetails, now: datetime | None = None
                    ) -> WorkshopUpdate:
    """Change a workshop (its organisers and facilitators). If a published workshop's time or Teams link
    changed, every registrant gets the updated invite (same UID, SEQUENCE + 1). Capacity cannot go below the
    places taken; more capacity is offered to the waiting list."""
    if not can_facilitate_programme(actor, workshop.programme):
        raise NotAllowed("Only the programme's organisers and facilitators can change its workshops")
    now = now or utcnow()
    lock_workshop(workshop)
    db.session.refresh(workshop)
    if workshop.status is EventStatus.CANCELLED:
        raise DomainError("This workshop is cancelled")
    if workshop.ends_at <= now:
        raise DomainError("This workshop has ended, so it can no longer be changed")
    values = _checked(details, now)
    registrations = confirmed_registrations(workshop)
    if values["capacity"] < len(registrations):
        raise DomainError(f"{len(registrations)} people have registered: the capacity cannot be fewer",
                          field="capacity")
    before = {name: _plain(getattr(workshop, name)) for name in values}
    moved = (values["starts_at"], values["ends_at"]) != (workshop.starts_at, workshop.ends_at)
    relinked = values["online_url"] != workshop.online_url
    for name, value in values.items():
        setattr(workshop, name, value)
    told = 0
    if (moved or relinked) and workshop.status is EventStatus.PUBLISHED:
        what = " ".join(filter(None, [
            f"The workshop is now on {uk_datetime(workshop.starts_at)} (UK time)." if moved else "",
            ("The Microsoft Teams joining link has changed." if workshop.online_url
             else "The joining link will follow.") if relinked else ""]))
        for registration in registrations:
            registration.starts_at, registration.ends_at = workshop.starts_at, workshop.ends_at
            registration.sequence += 1
            if registration.user is not None:
                emails.send_registration_updated(registration, what)
                told += 1
    db.session.flush()
    record_audit(actor, "workshop.update", workshop, f"{workshop.programme.name}: {workshop.title}",
                 before=before, after={name: _plain(getattr(workshop, name)) for name in values})
    return WorkshopUpdate(told=told, offers=offer_freed_places(workshop, now))


def publish_workshop(actor, workshop: Workshop, now: datetime | None = None) -> None:
    """Open a draft workshop: it shows on the public page and people can register."""
    _organiser_only(actor, workshop.programme)
    now = now or utcnow()
    if workshop.status is not EventStatus.DRAFT:
        raise DomainError("This workshop is already published or cancelled")
    if workshop.starts_at <= now:
        raise DomainError("This workshop has already started, so it cannot be published")
    workshop.status = EventStatus.PUBLISHED
    db.session.flush()
    record_audit(actor, "workshop.publish", workshop, f"Published {workshop.title}")


def cancel_workshop(actor, workshop: Workshop, message: str, now: datetime | None = None) -> int:
    """Cancel a workshop: every registrant gets METHOD:CANCEL with the organisers' message, and people
    waiting are told. Returns how many registrants were told."""
    _organiser_only(actor, workshop.programme)
    now = now or utcnow()
    message = (message or "").strip()
    if len(message) > CANCEL_MESSAGE_MAX:
        raise DomainError(f"The message must be {CANCEL_MESSAGE_MAX} characters or fewer", field="message")
    if has_forbidden_character(message):
        raise DomainError("The message contains a character that cannot be saved", field="message")
    lock_workshop(workshop)
    db.session.refresh(workshop)
    if workshop.status is EventStatus.CANCELLED:
        raise DomainError("This workshop is already cancelled")
    if workshop.ends_at <= now:  # the invites would cancel a workshop that happened; attendance stands
        raise DomainError("This workshop has already taken place: it cannot be cancelled")
    told = 0
    for registration in confirmed_registrations(workshop):
        registration.cancel(now, actor, message)
        if registration.user is not None:
            emails.send_registration_cancelled(registration, "The organisers have cancelled the workshop.",
                                               message)
            told += 1
    for entry in waiting_list(workshop):
        entry.move_to(WaitlistStatus.EXPIRED)
        if entry.user is not None:
            emails.send_waitlist_workshop_cancelled(entry, message)
    workshop.status = EventStatus.CANCELLED
    workshop.cancel_message = message
    db.session.flush()
    record_audit(actor, "workshop.cancel", workshop, f"Cancelled {workshop.title}",
                 after={"message": message, "people_told": told})
    return told


# The public list's reads, built once (it reads them on every request).
_PUBLISHED = select(Workshop).where(Workshop.programme_id == bindparam("programme_id"),
                                    Workshop.status == EventStatus.PUBLISHED)
_UPCOMING = (_PUBLISHED.where(Workshop.ends_at > bindparam("now")).order_by(Workshop.starts_at, Workshop.id)
             .offset(bindparam("offset")))
_UPCOMING_PAGE = _UPCOMING.limit(bindparam("limit"))
_PAST = (_PUBLISHED.where(Workshop.ends_at <= bindparam("now"))
         .order_by(Workshop.starts_at.desc(), Workshop.id.desc()).limit(bindparam("limit")))


def upcoming_workshops(programme, now: datetime, limit: int | None = None, offset: int = 0) -> list[Workshop]:
    """The programme's published workshops that have not ended, soonest first (`limit` of them after `offset`,
    for a page of the list)."""
    return list(db.session.execute(_UPCOMING if limit is None else _UPCOMING_PAGE, {
        "programme_id": programme.id, "now": now, "offset": offset, "limit": limit}).scalars())


def past_workshops(programme, now: datetime, limit: int = 20) -> list[Workshop]:
    """The programme's published workshops that have ended, latest first."""
    return list(db.session.execute(_PAST, {"programme_id": programme.id, "now": now, "limit": limit}).scalars())


@dataclass(frozen=True)
class ManagedWorkshops:
    upcoming: list[Workshop]  # not yet ended, any status, soonest first
    past: list[Workshop]  # ended, latest first


def managed_workshops(programme, now: datetime) -> ManagedWorkshops:
    """Every workshop of the programme for its organisers and facilitators, drafts and cancelled ones too."""
    workshops = list(db.session.execute(select(Workshop).where(Workshop.programme_id == programme.id)
                                        .order_by(Workshop.starts_at, Workshop.id)).scalars())
    return ManagedWorkshops(upcoming=[w for w in workshops if w.ends_at > now],
                            past=[w for w in reversed(workshops) if w.ends_at <= now])
