"""Message everyone booked on an event: compose, preview as text and HTML, send a test to oneself, send, and see
the progress. One set of pages for every programme kind; linked from each kind's staff page for an event."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ep_events.accounts.models import User
from ep_events.accounts.policy import staff_page
from ep_events.bookings.models import Event
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.core.limits import sends_email
from ep_events.core.time import uk_date, uk_time
from ep_events.extensions import db
from ep_events.messages import services
from ep_events.notifications.mailing_forms import MailingForm, allow_long_messages, progress_page_values
from ep_events.notifications.mailings import preview_mailing
from ep_events.notifications.models import Mailing, MailingKind

bp = Blueprint("messages", __name__)
bp.url_value_preprocessor(allow_long_messages)


def _event(event_id: int):
    event = db.get_or_404(Event, event_id)
    return event, staff_page(services.can_message_event, event)


def _back(event: Event) -> str:
    endpoint, argument = services.STAFF_PAGES.get(event.kind, ("manage.index", None))
    return url_for(endpoint, **({argument: event.id} if argument else {}))


def _prefilled(event: Event) -> MailingForm:
    title = services.event_title(event)
    body = (f"About {title}: {uk_date(event.starts_at)}, {uk_time(event.starts_at)} to {uk_time(event.ends_at)} "
            "(UK time).\n\n")
    return MailingForm.prefilled(title, body)


def _page(event: Event, form: MailingForm, preview=None, status: int = 200):
    past = [(mailing, url_for("messages.progress", event_id=event.id, mailing_id=mailing.id))
            for mailing in services.messages_of(event)]
    count = services.recipient_count(event)
    return render_template(
        "messages/event_message.html", event=event, programme=event.programme, form=form, preview=preview,
        heading="Message everyone booked", caption=services.event_title(event),
        back_url=_back(event), back_text="Back to the event",
        recipients_count=count, recipient_noun="person" if count == 1 else "people",
        preview_url=url_for("messages.compose", event_id=event.id),
        test_url=url_for("messages.send_test", event_id=event.id),
        send_url=url_for("messages.send", event_id=event.id), past=past,
    ), status


def _preview(event: Event, form: MailingForm):
    try:
        return preview_mailing(form.subject.data, form.body.data, footer=services.footer(event))
    except DomainError as error:
        form.add_domain_error(error)
        return None


@bp.route("/events/<int:event_id>/message", methods=["GET", "POST"])
def compose(event_id: int):
    event, denied = _event(event_id)
    if denied is not None:
        return denied
    if request.method == "GET":
        return _page(event, _prefilled(event))
    form = MailingForm()
    form.keep_key()
    preview = _preview(event, form) if form.validate_on_submit() else None
    return _page(event, form, preview, form_status(form))


@bp.route("/events/<int:event_id>/message/test", methods=["POST"])
@sends_email
def send_test(event_id: int):
    event, denied = _event(event_id)
    if denied is not None:
        return denied
    form = MailingForm()
    form.keep_key()
    preview = None
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: services.send_test_message(current_user, event, form.subject.data,
                                                              form.body.data))
        if ok:
            flash(f"A test was sent to {current_user.email}. It can take a minute to arrive.", "success")
            preview = _preview(event, form)
    return _page(event, form, preview, form_status(form))


@bp.route("/events/<int:event_id>/message/send", methods=["POST"])
def send(event_id: int):
    event, denied = _event(event_id)
    if denied is not None:
        return denied
    form = MailingForm()
    if form.validate_on_submit():
        ok, mailing = form.apply(lambda: services.message_event(current_user, event, form.subject.data,
                                                                form.body.data, form.idempotency_key.data))
        if ok:
            count = mailing.recipients_total
            flash(f"The message is being sent to {count} {'person' if count == 1 else 'people'}.", "success")
            return redirect(url_for("messages.progress", event_id=event.id, mailing_id=mailing.id))
    form.keep_key()
    return _page(event, form, None, 400)


@bp.route("/events/<int:event_id>/messages/<int:mailing_id>")
def progress(event_id: int, mailing_id: int):
    event, denied = _event(event_id)
    if denied is not None:
        return denied
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None or mailing.event_id != event.id or mailing.kind is not MailingKind.EVENT_MESSAGE:
        abort(404)
    sender = db.session.get(User, mailing.created_by_id) if mailing.created_by_id else None
    return render_template(
        "messages/progress.html", event=event, heading="Message progress", caption=services.event_title(event),
        back_url=url_for("messages.compose", event_id=event.id), back_text="Back to messages",
        mailing_sender=sender.name if sender else "an organiser",
        **progress_page_values(mailing, url_for("messages.progress", event_id=event.id, mailing_id=mailing.id)))
