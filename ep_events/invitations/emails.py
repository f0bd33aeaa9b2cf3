"""Invitation list emails: the confirm link (double opt-in) and "you are already on the list", through the
outbox. The confirm link is a secret route (its argument is `token`), so the outbox blanks the body once
sent and access logs redact it."""

from ep_events.core.urls import external_url
from ep_events.invitations.models import ConsentSource
from ep_events.notifications.outbox import queue_email

CONFIRM_DAYS = 7


def send_confirm_link(entry, token: str) -> None:
    queue_email(entry.email, "invitations/confirm", entry=entry, programme=entry.programme,
                confirm_url=external_url("invitations.confirm", token=token), days=CONFIRM_DAYS,
                imported=entry.consent_source is ConsentSource.IMPORT)


def send_already_subscribed(entry) -> None:
    queue_email(entry.email, "invitations/already_subscribed", entry=entry, programme=entry.programme)
