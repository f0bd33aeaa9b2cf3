"""One-click unsubscribe (RFC 8058) for the invitation list: the signed link and headers every list email
carries, and what happens when it is used.

The link is the only authority: it is signed with the app's SECRET_KEY (itsdangerous, salted for this use)
over the entry's id and its `token_version`. Unsubscribing bumps the version, so a link cannot be replayed
after a rejoin, and an altered or forged link fails the signature. No sign-in and no CSRF token are asked
for: RFC 8058 §4 has the mail client POST `List-Unsubscribe=One-Click` to the URL with no cookies, and a
forged cross-site POST would need the secret link itself, which only the recipient has.

The mailto alternative (RFC 2369) goes to the programme's contact address with the subject "unsubscribe";
the organisers unsubscribe such a sender by hand (there is no inbound mail handling). The https link is the
one mail clients use for one-click.
"""

from datetime import datetime
from urllib.parse import quote

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ep_events.core.audit import record_audit
from ep_events.core.time import utcnow
from ep_events.core.urls import external_url
from ep_events.extensions import db
from ep_events.invitations.models import InvitationListEntry, ListEntryStatus, SuppressedAddress

SALT = "invitation-list-unsubscribe"
TOKEN_MAX = 200
ONE_CLICK_BODY = ("List-Unsubscribe", "One-Click")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(entry: InvitationListEntry) -> str:
    return _serializer().dumps([entry.id, entry.token_version])


def unsubscribe_url(entry: InvitationListEntry) -> str:
    """The entry's personal unsubscribe link (absolute, on BASE_URL: https in production)."""
    return external_url("invitations.unsubscribe", token=unsubscribe_token(entry))


def list_headers(entry: InvitationListEntry, url: str | None = None) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers for an email to `entry`: one-click https link and a mailto.
    `url` is the entry's `unsubscribe_url` when the caller has it already (it is not signed twice)."""
    mailto = f"mailto:{entry.programme.contact_email}?subject={quote('unsubscribe')}"
    return {"List-Unsubscribe": f"<{url or unsubscribe_url(entry)}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def read_token(token: str) -> tuple[InvitationListEntry | None, bool]:
    """(entry, current) for a link: current when it may unsubscribe now. (entry, False) when it is the link
    just used (the entry is unsubscribed, version one behind); (None, False) for anything else: forged,
    altered, or from before a rejoin."""
    if not token or len(token) > TOKEN_MAX:
        return None, False
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None, False
    if not (isinstance(payload, list) and len(payload) == 2 and all(type(v) is int for v in payload)):
        return None, False
    entry_id, version = payload
    entry = db.session.get(InvitationListEntry, entry_id) if 0 < entry_id < 2**31 else None
    if entry is None:
        return None, False
    if version == entry.token_version and entry.status is not ListEntryStatus.UNSUBSCRIBED:
        return entry, True
    if version == entry.token_version - 1 and entry.status is ListEntryStatus.UNSUBSCRIBED:
        return entry, False
    return None, False


def unsubscribe(entry: InvitationListEntry, now: datetime | None = None) -> None:
    """Take the address off the list at once, kill its links, and suppress it so an import cannot add it back."""
    now = now or utcnow()
    entry.status = ListEntryStatus.UNSUBSCRIBED
    entry.unsubscribed_at = now
    entry.confirm_token_hash = None
    entry.confirm_expires_at = None
    entry.token_version += 1
    suppressed = db.session.execute(select(SuppressedAddress.id).where(
        SuppressedAddress.programme_id == entry.programme_id, SuppressedAddress.email == entry.email)).first()
    if suppressed is None:
        db.session.add(SuppressedAddress(programme_id=entry.programme_id, email=entry.email,
                                         reason="Unsubscribed", created_at=now))
    record_audit(None, "invitations.entry.unsubscribed", entry,
                 f"Unsubscribed from the invitation list of programme {entry.programme_id}")
    db.session.flush()
