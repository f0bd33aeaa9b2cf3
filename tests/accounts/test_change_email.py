"""Changing one's email address: confirmed by a link sent to the new address; the old one is told."""

import re
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.core.audit import AuditEntry
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _ask(client, new_email, password=factories.PASSWORD):
    return client.post("/account/email", data={"email": new_email, "password": password})


def _link(message) -> str:
    match = re.search(r"http://localhost(/account/email/confirm/\S+)", message.text)
    assert match, message.text
    return match.group(1)


def _signs_in(app, email) -> bool:
    response = app.test_client().post("/sign-in", data={"email": email, "password": factories.PASSWORD})
    return response.status_code == 302


def test_account_page_links_to_changing_the_email_address(client, signed_in):
    user = factories.user()
    db.session.commit()
    body = signed_in(user).get("/account").get_data(as_text=True)
    assert 'href="/account/email"' in body
    page = client.get("/account/email")
    assert page.status_code == 200
    assert "<title>Change your email address – EP Events</title>" in page.get_data(as_text=True)


def test_a_new_address_is_used_only_after_the_link_sent_to_it_is_opened(app, client, deliver):
    user = factories.user(email="old@example.org", name="Moving Person")
    db.session.commit()
    sign_in(client, user)
    response = _ask(client, "New@Example.org")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Check your new email address" in body and "new@example.org" in body

    messages = deliver()
    assert [(m.recipients, m.subject) for m in messages] == [
        (["new@example.org"], "Confirm your new email address for EP Events")]
    link = _link(messages[0])
    assert link in messages[0].html
    assert "expires in 48 hours" in messages[0].text
    # Nothing has changed yet, and opening the link changes nothing either.
    assert _fresh(user).email == "old@example.org"
    page = client.get(link)
    assert page.status_code == 200 and "new@example.org" in page.get_data(as_text=True)
    assert _fresh(user).email == "old@example.org"

    response = client.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    account = client.get("/account").get_data(as_text=True)
    assert "Your email address is now new@example.org." in account
    assert _fresh(user).email == "new@example.org"
    assert _signs_in(app, "new@example.org") and not _signs_in(app, "old@example.org")

    told = deliver()[1:]
    assert [(m.recipients, m.subject) for m in told] == [
        (["old@example.org"], "The email address of your EP Events account has changed")]
    assert "from old@example.org to new@example.org" in told[0].text

    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "user.change_email")).scalar_one()
    assert (entry.before, entry.after) == ({"email": "old@example.org"}, {"email": "new@example.org"})


def test_confirming_in_another_browser_asks_the_person_to_sign_in_with_the_new_address(app, client, deliver):
    user = factories.user(email="old@example.org")
    db.session.commit()
    sign_in(client, user)
    _ask(client, "new@example.org")
    other = app.test_client()
    response = other.post(_link(deliver()[0]))
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert "Sign in with it." in other.get("/sign-in").get_data(as_text=True)
    # The change ends the person's other sessions.
    assert client.get("/account").status_code == 302


def test_the_link_works_once_and_expires(app, client, deliver):
    user = factories.user(email="old@example.org")
    db.session.commit()
    sign_in(client, user)
    _ask(client, "new@example.org")
    link = _link(deliver()[0])
    with freeze_time(utcnow() + timedelta(hours=app.config["CONFIRM_TOKEN_HOURS"], minutes=1)):
        expired = client.post(link)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    assert 'href="/account/email"' in expired.get_data(as_text=True)
    assert _fresh(user).email == "old@example.org"

    assert client.post(link).status_code == 302
    again = app.test_client().post(link)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_asking_again_makes_the_earlier_link_stop_working(client, deliver):
    user = factories.user(email="old@example.org")
    db.session.commit()
    sign_in(client, user)
    _ask(client, "first@example.org")
    first = _link(deliver()[0])
    _ask(client, "second@example.org")
    assert client.post(first).status_code == 400
    assert _fresh(user).email == "old@example.org"


def test_wrong_password_same_address_or_bad_address_show_the_error_summary_and_send_nothing(client, deliver):
    user = factories.user(email="old@example.org")
    db.session.commit()
    sign_in(client, user)
    for data, error in [({"email": "new@example.org", "password": "not-my-password"}, "Your password is not correct"),
                        ({"email": "OLD@example.org", "password": factories.PASSWORD},
                         "Enter an email address different from the one you use now"),
                        ({"email": "not-an-address", "password": factories.PASSWORD},
                         "Enter an email address in the correct format"),
                        ({"email": "", "password": ""}, "Enter your new email address")]:
        response = client.post("/account/email", data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert "There is a problem" in body and error in body
        assert "<title>Error: Change your email address – EP Events</title>" in body
    assert deliver() == []
    assert _fresh(user).email == "old@example.org"


def test_moving_to_an_address_that_has_an_account_looks_the_same_and_tells_its_owner(client, deliver):
    factories.user(email="taken@example.org")
    user = factories.user(email="old@example.org")
    db.session.commit()
    sign_in(client, user)
    response = _ask(client, "taken@example.org")
    assert response.status_code == 200
    assert "Check your new email address" in response.get_data(as_text=True)
    messages = deliver()
    assert [(m.recipients, m.subject) for m in messages] == [
        (["taken@example.org"], "You already have an EP Events account")]
    assert "/account/email/confirm/" not in messages[0].text
    assert _fresh(user).email == "old@example.org"


def test_an_address_taken_between_asking_and_confirming_is_refused(client, deliver):
    user = factories.user(email="old@example.org")
    db.session.commit()
    sign_in(client, user)
    _ask(client, "new@example.org")
    link = _link(deliver()[0])
    factories.user(email="new@example.org")
    db.session.commit()
    response = client.post(link)
    assert response.status_code == 400
    assert "now has its own account" in response.get_data(as_text=True)
    assert _fresh(user).email == "old@example.org"
    assert db.session.execute(select(func.count(OutboxMessage.id))
                              .where(OutboxMessage.recipient == "old@example.org")).scalar_one() == 0


def test_the_change_email_page_needs_a_signed_in_person(client):
    response = client.get("/account/email")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
