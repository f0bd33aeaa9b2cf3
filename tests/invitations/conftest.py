"""A workshops programme with an invitation list, its organiser, another programme's organiser and a
practitioner; the clock frozen on a fixed winter morning."""

import re
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.extensions import db
from ep_events.invitations.models import InvitationListEntry, SuppressedAddress
from ep_events.notifications.models import OutboxMessage
from tests import factories

NOW = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
SLUG = "pds-workshops"
JOIN_URL = f"/lists/{SLUG}/join"
MANAGE_URL = f"/lists/{SLUG}/manage"


class World:
    pass


@pytest.fixture
def frozen():
    with freeze_time(NOW) as clock:
        yield clock


@pytest.fixture
def world(app, frozen):
    w = World()
    w.programme = factories.programme(kind="workshops", slug=SLUG, name="Adoption England P&SD workshops",
                                      contact_email="pds-workshops@example.org")
    w.other_programme = factories.programme(kind="practice_surgeries", slug="mtc-surgeries")
    w.organiser = factories.user(email="organiser@example.org", roles=[(Role.ORGANISER, w.programme)])
    w.other_organiser = factories.user(email="other-organiser@example.org",
                                       roles=[(Role.ORGANISER, w.other_programme)])
    w.practitioner = factories.user(email="practitioner@example.org")
    w.admin = factories.admin(email="admin@example.org")
    db.session.commit()
    return w


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def entries() -> list[InvitationListEntry]:
    db.session.expire_all()
    return list(db.session.execute(select(InvitationListEntry).order_by(InvitationListEntry.id)).scalars())


def suppressed() -> set[str]:
    return set(db.session.execute(select(SuppressedAddress.email)).scalars())


def outbox_count() -> int:
    return db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()


def link_in(message, path: str) -> str:
    """The path of the first link in an email's text that starts with `path`."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s<>\"']*)", message.text)
    assert match, message.text
    return match.group(1)
