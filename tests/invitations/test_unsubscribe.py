"""One-click unsubscribe (RFC 8058): the headers an email carries, the POST that needs no sign-in and no CSRF
token, a GET that changes nothing, and forged, altered or old links refused with nothing changed."""

import re

import pytest
from itsdangerous import URLSafeSerializer

from ep_events.extensions import db
from ep_events.invitations.entries import confirmed_entries
from ep_events.invitations.models import InvitationListEntry, ListEntryStatus
from ep_events.invitations.unsubscribe import SALT, list_headers, unsubscribe_url
from ep_events.notifications.outbox import queue_email
from tests.invitations.conftest import NOW, entries, suppressed, text_of

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def subscriber(world):
    entry = InvitationListEntry(programme=world.programme, email="dana.doyle@example.org", name="Dana Doyle",
                                status=ListEntryStatus.CONFIRMED, confirmed_at=NOW, consent_at=NOW,
                                consent_wording_version="2026-12-v1")
    other = InvitationListEntry(programme=world.programme, email="eli.evans@example.org", name="Eli Evans",
                                status=ListEntryStatus.CONFIRMED, confirmed_at=NOW, consent_at=NOW)
    db.session.add_all([entry, other])
    db.session.commit()
    return entry


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True  # as served: every other POST needs its token


def test_an_email_carries_the_headers_and_its_one_click_post_unsubscribes_with_no_sign_in_or_csrf(
        app, client, world, subscriber, deliver, csrf_on):
    queue_email(subscriber.email, "invitations/already_subscribed", entry=subscriber, programme=world.programme,
                headers=list_headers(subscriber))
    db.session.commit()
    [message] = deliver()
    header = " ".join(str(message.message["List-Unsubscribe"]).split())  # unfolded
    assert message.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https_url, mailto = re.fullmatch(r"<([^>]+)>, <([^>]+)>", header).groups()
    assert https_url == unsubscribe_url(subscriber) and https_url.startswith(app.config["BASE_URL"] + "/lists/")
    assert mailto == "mailto:pds-workshops@example.org?subject=unsubscribe"

    # What a mail client does: POST the body, no cookies, no token.
    fresh = app.test_client()
    response = fresh.post(_path(https_url), data=ONE_CLICK)
    assert response.status_code == 200
    assert "You have unsubscribed" in text_of(response.get_data(as_text=True))
    entry = entries()[0]
    assert entry.status is ListEntryStatus.UNSUBSCRIBED and entry.unsubscribed_at == NOW
    assert entry.token_version == 1
    assert suppressed() == {"dana.doyle@example.org"}
    assert [row.email for row in confirmed_entries(world.programme)] == ["eli.evans@example.org"]
    # A second POST of the same link (mail clients retry) changes nothing and says so.
    again = fresh.post(_path(https_url), data=ONE_CLICK)
    assert again.status_code == 200 and "You had already unsubscribed" in again.get_data(as_text=True)
    assert entries()[0].token_version == 1


def test_the_multipart_one_click_body_works_too(client, subscriber):
    response = client.post(_path(unsubscribe_url(subscriber)), data=ONE_CLICK, content_type="multipart/form-data")
    assert response.status_code == 200 and entries()[0].status is ListEntryStatus.UNSUBSCRIBED


def test_opening_the_link_shows_a_button_and_changes_nothing(client, subscriber, csrf_on):
    url = _path(unsubscribe_url(subscriber))
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Unsubscribe from the invitation list" in text_of(html)
    assert 'name="List-Unsubscribe" value="One-Click"' in html and "csrf_token" not in html
    entry = entries()[0]
    assert entry.status is ListEntryStatus.CONFIRMED and entry.token_version == 0 and suppressed() == set()
    # The page's button posts the same body to the same address.
    assert client.post(url, data=ONE_CLICK).status_code == 200
    assert entries()[0].status is ListEntryStatus.UNSUBSCRIBED


def test_a_post_without_the_one_click_body_changes_nothing(client, subscriber):
    response = client.post(_path(unsubscribe_url(subscriber)), data={})
    assert response.status_code == 400 and "Use the ‘Unsubscribe’ button" in response.get_data(as_text=True)
    assert entries()[0].status is ListEntryStatus.CONFIRMED


def test_forged_altered_and_other_links_are_refused_and_change_nothing(app, client, subscriber):
    good = unsubscribe_url(subscriber).rsplit("/", 1)[1]
    forged = URLSafeSerializer("not-the-secret-key", salt=SALT).dumps([subscriber.id, 0])
    other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="another-use").dumps([subscriber.id, 0])
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    payload_swapped = URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT).dumps([subscriber.id + 1, 0])
    other_shape = URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT).dumps({"id": subscriber.id})
    huge_id = URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT).dumps([2**63, 0])
    for token in (forged, other_salt, altered, "not-a-token", "x" * 500, other_shape, huge_id):
        for method in (client.get, client.post):
            response = method(f"/lists/unsubscribe/{token}", data=ONE_CLICK)
            assert response.status_code == 404, token
            assert "This unsubscribe link does not work" in response.get_data(as_text=True)
    # A valid signature for the other subscriber is theirs, not Dana's: only Eli would be unsubscribed.
    assert client.get(f"/lists/unsubscribe/{payload_swapped}").status_code == 200
    assert all(e.status is ListEntryStatus.CONFIRMED for e in entries()) and suppressed() == set()


def test_a_link_from_before_a_rejoin_is_refused(client, subscriber):
    old = _path(unsubscribe_url(subscriber))
    client.post(old, data=ONE_CLICK)
    entry = entries()[0]
    # Rejoined and confirmed since (confirming bumps the version again).
    entry.status, entry.token_version = ListEntryStatus.CONFIRMED, entry.token_version + 1
    db.session.commit()
    for method in (client.get, client.post):
        response = method(old, data=ONE_CLICK)
        assert response.status_code == 404
    assert entries()[0].status is ListEntryStatus.CONFIRMED
    assert client.post(_path(unsubscribe_url(entries()[0])), data=ONE_CLICK).status_code == 200
