"""Two workers queuing one mailing at once, and two submissions of one compose form at once: on SQLite and on
PostgreSQL, each recipient is queued once, the minute's budget holds, and one mailing is started."""

import secrets
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from ep_events.extensions import db
from ep_events.notifications.mailings import Recipient, queue_next_batch, start_mailing
from ep_events.notifications.models import Mailing, MailingKind, MailingRecipient, OutboxMessage
from tests import factories
from tests.races import race

NOW = datetime(2027, 3, 10, 9, 0, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_app(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def _mailing(count: int) -> int:
    programme = factories.programme(kind="workshops")
    organiser = factories.user()
    mailing = start_mailing(organiser, MailingKind.ANNOUNCEMENT, programme, None, "Hope boxes", "Join us.",
                            [Recipient(f"subscriber{i}@example.org") for i in range(count)],
                            secrets.token_urlsafe(24))
    db.session.commit()
    return mailing.id


def test_workers_queuing_at_once_queue_each_recipient_once_within_the_minutes_budget(any_app):
    _mailing(300)
    results = race(any_app, [lambda: queue_next_batch(NOW, per_minute=200) for _ in range(4)])
    assert results == ["ok"] * 4
    db.session.expire_all()
    queued = Counter(db.session.execute(select(OutboxMessage.recipient)).scalars())
    assert sum(queued.values()) == 200 and set(queued.values()) == {1}
    assert db.session.execute(select(func.count(MailingRecipient.id)).where(
        MailingRecipient.queued_at.is_not(None))).scalar_one() == 200
    # The next minute the rest go, once.
    results = race(any_app, [lambda: queue_next_batch(NOW.replace(minute=1), per_minute=200) for _ in range(4)])
    assert results == ["ok"] * 4
    queued = Counter(db.session.execute(select(OutboxMessage.recipient)).scalars())
    assert len(queued) == 300 and set(queued.values()) == {1}


def test_two_submissions_of_one_form_at_once_start_one_mailing(any_app):
    programme = factories.programme(kind="workshops")
    organiser = factories.user()
    db.session.commit()
    programme_id, organiser_id, key = programme.id, organiser.id, secrets.token_urlsafe(24)
    started = []

    def submit():
        from_db = db.session.get(type(programme), programme_id), db.session.get(type(organiser), organiser_id)
        mailing = start_mailing(from_db[1], MailingKind.ANNOUNCEMENT, from_db[0], None, "Hope boxes", "Join us.",
                                [Recipient(f"subscriber{i}@example.org") for i in range(50)], key)
        started.append(mailing.id)

    results = race(any_app, [submit, submit])
    assert results == ["ok", "ok"]
    assert len(set(started)) == 1
    db.session.expire_all()
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 1
    assert db.session.execute(select(func.count(MailingRecipient.id))).scalar_one() == 50
