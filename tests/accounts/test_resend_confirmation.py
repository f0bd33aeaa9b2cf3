"""Sending the confirmation email again from the 'Check your email' page."""

import re

from sqlalchemy import select

from ep_events.accounts.models import User
from ep_events.extensions import db
from tests import factories


def _without_nonce(body: str) -> str:
    return re.sub(r'nonce="[^"]+"', "", body)


def _sign_up(client, email="new@example.org"):
    return client.post("/sign-up", data={"name": "Sam", "job_title": "Social worker", "organisation": "other",
                                         "organisation_other": "Somewhere Council", "email": email,
                                         "password": "a-long-password"})


def _confirm_link(message) -> str:
    return re.search(r"http://localhost(/confirm/\S+)", message.text).group(1)


def test_check_your_email_page_offers_to_send_it_again_for_the_address_given(client):
    response = client.get(_sign_up(client).headers["Location"])
    body = response.get_data(as_text=True)
    assert "Not had the email?" in body
    assert 'action="/sign-up/resend"' in body
    assert 'value="new@example.org"' in body
    assert "expires in 48 hours" in body


def test_sending_again_gives_a_new_link_and_the_old_one_stops_working(client, deliver):
    _sign_up(client)
    old_link = _confirm_link(deliver()[0])
    response = client.post("/sign-up/resend", data={"email": "New@example.org"})
    assert response.status_code == 302
    assert "We have sent the email again." in client.get(response.headers["Location"]).get_data(as_text=True)
    messages = deliver()
    assert [(m.recipients, m.subject) for m in messages[1:]] == [
        (["new@example.org"], "Confirm your email address for EP Events")]
    assert client.post(old_link).status_code == 400
    assert client.post(_confirm_link(messages[1])).status_code == 302
    assert db.session.execute(select(User)).scalar_one().is_confirmed


def test_sending_again_looks_the_same_whether_or_not_the_address_has_an_account(client, deliver):
    factories.user(email="confirmed@example.org", name="Already Here")
    db.session.commit()
    pages = {}
    for email in ("confirmed@example.org", "nobody@example.org"):
        response = client.post("/sign-up/resend", data={"email": email}, follow_redirects=True)
        pages[email] = _without_nonce(response.get_data(as_text=True).replace(email, "ADDRESS"))
    assert pages["confirmed@example.org"] == pages["nobody@example.org"]
    subjects = {m.recipients[0]: m.subject for m in deliver()}
    # A confirmed account is told to sign in; an unknown address that it has no account; no links.
    assert subjects == {"confirmed@example.org": "You already have an EP Events account",
                        "nobody@example.org": "There is no EP Events account for this email address"}


def test_a_bad_address_shows_the_error_summary_and_sends_nothing(client, deliver):
    response = client.post("/sign-up/resend", data={"email": "not-an-address"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body and "Enter an email address in the correct format" in body
    assert "<title>Error: Send the confirmation email again – EP Events</title>" in body
    assert deliver() == []


def test_a_used_or_expired_confirmation_link_offers_to_send_a_new_one(client, deliver):
    _sign_up(client)
    link = _confirm_link(deliver()[0])
    client.post(link)
    response = client.post(link)
    assert response.status_code == 400
    assert 'href="/sign-up/resend"' in response.get_data(as_text=True)


def test_the_sign_in_page_offers_to_send_the_confirmation_email_again(client):
    body = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/sign-up/resend">Send it again</a>' in body
    assert client.get("/sign-up/resend").status_code == 200
