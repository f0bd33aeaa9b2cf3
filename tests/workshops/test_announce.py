"""Announcing a workshop to the invitation list: compose with the details inserted, preview, test, send; the
one-click unsubscribe in the headers works; a double click sends once; the mail server down loses nothing."""

import re
from collections import Counter
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, insert, select

from ep_events.accounts.models import Role
from ep_events.bookings.models import EventStatus
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.invitations.models import InvitationListEntry, ListEntryStatus
from ep_events.notifications.mailings import mailing_progress, queue_all
from ep_events.notifications.models import Mailing, MailingKind, MailingStatus
from ep_events.notifications.outbox import deliver_all
from ep_events.workshops.announcements import announce_workshop
from ep_events.workshops.models import Workshop
from tests import factories
from tests.conftest import free_port, sign_in

# Built from the real clock with a wide margin: the workshop is a month ahead whenever the tests run.
AHEAD = timedelta(days=30)


class Announcing:
    pass


def _subscribers(programme, count: int, start: int = 0, status=ListEntryStatus.CONFIRMED) -> None:
    now = utcnow()
    db.session.execute(insert(InvitationListEntry), [
        {"programme_id": programme.id, "email": f"subscriber{i}@example.org", "name": f"Subscriber {i}",
         "status": status, "consent_at": now, "confirmed_at": now if status is ListEntryStatus.CONFIRMED else None,
         "consent_wording_version": "2027-01"}
        for i in range(start, start + count)])


@pytest.fixture
def announcing(app, mailbox):
    w = Announcing()
    w.programme = factories.programme(kind="workshops", slug="pds-workshops", name="Adoption England P&SD workshops",
                                      contact_email="ep-workshops@example.org")
    w.organiser = factories.user(email="organiser@example.org", name="Olu Organiser",
                                 roles=[(Role.ORGANISER, w.programme)])
    w.facilitator = factories.user(email="facilitator@example.org", roles=[(Role.FACILITATOR, w.programme)])
    starts = (utcnow() + AHEAD).replace(hour=10, minute=0, second=0, microsecond=0)
    w.workshop = Workshop(programme=w.programme, title="Hope boxes", starts_at=starts,
                          ends_at=starts + timedelta(minutes=90), status=EventStatus.PUBLISHED,
                          online_url=factories.TEAMS_URL, capacity=30, topic="Life story work",
                          audience="Foster carers and social workers", practice_standards=["S3"],
                          description="Making hope boxes with children.\n\nBring a shoebox.",
                          registration_closes_at=starts)
    db.session.add(w.workshop)
    _subscribers(w.programme, 3)
    _subscribers(w.programme, 1, start=3, status=ListEntryStatus.PENDING)
    _subscribers(w.programme, 1, start=4, status=ListEntryStatus.UNSUBSCRIBED)
    db.session.commit()
    w.url = f"/workshops/manage/{w.workshop.id}/announce"
    return w


def _form(client, url) -> dict:
    html = client.get(url).get_data(as_text=True)
    values = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) for name in ("subject", "idempotency_key")}
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)
    return {"subject": unescape(values["subject"].group(1)), "body": unescape(body),
            "idempotency_key": values["idempotency_key"].group(1)}


def _delivered(mailbox) -> list:
    queue_all()
    deliver_all("test")
    messages = list(mailbox.messages)
    mailbox.clear()
    return messages


def test_the_compose_page_inserts_the_workshops_details(announcing, client):
    sign_in(client, announcing.organiser)
    form = _form(client, announcing.url)
    assert form["subject"] == "Adoption England P&SD workshops: Hope boxes"
    body = form["body"]
    assert "Hope boxes" in body and "(UK time)" in body and "Topic: Life story work" in body
    assert "Bring a shoebox." in body
    assert f"/workshops/pds-workshops/{announcing.workshop.id}" in body
    assert "3 people subscribed now" in client.get(announcing.url).get_data(as_text=True)


def test_announce_preview_test_send_then_one_click_unsubscribe_stops_the_next(announcing, client, mailbox):
    sign_in(client, announcing.organiser)
    form = _form(client, announcing.url) | {"body": "New workshop: Hope boxes.\n<b>Bring a shoebox</b>."}
    preview = client.post(announcing.url, data=form).get_data(as_text=True)
    assert "Text version" in preview and "HTML version" in preview and "Send to 3 subscribers" in preview
    assert "&lt;b&gt;Bring a shoebox&lt;/b&gt;" in preview  # typed text, never HTML
    tested = client.post(f"{announcing.url}/test", data=form).get_data(as_text=True)
    assert "A test was sent to organiser@example.org" in tested
    [test_email] = _delivered(mailbox)
    assert test_email.recipients == ["organiser@example.org"] and test_email.subject.startswith("Test: ")

    sent = client.post(f"{announcing.url}/send", data=form)
    assert sent.status_code == 302
    progress_url = sent.headers["Location"]
    progress = client.get(progress_url).get_data(as_text=True)
    assert "Waiting to be sent" in progress and 'http-equiv="refresh"' in progress and "Stop refreshing" in progress
    messages = _delivered(mailbox)
    assert sorted(m.recipients[0] for m in messages) == [f"subscriber{i}@example.org" for i in range(3)]
    done = client.get(progress_url).get_data(as_text=True)
    assert "Finished" in done and 'http-equiv="refresh"' not in done

    message = next(m for m in messages if m.recipients == ["subscriber1@example.org"])
    assert message.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https_link = re.search(r"<(https?://[^>]+)>", message.message["List-Unsubscribe"]).group(1)
    assert "mailto:" in message.message["List-Unsubscribe"]
    assert https_link in message.text and f'href="{https_link}"' in message.html  # the visible link too
    path = re.sub(r"^https?://[^/]+", "", https_link)
    mail_client = client.application.test_client()  # a mail program: no cookies, no CSRF token
    assert mail_client.get(path).status_code == 200  # looking changes nothing
    assert mail_client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200

    form = _form(client, announcing.url)
    assert client.post(f"{announcing.url}/send", data=form).status_code == 302
    assert sorted(m.recipients[0] for m in _delivered(mailbox)) == ["subscriber0@example.org",
                                                                     "subscriber2@example.org"]


def test_a_double_click_sends_one_announcement(announcing, client, mailbox):
    sign_in(client, announcing.organiser)
    form = _form(client, announcing.url)
    locations = {client.post(f"{announcing.url}/send", data=form).headers["Location"] for _ in range(2)}
    assert len(locations) == 1
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 1
    assert len(_delivered(mailbox)) == 3


def test_two_thousand_subscribers_each_get_exactly_one_message_when_the_mail_server_was_down(announcing, app,
                                                                                                mailbox):
    _subscribers(announcing.programme, 1997, start=5)
    db.session.commit()
    mailing = announce_workshop(announcing.organiser, announcing.workshop, "Hope boxes", "Join us.", "k" * 32)
    db.session.commit()
    assert mailing.recipients_total == 2000
    assert queue_all() == 2000
    db.session.refresh(mailing)
    assert mailing.status is MailingStatus.QUEUED
    mail_state = app.extensions["mail"]
    server_port, mail_state.port = mail_state.port, free_port()  # nothing listens there: the server is down
    try:
        sent, failed = deliver_all("test")
    finally:
        mail_state.port = server_port
    assert sent == 0 and failed > 0 and not mailbox.messages
    progress = mailing_progress(mailing)
    assert (progress.queued, progress.sent, progress.complete) == (2000, 0, False)
    deliver_all("test")  # the server is back
    received = Counter(m.recipients[0] for m in mailbox.messages)
    assert len(received) == 2000 and set(received.values()) == {1}
    assert mailing_progress(mailing).sent == 2000


def test_batches_go_out_at_the_set_rate_through_the_command(announcing, app, mailbox):
    app.config["MAILING_BATCH_PER_MINUTE"] = 2
    announce_workshop(announcing.organiser, announcing.workshop, "Hope boxes", "Join us.", "k" * 32)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["send-mailings"])
    assert "mailing recipients queued: 2" in result.output
    # Run again: the same clock minute queues nothing more (1 if the minute turned between the two runs).
    result = app.test_cli_runner().invoke(args=["send-mailings"])
    assert re.search(r"mailing recipients queued: [01]\b", result.output)


@pytest.mark.parametrize("changes, message", [
    ({"subject": "Hope boxes\r\nBcc: everyone@example.org"}, "The subject must be one line"),
    ({"subject": "Hope boxes\nBcc: everyone@example.org"}, "The subject must be one line"),
    ({"body": "x" * (1024 * 1024)}, "The message must be 50,000 characters or fewer"),
    ({"body": "   "}, "Enter the message"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_sent(announcing, client, changes, message):
    sign_in(client, announcing.organiser)
    form = _form(client, announcing.url) | changes
    for url in (announcing.url, f"{announcing.url}/test", f"{announcing.url}/send"):
        response = client.post(url, data=form)
        assert response.status_code == 400
        assert "There is a problem" in response.get_data(as_text=True)
        assert message in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 0


def test_a_draft_or_cancelled_workshop_cannot_be_announced(announcing, client):
    sign_in(client, announcing.organiser)
    form = _form(client, announcing.url)
    for status, message in ((EventStatus.DRAFT, "Publish the workshop before announcing it"),
                            (EventStatus.CANCELLED, "This workshop is cancelled")):
        announcing.workshop.status = status
        db.session.commit()
        response = client.post(f"{announcing.url}/send", data=form)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 0


@pytest.mark.parametrize("who", ["facilitator", "other organiser", "practitioner"])
def test_only_the_programmes_organisers_announce(announcing, client, who):
    other = factories.programme(kind="workshops")
    user = {"facilitator": announcing.facilitator,
            "other organiser": factories.user(roles=[(Role.ORGANISER, other)]),
            "practitioner": factories.user()}[who]
    db.session.commit()
    sign_in(client, user)
    assert client.get(announcing.url).status_code == 403
    assert client.post(f"{announcing.url}/send", data={"subject": "x", "body": "y", "idempotency_key": "k" * 32}
                       ).status_code == 403
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 0


def test_anonymous_visitors_sign_in_and_other_announcements_are_not_found(announcing, client):
    assert client.get(announcing.url).status_code == 302
    mailing = announce_workshop(announcing.organiser, announcing.workshop, "Hope boxes", "Join us.", "k" * 32)
    other = Workshop(programme=announcing.programme, title="Other", starts_at=announcing.workshop.starts_at,
                     ends_at=announcing.workshop.ends_at, status=EventStatus.PUBLISHED, capacity=5,
                     registration_closes_at=announcing.workshop.starts_at)
    db.session.add(other)
    db.session.commit()
    sign_in(client, announcing.organiser)
    assert client.get(f"/workshops/manage/{announcing.workshop.id}/announcements/{mailing.id}").status_code == 200
    assert client.get(f"/workshops/manage/{other.id}/announcements/{mailing.id}").status_code == 404
    assert mailing.kind is MailingKind.ANNOUNCEMENT
