"""Message everyone with a confirmed place on an event: who may, who receives it, and the mailing.

Any programme kind's event works the same way, because places live in the shared `place` table (see
ARCHITECTURE.md): a surgery date's bookings, a Network Day's named places, a workshop's registrations.
"""

from sqlalchemy import select

from ep_events.accounts.models import User
from ep_events.accounts.policy import can_facilitate_programme
from ep_events.bookings.kinds import kind_for
from ep_events.bookings.models import Event, Place, PlaceStatus
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.notifications import mailings
from ep_events.notifications.models import Mailing, MailingKind

# The staff page of each kind's event, for the back link (endpoint, its id argument). The kinds' spec has no
# such link yet; an unknown kind falls back to the Manage page.
STAFF_PAGES = {
    "surgery_date": ("surgeries.manage_date", "date_id"),
    "network_day": ("network_days.day_places", "day_id"),
    "workshop": ("workshops.edit_workshop", "workshop_id"),
}


def can_message_event(user, event: Event) -> bool:
    """The programme's organisers and facilitators (and site admins)."""
    return can_facilitate_programme(user, event.programme)


def event_title(event: Event) -> str:
    kind = kind_for(event.programme.kind)
    return kind.public_title(event) if kind is not None else event.title


def footer(event: Event) -> str:
    return f"You are getting this email because you have a place on {event_title(event)} ({event.programme.name})."


def recipients(event: Event) -> list[mailings.Recipient]:
    """Everyone with a confirmed place on the event and an account (a place not yet named has nobody to tell)."""
    rows = db.session.execute(
        select(User.email, User.name).join(Place, Place.user_id == User.id)
        .where(Place.event_id == event.id, Place.status == PlaceStatus.CONFIRMED).order_by(Place.id)
    ).all()
    return [mailings.Recipient(email, name) for email, name in rows]


def recipient_count(event: Event) -> int:
    return len({mailings.normalise_address(recipient.email) for recipient in recipients(event)})


def send_test_message(actor, event: Event, subject: str, body: str) -> None:
    mailings.send_test(actor, subject, body, footer=footer(event))


def message_event(actor, event: Event, subject: str, body: str, idempotency_key: str) -> Mailing:
    """Send one email to everyone booked (queued a batch a minute, logged with its recipients count and an audit
    entry); the compose page's one-time key makes a second click return the same message."""
    key = mailings.check_idempotency_key(idempotency_key)
    people: list[mailings.Recipient] = []
    if mailings.mailing_by_key(key) is None:
        people = recipients(event)
        if not people:
            raise DomainError("Nobody has a place on this event", field="subject")
    return mailings.start_mailing(actor, MailingKind.EVENT_MESSAGE, event.programme, event, subject, body, people,
                                  key)


def messages_of(event: Event) -> list[Mailing]:
    return mailings.mailings_for(event.programme, kind=MailingKind.EVENT_MESSAGE, event=event)
