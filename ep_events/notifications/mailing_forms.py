"""The compose form shared by every "one email to many" page (announcements, messages to everyone booked)."""

import secrets

from flask import current_app, request
from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import HiddenField, StringField, TextAreaField

from ep_events.core.forms import Form
from ep_events.notifications.mailings import KEY_PATTERN, mailing_progress

# A form body this big still reaches the form, so a pasted 1 MB message gets the "50,000 characters or fewer"
# message instead of the bare "too large" page (Flask refuses form data over 500 kB by default).
LONG_FORM_BYTES = 4 * 1024 * 1024


def allow_long_messages(endpoint, values) -> None:
    """A blueprint's url_value_preprocessor: it runs before the app's own request hooks (the CSRF check and the
    forbidden-character check read the form), so they see the larger limit too."""
    request.max_form_memory_size = LONG_FORM_BYTES


class MailingForm(Form):
    subject = StringField("Subject", widget=GovTextInput())
    body = TextAreaField("Message", widget=GovTextArea())
    # One-time key of this compose page: sending twice (double click, resubmitted form) finds the same mailing.
    idempotency_key = HiddenField()

    @classmethod
    def prefilled(cls, subject: str, body: str) -> "MailingForm":
        return cls(formdata=None, subject=subject, body=body, idempotency_key=secrets.token_urlsafe(24))

    def keep_key(self) -> None:
        """Give the re-shown page a key if the one posted was missing or malformed (sending checks it anyway)."""
        if not KEY_PATTERN.fullmatch(self.idempotency_key.data or ""):
            self.idempotency_key.data = secrets.token_urlsafe(24)


REFRESH_SECONDS = 5


def progress_page_values(mailing, here: str) -> dict:
    """What the shared progress page (templates/messages/progress.html) shows: the counts, and whether it refreshes
    itself (while emails are waiting, unless the reader chose ?refresh=off, which the plain link keeps)."""
    counts = mailing_progress(mailing)
    stopped = request.args.get("refresh") == "off"
    return {"mailing": mailing, "progress": counts, "refreshing": not counts.complete and not stopped,
            "refresh_seconds": REFRESH_SECONDS, "refresh_url": here + ("?refresh=off" if stopped else ""),
            "stop_url": here + "?refresh=off", "per_minute": current_app.config["MAILING_BATCH_PER_MINUTE"],
            "max_attempts": current_app.config["OUTBOX_MAX_ATTEMPTS"]}
