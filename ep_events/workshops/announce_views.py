"""The organiser's pages to announce a workshop to the programme's invitation list: compose (the workshop's details
inserted), preview as text and HTML, send a test to themself, send, and watch the progress."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ep_events.accounts.models import User
from ep_events.accounts.policy import can_manage_programme, staff_page
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.core.limits import sends_email
from ep_events.extensions import db
from ep_events.notifications.mailing_forms import MailingForm, allow_long_messages, progress_page_values
from ep_events.notifications.mailings import preview_mailing
from ep_events.notifications.models import Mailing, MailingKind
from ep_events.workshops import announcements
from ep_events.workshops.models import PROGRAMME_KIND, Workshop

bp = Blueprint("workshop_announce", __name__)
bp.url_value_preprocessor(allow_long_messages)

UNSUBSCRIBE_NOTE = "Each subscriber's email ends with their own link to unsubscribe."


def _workshop(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    if workshop.programme.kind != PROGRAMME_KIND:
        return workshop, None
    return workshop, staff_page(can_manage_programme, workshop.programme)


def _page(workshop: Workshop, form: MailingForm, preview=None, status: int = 200):
    past = [(mailing, url_for("workshop_announce.progress", workshop_id=workshop.id, mailing_id=mailing.id))
            for mailing in announcements.announcements_of(workshop)]
    count = announcements.subscriber_count(workshop)
    return render_template(
        "workshops/announce.html", workshop=workshop, programme=workshop.programme, form=form, preview=preview,
        heading="Announce a workshop", caption=workshop.title,
        back_url=url_for("workshops.edit_workshop", workshop_id=workshop.id), back_text="Back to the workshop",
        recipients_count=count, recipient_noun="subscriber" if count == 1 else "subscribers",
        preview_url=url_for("workshop_announce.compose", workshop_id=workshop.id),
        test_url=url_for("workshop_announce.send_test", workshop_id=workshop.id),
        send_url=url_for("workshop_announce.send", workshop_id=workshop.id), past=past,
    ), status


def _preview(workshop: Workshop, form: MailingForm):
    try:
        return preview_mailing(form.subject.data, form.body.data, footer=announcements.footer(workshop),
                               unsubscribe_note=UNSUBSCRIBE_NOTE)
    except DomainError as error:
        form.add_domain_error(error)
        return None


@bp.route("/workshops/manage/<int:workshop_id>/announce", methods=["GET", "POST"])
def compose(workshop_id: int):
    workshop, denied = _workshop(workshop_id)
    if denied is not None:
        return denied
    if request.method == "GET":
        return _page(workshop, MailingForm.prefilled(*announcements.announcement_text(workshop)))
    form = MailingForm()
    form.keep_key()
    preview = _preview(workshop, form) if form.validate_on_submit() else None
    return _page(workshop, form, preview, form_status(form))


@bp.route("/workshops/manage/<int:workshop_id>/announce/test", methods=["POST"])
@sends_email
def send_test(workshop_id: int):
    workshop, denied = _workshop(workshop_id)
    if denied is not None:
        return denied
    form = MailingForm()
    form.keep_key()
    preview = None
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: announcements.send_test_announcement(current_user, workshop, form.subject.data,
                                                                         form.body.data))
        if ok:
            flash(f"A test was sent to {current_user.email}. It can take a minute to arrive.", "success")
            preview = _preview(workshop, form)
    return _page(workshop, form, preview, form_status(form))


@bp.route("/workshops/manage/<int:workshop_id>/announce/send", methods=["POST"])
def send(workshop_id: int):
    workshop, denied = _workshop(workshop_id)
    if denied is not None:
        return denied
    form = MailingForm()
    if form.validate_on_submit():
        ok, mailing = form.apply(lambda: announcements.announce_workshop(
            current_user, workshop, form.subject.data, form.body.data, form.idempotency_key.data))
        if ok:
            flash(f"The announcement is being sent to {mailing.recipients_total} subscribers.", "success")
            return redirect(url_for("workshop_announce.progress", workshop_id=workshop.id, mailing_id=mailing.id))
    form.keep_key()
    return _page(workshop, form, None, 400)


@bp.route("/workshops/manage/<int:workshop_id>/announcements/<int:mailing_id>")
def progress(workshop_id: int, mailing_id: int):
    workshop, denied = _workshop(workshop_id)
    if denied is not None:
        return denied
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None or mailing.event_id != workshop.id or mailing.kind is not MailingKind.ANNOUNCEMENT:
        abort(404)
    sender = db.session.get(User, mailing.created_by_id) if mailing.created_by_id else None
    here = url_for("workshop_announce.progress", workshop_id=workshop.id, mailing_id=mailing.id)
    return render_template(
        "workshops/announce_progress.html", workshop=workshop, heading="Announcement progress",
        caption=workshop.title, back_url=url_for("workshop_announce.compose", workshop_id=workshop.id),
        back_text="Back to the announcement page", mailing_sender=sender.name if sender else "an organiser",
        **progress_page_values(mailing, here))
