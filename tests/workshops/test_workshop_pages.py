"""The workshop pages: the public list, a workshop's page with Register / Join the waiting list / Cancel my
place, the person's registration with its calendar file, the offer page, and the organisers' pages."""

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from ep_events.bookings.models import EventStatus, PlaceStatus, WaitlistStatus
from ep_events.core.time import utcnow
from ep_events.demo import load_demo_data
from ep_events.extensions import db
from ep_events.workshops.models import Workshop, WorkshopRegistration, WorkshopWaitlistEntry
from ep_events.workshops.registrations import register
from ep_events.workshops.waitlist import join_waitlist, offer_freed_places
from ep_events.workshops.workshops import cancel_workshop, create_workshop, publish_workshop
from tests import factories
from tests.conftest import sign_in
from tests.crawl import sign_in_demo_user
from tests.html_validator import PageFolder
from tests.workshops.conftest import TEAMS_URL, details

# The pages run on the real clock: the workshops here are set well ahead of it.


def _upcoming(world, publish=True, days=30, **changes):
    day = (utcnow() + timedelta(days=days)).date()
    made = create_workshop(world.organiser, world.programme, details(day=day, **changes))
    if publish:
        publish_workshop(world.organiser, made)
    db.session.commit()
    return made


def _page(made):
    return f"/workshops/pds-workshops/{made.id}"


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_the_public_list_shows_title_date_uk_time_topic_audience_standards_and_places_left(client, world):
    made = _upcoming(world, capacity=5)
    _upcoming(world, publish=False, title="A draft nobody sees")
    register(made, world.alice)
    db.session.commit()
    response = client.get("/workshops/pds-workshops")
    assert response.status_code == 200
    text = _text(response)
    assert "Managing family time in EP" in text and "A draft nobody sees" not in text
    assert "10:00am to 11:30am (UK time)" in text
    assert "Family time" in text and "Social workers and managers" in text
    assert ("S3: Preparing and enabling early permanence carers to undertake the caring duties involved in early "
            "permanence; S5: The engagement of family members important to the child") in text
    assert "4 of 5" in text


def test_an_unknown_programme_or_workshop_or_another_kind_is_not_found(client, world):
    made = _upcoming(world)
    assert client.get("/workshops/no-such-programme").status_code == 404
    assert client.get("/workshops/pds-workshops/2147483647").status_code == 404
    assert client.get("/workshops/pds-workshops/99999999999999999999").status_code == 404
    assert client.get(f"/workshops/pds-workshops/{made.id}%00").status_code in (400, 404)
    draft = _upcoming(world, publish=False)
    assert client.get(_page(draft)).status_code == 404


def test_a_signed_in_practitioner_registers_in_one_step_and_gets_the_link_and_invite(client, world, mail):
    made = _upcoming(world)
    assert "Sign in to register" in _text(client.get(_page(made)))
    sign_in(client, world.alice)
    page = client.get(_page(made)).get_data(as_text=True)
    assert ">Register<" in page.replace("\n", "").replace("  ", "") or "Register" in page
    response = client.post(f"{_page(made)}/register", follow_redirects=True)
    assert response.status_code == 200
    text = _text(response)
    assert "You are registered" in text and "Join the workshop on Microsoft Teams" in text
    [message] = mail()
    assert message.recipients == ["alice@example.org"]
    assert message.subject.startswith("You are registered: Managing family time in EP")
    assert TEAMS_URL in message.text
    calendar = Calendar.from_ical(message.part("text/calendar"))
    assert str(calendar["METHOD"]) == "REQUEST"
    registration = db.session.query(WorkshopRegistration).one()
    assert str(calendar.walk("VEVENT")[0]["UID"]) == registration.uid
    # The registration page offers the calendar file with the same UID.
    ics = client.get(f"/workshops/registrations/{registration.id}/invite.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert registration.uid in ics.get_data(as_text=True)
    # Registering twice gives one place.
    client.post(f"{_page(made)}/register")
    assert db.session.query(WorkshopRegistration).count() == 1


def test_the_register_button_needs_the_csrf_token(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    made = _upcoming(world)
    client = app.test_client()
    sign_in_demo_user(client, world.alice.email, factories.PASSWORD)
    page = client.get(_page(made)).get_data(as_text=True)
    assert 'name="csrf_token"' in page
    response = client.post(f"{_page(made)}/register")
    assert response.status_code == 400
    assert db.session.query(WorkshopRegistration).count() == 0


def test_a_full_workshop_offers_the_waiting_list_and_cancelling_passes_the_place_on(client, world, mail):
    made = _upcoming(world, capacity=1)
    bola_place = register(made, world.bola)
    db.session.commit()
    mail()
    sign_in(client, world.alice)
    text = _text(client.get(_page(made)))
    assert "Join the waiting list" in text and "None: the workshop is full" in text
    response = client.post(f"{_page(made)}/waitlist", follow_redirects=True)
    assert "You are on the waiting list" in _text(response)
    entry = db.session.query(WorkshopWaitlistEntry).one()
    assert "Leave the waiting list" in _text(client.get(_page(made)))
    [joined] = mail()
    assert joined.recipients == ["alice@example.org"]

    client.post("/sign-out")
    sign_in(client, world.bola)
    assert "Cancel my place" in _text(client.get(_page(made)))
    response = client.post(f"/workshops/registrations/{bola_place.id}/cancel", follow_redirects=True)
    assert "is cancelled" in _text(response)
    db.session.refresh(entry)
    assert entry.status is WaitlistStatus.OFFERED
    messages = mail()
    cancel = next(m for m in messages if m.recipients == ["bola@example.org"])
    assert str(Calendar.from_ical(cancel.part("text/calendar"))["METHOD"]) == "CANCEL"
    offer = next(m for m in messages if m.recipients == ["alice@example.org"])
    assert f"/workshops/offers/{entry.id}" in offer.text

    client.post("/sign-out")
    sign_in(client, world.alice)
    assert "Take the place" in _text(client.get(f"/workshops/offers/{entry.id}"))
    response = client.post(f"/workshops/offers/{entry.id}", follow_redirects=True)
    assert "You have taken the place" in _text(response)
    assert db.session.query(WorkshopRegistration).filter_by(user_id=world.alice.id).one().is_confirmed


def test_declining_an_offer_passes_it_to_the_next_person(client, world, mail):
    made = _upcoming(world, capacity=1)
    place = register(made, world.bola)
    first, second = join_waitlist(made, world.alice), join_waitlist(made, world.chen)
    place.cancel(utcnow(), world.bola)
    offer_freed_places(made)
    db.session.commit()
    mail()
    sign_in(client, world.alice)
    response = client.post(f"/workshops/offers/{first.id}/decline", follow_redirects=True)
    assert "the place goes to the next person" in _text(response)
    db.session.refresh(first), db.session.refresh(second)
    assert (first.status, second.status) == (WaitlistStatus.DECLINED, WaitlistStatus.OFFERED)
    assert [m.recipients for m in mail()] == [["chen@example.org"]]


def test_someone_elses_registration_offer_and_waiting_list_entry_are_not_found(client, world):
    made = _upcoming(world, capacity=1)
    place = register(made, world.bola)
    entry = join_waitlist(made, world.chen)
    db.session.commit()
    sign_in(client, world.alice)
    for path in (f"/workshops/registrations/{place.id}", f"/workshops/registrations/{place.id}/invite.ics",
                 f"/workshops/offers/{entry.id}", f"/workshops/waitlist/{entry.id}"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/workshops/registrations/{place.id}/cancel").status_code == 404
    assert client.post(f"/workshops/waitlist/{entry.id}/leave").status_code == 404
    assert place.status is PlaceStatus.CONFIRMED


def test_organiser_pages_need_the_role(client, world):
    made = _upcoming(world)
    for path in ("/workshops/pds-workshops/manage", "/workshops/pds-workshops/manage/new",
                 f"/workshops/manage/{made.id}", f"/workshops/manage/{made.id}/cancel"):
        assert client.get(path).status_code == 302, path  # anonymous: sign in
    sign_in(client, world.alice)
    for path in ("/workshops/pds-workshops/manage", "/workshops/pds-workshops/manage/new",
                 f"/workshops/manage/{made.id}", f"/workshops/manage/{made.id}/cancel"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/workshops/manage/{made.id}/publish").status_code == 403
    client.post("/sign-out")
    sign_in(client, world.facilitator)
    assert client.get(f"/workshops/manage/{made.id}").status_code == 200
    assert client.get("/workshops/pds-workshops/manage/new").status_code == 403
    assert client.get(f"/workshops/manage/{made.id}/cancel").status_code == 403


def _form(when, **changes):
    data = {"title": "Hope boxes", "description": "What a hope box is.", "day": [str(when.day), str(when.month),
            str(when.year)], "starts": "2pm", "ends": "3:30pm", "online_url": "", "capacity": "20",
            "topic": "Hope boxes", "audience": "Carers' social workers", "practice_standards": ["S2", "S6"]}
    return data | changes


def test_an_organiser_creates_publishes_edits_and_cancels_a_workshop(client, world, mail):
    sign_in(client, world.organiser)
    day = (utcnow() + timedelta(days=40)).date()
    response = client.post("/workshops/pds-workshops/manage/new", data=_form(day))
    assert response.status_code == 302
    made = db.session.query(Workshop).one()
    assert made.status is EventStatus.DRAFT and made.practice_standards == ["S2", "S6"]
    client.post(f"/workshops/manage/{made.id}/publish")
    db.session.refresh(made)
    assert made.status is EventStatus.PUBLISHED
    assert "Hope boxes" in _text(client.get("/workshops/pds-workshops"))
    register(made, world.alice)
    db.session.commit()
    mail()
    response = client.post(f"/workshops/manage/{made.id}", data=_form(day, online_url=TEAMS_URL))
    assert response.status_code == 302
    assert "1 registered person has been sent the updated invite" in _text(client.get(f"/workshops/manage/{made.id}"))
    [updated] = mail()
    assert int(Calendar.from_ical(updated.part("text/calendar")).walk("VEVENT")[0]["SEQUENCE"]) == 1
    response = client.post(f"/workshops/manage/{made.id}/cancel", data={"message": "Sorry: we will run it again."})
    assert response.status_code == 302
    [cancelled] = mail()
    assert "Sorry: we will run it again." in cancelled.text
    assert "This workshop is cancelled" in _text(client.get(_page(made)))


def test_a_workshop_is_tagged_with_sub_standards_kept_on_edit_and_unknown_ones_are_refused(client, world):
    sign_in(client, world.organiser)
    day = (utcnow() + timedelta(days=40)).date()
    client.post("/workshops/pds-workshops/manage/new", data=_form(day, practice_substandards="6.3, 2.10"))
    made = db.session.query(Workshop).one()
    assert made.practice_standards == ["S2", "S6", "2.10", "6.3"]
    assert 'value="2.10, 6.3"' in client.get(f"/workshops/manage/{made.id}").get_data(as_text=True)
    refused = client.post(f"/workshops/manage/{made.id}", data=_form(day, title="Changed", practice_substandards="6.9"))
    assert refused.status_code == 400 and "There is no practice standard &#34;6.9&#34;" in _text(refused)
    client.post(f"/workshops/manage/{made.id}", data=_form(day, title="Changed", practice_substandards="2.10, 6.3"))
    db.session.expire_all()
    assert made.title == "Changed" and made.practice_standards == ["S2", "S6", "2.10", "6.3"]
    assert "2.10 LAs/RAAs/VAAs work together" in _text(client.get(_page(made)))


def test_a_workshop_that_has_ended_offers_neither_cancelling_nor_announcing(client, world):
    made = _upcoming(world)
    sign_in(client, world.organiser)
    page = _text(client.get(f"/workshops/manage/{made.id}"))
    assert "Cancel this workshop" in page and "Announce it to the invitation list" in page
    made.starts_at, made.ends_at = utcnow() - timedelta(days=2, hours=2), utcnow() - timedelta(days=2)
    db.session.commit()
    page = _text(client.get(f"/workshops/manage/{made.id}"))
    assert "Cancel this workshop" not in page and "Announce it to the invitation list" not in page
    assert "Attendance" in page  # what is left to do after it
    response = client.get(f"/workshops/manage/{made.id}/cancel")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/workshops/manage/{made.id}")
    response = client.post(f"/workshops/manage/{made.id}/cancel", data={"message": "Too late"})
    assert response.status_code == 302
    assert db.session.get(Workshop, made.id).status is EventStatus.PUBLISHED


@pytest.mark.parametrize("changes, message", [
    ({"title": "x" * 1_000_000}, "The title must be 200 characters or fewer"),
    ({"capacity": str(2**63)}, "Enter a whole number of places between 1 and 1000"),
    ({"capacity": "ten"}, "Enter a whole number of places between 1 and 1000"),
    ({"day": ["31", "12", "9999"]}, "Enter a date in the years 2000 to 2100"),
    ({"starts": "25:99"}, "Enter the start time as a time"),
    ({"online_url": "https://example.org/phish"}, "Enter a Microsoft Teams meeting link"),
    ({"practice_standards": ["S9"]}, "is not a valid choice"),
])
def test_bad_input_shows_the_error_summary_and_saves_nothing(client, world, changes, message):
    sign_in(client, world.organiser)
    day = (utcnow() + timedelta(days=40)).date()
    response = client.post("/workshops/pds-workshops/manage/new", data=_form(day, **changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page and message in page
    assert db.session.query(Workshop).count() == 0


def test_a_nul_byte_is_refused_before_the_view(client, world):
    sign_in(client, world.organiser)
    day = (utcnow() + timedelta(days=40)).date()
    response = client.post("/workshops/pds-workshops/manage/new", data=_form(day, title="Nul\x00"))
    assert response.status_code == 400
    assert db.session.query(Workshop).count() == 0


def test_the_manage_page_links_to_the_workshops(client, app):
    load_demo_data()
    from ep_events.accounts.models import User
    organiser = db.session.query(User).filter_by(email="organiser@example.org").one()
    sign_in(client, organiser, app.config["DEMO_PASSWORD"])
    page = client.get("/manage").get_data(as_text=True)
    assert 'href="/workshops/pds-workshops/manage"' in page
    text = _text(client.get("/workshops/pds-workshops/manage"))
    assert "Managing family time in EP" in text and "Hope boxes" in text
    assert "Early permanence for panel members" in text


def test_the_workshop_pages_are_valid_html_in_each_state(client, world, tmp_path):
    pages = PageFolder(tmp_path / "pages")
    made = _upcoming(world, capacity=1)
    place = register(made, world.bola)
    entry = join_waitlist(made, world.alice)
    db.session.commit()
    sign_in(client, world.alice)
    pages.save("list full", client.get("/workshops/pds-workshops").get_data())
    pages.save("workshop waiting", client.get(_page(made)).get_data())
    place.cancel(utcnow(), world.bola)
    offer_freed_places(made)
    db.session.commit()
    pages.save("workshop offered", client.get(_page(made)).get_data())
    pages.save("offer", client.get(f"/workshops/offers/{entry.id}").get_data())
    taken = client.post(f"/workshops/offers/{entry.id}", follow_redirects=True)
    pages.save("registration", taken.get_data())
    pages.save("offer closed", client.get(f"/workshops/offers/{entry.id}").get_data())
    registration = db.session.query(WorkshopRegistration).filter_by(user_id=world.alice.id).one()
    cancelled = client.post(f"/workshops/registrations/{registration.id}/cancel",
                            data={"return_to": "registration"}, follow_redirects=True)
    pages.save("registration cancelled", cancelled.get_data())
    client.post("/sign-out")
    sign_in(client, world.organiser)
    pages.save("edit with people", client.get(f"/workshops/manage/{made.id}").get_data())
    pages.save("cancel", client.get(f"/workshops/manage/{made.id}/cancel").get_data())
    cancel_workshop(world.organiser, made, "Sorry")
    db.session.commit()
    pages.save("cancelled workshop", client.get(_page(made)).get_data())
    pages.save("edit cancelled", client.get(f"/workshops/manage/{made.id}").get_data())
    assert pages.errors() == []
