"""Everything held about a person, for "Download my data" (UK GDPR Article 15, the right of access).

The shared tables are read here; each programme kind adds what is its own through
`ProgrammeKindSpec.personal_data`, so a new programme's data is in the download without this module
knowing it exists. Nothing that would let someone act as the person leaves: no password hash, calendar
feed token, session version or link-token hash.

Audit entries are the ones about the person (their account, their places and waiting-list entries, or
naming their address, as account deletion anonymises) and the ones they made. Other people's email
addresses in those summaries are replaced, so one person's file never carries another's address.
"""

import enum
import io
import json
import re
import zipfile
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ep_events.accounts.models import AccountToken, Grant
from ep_events.bookings.kinds import all_kinds, kind_for, kind_label
from ep_events.bookings.models import Event, Place, WaitlistEntry
from ep_events.core.audit import AuditEntry, audited_identities
from ep_events.core.mentions import mentions_any
from ep_events.core.spreadsheets import csv_bytes
from ep_events.core.time import uk_datetime, utcnow
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage

ANOTHER_PERSON = "[another person]"

SECTION_DESCRIPTIONS = {
    "account": "Your account: name, email address, job title, organisation, when it was created and confirmed.",
    "account_links": "Links we emailed you to confirm your address, reset your password or change your address "
                     "(when made, when they expire or were used; never the link itself).",
    "grants": "Roles you hold on the site (organiser, facilitator, admin) and what each is for.",
    "places": "Every booking you have made on any programme, with its status, calendar UID, cancellation "
              "and attendance.",
    "waiting_lists": "Every waiting list you have joined, with its status.",
    "emails": "Emails we queued to your address: subject, status and when sent; the text where we still "
              "keep it (sent emails' text is removed after a set time).",
    "audit": "Entries in the site's audit log about you or your bookings, or made by you. Other people's "
             "email addresses are replaced with " + ANOTHER_PERSON + ".",
}

_EMAIL_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def as_json_value(value):
    """A value as JSON holds it: datetimes and dates as ISO 8601, enums as their value, nested lists and dicts."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(key): as_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json_value(item) for item in value]
    return value


def _account(user) -> list[dict]:
    return [{
        "name": user.name,
        "email": user.email,
        "job_title": user.job_title,
        "organisation": user.organisation_name,
        "created_at": user.created_at,
        "confirmed_at": user.confirmed_at,
        "has_calendar_feed_address": user.feed_token is not None,
    }]


def _account_links(user) -> list[dict]:
    tokens = db.session.execute(
        select(AccountToken).where(AccountToken.user_id == user.id).order_by(AccountToken.id)).scalars()
    return [{"purpose": token.purpose, "created_at": token.created_at, "expires_at": token.expires_at,
             "used_at": token.used_at, "new_email": token.new_email or ""} for token in tokens]


def _grants(user) -> list[dict]:
    grants = db.session.execute(
        select(Grant).where(Grant.user_id == user.id)
        .options(joinedload(Grant.programme), joinedload(Grant.organisation)).order_by(Grant.id)).scalars()
    return [{"role": grant.role.label, "programme": grant.programme.name if grant.programme else "",
             "organisation": grant.organisation.name if grant.organisation else "",
             "created_at": grant.created_at} for grant in grants]


def _event_title(event: Event) -> str:
    kind = kind_for(event.programme.kind)
    return kind.public_title(event) if kind is not None else event.title


def _places(user) -> list[dict]:
    places = db.session.execute(
        select(Place).where(Place.user_id == user.id)
        .options(joinedload(Place.event).joinedload(Event.programme)).order_by(Place.starts_at, Place.id)
    ).scalars()
    return [{
        "place": place.id,
        "programme": place.event.programme.name,
        "programme_kind": kind_label(place.event.programme.kind),
        "event": _event_title(place.event),
        "starts_at": place.starts_at,
        "ends_at": place.ends_at,
        "status": place.status,
        "calendar_uid": place.uid,
        "calendar_sequence": place.sequence,
        "booked_at": place.created_at,
        "cancelled_at": place.cancelled_at,
        "cancelled_by": ("you" if place.cancelled_by_booker else "the organisers") if place.cancelled_at else "",
        "cancel_reason": place.cancel_reason,
        "attendance": place.attendance,
        "attended_minutes": place.attended_minutes,
        "attendance_marked_at": place.attendance_marked_at,
    } for place in places]


def _waiting_lists(user) -> list[dict]:
    entries = db.session.execute(
        select(WaitlistEntry).where(WaitlistEntry.user_id == user.id)
        .options(joinedload(WaitlistEntry.event).joinedload(Event.programme)).order_by(WaitlistEntry.id)
    ).scalars()
    return [{
        "entry": entry.id,
        "programme": entry.event.programme.name,
        "event": _event_title(entry.event),
        "status": entry.status,
        "joined_at": entry.created_at,
        "offer_expires_at": entry.offer_expires_at,
    } for entry in entries]


def _address_since(user) -> datetime:
    """When this account took its current address: it signed up with it, or changed to it. Mail to the
    address from before then was someone else's (an address can be given up and taken by a new account)."""
    changed = db.session.execute(
        select(func.max(AuditEntry.at)).where(AuditEntry.action == "user.change_email",
                                              AuditEntry.target_type == "User", AuditEntry.target_id == user.id,
                                              AuditEntry.at >= user.created_at)).scalar_one()
    return max(user.created_at, changed) if changed else user.created_at


def _emails(user) -> list[dict]:
    # Only the current address, and only since this account has had it: an old address may since belong
    # to someone else, and this one may have belonged to someone before.
    messages = db.session.execute(
        select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == user.email.lower(),
                                    OutboxMessage.created_at >= _address_since(user))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)).scalars()
    return [{
        "created_at": message.created_at,
        "template": message.kind,
        "subject": message.subject,
        "status": message.status,
        "sent_at": message.sent_at,
        "text": message.body_text if message.bodies_erased_at is None else "",
        "text_removed_at": message.bodies_erased_at,
    } for message in messages]


def _class_names(base) -> list[str]:
    """The class names audit entries record for a shared table's rows (its programme kinds' subclasses)."""
    return [mapper.class_.__name__ for mapper in base.__mapper__.self_and_descendants]


def _audit(user) -> list[dict]:
    email = user.email.lower()
    place_ids = set(db.session.execute(select(Place.id).where(Place.user_id == user.id)).scalars())
    entry_ids = set(db.session.execute(select(WaitlistEntry.id).where(WaitlistEntry.user_id == user.id)).scalars())
    place_types, entry_types = _class_names(Place), _class_names(WaitlistEntry)

    def about_their_record(entry: AuditEntry) -> bool:
        # An account id can be used again after a deletion (SQLite): entries from before this account are not its.
        return (entry.actor_id == user.id
                or (entry.target_type == "User" and entry.target_id == user.id and entry.at >= user.created_at)
                or (entry.target_type in place_types and entry.target_id in place_ids)
                or (entry.target_type in entry_types and entry.target_id in entry_ids))

    since = _address_since(user)

    candidates = db.session.execute(select(AuditEntry).where(or_(
        AuditEntry.actor_id == user.id,
        (AuditEntry.target_type == "User") & (AuditEntry.target_id == user.id),
        AuditEntry.target_type.in_(place_types) & AuditEntry.target_id.in_(place_ids),
        AuditEntry.target_type.in_(entry_types) & AuditEntry.target_id.in_(entry_ids),
        func.lower(AuditEntry.summary).contains(email, autoescape=True),
    )).order_by(AuditEntry.at, AuditEntry.id)).scalars()
    own_addresses = {email} | {identity.lower() for identity in audited_identities(user.id) if "@" in identity}

    def others_hidden(summary: str) -> str:
        return _EMAIL_ADDRESS.sub(
            lambda match: match.group(0) if match.group(0).lower() in own_addresses else ANOTHER_PERSON, summary)

    # The SQL match on the summary is a substring ("jo@example.org" is inside "anjo@example.org"):
    # an entry found only that way must name the address as a whole word.
    return [{"at": entry.at, "action": entry.action, "summary": others_hidden(entry.summary),
             "by_you": entry.actor_id == user.id}
            for entry in candidates
            if about_their_record(entry) or (entry.at >= since and mentions_any(entry.summary, {email}))]


def _gather(user, more: dict[str, tuple[str, list[dict]]] | None = None
            ) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """The sections, and where each section that is not the shared tables' came from (a programme kind's
    label, or the description given with `more`: sections from the layers above, such as CPD)."""
    data = {
        "account": _account(user),
        "account_links": _account_links(user),
        "grants": _grants(user),
        "places": _places(user),
        "waiting_lists": _waiting_lists(user),
        "emails": _emails(user),
        "audit": _audit(user),
    }
    sources = {}
    for kind in all_kinds():
        for name, records in kind.personal_data(user).items():
            if name in data:
                raise ValueError(f"Programme kind {kind.key} reuses the personal data section name {name!r}")
            data[name] = records
            sources[name] = f"From {kind.label}."
    for name, (description, records) in (more or {}).items():
        if name in data:
            raise ValueError(f"The personal data section name {name!r} is taken")
        data[name] = records
        sources[name] = description
    return as_json_value(data), sources


def personal_data(user) -> dict[str, list[dict]]:
    """Everything the site holds about the person, as named lists of JSON-ready records (ISO 8601 times)."""
    return _gather(user)[0]


def csv_for(records: list[dict]) -> bytes:
    """One section as a spreadsheet: a column per field, lists and dicts in a cell as JSON text."""
    header: list[str] = []
    for record in records:
        header.extend(key for key in record if key not in header)

    def cell(value):
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False)
        return value

    return csv_bytes(header, ([cell(record.get(key)) for key in header] for record in records))


def _readme(data: dict[str, list[dict]], kind_sections: dict[str, str], now: datetime) -> str:
    lines = [
        "Your data from EP Events",
        "",
        f"Made on {uk_datetime(now)} (UK time). Times in the files are in UTC, written as ISO 8601",
        "(for example 2026-06-16T08:30:00+00:00).",
        "",
        "my-data.json  Everything below in one file, for a computer to read.",
        "",
        "One spreadsheet (CSV, UTF-8) per kind of record. Lists inside a cell (such as the colleagues",
        "you named) are written as JSON text. A cell that would start with =, +, - or @ starts with '",
        "so that a spreadsheet program shows it rather than running it. A kind with no records has no CSV.",
        "",
    ]
    for name, records in data.items():
        description = SECTION_DESCRIPTIONS.get(name) or kind_sections.get(name, "From a programme.")
        count = f"{len(records)} record{'' if len(records) == 1 else 's'}" if records else "none, so no file"
        lines.append(f"{_file_name(name)}.csv  ({count})  {description}")
    lines += ["", "We do not record when you sign in, and we never store your password, only a one-way hash of it,",
              "which is not included."]
    return "\r\n".join(lines) + "\r\n"


def personal_data_zip(user, now: datetime | None = None, more: dict[str, tuple[str, list[dict]]] | None = None
                      ) -> bytes:
    """The person's data as a zip: my-data.json, one CSV per section that has records, and README.txt.
    `more` adds sections from the layers above (name: (description, records)), such as their CPD records."""
    now = now or utcnow()
    data, kind_sections = _gather(user, more)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(data, kind_sections, now).encode("utf-8"))
        archive.writestr("my-data.json", json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))
        for name, records in data.items():
            if records:
                archive.writestr(f"{_file_name(name)}.csv", csv_for(records))
    return buffer.getvalue()


def _file_name(section: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", section)
