"""What a new password must be: 12 characters or more, and not one of the 30,000 most common passwords (the
list zxcvbn ships, from leaked-password frequency data; compared without regard to case)."""

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from ep_events.core.errors import DomainError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1000  # hashing a megabyte on every sign-in attempt would be an easy way to load the site


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password_strength(password: str, field: str = "password") -> None:
    """DomainError, fit to show beside the box, when the password is too short, too long or too common."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Password must be {MIN_PASSWORD_LENGTH} characters or more", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(f"Password must be {MAX_PASSWORD_LENGTH:,} characters or fewer", field=field)
    if password.lower() in _common_passwords():
        raise DomainError("This password is one of the most common: choose one that is harder to guess",
                          field=field)
