"""Limits on what one person and one IP address can make the site send.

Every view whose successful POST queues an email (sign-up, reset and confirmation links, bookings,
cancellations, waiting lists …) is wrapped in `sends_email`: one budget per person and one per IP
address, shared by all those views, per hour and per day (settings EMAIL_LIMIT_PER_PERSON and
EMAIL_LIMIT_PER_IP). A person is the signed-in account, or for anonymous forms the address typed in,
so nobody can make the site mail an address more than a few times whoever asks.
"""

from flask import current_app, request
from flask_login import current_user

from ep_events.extensions import limiter


def person_key() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return "address:" + (request.form.get("email") or "").strip().lower()


def _sent(response) -> bool:
    """Only a request that did its work (and so queued its email) uses up the budget."""
    return response.status_code < 400


def sends_email(view):
    """Decorate a view whose successful POST queues email with the shared per-person and per-IP budgets."""
    view = limiter.shared_limit(lambda: current_app.config["EMAIL_LIMIT_PER_PERSON"], scope="email-person",
                                key_func=person_key, methods=["POST"], deduct_when=_sent)(view)
    return limiter.shared_limit(lambda: current_app.config["EMAIL_LIMIT_PER_IP"], scope="email-ip",
                                methods=["POST"], deduct_when=_sent)(view)
