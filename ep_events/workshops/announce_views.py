"""The organiser's pages to announce a workshop to the programme's invitation list: compose (the workshop's details
inserted), preview as text and HTML, send a test to themself, send, and watch the progress (the pages are
`bookings.mailing_pages`)."""

from flask import Blueprint, url_for

from ep_events.accounts.policy import can_manage_programme, staff_page
from ep_events.bookings.mailing_pages import MailingPages
from ep_events.core.limits import sends_email
from ep_events.extensions import db
from ep_events.notifications.mailing_forms import allow_long_messages
from ep_events.notifications.models import MailingKind
from ep_events.workshops import announcements
from ep_events.workshops.models import PROGRAMME_KIND, Workshop

bp = Blueprint("workshop_announce", __name__)
bp.url_value_preprocessor(allow_long_messages)

PAGES = MailingPages(
    blueprint="workshop_announce", id_arg="workshop_id", kind=MailingKind.ANNOUNCEMENT,
    template="workshops/announce.html", progress_template="workshops/announce_progress.html",
    heading="Announce a workshop", progress_heading="Announcement progress",
    progress_back_text="Back to the announcement page", caption=lambda workshop: workshop.title,
    back=lambda workshop: (url_for("workshops.edit_workshop", workshop_id=workshop.id), "Back to the workshop"),
    recipient_count=announcements.subscriber_count, recipient_nouns=("subscriber", "subscribers"),
    mailings_of=announcements.announcements_of, footer=announcements.footer,
    prefilled=announcements.announcement_text, send_test_copy=announcements.send_test_announcement,
    start=announcements.announce_workshop, sent_flash="The announcement is being sent to {count} {noun}.",
    unsubscribe_note="Each subscriber's email ends with their own link to unsubscribe.")


def _workshop(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    if workshop.programme.kind != PROGRAMME_KIND:
        return workshop, None
    return workshop, staff_page(can_manage_programme, workshop.programme)


@bp.route("/workshops/manage/<int:workshop_id>/announce", methods=["GET", "POST"])
def compose(workshop_id: int):
    workshop, denied = _workshop(workshop_id)
    return denied if denied is not None else PAGES.compose(workshop)


@bp.route("/workshops/manage/<int:workshop_id>/announce/test", methods=["POST"])
@sends_email
def send_test(workshop_id: int):
    workshop, denied = _workshop(workshop_id)
    return denied if denied is not None else PAGES.send_test(workshop)


@bp.route("/workshops/manage/<int:workshop_id>/announce/send", methods=["POST"])
def send(workshop_id: int):
    workshop, denied = _workshop(workshop_id)
    return denied if denied is not None else PAGES.send(workshop)


@bp.route("/workshops/manage/<int:workshop_id>/announcements/<int:mailing_id>")
def progress(workshop_id: int, mailing_id: int):
    workshop, denied = _workshop(workshop_id)
    return denied if denied is not None else PAGES.progress(workshop, mailing_id)
