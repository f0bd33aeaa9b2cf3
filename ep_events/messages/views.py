"""Message everyone booked on an event: compose, preview as text and HTML, send a test to oneself, send, and see
the progress (the pages are `bookings.mailing_pages`). One set of pages for every programme kind; linked from each
kind's staff page for an event."""

from flask import Blueprint, url_for

from ep_events.accounts.policy import staff_page
from ep_events.bookings.mailing_pages import MailingPages
from ep_events.bookings.models import Event
from ep_events.core.limits import sends_email
from ep_events.core.time import uk_date, uk_time
from ep_events.extensions import db
from ep_events.messages import services
from ep_events.notifications.mailing_forms import allow_long_messages
from ep_events.notifications.models import MailingKind

bp = Blueprint("messages", __name__)
bp.url_value_preprocessor(allow_long_messages)


def _back(event: Event) -> tuple[str, str]:
    endpoint, argument = services.STAFF_PAGES.get(event.kind, ("manage.index", None))
    return url_for(endpoint, **({argument: event.id} if argument else {})), "Back to the event"


def _prefilled(event: Event) -> tuple[str, str]:
    title = services.event_title(event)
    return title, (f"About {title}: {uk_date(event.starts_at)}, {uk_time(event.starts_at)} to "
                   f"{uk_time(event.ends_at)} (UK time).\n\n")


PAGES = MailingPages(
    blueprint="messages", id_arg="event_id", kind=MailingKind.EVENT_MESSAGE,
    template="messages/event_message.html", progress_template="messages/progress.html",
    heading="Message everyone booked", progress_heading="Message progress", progress_back_text="Back to messages",
    caption=services.event_title, back=_back, recipient_count=services.recipient_count,
    recipient_nouns=("person", "people"), mailings_of=services.messages_of, footer=services.footer,
    prefilled=_prefilled, send_test_copy=services.send_test_message, start=services.message_event,
    sent_flash="The message is being sent to {count} {noun}.")


def _event(event_id: int):
    event = db.get_or_404(Event, event_id)
    return event, staff_page(services.can_message_event, event)


@bp.route("/events/<int:event_id>/message", methods=["GET", "POST"])
def compose(event_id: int):
    event, denied = _event(event_id)
    return denied if denied is not None else PAGES.compose(event)


@bp.route("/events/<int:event_id>/message/test", methods=["POST"])
@sends_email
def send_test(event_id: int):
    event, denied = _event(event_id)
    return denied if denied is not None else PAGES.send_test(event)


@bp.route("/events/<int:event_id>/message/send", methods=["POST"])
def send(event_id: int):
    event, denied = _event(event_id)
    return denied if denied is not None else PAGES.send(event)


@bp.route("/events/<int:event_id>/messages/<int:mailing_id>")
def progress(event_id: int, mailing_id: int):
    event, denied = _event(event_id)
    return denied if denied is not None else PAGES.progress(event, mailing_id)
