import re

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.extensions import db
from tests import factories


def _form(**overrides):
    data = {"name": "Sam Social-Worker", "email": "Sam@Example.org", "job_title": "Adoption social worker",
            "organisation": "other", "organisation_other": "Somewhere Council", "password": "a-long-password"}
    data.update(overrides)
    return data


def _link(message, path):
    match = re.search(rf"http://\S+{path}/(\S+)", message.text)
    assert match, message.text
    return match.group(0)


def user_count():
    return db.session.execute(select(func.count(User.id))).scalar_one()


def test_sign_up_creates_an_unconfirmed_account_and_emails_a_confirmation_link(client, deliver):
    organisation = factories.organisation(name="Heart of Test Adoption")
    response = client.post("/sign-up", data=_form(organisation=str(organisation.id), organisation_other=""))
    assert response.status_code == 302
    assert "/sign-up/check-your-email" in response.headers["Location"]
    user = db.session.execute(select(User)).scalar_one()
    assert user.email == "sam@example.org"
    assert user.organisation is organisation
    assert not user.is_confirmed

    messages = deliver()
    assert [m.recipients for m in messages] == [["sam@example.org"]]
    assert messages[0].subject == "Confirm your email address for EP Events"
    link = _link(messages[0], "/confirm")
    assert link in messages[0].html


def test_confirmation_link_opens_a_page_with_a_button_and_a_get_changes_nothing(client, deliver):
    client.post("/sign-up", data=_form())
    link = _link(deliver()[0], "/confirm").replace("http://localhost", "")
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my email address" in page.get_data(as_text=True)
    client.get(link)
    assert not db.session.execute(select(User)).scalar_one().is_confirmed

    response = client.post(link)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(User)).scalar_one().is_confirmed


def test_confirmation_link_works_only_once(client, deliver):
    client.post("/sign-up", data=_form())
    link = _link(deliver()[0], "/confirm").replace("http://localhost", "")
    assert client.post(link).status_code == 302
    again = client.post(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_confirmation_link_expires(client, deliver, app):
    from datetime import timedelta

    from freezegun import freeze_time

    from ep_events.core.time import utcnow

    client.post("/sign-up", data=_form())
    link = _link(deliver()[0], "/confirm").replace("http://localhost", "")
    with freeze_time(utcnow() + timedelta(hours=app.config["CONFIRM_TOKEN_HOURS"], minutes=1)):
        response = client.post(link)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert not db.session.execute(select(User)).scalar_one().is_confirmed


def test_signing_up_with_an_existing_address_looks_the_same_and_emails_the_owner(client, deliver):
    owner = factories.user(email="taken@example.org", name="Owner Person")
    db.session.commit()
    response = client.post("/sign-up", data=_form(email="TAKEN@example.org"))
    assert response.status_code == 302
    assert "/sign-up/check-your-email" in response.headers["Location"]
    assert user_count() == 1
    messages = deliver()
    assert [m.recipients for m in messages] == [[owner.email]]
    assert messages[0].subject == "You already have an EP Events account"


def test_sign_up_with_bad_input_shows_the_error_summary_and_saves_nothing(client, deliver):
    response = client.post("/sign-up", data=_form(email="not-an-email", password="short", name=""))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Enter your full name" in body
    assert "Enter an email address in the correct format" in body
    assert "Password must be 12 characters or more" in body
    assert "<title>Error: Create an account" in body
    assert user_count() == 0
    assert deliver() == []


@pytest.mark.parametrize(("password", "message"), [
    ("eleven-char", "Password must be 12 characters or more"),  # 11 characters
    ("qwerty123456", "This password is one of the most common: choose one that is harder to guess"),
    ("1Q2W3E4R5T6Y", "This password is one of the most common"),  # case does not hide it
    ("x" * 1001, "Password must be 1,000 characters or fewer"),
])
def test_a_short_common_or_huge_password_is_refused_and_nothing_is_saved(client, deliver, password, message):
    response = client.post("/sign-up", data=_form(password=password))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert user_count() == 0 and deliver() == []


def test_twelve_uncommon_characters_are_enough(client):
    assert client.post("/sign-up", data=_form(password="kettle-orbit")).status_code == 302
    assert user_count() == 1


def test_the_password_rule_refuses_common_passwords_in_every_service():
    from ep_events.accounts.passwords import check_password_strength
    from ep_events.core.errors import DomainError

    for common in ("qazwsxedcrfv", "leavemealone", "123456654321"):
        with pytest.raises(DomainError, match="most common"):
            check_password_strength(common)
    check_password_strength("harbour-lantern-42")


def test_choosing_other_organisation_needs_its_name(client):
    response = client.post("/sign-up", data=_form(organisation="other", organisation_other=""))
    assert response.status_code == 400
    assert "Enter the name of your organisation" in response.get_data(as_text=True)
    assert user_count() == 0


def test_sign_up_form_without_csrf_token_is_refused(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/sign-up", data=_form())
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert user_count() == 0
