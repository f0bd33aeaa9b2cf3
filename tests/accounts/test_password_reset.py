import re
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from ep_events.accounts.models import User
from ep_events.core.time import utcnow
from ep_events.extensions import db
from tests import factories
from tests.conftest import sign_in

NEW_PASSWORD = "a-brand-new-password"


def _reset_link(message) -> str:
    match = re.search(r"http://localhost(/reset-password/\S+)", message.text)
    assert match, message.text
    return match.group(1)


def _ask_for_link(client, deliver, user) -> str:
    response = client.post("/forgot-password", data={"email": user.email})
    assert response.status_code == 200
    messages = deliver()
    assert [m.recipients for m in messages] == [[user.email]]
    return _reset_link(messages[0])


def _without_nonce(body: str) -> str:
    return re.sub(r'nonce="[^"]+"', "", body)


def _password_works(app, user, password) -> bool:
    response = app.test_client().post("/sign-in", data={"email": user.email, "password": password})
    return response.status_code == 302


def _password_hash(user) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


def test_forgot_password_emails_a_reset_link_to_a_known_address(client, deliver):
    user = factories.user(email="known@example.org", name="Kim Known")
    db.session.commit()
    response = client.post("/forgot-password", data={"email": "Known@Example.org"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check your email" in body
    messages = deliver()
    assert [m.recipients for m in messages] == [[user.email]]
    assert messages[0].subject == "Reset your EP Events password"
    assert "Dear Kim Known" in messages[0].text
    link = _reset_link(messages[0])
    assert link in messages[0].html


def test_forgot_password_for_an_unknown_address_looks_the_same_and_sends_no_reset_link(client, deliver):
    factories.user(email="known@example.org")
    db.session.commit()
    known = client.post("/forgot-password", data={"email": "known@example.org"}).get_data(as_text=True)
    deliver()
    unknown = client.post("/forgot-password", data={"email": "Unknown@example.org"})
    assert unknown.status_code == 200
    assert _without_nonce(unknown.get_data(as_text=True).replace("Unknown@", "known@")) == _without_nonce(known)
    # The address is told it has no account (as long to do as sending a link), with no link that works.
    messages = [m for m in deliver() if "unknown@example.org" in m.recipients]
    assert [m.subject for m in messages] == ["There is no EP Events account for this email address"]
    assert "a link to reset the password" in messages[0].text
    assert "/reset-password/" not in messages[0].text and "/reset-password/" not in messages[0].html
    assert "http://localhost/sign-up" in messages[0].text


def test_reset_email_and_page_say_how_long_the_link_lasts(app, client, deliver):
    user = factories.user()
    db.session.commit()
    page = client.post("/forgot-password", data={"email": user.email}).get_data(as_text=True)
    assert "expires in 2 hours" in page
    message = deliver()[0]
    assert "expires in 2 hours" in message.text and "expires in 2 hours" in message.html
    app.config["RESET_TOKEN_HOURS"] = 1
    page = client.post("/forgot-password", data={"email": user.email}).get_data(as_text=True)
    assert "expires in 1 hour." in page
    assert "expires in 1 hour." in deliver()[1].text


def test_forgot_password_with_a_badly_formed_address_shows_the_error_summary(client, deliver):
    response = client.post("/forgot-password", data={"email": "not-an-address"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Enter an email address in the correct format" in body
    assert deliver() == []


def test_opening_the_reset_link_shows_the_form_and_changes_nothing(app, client, deliver):
    user = factories.user()
    db.session.commit()
    before = user.password_hash
    link = _ask_for_link(client, deliver, user)
    for _ in range(2):
        page = client.get(link)
        assert page.status_code == 200
        assert "Set a new password" in page.get_data(as_text=True)
    assert _password_hash(user) == before
    assert _password_works(app, user, factories.PASSWORD)


def test_reset_sets_the_new_password_and_the_old_one_stops_working(app, client, deliver):
    user = factories.user()
    db.session.commit()
    link = _ask_for_link(client, deliver, user)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert "Your password has been changed" in client.get("/sign-in").get_data(as_text=True)
    assert not _password_works(app, user, factories.PASSWORD)
    assert _password_works(app, user, NEW_PASSWORD)


def test_reset_link_works_only_once(app, client, deliver):
    user = factories.user()
    db.session.commit()
    link = _ask_for_link(client, deliver, user)
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    changed = _password_hash(user)

    again = client.post(link, data={"password": "another-new-password", "confirm": "another-new-password"})
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert client.get(link).status_code == 400
    assert _password_hash(user) == changed


def test_asking_again_makes_the_earlier_link_stop_working(client, deliver):
    user = factories.user()
    db.session.commit()
    first = _ask_for_link(client, deliver, user)
    mailbox_count = len(deliver())
    client.post("/forgot-password", data={"email": user.email})
    second = _reset_link(deliver()[mailbox_count])
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200


def test_reset_link_expires(app, client, deliver):
    user = factories.user()
    db.session.commit()
    before = user.password_hash
    link = _ask_for_link(client, deliver, user)
    with freeze_time(utcnow() + timedelta(hours=app.config["RESET_TOKEN_HOURS"], minutes=1)):
        response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "This link cannot be used" in body
    assert "expired" in body
    assert _password_hash(user) == before


def test_mismatched_confirmation_shows_the_error_summary_and_changes_nothing(app, client, deliver):
    user = factories.user()
    db.session.commit()
    before = user.password_hash
    link = _ask_for_link(client, deliver, user)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": "something-else-entirely"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Passwords must match" in body
    assert _password_hash(user) == before
    # The link was not used up by the mistake.
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_too_short_new_password_shows_the_error_summary_and_changes_nothing(client, deliver):
    user = factories.user()
    db.session.commit()
    before = user.password_hash
    link = _ask_for_link(client, deliver, user)
    response = client.post(link, data={"password": "short", "confirm": "short"})
    assert response.status_code == 400
    assert "Password must be 12 characters or more" in response.get_data(as_text=True)
    assert _password_hash(user) == before


def test_reset_signs_the_user_out_of_every_other_session(app, client, deliver):
    user = factories.user()
    db.session.commit()
    elsewhere = app.test_client()
    sign_in(elsewhere, user)
    assert elsewhere.get("/account").status_code == 200

    link = _ask_for_link(client, deliver, user)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    response = elsewhere.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_reset_also_confirms_an_unconfirmed_address(app, client, deliver):
    user = factories.user(confirmed=False)
    db.session.commit()
    link = _ask_for_link(client, deliver, user)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert _password_works(app, user, NEW_PASSWORD)
    db.session.expire_all()
    assert db.session.execute(select(User)).scalar_one().is_confirmed


def test_reset_requests_are_rate_limited_per_address(client, deliver):
    from tests import factories as f

    person = f.user(email="limited@example.org")
    from ep_events.extensions import db as database

    database.session.commit()
    for _ in range(3):
        assert client.post("/forgot-password", data={"email": person.email}).status_code == 200
    blocked = client.post("/forgot-password", data={"email": person.email})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert len([m for m in deliver() if m.recipients == [person.email]]) == 3
