"""Personal calendar feeds: a secret address per person serving their confirmed bookings."""

import secrets

from sqlalchemy import select

from ep_events.accounts.models import User
from ep_events.extensions import db
from ep_events.notifications.calendar import build_feed


def regenerate_feed_token(user: User) -> str:
    """Give the person a new secret feed address; the old one stops working at once."""
    user.feed_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.feed_token


def user_for_feed_token(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(select(User).where(User.feed_token == token)).scalar_one_or_none()


def personal_feed(user: User) -> str:
    """The person's confirmed bookings, with the same UIDs as their invites, so calendars merge them."""
    from ep_events.surgeries.emails import calendar_event
    from ep_events.surgeries.bookings import feed_bookings

    events = [calendar_event(booking) for booking in feed_bookings(user)]
    return build_feed(events, f"EP Events – {user.name}")
