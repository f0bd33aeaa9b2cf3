"""Feedback after a workshop: registrants only, once it has ended, one response each, editable for 14 days."""

import csv
import io

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.extensions import db
from ep_events.workshops.after_demo import load_after_demo
from ep_events.workshops.feedback import FeedbackAnswers, save_feedback
from ep_events.workshops.models import WorkshopFeedback, WorkshopResource
from tests.conftest import sign_in
from tests.workshops.after_fixtures import AFTER, BEFORE, FEEDBACK_CLOSED, LAST_FEEDBACK_MOMENT, after_world_for


@pytest.fixture
def after_world(app, tmp_path):
    return after_world_for(app, tmp_path)

ANSWERS = {"usefulness": "4", "relevance": "5", "do_differently": "Plan family time earlier",
           "comments": "=HYPERLINK(\"https://example.org\")"}


def feedback_url(w) -> str:
    return f"/workshops/{w.workshop.id}/feedback"


def responses() -> int:
    return db.session.execute(select(func.count(WorkshopFeedback.id))).scalar_one()


def test_a_registrant_gives_feedback_once_and_changes_it_within_14_days(app, client, after_world):
    w = after_world
    with freeze_time(AFTER):
        sign_in(client, w.alice)
        page = client.get(feedback_url(w)).get_data(as_text=True)
        assert "How useful was the workshop?" in page
        assert "Do not include names or details that could identify children, families or carers" in page
        response = client.post(feedback_url(w), data=ANSWERS)
        assert response.status_code == 302
        assert "your feedback is saved" in client.get(feedback_url(w)).get_data(as_text=True)
    with freeze_time(LAST_FEEDBACK_MOMENT):
        sign_in(client, w.alice)
        page = client.get(feedback_url(w)).get_data(as_text=True)
        assert "Plan family time earlier" in page  # the form shows their answers to change
        assert client.post(feedback_url(w), data=ANSWERS | {"usefulness": "2"}).status_code == 302
    assert responses() == 1  # changed, not added
    feedback = db.session.execute(select(WorkshopFeedback)).scalar_one()
    assert (feedback.usefulness, feedback.relevance, feedback.user_id) == (2, 5, w.alice.id)


def test_after_14_days_feedback_is_read_only_and_a_change_is_refused(app, client, after_world):
    w = after_world
    save_feedback(w.alice, w.workshop, FeedbackAnswers(4, 5, "Plan earlier", ""), now=AFTER)
    db.session.commit()
    with freeze_time(FEEDBACK_CLOSED):
        sign_in(client, w.alice)
        page = client.get(feedback_url(w)).get_data(as_text=True)
        assert "Feedback closed on" in page and "These are the answers you gave" in page
        assert "Plan earlier" in page and 'name="usefulness"' not in page
        response = client.post(feedback_url(w), data=ANSWERS | {"usefulness": "1"})
        assert response.status_code == 400
        assert "Feedback closed on" in response.get_data(as_text=True)
        client.post("/sign-out")
        sign_in(client, w.bola)
        assert client.post(feedback_url(w), data=ANSWERS).status_code == 400
        assert "You did not give feedback" in client.get(feedback_url(w)).get_data(as_text=True)
    assert db.session.execute(select(WorkshopFeedback.usefulness)).scalars().all() == [4]


def test_feedback_opens_only_once_the_workshop_has_ended(app, client, after_world):
    w = after_world
    with freeze_time(BEFORE):
        sign_in(client, w.alice)
        assert "You can give feedback once the workshop has ended" in client.get(feedback_url(w)).get_data(as_text=True)
        response = client.post(feedback_url(w), data=ANSWERS)
        assert response.status_code == 400
        assert "once the workshop has ended" in response.get_data(as_text=True)
    assert responses() == 0


def test_bad_answers_show_the_error_summary_and_save_nothing(app, client, after_world):
    w = after_world
    with freeze_time(AFTER):
        sign_in(client, w.alice)
        cases = [({"usefulness": ""}, "Choose how useful the workshop was"),
                 ({"relevance": "6"}, "Choose how relevant the workshop was to your practice"),
                 ({"usefulness": "٣"}, "Choose how useful the workshop was"),
                 ({"comments": "x" * 2001}, "Anything else must be 2000 characters or fewer"),
                 ({"do_differently": "y" * 5000}, "What you will do differently must be 2000 characters or fewer")]
        for change, message in cases:
            response = client.post(feedback_url(w), data=ANSWERS | change)
            page = response.get_data(as_text=True)
            assert response.status_code == 400 and "There is a problem" in page and message in page, change
    assert responses() == 0


def test_people_not_registered_cannot_give_feedback(app, client, after_world):
    w = after_world
    with freeze_time(AFTER):
        assert client.get(feedback_url(w)).status_code == 302  # anonymous: sign in
        for person in (w.stranger, w.cancelled):
            sign_in(client, person)
            assert client.get(feedback_url(w)).status_code == 404
            assert client.post(feedback_url(w), data=ANSWERS).status_code == 404
            client.post("/sign-out")
    assert responses() == 0


def test_organisers_see_counts_averages_comments_and_a_safe_csv(app, client, after_world):
    w = after_world
    save_feedback(w.alice, w.workshop, FeedbackAnswers(4, 5, "Plan family time earlier",
                                                       '=HYPERLINK("https://example.org")'), now=AFTER)
    save_feedback(w.bola, w.workshop, FeedbackAnswers(3, 4, "", "Useful examples"), now=AFTER)
    db.session.commit()
    sign_in(client, w.organiser)
    assert client.get(feedback_url(w)).headers["Location"].endswith(f"/workshops/{w.workshop.id}/feedback/summary")
    page = client.get(f"{feedback_url(w)}/summary").get_data(as_text=True)
    assert "2 from 3 people registered" in page
    assert "3.5 out of 5" in page and "4.5 out of 5" in page
    assert "Plan family time earlier" in page and "Useful examples" in page
    response = client.get(f"/workshops/{w.workshop.id}/feedback.csv")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Workshop", "Date", "Usefulness (1-5)", "Relevance to practice (1-5)"]
    assert len(rows) == 3
    assert "'=HYPERLINK(\"https://example.org\")" in [cell for row in rows for cell in row]
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_what_people_wrote_is_for_the_programme_organisers_only(app, client, after_world):
    w = after_world
    save_feedback(w.alice, w.workshop, FeedbackAnswers(4, 5, "Plan family time earlier", ""), now=AFTER)
    db.session.commit()
    summary = f"{feedback_url(w)}/summary"
    for person in (w.facilitator, w.admin):  # the ratings, not the text
        sign_in(client, person)
        page = client.get(summary).get_data(as_text=True)
        assert "4.0 out of 5" in page and "Plan family time earlier" not in page
        assert client.get(f"/workshops/{w.workshop.id}/feedback.csv").status_code == 403
        client.post("/sign-out")
    for person in (w.bola, w.other_organiser):
        sign_in(client, person)
        assert client.get(summary).status_code == 403
        assert client.get(f"/workshops/{w.workshop.id}/feedback.csv").status_code == 403
        client.post("/sign-out")


def test_the_demo_of_a_past_workshop_has_a_link_attendance_and_feedback_once(app, after_world):
    w = after_world
    load_after_demo(w.workshop, w.organiser, w.alice)
    load_after_demo(w.workshop, w.organiser, w.alice)
    db.session.commit()
    assert db.session.execute(select(func.count(WorkshopResource.id))).scalar_one() == 1
    assert responses() == 1
    assert w.bola_place.attendance.value == "attended"
