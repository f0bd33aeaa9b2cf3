"""A session ends on the server: a copied session cookie and old links stop working when they should."""

import re

import pytest

from ep_events.accounts.models import User
from ep_events.extensions import db
from tests import factories
from tests.conftest import sign_in

NEW_PASSWORD = "a-brand-new-password"


def _copy_of_session(app, client):
    """Another browser holding a copy of this client's session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _reset_link(deliver) -> str:
    match = re.search(r"http://localhost(/reset-password/\S+)", deliver()[-1].text)
    assert match
    return match.group(1)


def _change_email(app, client, deliver, user):
    client.post("/account/email", data={"email": "moved@example.org", "password": factories.PASSWORD})
    link = re.search(r"http://localhost(/account/email/confirm/\S+)", deliver()[-1].text).group(1)
    assert client.post(link).status_code == 302


def _change_password(app, client, deliver, user):
    assert client.post("/account/password", data={"current_password": factories.PASSWORD,
                                                   "new_password": NEW_PASSWORD}).status_code == 302


def _reset_password(app, client, deliver, user):
    client.post("/forgot-password", data={"email": user.email})
    link = _reset_link(deliver)
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def _sign_out(app, client, deliver, user):
    assert client.post("/sign-out").status_code == 302


@pytest.mark.parametrize("end", [_sign_out, _change_password, _reset_password, _change_email],
                         ids=["sign-out", "password change", "password reset", "email change"])
def test_a_session_cookie_copied_earlier_stops_working(app, client, deliver, end):
    user = factories.user()
    db.session.commit()
    sign_in(client, user)
    copy = _copy_of_session(app, client)
    assert _signed_in(copy)
    end(app, client, deliver, user)
    response = copy.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert "Sign in to see this page." in copy.get("/sign-in").get_data(as_text=True)


def test_after_signing_out_the_person_can_sign_in_again(app, client):
    user = factories.user()
    db.session.commit()
    sign_in(client, user)
    client.post("/sign-out")
    assert not _signed_in(client)
    sign_in(client, user)
    assert _signed_in(client)


@pytest.mark.parametrize("change", [_change_password, _change_email], ids=["password change", "email change"])
def test_a_reset_link_asked_for_before_a_change_no_longer_works(app, client, deliver, change):
    user = factories.user()
    db.session.commit()
    client.post("/forgot-password", data={"email": user.email})
    old_link = _reset_link(deliver)
    assert client.get(old_link).status_code == 200
    sign_in(client, user)
    change(app, client, deliver, user)
    db.session.expire_all()
    hash_after_change = db.session.get(User, user.id).password_hash

    response = app.test_client().post(old_link, data={"password": "attackers-password",
                                                      "confirm": "attackers-password"})
    assert response.status_code == 400
    assert "This link cannot be used" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == hash_after_change
