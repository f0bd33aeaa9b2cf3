"""The scheduled job and people opening their CPD pages draft the same attended places at once: one record per
place, one email per draft, on SQLite and PostgreSQL (place_id is unique; each insert is in a savepoint)."""

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.cpd.drafts import create_cpd_drafts, draft_own_records
from ep_events.cpd.models import CpdRecord
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from tests.cpd.conftest import build_world
from tests.races import race


def _job_and_pages_at_once(app, world):
    pat_id = world.pat.id

    def page():
        draft_own_records(db.session.get(User, pat_id))

    results = race(app, [create_cpd_drafts, page, create_cpd_drafts, page, create_cpd_drafts, page])
    assert results == ["ok"] * 6, results
    db.session.expire_all()
    per_place = db.session.execute(select(CpdRecord.place_id, func.count()).group_by(CpdRecord.place_id)).all()
    assert sorted(count for _, count in per_place) == [1, 1]
    emailed = db.session.execute(select(func.count(CpdRecord.id)).where(CpdRecord.emailed_at.is_not(None))).scalar_one()
    queued = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    assert queued == emailed <= 2


def test_the_job_and_the_pages_drafting_at_once_make_one_record_per_place_on_sqlite(app, world):
    _job_and_pages_at_once(app, world)


@pytest.mark.postgres
def test_the_job_and_the_pages_drafting_at_once_make_one_record_per_place_on_postgresql(pg_app):
    _job_and_pages_at_once(pg_app, build_world())
