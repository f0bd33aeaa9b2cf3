"""The audit log: who did what to which record, when, with the values before and after."""

import json
import re
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import JSON, ForeignKey, String, cast, null, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ep_events.core.mentions import replace_mentions
from ep_events.core.models import UTCDateTime
from ep_events.core.time import utcnow
from ep_events.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(320), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    target_type: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    target_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    # Set when the summary, the actor's address and the values before and after were blanked (retention).
    details_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor = relationship("User", foreign_keys=[actor_id])


def record_audit(actor, action: str, target, summary: str = "", before=None, after=None) -> AuditEntry:
    """Add an audit entry in the current transaction (it commits or rolls back with the change)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        summary=summary[:300],
        before=before,
        after=after,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """A JSON-safe picture of some fields of a record, for before/after."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if hasattr(value, "value"):
            value = value.value
        elif isinstance(value, datetime):
            value = value.isoformat()
        out[name] = value
    return out


def list_audit_entries(action: str | None = None, target_type: str | None = None,
                       actor_email: str | None = None, limit: int = 200) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if actor_email:
        query = query.where(AuditEntry.actor_email.ilike(f"%{actor_email.strip()}%"))
    return list(db.session.execute(query).scalars())


def audit_actions() -> list[str]:
    return list(db.session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars())


def anonymise_audit(user_id: int, terms: set[str], label: str) -> None:
    """Replace a deleted person's addresses and names (`terms`) with `label` wherever the log holds them.

    The entries stay, so the log still shows what was done and when, but no longer to or by whom.
    """
    terms = {term for term in terms if term}
    # JSON is stored with non-ASCII characters escaped ("Zo\u00eb"): look for that spelling as well.
    spellings = terms | {json.dumps(term)[1:-1] for term in terms}
    columns = (AuditEntry.summary, AuditEntry.actor_email, cast(AuditEntry.before, String),
               cast(AuditEntry.after, String))
    entries = db.session.execute(select(AuditEntry).where(or_(
        AuditEntry.actor_id == user_id,
        *(column.ilike(f"%{term}%") for column in columns for term in spellings),
    ))).scalars().all()
    for entry in entries:
        entry.summary = replace_mentions(entry.summary, terms, label)[:300]
        entry.actor_email = label if entry.actor_id == user_id else replace_mentions(entry.actor_email, terms, label)
        entry.before = replace_mentions(entry.before, terms, label)
        entry.after = replace_mentions(entry.after, terms, label)
    db.session.execute(update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor_id=None))
    db.session.flush()


_EMAIL_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def audited_identities(user_id: int) -> set[str]:
    """Addresses and names the log recorded for a user account (say, before a change of name or address).

    Entries about the account name it in their summary ("Updated old@example.org") and their
    before/after values.
    """
    found = set()
    for summary, before, after in db.session.execute(
            select(AuditEntry.summary, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.target_type == "User", AuditEntry.target_id == user_id)):
        found.update(_EMAIL_ADDRESS.findall(summary or ""))
        for values in (before, after):
            if isinstance(values, dict):
                found.update(str(value) for key, value in values.items()
                             if value and key in {"email", "name", "new_email", "old_email"})
    return found


ERASE_BATCH = 500


def erase_old_audit_details(now: datetime | None = None) -> int:
    """Blank the summary, actor's address and before/after values of entries older than
    AUDIT_DETAILS_RETENTION_DAYS, keeping the action, time, record and actor id so the log still reads.
    Commits each batch; running it twice erases nothing more. Returns how many entries were blanked."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["AUDIT_DETAILS_RETENTION_DAYS"])
    erased = 0
    while True:
        ids = db.session.execute(select(AuditEntry.id).where(AuditEntry.at < cutoff,
                                                             AuditEntry.details_erased_at.is_(None))
                                 .order_by(AuditEntry.id).limit(ERASE_BATCH)).scalars().all()
        if not ids:
            return erased
        db.session.execute(update(AuditEntry).where(AuditEntry.id.in_(ids))
                           .values(summary="", actor_email="", before=null(), after=null(), details_erased_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        erased += len(ids)
