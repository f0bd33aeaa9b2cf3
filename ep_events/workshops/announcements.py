"""Announcing a workshop to its programme's invitation list: the text offered to the organiser, who receives it
(every confirmed subscriber, each with their own one-click unsubscribe link and headers), and the mailing."""

from datetime import datetime

from sqlalchemy import select

from ep_events.bookings.models import EventStatus
from ep_events.core.errors import DomainError
from ep_events.core.time import uk_date, uk_time, utcnow
from ep_events.core.urls import external_url
from ep_events.extensions import db
from ep_events.invitations.entries import confirmed_entries
from ep_events.invitations.models import InvitationListEntry
from ep_events.invitations.unsubscribe import list_headers, unsubscribe_url
from ep_events.notifications import mailings
from ep_events.notifications.models import Mailing, MailingKind
from ep_events.workshops.models import PROGRAMME_KIND, Workshop

FOOTER = "You are getting this email because you joined the invitation list of {programme}."
_CHUNK = 1000  # ids per IN (...) when loading the entries


def workshop_url(workshop: Workshop) -> str:
    return external_url("workshops.workshop_page", slug=workshop.programme.slug, workshop_id=workshop.id)


def announcement_text(workshop: Workshop) -> tuple[str, str]:
    """The subject and body the compose page starts with: the workshop's details inserted, ready to edit."""
    lines = [
        f"{workshop.title}",
        "",
        f"Date: {uk_date(workshop.starts_at)}",
        f"Time: {uk_time(workshop.starts_at)} to {uk_time(workshop.ends_at)} (UK time)",
        "Where: online (Microsoft Teams)" if workshop.is_online else f"Where: {' '.join(workshop.venue.split())}",
    ]
    if workshop.topic:
        lines.append(f"Topic: {workshop.topic}")
    if workshop.audience:
        lines.append(f"For: {workshop.audience}")
    if workshop.description:
        lines += ["", workshop.description.strip()]
    lines += ["", "Find out more and register:", workshop_url(workshop)]
    return f"{workshop.programme.name}: {workshop.title}"[:mailings.SUBJECT_MAX], "\n".join(lines)


def footer(workshop: Workshop) -> str:
    return FOOTER.format(programme=workshop.programme.name)


def subscriber_count(workshop: Workshop) -> int:
    return len(confirmed_entries(workshop.programme))


def _entries(programme) -> list[InvitationListEntry]:
    ids = [row.id for row in confirmed_entries(programme)]
    entries: list[InvitationListEntry] = []
    for start in range(0, len(ids), _CHUNK):
        entries += db.session.execute(select(InvitationListEntry).where(
            InvitationListEntry.id.in_(ids[start:start + _CHUNK])).order_by(InvitationListEntry.id)).scalars()
    return entries


def recipients(workshop: Workshop) -> list[mailings.Recipient]:
    """Every confirmed subscriber of the workshop's programme, with their own unsubscribe link and headers."""
    return [mailings.Recipient(entry.email, entry.name, list_entry_id=entry.id, unsubscribe_url=unsubscribe_url(entry),
                               headers=list_headers(entry))
            for entry in _entries(workshop.programme)]


def check_announceable(workshop: Workshop, now: datetime | None = None) -> None:
    now = now or utcnow()
    if workshop.programme.kind != PROGRAMME_KIND:
        raise DomainError("Only workshops can be announced here")
    if workshop.status is EventStatus.CANCELLED:
        raise DomainError("This workshop is cancelled: it cannot be announced", field="subject")
    if workshop.status is not EventStatus.PUBLISHED:
        raise DomainError("Publish the workshop before announcing it", field="subject")
    if workshop.starts_at <= now:
        raise DomainError("This workshop has already started: it cannot be announced", field="subject")


def send_test_announcement(actor, workshop: Workshop, subject: str, body: str) -> None:
    """One copy to the organiser (not counted in any announcement)."""
    mailings.send_test(actor, subject, body, footer=footer(workshop), list_note=True)


def announce_workshop(actor, workshop: Workshop, subject: str, body: str, idempotency_key: str,
                      now: datetime | None = None) -> Mailing:
    """Start the announcement to every confirmed subscriber (queued a batch a minute by `flask send-mailings`);
    the compose page's one-time key makes a second click return the same announcement."""
    key = mailings.check_idempotency_key(idempotency_key)
    people: list[mailings.Recipient] = []
    if mailings.mailing_by_key(key) is None:  # else start_mailing returns the announcement this form started
        check_announceable(workshop, now)
        people = recipients(workshop)
        if not people:
            raise DomainError("Nobody is subscribed to the invitation list yet", field="subject")
    return mailings.start_mailing(actor, MailingKind.ANNOUNCEMENT, workshop.programme, workshop, subject, body,
                                  people, key)


def announcements_of(workshop: Workshop) -> list[Mailing]:
    return mailings.mailings_for(workshop.programme, kind=MailingKind.ANNOUNCEMENT, event=workshop)
