"""A person across every programme: releasing them before their account goes."""

from datetime import datetime

from ep_events.accounts import services as accounts
from ep_events.bookings.kinds import all_kinds
from ep_events.core.time import utcnow


def release_person(user, now: datetime | None = None) -> int:
    """Before an account goes, every programme kind releases the person: upcoming places cancelled with
    their calendar cancellations, places passed to whoever is waiting, colleagues told, waiting lists
    left. What reports keep (counts per programme and organisation) stays, without the person.
    Returns the number of places cancelled."""
    now = now or utcnow()
    return sum(kind.release_person(user, now) for kind in all_kinds())


def delete_account(user, password: str) -> None:
    """Delete the account (accounts.services.delete_account's checks and erasure), every programme
    releasing the person first."""
    accounts.delete_account(user, password, release=release_person)
