"""Bespoke-training enquiries: anyone sends one, the organisers are emailed and read it, the sender is
acknowledged; bad input saves nothing; the form is rate-limited; only the programme's organisers see them."""

import re
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.extensions import db
from ep_events.network_days.models import TrainingEnquiry
from ep_events.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in
from tests.html_validator import PageFolder

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
FORM_URL = "/network-days/coram-network/enquiry"
LIST_URL = "/network-days/coram-network/manage/enquiries"
TRAINING = "Two half-day sessions on early permanence for our fostering panel and assessing social workers."
AUDIENCE = "8 panel members and 14 social workers"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _enquiry(**changes) -> dict:
    values = {"organisation_name": "Westmere Borough Council", "contact_name": "Dana Doyle",
              "email": "dana.doyle@example.org", "phone": "020 7946 0000", "training": TRAINING,
              "audience": AUDIENCE, "preferred_dates": "A weekday in May 2027"}
    return values | changes


def _count() -> int:
    return db.session.execute(select(func.count(TrainingEnquiry.id))).scalar_one()


def _outbox_count() -> int:
    return db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


# --- Sending an enquiry --------------------------------------------------------------------------

def test_the_public_network_days_page_links_to_the_enquiry_form(client, world):
    page = client.get("/network-days/coram-network").get_data(as_text=True)
    assert f'href="{FORM_URL}"' in page and "Ask about bespoke training" in page
    form = client.get(FORM_URL)
    assert form.status_code == 200
    body = text_of(form.get_data(as_text=True))
    assert "Ask about bespoke training" in body
    assert "Do not include names or details of children or families" in body


def test_anyone_can_send_an_enquiry_which_is_stored_and_emailed_to_the_organisers_and_acknowledged(
        client, world, deliver):
    response = client.post(FORM_URL, data=_enquiry())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/network-days/coram-network/enquiry/sent")
    sent = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enquiry sent" in sent and "Coram EP Network Days" in sent

    enquiry = db.session.execute(select(TrainingEnquiry)).scalar_one()
    assert (enquiry.organisation_name, enquiry.contact_email, enquiry.training, enquiry.audience) == (
        "Westmere Borough Council", "dana.doyle@example.org", TRAINING, AUDIENCE)
    assert enquiry.created_at == NOW and enquiry.answered_at is None

    messages = deliver()
    [to_organiser] = [m for m in messages if m.recipients == ["ep-network@example.org"]]
    [acknowledgement] = [m for m in messages if m.recipients == ["dana.doyle@example.org"]]
    assert len(messages) == 2
    assert to_organiser.subject == f"Bespoke training enquiry TE-{enquiry.id} from Westmere Borough Council"
    for expected in ("Dana Doyle", "dana.doyle@example.org", "020 7946 0000", TRAINING, AUDIENCE,
                     "A weekday in May 2027", f"http://localhost/network-days/manage/enquiries/{enquiry.id}"):
        assert expected in to_organiser.text, expected
    assert acknowledgement.subject == f"We have your bespoke training enquiry (TE-{enquiry.id})"
    assert "Dear Dana Doyle" in acknowledgement.text and "Westmere Borough Council" in acknowledgement.text
    # The acknowledgement does not repeat what they wrote about the training or the people it is for.
    assert TRAINING not in acknowledgement.text and AUDIENCE not in acknowledgement.text
    assert TRAINING not in acknowledgement.html


def test_the_organiser_sees_the_enquiry_and_marks_it_answered(client, world):
    client.post(FORM_URL, data=_enquiry())
    client.post(FORM_URL, data=_enquiry(organisation_name="Eastholm Adoption Agency",
                                        email="sam@example.org"))
    older, newer = db.session.execute(select(TrainingEnquiry).order_by(TrainingEnquiry.id)).scalars().all()
    sign_in(client, world.organiser)

    manage = client.get("/network-days/coram-network/manage").get_data(as_text=True)
    assert f'href="{LIST_URL}"' in manage
    listing = client.get(LIST_URL).get_data(as_text=True)
    assert listing.index("Eastholm Adoption Agency") < listing.index("Westmere Borough Council")  # newest first

    page = client.get(f"/network-days/manage/enquiries/{older.id}")
    body = text_of(page.get_data(as_text=True))
    assert page.status_code == 200
    assert TRAINING in body and AUDIENCE in body and "Not answered yet" in body

    response = client.post(f"/network-days/manage/enquiries/{older.id}/answered", follow_redirects=True)
    body = text_of(response.get_data(as_text=True))
    assert f"Enquiry TE-{older.id} from Westmere Borough Council is marked as answered." in body
    assert f"Answered on Monday 1 March 2027 by {world.organiser.name}" in body and "Mark as answered" not in body
    db.session.refresh(older)
    assert older.answered_at == NOW and older.answered_by_id == world.organiser.id

    unanswered = text_of(client.get(LIST_URL).get_data(as_text=True))
    assert "Eastholm Adoption Agency" in unanswered and "Westmere Borough Council" not in unanswered
    everything = client.get(LIST_URL + "?show=all").get_data(as_text=True)
    # Not answered first, then newest first.
    assert everything.index("Eastholm Adoption Agency") < everything.index("Westmere Borough Council")
    assert newer.answered_at is None


def test_marking_an_enquiry_answered_twice_keeps_the_first_answer(client, world):
    client.post(FORM_URL, data=_enquiry())
    enquiry = db.session.execute(select(TrainingEnquiry)).scalar_one()
    other_organiser = factories.user(email="organiser-two@example.org", roles=[(Role.ORGANISER, world.programme)])
    db.session.commit()
    sign_in(client, world.organiser)
    client.post(f"/network-days/manage/enquiries/{enquiry.id}/answered")
    client.post("/sign-out")
    sign_in(client, other_organiser)
    again = client.post(f"/network-days/manage/enquiries/{enquiry.id}/answered", follow_redirects=True)
    assert "This enquiry was already marked as answered." in again.get_data(as_text=True)
    db.session.refresh(enquiry)
    assert enquiry.answered_by_id == world.organiser.id


# --- Bad input saves nothing -----------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    ({"email": "not-an-email"}, "Enter an email address in the correct format, like name@example.org"),
    ({"email": "dana@example.org\nBcc: x@example.org"}, "Your email address must not contain control characters"),
    ({"training": "x" * 100_000}, "What training you would like must be 5,000 characters or fewer"),
    ({"audience": "y" * 2001}, "Who the training is for must be 2,000 characters or fewer"),
    ({"organisation_name": "z" * 201}, "The name of your organisation must be 200 characters or fewer"),
    ({"preferred_dates": "d" * 501}, "Your preferred dates must be 500 characters or fewer"),
    ({"contact_name": "Dana\x1bDoyle"}, "Your name must not contain control characters"),
    ({"training": "Bell\x07"}, "What training you would like must not contain control characters"),
    ({"phone": "call me maybe"}, "Enter a telephone number, like 020 7946 0000 or +44 20 7946 0000"),
    ({"organisation_name": "", "training": " "}, "Enter the name of your organisation"),
], ids=["bad-email", "header-injection", "100000-chars", "long-audience", "long-organisation", "long-dates",
        "escape", "bell", "bad-phone", "empty"])
def test_a_bad_enquiry_shows_the_error_summary_and_saves_and_sends_nothing(client, world, mailbox, deliver,
                                                                            changes, message):
    response = client.post(FORM_URL, data=_enquiry(**changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body and message in text_of(body)
    assert _count() == 0 and _outbox_count() == 0
    assert deliver() == []


def test_every_missing_answer_is_listed_at_once(client, world):
    response = client.post(FORM_URL, data={})
    body = text_of(response.get_data(as_text=True))
    assert response.status_code == 400
    for message in ("Enter the name of your organisation", "Enter your name", "Enter your email address",
                    "Enter what training you would like", "Enter who the training is for"):
        assert message in body
    assert _count() == 0


def test_a_nul_byte_is_a_friendly_bad_request_and_saves_nothing(client, world):
    response = client.post(FORM_URL, data=_enquiry(training="Hello\x00there"))
    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in response.get_data(as_text=True)
    assert _count() == 0 and _outbox_count() == 0


# --- Rate limits ---------------------------------------------------------------------------------

def _assert_too_many(response):
    body = text_of(response.get_data(as_text=True))
    assert response.status_code == 429
    assert "Too many attempts" in body and "Wait 1 hour, then try again." in body


def test_one_address_can_send_three_enquiries_an_hour_then_gets_a_friendly_page(client, world):
    for n in range(3):
        response = client.post(FORM_URL, data=_enquiry(), environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"})
        assert response.status_code == 302
    _assert_too_many(client.post(FORM_URL, data=_enquiry(email="Dana.Doyle@example.org"),
                                 environ_base={"REMOTE_ADDR": "198.51.100.9"}))
    assert _count() == 3 and _outbox_count() == 6


def test_one_ip_address_can_send_five_enquiries_an_hour_then_gets_a_friendly_page(client, world):
    for n in range(5):
        assert client.post(FORM_URL, data=_enquiry(email=f"person{n}@example.org")).status_code == 302
    _assert_too_many(client.post(FORM_URL, data=_enquiry(email="person9@example.org")))
    assert _count() == 5


def test_enquiries_with_mistakes_do_not_use_up_the_budget(client, world):
    for _ in range(6):
        assert client.post(FORM_URL, data=_enquiry(email="not-an-email")).status_code == 400
    assert client.post(FORM_URL, data=_enquiry()).status_code == 302
    assert _count() == 1


def test_the_budget_is_per_hour(client, world):
    for _ in range(3):
        client.post(FORM_URL, data=_enquiry())
    _assert_too_many(client.post(FORM_URL, data=_enquiry()))
    with freeze_time(datetime(2027, 3, 1, 10, 1, tzinfo=UTC)):
        assert client.post(FORM_URL, data=_enquiry()).status_code == 302
    assert _count() == 4


# --- Who may read enquiries --------------------------------------------------------------------------

def test_only_the_programmes_organisers_and_admins_can_read_enquiries(client, world):
    client.post(FORM_URL, data=_enquiry())
    enquiry = db.session.execute(select(TrainingEnquiry)).scalar_one()
    other_programme = factories.programme(kind="network_days", slug="other-network")
    other_organiser = factories.user(email="other-organiser@example.org",
                                     roles=[(Role.ORGANISER, other_programme)])
    site_admin = factories.admin(email="site-admin@example.org")
    db.session.commit()
    urls = (LIST_URL, f"/network-days/manage/enquiries/{enquiry.id}")

    for url in urls:  # anonymous visitors are sent to sign in
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    response = client.post(f"/network-days/manage/enquiries/{enquiry.id}/answered")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]

    for person in (world.alice, world.admin, other_organiser):  # practitioner, agency admin, other organiser
        sign_in(client, person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403, (person.email, url)
            assert TRAINING not in response.get_data(as_text=True)
        assert client.post(f"/network-days/manage/enquiries/{enquiry.id}/answered").status_code == 403
        client.post("/sign-out")
    db.session.refresh(enquiry)
    assert enquiry.answered_at is None

    sign_in(client, site_admin)
    assert TRAINING in client.get(urls[1]).get_data(as_text=True)
    assert "Westmere Borough Council" in client.get(LIST_URL).get_data(as_text=True)


def test_an_enquiry_that_does_not_exist_is_not_found(client, world):
    sign_in(client, world.organiser)
    assert client.get("/network-days/manage/enquiries/999").status_code == 404
    assert client.get(f"/network-days/manage/enquiries/{2**63}").status_code == 404


def test_a_draft_programme_takes_no_enquiries_from_the_public(client, world):
    draft = factories.programme(kind="network_days", slug="draft-network", status=factories.ProgrammeStatus.DRAFT)
    db.session.commit()
    assert client.get("/network-days/draft-network/enquiry").status_code == 404
    assert client.post("/network-days/draft-network/enquiry", data=_enquiry()).status_code == 404
    assert _count() == 0 and draft.id


def test_the_enquiry_pages_are_valid_html(client, world, tmp_path):
    pages = PageFolder(tmp_path / "pages")
    pages.save("form", client.get(FORM_URL).get_data())
    pages.save("form with errors", client.post(FORM_URL, data=_enquiry(email="x", training="")).get_data())
    sent = client.post(FORM_URL, data=_enquiry(training="Line one\nLine two"), follow_redirects=True)
    pages.save("sent", sent.get_data())
    enquiry = db.session.execute(select(TrainingEnquiry)).scalar_one()
    sign_in(client, world.organiser)
    pages.save("list", client.get(LIST_URL).get_data())
    pages.save("empty list", client.get(LIST_URL + "?show=unanswered&page=99").get_data())
    pages.save("enquiry", client.get(f"/network-days/manage/enquiries/{enquiry.id}").get_data())
    answered = client.post(f"/network-days/manage/enquiries/{enquiry.id}/answered", follow_redirects=True)
    pages.save("answered", answered.get_data())
    pages.save("all", client.get(LIST_URL + "?show=all").get_data())
    assert pages.errors() == []


# --- How long enquiries are kept -----------------------------------------------------------------

def test_enquiries_are_deleted_a_year_after_their_answer_or_two_years_after_they_arrive(app, client, world):
    client.post(FORM_URL, data=_enquiry())  # answered now
    client.post(FORM_URL, data=_enquiry(email="sam@example.org"))  # never answered
    answered, waiting = db.session.execute(select(TrainingEnquiry).order_by(TrainingEnquiry.id)).scalars().all()
    sign_in(client, world.organiser)
    client.post(f"/network-days/manage/enquiries/{answered.id}/answered")
    assert app.config["ENQUIRY_RETENTION_DAYS"] == 365

    def purge(at: datetime) -> str:
        with freeze_time(at):
            return app.test_cli_runner().invoke(args=["purge-expired"]).output

    assert "training enquiries erased: 0" in purge(datetime(2028, 2, 29, 9, 0, tzinfo=UTC))  # 365 days, not more
    assert _count() == 2
    assert "training enquiries erased: 1" in purge(datetime(2028, 3, 1, 9, 0, tzinfo=UTC))
    db.session.expire_all()
    assert db.session.execute(select(TrainingEnquiry.id)).scalars().all() == [waiting.id]
    assert "training enquiries erased: 0" in purge(datetime(2029, 2, 27, 9, 0, tzinfo=UTC))  # twice: nothing twice
    assert "training enquiries erased: 1" in purge(datetime(2029, 3, 1, 9, 0, tzinfo=UTC))
    assert _count() == 0


def test_the_privacy_page_says_how_long_enquiries_are_kept(client):
    page = text_of(client.get("/privacy").get_data(as_text=True))
    assert "An enquiry about bespoke training 365 days after the organisers answer it (730 days" in page
