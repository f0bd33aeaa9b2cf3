"""The one iCalendar builder for every programme: invites, cancellations and subscription feeds.

Times are written in UTC (DTSTART:20260324T093000Z) and never with a TZID: a UTC instant needs no
VTIMEZONE, so Outlook, Google, Apple and ical.js all put the meeting at the same moment on either
side of the UK clock change. Invites follow RFC 5546 (iTIP): a REQUEST creates or updates the entry
with the same UID, a CANCEL with the same UID and a higher SEQUENCE removes it.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from icalendar import Calendar, Event, vCalAddress

from ep_events.core.time import utcnow

PRODID = "-//EP Events//EN"
STATUSES = {"CONFIRMED", "TENTATIVE", "CANCELLED"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable for the life of a booking
    sequence: int  # increases on each change
    starts_at: datetime  # aware UTC
    ends_at: datetime  # aware UTC
    summary: str
    description: str  # joining link and what to expect, never case detail
    location: str  # e.g. "Microsoft Teams" or the joining URL
    url: str | None  # link to the booking page
    organizer_email: str  # the programme's mailbox
    organizer_name: str
    attendees: tuple[tuple[str, str], ...] = ()  # (name, email)
    status: str = "CONFIRMED"


def build_invite(event: CalendarEvent) -> str:
    """An iTIP REQUEST with one VEVENT: creates the entry, or updates it when the UID is known."""
    return _calendar("REQUEST", [_vevent(event, event.status, with_attendees=True)])


def build_cancellation(event: CalendarEvent) -> str:
    """An iTIP CANCEL for the same UID; the caller passes a sequence higher than the last invite's."""
    return _calendar("CANCEL", [_vevent(event, "CANCELLED", with_attendees=True)])


def build_download(event: CalendarEvent) -> str:
    """A PUBLISH calendar with one VEVENT, for a person to download and open: the same UID and SEQUENCE
    as their emailed invite, so later updates land on the same entry. No attendees: RFC 5546 PUBLISH
    carries none, and clients then add the file as a plain entry rather than a meeting to answer."""
    return _calendar("PUBLISH", [_vevent(event, event.status, with_attendees=False)])


def build_feed(events: list[CalendarEvent], name: str) -> str:
    """A PUBLISH calendar for subscription: many events, no attendees or other personal data."""
    calendar = _calendar_shell("PUBLISH")
    calendar.add("x-wr-calname", _clean(name))
    shell = calendar.to_ical().decode("utf-8")
    end = "END:VCALENDAR\r\n"
    return shell[: -len(end)] + "".join(_feed_vevent(event) for event in events) + end


@lru_cache(maxsize=20_000)
def _feed_vevent(event: CalendarEvent) -> str:
    """One feed VEVENT, serialised once per version of the event.

    Calendar clients poll feeds all day and events rarely change; icalendar's line folding is the slow
    part, and a CalendarEvent is frozen, so the same event always gives the same text (its DTSTAMP is
    then when this version was first published, as RFC 5545 allows).
    """
    return _vevent(event, event.status, with_attendees=False).to_ical().decode("utf-8")


def _calendar(method: str, vevents: list[Event]) -> str:
    calendar = _calendar_shell(method)
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar.to_ical().decode("utf-8")


def _calendar_shell(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _vevent(event: CalendarEvent, status: str, with_attendees: bool) -> Event:
    starts_at, ends_at = _utc(event.starts_at, "starts_at"), _utc(event.ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ValueError("A calendar event must end after it starts.")
    if status not in STATUSES:
        raise ValueError(f"Unknown calendar status {status!r}.")
    if not event.uid or _CONTROL.search(event.uid):
        raise ValueError("A calendar event needs a UID without control characters.")
    if event.sequence < 0:
        raise ValueError("SEQUENCE cannot be negative.")

    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", utcnow().replace(microsecond=0))
    vevent.add("dtstart", starts_at)
    vevent.add("dtend", ends_at)
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", status)
    vevent.add("transp", "OPAQUE")
    vevent.add("organizer", vCalAddress.new(_address(event.organizer_email), cn=_clean(event.organizer_name) or None))
    if with_attendees:
        for name, email in event.attendees:
            vevent.add("attendee", vCalAddress.new(
                _address(email), cn=_clean(name) or None, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=False))
    return vevent


def _utc(value: datetime, name: str) -> datetime:
    # A naive time would be written as floating time, which each calendar reads in its own zone.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime.")
    return value.astimezone(UTC).replace(microsecond=0)


def _address(email: str) -> str:
    email = email.strip()
    if not email or "@" not in email or _CONTROL.search(email) or " " in email:
        raise ValueError(f"Not an email address: {email!r}")
    return email


def _clean(name: str) -> str:
    """A CN or calendar name on one line without double quotes.

    icalendar would escape quotes as RFC 6868 "^'", which Outlook shows literally.
    """
    return " ".join(_CONTROL.sub(" ", name).replace('"', "'").split())
