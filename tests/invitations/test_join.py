"""Joining the invitation list: double opt-in by email, the consent recorded, a GET of the confirm link
changes nothing, links expire after 7 days, the form never says who is on the list, bad input saves nothing."""

from datetime import timedelta

from sqlalchemy import select

from ep_events.extensions import db
from ep_events.invitations import entries as entries_module
from ep_events.invitations.consent import WORDING_VERSION
from ep_events.invitations.entries import expire_pending_entries
from ep_events.invitations.models import ConsentSource, ListEntryStatus, SuppressedAddress
from ep_events.invitations.unsubscribe import unsubscribe, unsubscribe_url
from ep_events.notifications.models import AfterSending, OutboxMessage
from ep_events.programmes.models import ProgrammeStatus
from tests.invitations.conftest import JOIN_URL, NOW, entries, link_in, outbox_count, suppressed, text_of

CHECK_EMAIL = "/lists/pds-workshops/join/check-your-email"


def _join(client, **changes):
    data = {"name": "Dana Doyle", "email": "Dana.Doyle@example.org", "organisation_name": "Westmere Council",
            "role": "Adoption social worker"} | changes
    return client.post(JOIN_URL, data=data)


def _confirm_link(deliver, address="dana.doyle@example.org") -> str:
    [message] = [m for m in deliver() if m.recipients == [address]][-1:]
    assert message.subject == "Confirm you want to join the invitation list of Adoption England P&SD workshops"
    return link_in(message, "/lists/confirm/")


def test_a_visitor_joins_and_confirms_from_the_emailed_link(client, world, deliver):
    page = text_of(client.get(JOIN_URL).get_data(as_text=True))
    assert "Join the invitation list" in page and "You do not need an account" in page
    assert "Every email has a link to unsubscribe in one click" in page  # the consent wording is shown

    response = _join(client)
    assert response.status_code == 302 and response.headers["Location"].endswith(CHECK_EMAIL)
    assert "Check your email" in client.get(CHECK_EMAIL).get_data(as_text=True)
    [entry] = entries()
    assert (entry.email, entry.name, entry.status) == ("dana.doyle@example.org", "Dana Doyle",
                                                       ListEntryStatus.PENDING)
    assert entry.confirm_expires_at == NOW + timedelta(days=7) and len(entry.confirm_token_hash) == 64

    link = _confirm_link(deliver)
    assert entry.confirm_token_hash not in link  # only the hash is stored, never the token
    page = client.get(link)
    assert page.status_code == 200
    body = text_of(page.get_data(as_text=True))
    assert "Confirm you want to join the invitation list" in body and "dana.doyle@example.org" in body
    assert entries()[0].status is ListEntryStatus.PENDING  # opening the link (a mail scanner) changes nothing

    response = client.post(link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/lists/pds-workshops/joined")
    assert "You are on the invitation list" in client.get(response.headers["Location"]).get_data(as_text=True)
    [entry] = entries()
    assert entry.status is ListEntryStatus.CONFIRMED and entry.confirmed_at == NOW
    assert (entry.consent_at, entry.consent_source, entry.consent_wording_version) == (
        NOW, ConsentSource.JOIN_FORM, WORDING_VERSION)
    assert entry.confirm_token_hash is None
    # The link works once.
    assert client.get(link).status_code == 404
    assert "This link does not work" in client.post(link).get_data(as_text=True)


def test_the_confirm_link_expires_after_seven_days_and_the_job_expires_the_entry(client, world, deliver, frozen):
    _join(client)
    link = _confirm_link(deliver)
    frozen.tick(timedelta(days=7, seconds=1))
    page = client.get(link)
    assert page.status_code == 410 and "This link has expired" in page.get_data(as_text=True)
    assert client.post(link).status_code == 410
    assert entries()[0].status is ListEntryStatus.PENDING
    assert expire_pending_entries() == 1
    db.session.commit()
    [entry] = entries()
    assert entry.status is ListEntryStatus.EXPIRED and entry.confirm_token_hash is None
    assert expire_pending_entries() == 0  # running it twice does nothing twice
    assert client.get(link).status_code == 404
    # Joining again starts a new double opt-in.
    _join(client)
    assert client.post(_confirm_link(deliver)).status_code == 302
    assert entries()[0].status is ListEntryStatus.CONFIRMED


def test_joining_again_while_pending_resends_at_most_every_ten_minutes(client, world, deliver, frozen, mailbox):
    _join(client)
    first = _confirm_link(deliver)
    mailbox.clear()
    _join(client)
    assert deliver() == []  # no second email yet
    frozen.tick(timedelta(minutes=11))
    _join(client, name="Dana M Doyle")
    second = _confirm_link(deliver)
    assert second != first and client.get(first).status_code == 404  # the earlier link stops working
    assert client.post(second).status_code == 302
    assert entries()[0].name == "Dana M Doyle"


def test_joining_when_subscribed_answers_the_same_page_and_tells_only_the_address_owner(
        client, world, deliver, mailbox):
    _join(client)
    client.post(_confirm_link(deliver))
    mailbox.clear()
    response = _join(client, name="Someone Else", email="dana.doyle@example.org")
    assert response.status_code == 302 and response.headers["Location"].endswith(CHECK_EMAIL)
    [message] = [m for m in deliver() if m.recipients == ["dana.doyle@example.org"]]
    assert message.subject == "You are already on the invitation list of Adoption England P&SD workshops"
    [entry] = entries()
    assert entry.status is ListEntryStatus.CONFIRMED and entry.name == "Dana Doyle"  # nothing changed


def test_an_unsubscribed_address_rejoins_only_by_confirming_again_which_lifts_the_suppression(
        client, world, deliver):
    _join(client)
    client.post(_confirm_link(deliver))
    entry = entries()[0]
    old_unsubscribe = unsubscribe_url(entry)
    unsubscribe(entry)
    db.session.commit()
    assert suppressed() == {"dana.doyle@example.org"}

    _join(client)
    entry = entries()[0]
    assert entry.status is ListEntryStatus.PENDING and suppressed() == {"dana.doyle@example.org"}
    client.post(_confirm_link(deliver))
    entry = entries()[0]
    assert entry.status is ListEntryStatus.CONFIRMED and suppressed() == set()
    # The unsubscribe link from before the rejoin no longer works.
    assert client.post(old_unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert entries()[0].status is ListEntryStatus.CONFIRMED


def test_cr_or_lf_in_a_name_is_refused_and_nothing_is_saved_or_sent(client, world):
    for name in ("Dana\r\nBcc: victim@example.org", "Dana\nDoyle", "Dana\x0bDoyle"):
        response = _join(client, name=name)
        assert response.status_code == 400
        assert "Your name must be on one line" in text_of(response.get_data(as_text=True))
    assert entries() == [] and outbox_count() == 0


def test_missing_or_bad_details_show_the_error_summary_and_save_nothing(client, world):
    response = _join(client, name="", email="not-an-address")
    body = text_of(response.get_data(as_text=True))
    assert response.status_code == 400 and "There is a problem" in body and "Enter your name" in body
    response = _join(client, email="not-an-address")
    assert "Enter an email address in the correct format" in text_of(response.get_data(as_text=True))
    response = _join(client, organisation_name="x" * 201)
    assert "Your organisation must be 200 characters or fewer" in text_of(response.get_data(as_text=True))
    assert entries() == [] and outbox_count() == 0


def test_one_address_can_ask_three_times_an_hour_then_gets_the_too_many_attempts_page(client, world):
    for n in range(3):
        response = client.post(JOIN_URL, data={"name": "Dana", "email": "dana@example.org"},
                               environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"})
        assert response.status_code == 302
    response = client.post(JOIN_URL, data={"name": "Dana", "email": "dana@example.org"},
                           environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert response.status_code == 429 and "Too many attempts" in response.get_data(as_text=True)


def test_one_ip_address_can_send_the_form_ten_times_an_hour(client, world):
    for n in range(10):
        response = client.post(JOIN_URL, data={"name": "Dana", "email": f"person{n}@example.org"})
        assert response.status_code == 302
    response = client.post(JOIN_URL, data={"name": "Dana", "email": "person99@example.org"})
    assert response.status_code == 429


def test_a_draft_programme_has_no_public_join_page(client, world):
    world.programme.status = ProgrammeStatus.DRAFT
    db.session.commit()
    assert client.get(JOIN_URL).status_code == 404
    assert client.post(JOIN_URL, data={"name": "Dana", "email": "dana@example.org"}).status_code == 404
    assert client.get("/lists/" + "x" * 500 + "/join").status_code == 404
    assert db.session.execute(select(SuppressedAddress)).first() is None


def test_the_confirm_email_is_blanked_in_the_outbox_once_sent(client, world, deliver):
    _join(client)
    _confirm_link(deliver)
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    db.session.refresh(message)
    assert message.after_sending is AfterSending.BLANK_BODIES
    assert "/lists/confirm/" not in (message.body_text or "")


def test_a_double_submit_racing_past_the_look_up_answers_the_same_page_without_an_error(
        client, world, deliver, monkeypatch):
    _join(client)
    real_entry_for = entries_module.entry_for
    calls = []

    def missed_once(programme, email):
        calls.append(email)
        return None if len(calls) == 1 else real_entry_for(programme, email)

    monkeypatch.setattr(entries_module, "entry_for", missed_once)
    response = _join(client)
    assert response.status_code == 302 and response.headers["Location"].endswith(CHECK_EMAIL)
    assert len(entries()) == 1 and len(deliver()) == 1
