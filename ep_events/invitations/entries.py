"""Joining a programme's invitation list (double opt-in), confirming, expiring unconfirmed entries, and the
organiser's view of the list.

The confirm link carries a random token; only its SHA-256 is stored, so a copy of the database cannot
confirm anyone. Joining answers the same "check your email" page whatever the address's state, so the form
never tells a visitor whether someone else is on the list: the owner of the address learns it by email.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.spreadsheets import csv_bytes
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.invitations import emails
from ep_events.invitations.consent import WORDING_VERSION
from ep_events.invitations.models import ConsentSource, InvitationListEntry, ListEntryStatus, SuppressedAddress

CONFIRM_FOR = timedelta(days=7)
# A pending entry is sent a new link at most this often, however many times the form is sent for it.
RESEND_AFTER = timedelta(minutes=10)
NAME_MAX = 200
ORGANISATION_MAX = 200
ROLE_MAX = 200
EMAIL_MAX = 320
TOKEN_MAX = 100  # token_urlsafe(32) is 43 characters; anything much longer is not one of ours
PAGE_SIZE = 50

# C0 and C1 control characters (CR and LF included: a name goes into email headers and CSV files).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class JoinDetails:
    """What a person typed on the join form (or an import row)."""

    name: str
    email: str
    organisation_name: str = ""
    role: str = ""


def clean_text(value: str | None, field: str, name: str, max_length: int, required: bool = True) -> str:
    """The value stripped; refused when missing (if required), too long or holding control characters."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {name}", field=field)
    if len(value) > max_length:
        raise DomainError(f"{name[0].upper() + name[1:]} must be {max_length} characters or fewer", field=field)
    if _CONTROL.search(value):
        raise DomainError(f"{name[0].upper() + name[1:]} must be on one line, without control characters",
                          field=field)
    return value


def clean_email(value: str | None) -> str:
    """The address in lower case, or a DomainError fit to show."""
    address = clean_text(value, "email", "your email address", EMAIL_MAX).lower()
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError("Enter an email address in the correct format, like name@example.org",
                          field="email") from None
    return address


def clean_details(details: JoinDetails) -> JoinDetails:
    return JoinDetails(
        name=clean_text(details.name, "name", "your name", NAME_MAX),
        email=clean_email(details.email),
        organisation_name=clean_text(details.organisation_name, "organisation_name", "your organisation",
                                     ORGANISATION_MAX, required=False),
        role=clean_text(details.role, "role", "your role", ROLE_MAX, required=False),
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def entry_for(programme, email: str) -> InvitationListEntry | None:
    return db.session.execute(select(InvitationListEntry).where(
        InvitationListEntry.programme_id == programme.id, InvitationListEntry.email == email)).scalar_one_or_none()


def is_suppressed(programme, email: str) -> bool:
    return db.session.execute(select(SuppressedAddress.id).where(
        SuppressedAddress.programme_id == programme.id, SuppressedAddress.email == email)).first() is not None


def start_double_opt_in(entry: InvitationListEntry, now: datetime) -> None:
    """A new confirm link for `entry` (any earlier one stops working), emailed through the outbox."""
    token = secrets.token_urlsafe(32)
    entry.status = ListEntryStatus.PENDING
    entry.confirm_token_hash = hash_token(token)
    entry.confirm_expires_at = now + CONFIRM_FOR
    entry.expired_at = None
    emails.send_confirm_link(entry, token)  # queue_email flushes the entry with its message


def join_list(programme, details: JoinDetails, now: datetime | None = None) -> InvitationListEntry:
    """Ask to join `programme`'s list: a confirm link is emailed (pending entries at most every 10 minutes);
    an address already subscribed is told so by email. The caller shows the same page whatever happened."""
    now = now or utcnow()
    details = clean_details(details)
    entry = entry_for(programme, details.email)
    if entry is not None and entry.status is ListEntryStatus.CONFIRMED:
        emails.send_already_subscribed(entry)
        return entry
    if entry is not None and entry.status is ListEntryStatus.PENDING and entry.confirm_expires_at is not None \
            and entry.confirm_expires_at - CONFIRM_FOR + RESEND_AFTER > now:
        return entry  # a link went out minutes ago: do not flood the inbox
    if entry is None:
        entry = InvitationListEntry(programme=programme, email=details.email, name=details.name, created_at=now,
                                    token_version=0)
        try:
            with db.session.begin_nested():
                db.session.add(entry)
        except IntegrityError:
            # The same address joined in a request that committed after our look-up (a double submit): that
            # request sends the link, and this one answers the same page.
            return entry_for(programme, details.email)
    # New, pending, unsubscribed or expired: the details typed now, and a new double opt-in. An unsubscribed
    # address stays suppressed until the link is used.
    entry.name, entry.organisation_name, entry.role = details.name, details.organisation_name, details.role
    entry.consent_source = ConsentSource.JOIN_FORM
    entry.lawful_basis = ""
    start_double_opt_in(entry, now)
    return entry


def entry_for_confirm_token(token: str) -> InvitationListEntry | None:
    """The pending entry whose confirm link this is (expired or not), or None."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return db.session.execute(select(InvitationListEntry).where(
        InvitationListEntry.confirm_token_hash == hash_token(token),
        InvitationListEntry.status == ListEntryStatus.PENDING)).scalar_one_or_none()


def link_has_expired(entry: InvitationListEntry, now: datetime | None = None) -> bool:
    return entry.confirm_expires_at is None or entry.confirm_expires_at <= (now or utcnow())


def confirm_entry(entry: InvitationListEntry, now: datetime | None = None) -> None:
    """Confirm a pending entry from its link: it is subscribed, with the consent recorded, and any suppression
    of the address is lifted (this is the new double opt-in that rejoining needs)."""
    now = now or utcnow()
    if entry.status is not ListEntryStatus.PENDING or link_has_expired(entry, now):
        raise DomainError("This link has expired. Join the list again to get a new one.")
    entry.status = ListEntryStatus.CONFIRMED
    entry.confirmed_at = now
    entry.consent_at = now
    entry.consent_wording_version = WORDING_VERSION
    entry.confirm_token_hash = None
    entry.confirm_expires_at = None
    entry.token_version += 1  # an unsubscribe link from before a rejoin stays dead
    db.session.execute(delete(SuppressedAddress).where(SuppressedAddress.programme_id == entry.programme_id,
                                                       SuppressedAddress.email == entry.email))
    db.session.flush()


def expire_pending_entries(now: datetime | None = None) -> int:
    """Entries not confirmed within 7 days become EXPIRED and their link stops working; safe to run twice."""
    now = now or utcnow()
    entries = db.session.execute(select(InvitationListEntry).where(
        InvitationListEntry.status == ListEntryStatus.PENDING,
        InvitationListEntry.confirm_expires_at <= now)).scalars().all()
    for entry in entries:
        entry.status = ListEntryStatus.EXPIRED
        entry.expired_at = entry.confirm_expires_at
        entry.confirm_token_hash = None
        entry.confirm_expires_at = None
    db.session.flush()
    return len(entries)


def erase_old_entries(now: datetime | None = None) -> int:
    """Delete entries LIST_ENTRY_RETENTION_DAYS after they expired unconfirmed or left the list; safe to run
    twice. An address that left stays on the suppression list (the address alone), so no import adds it back."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["LIST_ENTRY_RETENTION_DAYS"])
    erased = db.session.execute(delete(InvitationListEntry).where(or_(
        (InvitationListEntry.status == ListEntryStatus.EXPIRED) & (InvitationListEntry.expired_at <= cutoff),
        (InvitationListEntry.status == ListEntryStatus.UNSUBSCRIBED)
        & (InvitationListEntry.unsubscribed_at <= cutoff)))).rowcount
    db.session.flush()
    return erased


def confirmed_entries(programme) -> list:
    """(id, email, name) of every confirmed entry of the programme's list, by id: who an announcement goes to."""
    return db.session.execute(select(InvitationListEntry.id, InvitationListEntry.email, InvitationListEntry.name)
                              .where(InvitationListEntry.programme_id == programme.id,
                                     InvitationListEntry.status == ListEntryStatus.CONFIRMED)
                              .order_by(InvitationListEntry.id)).all()


# --- The organiser's view ------------------------------------------------------------------------

@dataclass(frozen=True)
class ListFilters:
    search: str = ""
    organisation: str = ""
    status: ListEntryStatus | None = None


@dataclass(frozen=True)
class EntryPage:
    entries: list
    total: int
    page: int
    last_page: int


def _filtered(programme, filters: ListFilters):
    query = select(InvitationListEntry).where(InvitationListEntry.programme_id == programme.id)
    if filters.search:
        term = filters.search.strip().lower()
        query = query.where(or_(*(func.lower(column).contains(term, autoescape=True) for column in (
            InvitationListEntry.name, InvitationListEntry.email, InvitationListEntry.organisation_name))))
    if filters.organisation:
        query = query.where(InvitationListEntry.organisation_name == filters.organisation)
    if filters.status is not None:
        query = query.where(InvitationListEntry.status == filters.status)
    return query


def list_entries(programme, filters: ListFilters, page: int = 1) -> EntryPage:
    """One page of the list, by name then address, with the number found."""
    query = _filtered(programme, filters)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    last_page = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), last_page)
    entries = db.session.execute(query.order_by(func.lower(InvitationListEntry.name), InvitationListEntry.email)
                                 .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars().all()
    return EntryPage(entries=list(entries), total=total, page=page, last_page=last_page)


def organisation_names(programme) -> list[str]:
    """The organisations named on the list, for the filter."""
    return list(db.session.execute(select(InvitationListEntry.organisation_name).distinct().where(
        InvitationListEntry.programme_id == programme.id, InvitationListEntry.organisation_name != "")
        .order_by(InvitationListEntry.organisation_name)).scalars())


def status_counts(programme) -> dict[ListEntryStatus, int]:
    rows = db.session.execute(select(InvitationListEntry.status, func.count()).where(
        InvitationListEntry.programme_id == programme.id).group_by(InvitationListEntry.status)).all()
    counts = dict.fromkeys(ListEntryStatus, 0)
    counts.update(dict(rows))
    return counts


EXPORT_HEADER = ("name", "email", "organisation", "role", "status", "confirmed_at", "consent_source",
                 "consent_wording_version", "lawful_basis", "unsubscribed_at")


def _iso(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def export_csv(actor, programme, filters: ListFilters) -> bytes:
    """The list (as filtered) as a spreadsheet-safe CSV; the download is audited."""
    entries = db.session.execute(_filtered(programme, filters).order_by(
        func.lower(InvitationListEntry.name), InvitationListEntry.email)).scalars().all()
    record_audit(actor, "invitations.list.exported", programme,
                 f"Invitation list of {programme.name} exported ({len(entries)} entries)")
    return csv_bytes(EXPORT_HEADER, ([e.name, e.email, e.organisation_name, e.role, e.status.value,
                                      _iso(e.confirmed_at), e.consent_source.value, e.consent_wording_version,
                                      e.lawful_basis, _iso(e.unsubscribed_at)] for e in entries))
