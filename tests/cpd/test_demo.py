"""The demo practitioner's CPD: two complete reflections this year (one with a peer reflection), a draft waiting
from the surgery they attended, one record from last year; loading the demo twice adds nothing."""

from sqlalchemy import select

from ep_events.accounts.models import User
from ep_events.cpd.models import CpdRecord, RecordStatus
from ep_events.cpd.records import progress_of, records_in_year
from ep_events.cpd.years import RegistrationYear, current_year
from ep_events.demo import load_demo_data
from ep_events.extensions import db


def test_the_demo_practitioner_has_their_cpd(app):
    load_demo_data()
    load_demo_data()
    pat = db.session.execute(select(User).where(User.email == "practitioner@example.org")).scalar_one()
    records = list(db.session.execute(select(CpdRecord).where(CpdRecord.user_id == pat.id)).scalars())
    year = current_year()
    this_year = records_in_year(pat, year)
    progress = progress_of(this_year)
    assert progress.complete >= 2 and progress.with_peer_reflection >= 1 and progress.ready
    surgery_drafts = [r for r in records if r.status is RecordStatus.DRAFT and r.cpd_type == "Peer learning session"]
    assert len(surgery_drafts) == 1
    assert records_in_year(pat, RegistrationYear(year.ends_in - 1))
    assert len(records) == len({r.id for r in records}) and len(records) <= 6
