import re
import shutil

import pytest

from ep_events.extensions import db
from tests import factories
from tests.conftest import make_app, sign_in


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


def test_signing_in_starts_a_new_session_and_keeps_nothing_from_before(app, client):
    user = factories.user()
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with client.session_transaction() as session:
        session["planted"] = "by someone who handed over this cookie"
        before = dict(session)
    assert client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD,
                                         "csrf_token": token}).status_code == 302
    with client.session_transaction() as session:
        after = dict(session)
    assert "planted" not in after and after.get("_user_id")
    assert after.get("csrf_token") != before.get("csrf_token")  # the token from before signing in is gone
    assert _is_signed_in(client)
    refused = client.post("/sign-out", data={"csrf_token": token})  # the old token no longer works
    assert refused.status_code == 400 and _is_signed_in(client)


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


# --- Lock-out: a stranger's wrong passwords must not keep the owner out ----------------------------

def _attempt_from(client, ip, email, password="wrong-password-1", **headers):
    return client.post("/sign-in", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip}, headers=headers)


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(app, client):
    owner = factories.user(email="owner@example.org")
    db.session.commit()
    for _ in range(5):
        assert _attempt_from(client, "198.51.100.66", owner.email).status_code == 400
    assert _attempt_from(client, "198.51.100.66", owner.email, factories.PASSWORD).status_code == 429

    owners_browser = app.test_client()
    response = _attempt_from(owners_browser, "203.0.113.10", owner.email, factories.PASSWORD)
    assert response.status_code == 302
    assert owners_browser.get("/account").status_code == 200


def test_guessing_one_address_from_many_ip_addresses_is_still_limited(app, client):
    app.config["SIGNIN_LIMIT_PER_ADDRESS"] = "8 per hour"
    owner = factories.user(email="owner@example.org")
    db.session.commit()
    for n in range(8):
        assert _attempt_from(client, f"198.51.100.{n + 1}", owner.email).status_code == 400
    blocked = _attempt_from(client, "198.51.100.200", owner.email, factories.PASSWORD)
    assert blocked.status_code == 429
    assert 'href="/forgot-password"' in blocked.get_data(as_text=True)


def test_too_many_attempts_page_links_to_the_reset_page(client):
    for _ in range(5):
        _attempt(client, "someone@example.org")
    response = _attempt(client, "someone@example.org")
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert re.search(r'<a class="govuk-link" href="/forgot-password">reset your password</a>', body)
    assert "<title>Too many attempts – EP Events</title>" in body


# --- X-Forwarded-For counts only through the configured number of proxies ------------------------

@pytest.fixture
def app_behind(tmp_path, smtp_server, empty_sqlite_schema):
    """An app with PROXY_FIX_HOPS set, on its own copy of the empty schema."""
    made = []

    def _make(hops: int):
        path = tmp_path / f"hops{hops}.db"
        shutil.copyfile(empty_sqlite_schema, path)
        made.append(make_app(f"sqlite:///{path}", smtp_server.port, PROXY_FIX_HOPS=hops,
                             SIGNIN_LIMIT_PER_IP="3 per 15 minutes"))
        return made[-1]

    return _make


def _guesses_with_forwarded_for(app, forwarded_for: list[str]) -> list[int]:
    client = app.test_client()
    with app.app_context():
        statuses = [_attempt_from(client, "192.0.2.1", f"guess{n}@example.org",
                                  **{"X-Forwarded-For": value}).status_code
                    for n, value in enumerate(forwarded_for)]
        db.engine.dispose()
    return statuses


def test_with_no_proxy_configured_a_client_cannot_pick_its_ip_address_with_x_forwarded_for(app_behind):
    statuses = _guesses_with_forwarded_for(app_behind(0), [f"203.0.113.{n}" for n in range(1, 6)])
    assert statuses == [400, 400, 400, 429, 429]


def test_behind_one_proxy_the_address_the_proxy_saw_is_the_one_limited(app_behind):
    app = app_behind(1)
    # Each visitor, as the proxy reports them, has their own budget.
    assert _guesses_with_forwarded_for(app, [f"203.0.113.{n}" for n in range(1, 6)]) == [400] * 5
    # What the client wrote before the proxy's entry is ignored: one visitor cannot dodge the limit.
    spoofed = [f"10.0.0.{n}, 203.0.113.99" for n in range(1, 6)]
    assert _guesses_with_forwarded_for(app, spoofed) == [400, 400, 400, 429, 429]
