"""CPD emails: one function per kind, each queued in the outbox. They carry no reflection text."""

from ep_events.core.urls import external_url
from ep_events.notifications.outbox import queue_email


def _profile_url() -> str:
    return external_url("accounts.profile")


def send_draft_waiting(user, record) -> None:
    """After an event they attended: a draft reflection waits for them (one email per draft)."""
    queue_email(user.email, "cpd/draft_waiting", recipient_name=user.name, title=record.title,
                programme_name=record.programme_name,
                date=f"{record.activity_date.day} {record.activity_date:%B %Y}" if record.activity_date else "",
                record_url=external_url("cpd.edit_record", record_id=record.id), profile_url=_profile_url())


def send_nudge(user, year, progress, round_: str) -> None:
    """A renewal reminder: how far they are with this registration year's CPD, and the link to the log."""
    queue_email(user.email, "cpd/nudge", recipient_name=user.name, year=year, progress=progress,
                round=round_, closes=f"30 November {year.ends_in}",
                log_url=external_url("cpd.log", year=str(year.ends_in)), profile_url=_profile_url())
