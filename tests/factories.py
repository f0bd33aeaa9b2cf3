"""Factories for test objects: each returns a flushed object with sensible defaults."""

import itertools
from datetime import date, timedelta

from werkzeug.security import generate_password_hash

from ep_events.accounts.models import Grant, Role, User
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.organisations.models import Organisation, OrganisationKind
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.surgeries.dates import create_surgery_date
from ep_events.surgeries.models import SessionKind, SurgeryDateStatus

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)
_HASH = generate_password_hash(PASSWORD)


def organisation(**kw) -> Organisation:
    n = next(_counter)
    obj = Organisation(name=kw.pop("name", f"Test Agency {n}"),
                       kind=kw.pop("kind", OrganisationKind.REGIONAL_ADOPTION_AGENCY),
                       region=kw.pop("region", "West Midlands"), **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def programme(**kw) -> Programme:
    n = next(_counter)
    obj = Programme(name=kw.pop("name", f"Test Programme {n}"), slug=kw.pop("slug", f"test-programme-{n}"),
                    kind=kw.pop("kind", "practice_surgeries"),
                    contact_email=kw.pop("contact_email", f"programme{n}@example.org"),
                    description=kw.pop("description", "A test programme"),
                    status=kw.pop("status", ProgrammeStatus.PUBLISHED), **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def user(roles=(), confirmed=True, **kw) -> User:
    """A user; roles is a list of (Role, programme_or_organisation_or_None)."""
    n = next(_counter)
    obj = User(email=kw.pop("email", f"person{n}@example.org"), name=kw.pop("name", f"Person {n}"),
               job_title=kw.pop("job_title", "Social worker"), password_hash=kw.pop("password_hash", _HASH),
               confirmed_at=utcnow() if confirmed else None, **kw)
    db.session.add(obj)
    db.session.flush()
    for role, scope in roles:
        grant = Grant(user=obj, role=role)
        if role.scope == "programme":
            grant.programme = scope
        elif role.scope == "organisation":
            grant.organisation = scope
        db.session.add(grant)
    db.session.flush()
    return obj


def admin(**kw) -> User:
    return user(roles=[(Role.ADMIN, None)], **kw)


def surgery_programme(**kw) -> Programme:
    return programme(kind="practice_surgeries", **kw)


def surgery_date(programme_, days_ahead: int = 10, session=None, publish: bool = True, teams_url: str = "",
                 day=None, now=None):
    """A surgery date (AM by default) with its generated slots, published unless asked not to."""

    now = now or utcnow()
    day = day or (now + timedelta(days=days_ahead)).date()
    # Tests pick days by distance from today, so any day may fall on a weekend: no confirmation needed here.
    surgery_date_ = create_surgery_date(None, programme_, day, session or SessionKind.AM, now=now,
                                        allow_non_working_day=True)
    if publish:
        surgery_date_.status = SurgeryDateStatus.PUBLISHED
    surgery_date_.teams_url = teams_url
    db.session.flush()
    return surgery_date_


TEAMS_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc123%40thread.v2/0?context=%7b%7d"


def working_day(days_ahead: int) -> date:
    """A weekday at least this many days ahead (weekend surgery dates need a facilitator's confirmation)."""
    day = (utcnow() + timedelta(days=days_ahead)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
