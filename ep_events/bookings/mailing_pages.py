"""The pages of a "one email to many" about one event, written once: compose (pre-filled), preview as text and
HTML, send a test to oneself, send, and watch the progress. Announcements of a workshop to the invitation list
and messages to everyone booked on an event are two `MailingPages`, each with its own words and services; their
blueprints load the event and check who may see it, then hand over to these. (Here, above accounts, so that a
progress page can name who sent it.)"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ep_events.accounts.models import User
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.extensions import db
from ep_events.notifications.mailing_forms import MailingForm, progress_page_values
from ep_events.notifications.mailings import preview_mailing
from ep_events.notifications.models import Mailing, MailingKind


@dataclass(frozen=True)
class MailingPages:
    blueprint: str  # the blueprint's name: its endpoints are compose, send_test, send and progress
    id_arg: str  # the URL argument naming the event, e.g. "event_id"
    kind: MailingKind
    template: str  # the compose page (extends messages/compose.html)
    progress_template: str
    heading: str
    progress_heading: str
    progress_back_text: str
    caption: Callable  # event -> the line above the heading
    back: Callable  # event -> (url, text) of the back link
    recipient_count: Callable  # event -> how many would get it now
    recipient_nouns: tuple[str, str]  # ("person", "people")
    mailings_of: Callable  # event -> the mailings of this kind sent about it, latest first
    footer: Callable  # event -> the line under every copy
    prefilled: Callable  # event -> (subject, body) the compose page starts with
    send_test_copy: Callable  # (actor, event, subject, body) -> queues one copy to the actor
    start: Callable  # (actor, event, subject, body, key) -> Mailing
    sent_flash: str  # e.g. "The message is being sent to {count} {noun}."
    unsubscribe_note: str = ""

    def _url(self, endpoint: str, event, **values) -> str:
        return url_for(f"{self.blueprint}.{endpoint}", **{self.id_arg: event.id}, **values)

    def _noun(self, count: int) -> str:
        return self.recipient_nouns[0] if count == 1 else self.recipient_nouns[1]

    def _page(self, event, form: MailingForm, preview=None, status: int = 200):
        past = [(mailing, self._url("progress", event, mailing_id=mailing.id)) for mailing in self.mailings_of(event)]
        count = self.recipient_count(event)
        back_url, back_text = self.back(event)
        return render_template(
            self.template, event=event, programme=event.programme, form=form, preview=preview,
            heading=self.heading, caption=self.caption(event), back_url=back_url, back_text=back_text,
            recipients_count=count, recipient_noun=self._noun(count), preview_url=self._url("compose", event),
            test_url=self._url("send_test", event), send_url=self._url("send", event), past=past,
        ), status

    def _preview(self, event, form: MailingForm):
        try:
            return preview_mailing(form.subject.data, form.body.data, footer=self.footer(event),
                                   unsubscribe_note=self.unsubscribe_note)
        except DomainError as error:
            form.add_domain_error(error)
            return None

    def compose(self, event):
        """GET: the pre-filled form. POST: the preview (or the form's errors)."""
        if request.method == "GET":
            return self._page(event, MailingForm.prefilled(*self.prefilled(event)))
        form = MailingForm()
        form.keep_key()
        preview = self._preview(event, form) if form.validate_on_submit() else None
        return self._page(event, form, preview, form_status(form))

    def send_test(self, event):
        form = MailingForm()
        form.keep_key()
        preview = None
        if form.validate_on_submit():
            ok, _ = form.apply(lambda: self.send_test_copy(current_user, event, form.subject.data, form.body.data))
            if ok:
                flash(f"A test was sent to {current_user.email}. It can take a minute to arrive.", "success")
                preview = self._preview(event, form)
        return self._page(event, form, preview, form_status(form))

    def send(self, event):
        form = MailingForm()
        if form.validate_on_submit():
            ok, mailing = form.apply(lambda: self.start(current_user, event, form.subject.data, form.body.data,
                                                        form.idempotency_key.data))
            if ok:
                count = mailing.recipients_total
                flash(self.sent_flash.format(count=count, noun=self._noun(count)), "success")
                return redirect(self._url("progress", event, mailing_id=mailing.id))
        form.keep_key()
        return self._page(event, form, None, 400)

    def progress(self, event, mailing_id: int):
        mailing = db.session.get(Mailing, mailing_id)
        if mailing is None or mailing.event_id != event.id or mailing.kind is not self.kind:
            abort(404)
        sender = db.session.get(User, mailing.created_by_id) if mailing.created_by_id else None
        return render_template(
            self.progress_template, event=event, heading=self.progress_heading, caption=self.caption(event),
            back_url=self._url("compose", event), back_text=self.progress_back_text,
            mailing_sender=sender.name if sender else "an organiser",
            **progress_page_values(mailing, self._url("progress", event, mailing_id=mailing.id)))
