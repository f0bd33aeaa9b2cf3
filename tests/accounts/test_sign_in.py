from tests import factories
from tests.conftest import sign_in

from ep_events.extensions import db


def _attempt(client, email, password="wrong-password-1"):
    return client.post("/sign-in", data={"email": email, "password": password})


def _is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_confirmed_user_signs_in_and_sees_who_they_are_signed_in_as(client):
    factories.user(name="Sam Signer", email="sam@example.org")
    db.session.commit()
    response = client.post("/sign-in", data={"email": "SAM@example.org ", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Signed in as Sam Signer." in home
    assert _is_signed_in(client)


def test_wrong_password_shows_the_error_summary_and_does_not_sign_in(client):
    user = factories.user()
    db.session.commit()
    response = _attempt(client, user.email)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Enter a correct email address and password" in body
    assert "<title>Error: Sign in – EP Events</title>" in body
    assert not _is_signed_in(client)


def test_unknown_address_gets_the_same_error_as_a_wrong_password(client):
    response = _attempt(client, "nobody@example.org")
    assert response.status_code == 400
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert not _is_signed_in(client)


def test_unconfirmed_user_is_asked_to_confirm_their_address_and_is_not_signed_in(client):
    user = factories.user(confirmed=False)
    db.session.commit()
    response = _attempt(client, user.email, factories.PASSWORD)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Confirm your email address before signing in" in body
    assert not _is_signed_in(client)


def test_empty_sign_in_form_shows_what_to_enter(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your email address" in body
    assert "Enter your password" in body


def test_sign_out_ends_the_session(client):
    user = factories.user()
    db.session.commit()
    sign_in(client, user)
    assert "Signed in as" in client.get("/").get_data(as_text=True)
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "You have signed out." in home
    assert "Signed in as" not in home
    assert not _is_signed_in(client)


def test_sign_out_by_get_is_not_allowed_and_keeps_the_session(client):
    user = factories.user()
    db.session.commit()
    sign_in(client, user)
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "Sorry, that action is not available" in response.get_data(as_text=True)
    assert _is_signed_in(client)


def test_sign_in_page_for_a_signed_in_user_goes_home(client):
    user = factories.user()
    db.session.commit()
    sign_in(client, user)
    response = client.get("/sign-in")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sixth_failed_attempt_for_one_address_is_refused_even_with_the_right_password(client):
    user = factories.user(email="target@example.org")
    db.session.commit()
    for _ in range(5):
        assert _attempt(client, "target@example.org").status_code == 400
    response = _attempt(client, "Target@example.org", factories.PASSWORD)
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many attempts" in body
    assert "Wait 15 minutes" in body
    assert not _is_signed_in(client)

    other = factories.user(email="other@example.org")
    db.session.commit()
    sign_in(client, other)
    assert _is_signed_in(client)
    assert user.email == "target@example.org"


def test_successful_sign_ins_do_not_count_towards_the_limit(client):
    user = factories.user()
    db.session.commit()
    for _ in range(6):
        sign_in(client, user)
        client.post("/sign-out")
    assert _attempt(client, user.email).status_code == 400


def test_too_many_failed_attempts_from_one_address_on_the_internet_are_refused(app, client):
    app.config["SIGNIN_LIMIT_PER_IP"] = "3 per 15 minutes"
    user = factories.user(email="real@example.org")
    db.session.commit()
    for n in range(3):
        assert _attempt(client, f"guess{n}@example.org").status_code == 400
    response = _attempt(client, "guess-again@example.org")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    # The block is on the network address, so even a right password from it waits.
    assert _attempt(client, user.email, factories.PASSWORD).status_code == 429
    assert not _is_signed_in(client)


def test_next_takes_the_user_back_to_the_page_they_asked_for(client):
    user = factories.user()
    db.session.commit()
    asked = client.get("/account/password")
    assert asked.status_code == 302
    assert asked.headers["Location"].startswith("/sign-in?next=")
    response = client.post("/sign-in?next=/account/password",
                           data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"


def test_next_never_leaves_the_site(client):
    user = factories.user()
    db.session.commit()
    for target in ("https://evil.example.org/", "//evil.example.org/", "/\\evil.example.org/",
                   "/\\/evil.example.org", "\\\\evil.example.org", "javascript:alert(1)",
                   "/\t/evil.example.org", "/\n/evil.example.org", "evil.example.org"):
        response = client.post("/sign-in", query_string={"next": target},
                               data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, repr(target)
        assert response.headers["Location"] == "/", repr(target)
        client.post("/sign-out")
