"""Bespoke-training enquiries: anyone asks a Network programme for training made for their organisation; the
organisers read the enquiries and mark them answered.

The organiser is emailed at the programme's contact address, and the sender gets an acknowledgement; both go
through the outbox in the same transaction as the enquiry, so a refused enquiry saves and sends nothing.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, or_, select

from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.network_days import emails
from ep_events.network_days.models import TrainingEnquiry

ORGANISATION_MAX = 200
CONTACT_NAME_MAX = 200
EMAIL_MAX = 320
PHONE_MAX = 40
TRAINING_MAX = 5000
AUDIENCE_MAX = 2000
PREFERRED_DATES_MAX = 500
PAGE_SIZE = 50
LISTS = {"unanswered": "Not answered yet", "all": "All enquiries"}

# C0 and C1 control characters (and lone surrogates); the multi-line fields keep tab, line feed and return.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_PHONE = re.compile(r"[0-9 +().-]+")


@dataclass(frozen=True)
class EnquiryDetails:
    """What the sender typed, for the service to check."""

    organisation_name: str
    contact_name: str
    contact_email: str
    training: str
    audience: str
    phone: str = ""
    preferred_dates: str = ""


def _text(value: str | None, field: str, name: str, max_length: int, required: bool = True,
          multiline: bool = False) -> str:
    value = (value or "").strip()
    named = name[0].upper() + name[1:]
    if required and not value:
        raise DomainError(f"Enter {name}", field=field)
    if len(value) > max_length:
        raise DomainError(f"{named} must be {max_length:,} characters or fewer", field=field)
    if (_CONTROL_BUT_LINES if multiline else _CONTROL).search(value):
        raise DomainError(f"{named} must not contain control characters", field=field)
    return value


def _email(value: str | None) -> str:
    address = _text(value, "email", "your email address", EMAIL_MAX)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError("Enter an email address in the correct format, like name@example.org",
                          field="email") from None
    return address


def _phone(value: str | None) -> str:
    phone = _text(value, "phone", "your telephone number", PHONE_MAX, required=False)
    if phone and (not _PHONE.fullmatch(phone) or not 6 <= sum(c.isdigit() for c in phone) <= 20):
        raise DomainError("Enter a telephone number, like 020 7946 0000 or +44 20 7946 0000", field="phone")
    return phone


def send_enquiry(programme, details: EnquiryDetails, now: datetime | None = None) -> TrainingEnquiry:
    """Store an enquiry and queue the organiser's email and the sender's acknowledgement.

    Every field is checked before anything is written: a refused enquiry saves nothing and sends nothing.
    """
    enquiry = TrainingEnquiry(
        programme_id=programme.id,
        organisation_name=_text(details.organisation_name, "organisation_name", "the name of your organisation",
                                ORGANISATION_MAX),
        contact_name=_text(details.contact_name, "contact_name", "your name", CONTACT_NAME_MAX),
        contact_email=_email(details.contact_email),
        phone=_phone(details.phone),
        training=_text(details.training, "training", "what training you would like", TRAINING_MAX,
                       multiline=True),
        audience=_text(details.audience, "audience", "who the training is for", AUDIENCE_MAX, multiline=True),
        preferred_dates=_text(details.preferred_dates, "preferred_dates", "your preferred dates",
                              PREFERRED_DATES_MAX, required=False, multiline=True),
        created_at=now or utcnow(),
    )
    enquiry.programme = programme
    db.session.add(enquiry)
    db.session.flush()
    emails.send_enquiry_to_organiser(enquiry)
    emails.send_enquiry_acknowledgement(enquiry)
    return enquiry


def mark_answered(actor, enquiry: TrainingEnquiry, now: datetime | None = None) -> bool:
    """Mark an enquiry answered by `actor`; False (and nothing changes) when it already was."""
    if enquiry.is_answered:
        return False
    enquiry.mark_answered(now or utcnow(), actor)
    record_audit(actor, "network.enquiry.answered", enquiry, f"Training enquiry {enquiry.id} marked answered")
    db.session.flush()
    return True


@dataclass(frozen=True)
class EnquiryPage:
    enquiries: list
    total: int
    unanswered: int
    page: int

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def programme_enquiries(programme, show: str = "unanswered", page: int = 1) -> EnquiryPage:
    """A page of the programme's enquiries: unanswered first, then newest first (`show` 'unanswered' or 'all')."""
    where = [TrainingEnquiry.programme_id == programme.id]
    unanswered = db.session.execute(select(func.count(TrainingEnquiry.id))
                                    .where(*where, TrainingEnquiry.answered_at.is_(None))).scalar_one()
    if show == "unanswered":
        where.append(TrainingEnquiry.answered_at.is_(None))
        total = unanswered
    else:
        total = db.session.execute(select(func.count(TrainingEnquiry.id)).where(*where)).scalar_one()
    page = min(page, max(1, -(-total // PAGE_SIZE)))
    enquiries = db.session.execute(
        select(TrainingEnquiry).where(*where)
        .order_by(TrainingEnquiry.answered_at.is_not(None), TrainingEnquiry.created_at.desc(),
                  TrainingEnquiry.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars().all()
    return EnquiryPage(enquiries=list(enquiries), total=total, unanswered=unanswered, page=page)


def erase_old_enquiries(now: datetime | None = None) -> int:
    """Delete enquiries answered more than ENQUIRY_RETENTION_DAYS ago, and those nobody answered twice that long
    after they arrived (they hold a contact's name, address and phone). Safe to run twice; returns how many."""
    now = now or utcnow()
    days = current_app.config["ENQUIRY_RETENTION_DAYS"]
    answered_before, arrived_before = now - timedelta(days=days), now - timedelta(days=2 * days)
    erased = db.session.execute(delete(TrainingEnquiry).where(or_(
        TrainingEnquiry.answered_at < answered_before,
        (TrainingEnquiry.answered_at.is_(None)) & (TrainingEnquiry.created_at < arrived_before)))).rowcount
    db.session.flush()
    return erased
