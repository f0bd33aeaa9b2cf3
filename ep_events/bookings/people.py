"""A person across every programme: releasing them before their account goes."""

from datetime import datetime

from sqlalchemy import update

from ep_events.accounts import services as accounts
from ep_events.accounts.models import User
from ep_events.bookings.kinds import all_kinds
from ep_events.bookings.models import Place
from ep_events.core.jobs import each_row_alone
from ep_events.core.time import utcnow
from ep_events.extensions import db


def release_person(user, now: datetime | None = None) -> int:
    """Before an account goes, every programme kind releases the person: upcoming places cancelled with
    their calendar cancellations, places passed to whoever is waiting, colleagues told, waiting lists
    left. What reports keep (counts per programme and organisation) stays, without the person.
    Returns the number of places cancelled."""
    now = now or utcnow()
    # First, so that nothing can be booked in another tab between the release and the deletion.
    accounts.lock_person(user)
    cancelled = sum(kind.release_person(user, now) for kind in all_kinds())
    # What the person typed when cancelling goes with them; the places themselves stay, and the
    # account's deletion leaves them without a person (place.user_id is set to NULL).
    db.session.execute(update(Place).where(Place.user_id == user.id, Place.cancel_reason != "")
                       .values(cancel_reason="").execution_options(synchronize_session="fetch"))
    db.session.flush()
    return cancelled


def delete_account(user, password: str) -> None:
    """Delete the account (accounts.services.delete_account's checks and erasure), every programme
    releasing the person first."""
    accounts.delete_account(user, password, release=release_person)


def delete_unconfirmed_accounts(now: datetime | None = None) -> int:
    """Delete accounts never confirmed within UNCONFIRMED_ACCOUNT_DAYS (see accounts.unconfirmed_accounts_due),
    each released by every programme as in deleting one's own account and committed on its own; safe to run
    twice. Returns how many went."""
    now = now or utcnow()
    deleted = 0
    for user_id in accounts.unconfirmed_accounts_due(now):
        with each_row_alone("purge-unconfirmed-accounts", f"account {user_id}"):
            user = db.session.get(User, user_id)
            if user is not None and user.confirmed_at is None:  # confirmed since the list was read: kept
                accounts.delete_unconfirmed_account(user, release=lambda person: release_person(person, now))
                deleted += 1
    return deleted
