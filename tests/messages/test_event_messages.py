"""Message everyone booked on an event: the same pages for a surgery date and a Network Day."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.bookings.models import PlaceStatus
from ep_events.core.audit import AuditEntry
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.network_days.models import NetworkPlace, PlaceType
from ep_events.notifications.mailings import queue_all
from ep_events.notifications.models import Mailing, MailingKind
from ep_events.notifications.outbox import deliver_all
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import THEME_LABELS
from ep_events.workshops.models import WorkshopRegistration
from tests import factories
from tests.conftest import sign_in
from tests.network_days.conftest import build_world, network_day
from tests.workshops.conftest import build_world as build_workshops_world
from tests.workshops.conftest import workshop


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)


def _compose(client, url, subject="Change of plan", body="The session starts at 10:15 instead.\n\nThanks."):
    page = client.get(url)
    assert page.status_code == 200
    return {"subject": subject, "body": body, "idempotency_key": _key(page.get_data(as_text=True))}


def _forget_earlier_emails(mailbox):
    """The booking and cancellation emails of the setup are not what these tests read."""
    deliver_all("setup")
    mailbox.clear()


@pytest.fixture
def surgery(app, mailbox):
    programme = factories.surgery_programme(name="MTC practice surgeries")
    facilitator = factories.user(name="Fay Facilitator", email="fay@example.org",
                                 roles=[(Role.FACILITATOR, programme)])
    surgery_date = factories.surgery_date(programme, days_ahead=12, teams_url=factories.TEAMS_URL)
    people = [factories.user(email=f"booker{i}@example.org", name=f"Booker {i}") for i in range(3)]
    theme = next(iter(THEME_LABELS))
    bookings = [book_slot(slot, person, theme)[0] for slot, person in zip(surgery_date.slots, people, strict=False)]
    cancel_booking(bookings[2], people[2], "Cannot come")
    db.session.commit()
    _forget_earlier_emails(mailbox)
    return programme, facilitator, surgery_date, people


def test_a_facilitator_messages_everyone_booked_on_a_surgery_date_but_not_those_who_cancelled(surgery, client,
                                                                                              mailbox):
    programme, facilitator, surgery_date, people = surgery
    sign_in(client, facilitator)
    date_page = client.get(f"/surgeries/manage/dates/{surgery_date.id}").get_data(as_text=True)
    assert f"/events/{surgery_date.id}/message" in date_page
    url = f"/events/{surgery_date.id}/message"
    form = _compose(client, url)
    assert "2 people now" in client.get(url).get_data(as_text=True)
    preview = client.post(url, data=form).get_data(as_text=True)
    assert "Send to 2 people" in preview and "The session starts at 10:15 instead." in preview
    response = client.post(f"{url}/send", data=form)
    assert response.status_code == 302
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The message is being sent to 2 people." in progress
    queue_all()
    deliver_all("test")
    assert sorted(m.recipients[0] for m in mailbox.messages) == ["booker0@example.org", "booker1@example.org"]
    assert {m.subject for m in mailbox.messages} == {"Change of plan"}
    mailing = db.session.execute(select(Mailing)).scalar_one()
    assert (mailing.kind, mailing.recipients_total, mailing.event_id) == (MailingKind.EVENT_MESSAGE, 2,
                                                                         surgery_date.id)
    audit = db.session.execute(select(AuditEntry).where(AuditEntry.action == "mailing.started")).scalar_one()
    assert audit.actor_email == "fay@example.org" and "to 2 people" in audit.summary
    finished = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Finished" in finished and 'http-equiv="refresh"' not in finished


def test_a_double_submit_sends_one_message(surgery, client, mailbox):
    programme, facilitator, surgery_date, people = surgery
    sign_in(client, facilitator)
    url = f"/events/{surgery_date.id}/message"
    form = _compose(client, url)
    first = client.post(f"{url}/send", data=form)
    second = client.post(f"{url}/send", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 1
    queue_all()
    deliver_all("test")
    assert len(mailbox.messages) == 2


def test_a_test_message_goes_only_to_the_sender_and_is_not_counted(surgery, client, mailbox):
    programme, facilitator, surgery_date, people = surgery
    sign_in(client, facilitator)
    url = f"/events/{surgery_date.id}/message"
    page = client.post(f"{url}/test", data=_compose(client, url)).get_data(as_text=True)
    assert "A test was sent to fay@example.org" in page
    deliver_all("test")
    [message] = mailbox.messages
    assert message.recipients == ["fay@example.org"] and message.subject == "Test: Change of plan"
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 0


def test_an_organiser_messages_everyone_with_a_place_on_a_network_day(app, client, mailbox):
    world = build_world()
    day = network_day(world, now=utcnow(), day=utcnow().date().replace(year=utcnow().year + 1))
    for person, status in ((world.alice, PlaceStatus.CONFIRMED), (world.bola, PlaceStatus.CONFIRMED),
                           (world.chen, PlaceStatus.CANCELLED)):
        db.session.add(NetworkPlace(event=day, user=person, agency_id=person.organisation_id,
                                    place_type=PlaceType.EXTRA, status=status, starts_at=day.starts_at,
                                    ends_at=day.ends_at))
    db.session.commit()
    _forget_earlier_emails(mailbox)
    sign_in(client, world.organiser)
    assert f"/events/{day.id}/message" in client.get(f"/network-days/manage/days/{day.id}/places").get_data(
        as_text=True)
    url = f"/events/{day.id}/message"
    response = client.post(f"{url}/send", data=_compose(client, url))
    assert response.status_code == 302
    queue_all()
    deliver_all("test")
    assert sorted(m.recipients[0] for m in mailbox.messages) == ["alice@example.org", "bola@example.org"]


@pytest.mark.parametrize("who", ["practitioner", "other facilitator", "anonymous"])
def test_only_the_programmes_organisers_and_facilitators_may_message(surgery, client, who):
    programme, facilitator, surgery_date, people = surgery
    url = f"/events/{surgery_date.id}/message"
    if who == "anonymous":
        assert client.get(url).status_code == 302
        assert client.post(f"{url}/send", data={}).status_code == 302
        return
    other = factories.surgery_programme()
    user = people[0] if who == "practitioner" else factories.user(roles=[(Role.FACILITATOR, other)])
    db.session.commit()
    sign_in(client, user)
    assert client.get(url).status_code == 403
    assert client.post(f"{url}/send", data={"subject": "x", "body": "y", "idempotency_key": "k" * 32}
                       ).status_code == 403
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 0


def test_bad_input_shows_the_error_summary_and_sends_nothing(surgery, client):
    programme, facilitator, surgery_date, people = surgery
    sign_in(client, facilitator)
    url = f"/events/{surgery_date.id}/message"
    form = _compose(client, url)
    for changes, message in (({"subject": "Hello\r\nBcc: someone@example.org"}, "The subject must be one line"),
                             ({"body": "a" * 1024 * 1024}, "The message must be 50,000 characters or fewer"),
                             ({"subject": ""}, "Enter a subject"),
                             ({"idempotency_key": "short"}, "This form has expired")):
        response = client.post(f"{url}/send", data=form | changes)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "There is a problem" in page and message in page
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 0


def test_another_events_message_is_not_found(surgery, client):
    programme, facilitator, surgery_date, people = surgery
    sign_in(client, facilitator)
    url = f"/events/{surgery_date.id}/message"
    response = client.post(f"{url}/send", data=_compose(client, url))
    mailing_id = response.headers["Location"].rsplit("/", 1)[-1]
    other_date = factories.surgery_date(programme, days_ahead=20)
    db.session.commit()
    assert client.get(f"/events/{other_date.id}/messages/{mailing_id}").status_code == 404
    assert client.get(f"/events/{surgery_date.id}/messages/{2**31 - 1}").status_code == 404


def test_a_one_megabyte_message_gets_the_forms_message_with_csrf_checks_on(surgery, app, client):
    """The CSRF check reads the form before the view: the larger form limit must already apply to it."""
    programme, facilitator, surgery_date, people = surgery
    app.config["WTF_CSRF_ENABLED"] = True
    html = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert client.post("/sign-in", data={"email": facilitator.email, "password": factories.PASSWORD,
                                         "csrf_token": token}).status_code == 302
    url = f"/events/{surgery_date.id}/message"
    page = client.get(url).get_data(as_text=True)
    form = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
            "idempotency_key": _key(page), "subject": "Hello", "body": "a" * 1024 * 1024}
    response = client.post(f"{url}/send", data=form)
    assert response.status_code == 400
    assert "The message must be 50,000 characters or fewer" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 0


def test_a_workshop_organiser_messages_everyone_registered_from_the_workshops_page(app, client, mailbox):
    world = build_workshops_world()
    made = workshop(world, now=utcnow(), day=(utcnow() + timedelta(days=30)).date(), capacity=5)
    for person in (world.alice, world.bola):
        db.session.add(WorkshopRegistration(event=made, user=person, starts_at=made.starts_at, ends_at=made.ends_at))
    db.session.commit()
    _forget_earlier_emails(mailbox)
    sign_in(client, world.facilitator)
    assert f"/events/{made.id}/message" in client.get(f"/workshops/manage/{made.id}").get_data(as_text=True)
    url = f"/events/{made.id}/message"
    assert client.post(f"{url}/send", data=_compose(client, url)).status_code == 302
    queue_all()
    deliver_all("test")
    assert sorted(m.recipients[0] for m in mailbox.messages) == ["alice@example.org", "bola@example.org"]
