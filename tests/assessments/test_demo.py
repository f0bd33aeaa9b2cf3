"""The demo agency has one completed self-assessment (shared) and one in progress with a mix of ratings and
actions, upcoming demo events address some of its red sub-standards, and the P&SD workshops programme sees the
aggregate; loading the demo twice adds nothing."""

from sqlalchemy import select

from ep_events.accounts.models import User
from ep_events.assessments.aggregate import aggregate_ratings, may_see_aggregate
from ep_events.assessments.models import Rating, SelfAssessment
from ep_events.assessments.summary import what_to_book_next
from ep_events.core.time import utcnow
from ep_events.demo import load_demo_data
from ep_events.extensions import db
from ep_events.organisations.models import Organisation


def test_the_demo_agency_has_a_completed_and_an_in_progress_self_assessment(app):
    load_demo_data()
    load_demo_data()
    agency = db.session.execute(select(Organisation).where(Organisation.name == "Adoption Central Midlands")
                                ).scalar_one()
    done, in_progress = db.session.execute(select(SelfAssessment).where(SelfAssessment.organisation_id == agency.id)
                                           .order_by(SelfAssessment.created_at)).scalars().all()
    assert done.is_completed and done.shared and not in_progress.is_completed
    assert in_progress.copied_from_id == done.id
    ratings = {e.rating for e in done.entries}
    assert ratings == {Rating.RED, Rating.AMBER, Rating.GREEN}
    assert any(e.rating is None for e in in_progress.entries) and any(e.action for e in in_progress.entries)
    with app.test_request_context():
        suggestions = what_to_book_next(in_progress, utcnow())
    assert [s for s in suggestions if s.rating is Rating.RED and s.events]  # demo events address red ones
    assert aggregate_ratings().agencies == 1
    organiser = db.session.execute(select(User).where(User.email == "organiser@example.org")).scalar_one()
    assert may_see_aggregate(organiser)
