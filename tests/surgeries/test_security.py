"""Issue 10 for surgeries: mail budgets, colleague names and emails, bounded dates, jobs that survive a bad
row, outlines kept from site admins, draft dates hidden from practitioners."""

import logging
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from ep_events.accounts.models import Role
from ep_events.accounts.policy import can_read_outlines
from ep_events.bookings.reminders import send_due_reminders
from ep_events.core.errors import DomainError
from ep_events.core.time import uk_date, utcnow
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import create_surgery_date
from ep_events.surgeries.models import OfferStatus, SessionKind, SlotOffer, SurgeryBooking, SurgeryDate
from ep_events.surgeries.waitlist import expire_offers, join_waitlist
from tests import factories
from tests.conftest import sign_in
from tests.factories import working_day
from tests.surgeries.test_emails import calendar_of

OUTSIDER = "outsider@example.org"


@pytest.fixture
def world(app):
    programme = factories.surgery_programme(slug="mtc")
    surgery_date = factories.surgery_date(programme, day=working_day(10), teams_url=factories.TEAMS_URL)
    practitioner = factories.user(name="Alice Booker", email="alice@example.org")
    db.session.commit()
    return dict(programme=programme, surgery_date=surgery_date, practitioner=practitioner)


def mails_to(address: str) -> int:
    return db.session.execute(select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == address)
                              ).scalar_one()


def booking_of(user) -> SurgeryBooking:
    return db.session.execute(select(SurgeryBooking).where(SurgeryBooking.user_id == user.id)
                              .order_by(SurgeryBooking.id.desc()).limit(1)).scalar_one()


# --- 1. Mail to anyone ------------------------------------------------------------------------

def test_booking_and_cancelling_in_a_loop_is_stopped_with_429_and_sends_no_more_email(app, client, world):
    """Issue 10's loop: book naming an outside address, cancel, again. The shared budget (20 a person an
    hour by default) answers 429 and queues nothing once spent."""
    assert app.config["EMAIL_LIMIT_PER_PERSON"].startswith("20 per hour")
    sign_in(client, world["practitioner"])
    slot = world["surgery_date"].slots[0]
    booking_data = {"theme": "general", "colleague1_name": "Col League", "colleague1_email": OUTSIDER}
    statuses = []
    for _ in range(15):
        booked = client.post(f"/surgeries/slots/{slot.id}/book", data=booking_data)
        statuses.append(booked.status_code)
        if booked.status_code == 429:
            break
        cancelled = client.post(f"/bookings/{booking_of(world['practitioner']).id}/cancel", data={})
        statuses.append(cancelled.status_code)
        if cancelled.status_code == 429:
            break
    assert statuses[:20] == [302] * 20 and statuses[20] == 429
    assert mails_to(OUTSIDER) == 20
    # Spent: every email-sending surgery form is refused and nothing more is queued.
    blocked = client.post(f"/surgeries/slots/{slot.id}/book", data=booking_data)
    assert blocked.status_code == 429
    assert mails_to(OUTSIDER) == 20


@pytest.mark.parametrize("route", ["book", "cancel", "move", "waitlist", "leave", "offer"])
def test_every_surgery_form_that_sends_email_draws_on_the_same_budget(app, client, world, route):
    app.config["EMAIL_LIMIT_PER_PERSON"] = "1 per hour"
    person = world["practitioner"]
    slots = world["surgery_date"].slots
    booking, _ = book_slot(slots[1], person, "general")
    full = factories.surgery_date(world["programme"], day=working_day(10) + timedelta(days=1))
    for slot in full.slots:
        book_slot(slot, factories.user(), "general")
    entry = join_waitlist(full, person) if route == "leave" else None
    db.session.commit()
    sign_in(client, person)
    assert client.post(f"/surgeries/slots/{slots[0].id}/book", data={"theme": "general"}).status_code == 302
    before = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    url = {"book": f"/surgeries/slots/{slots[2].id}/book", "cancel": f"/bookings/{booking.id}/cancel",
           "move": f"/bookings/{booking.id}/move", "waitlist": f"/surgeries/dates/{full.id}/waitlist",
           "leave": f"/waitlist/{entry.id if entry else 0}/leave", "offer": "/offers/1"}[route]
    response = client.post(url, data={"theme": "general", "slot": str(slots[2].id)})
    assert response.status_code == 429
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == before


def test_a_failed_form_uses_none_of_the_budget(app, client, world):
    app.config["EMAIL_LIMIT_PER_PERSON"] = "1 per hour"
    sign_in(client, world["practitioner"])
    slot = world["surgery_date"].slots[0]
    for _ in range(3):
        assert client.post(f"/surgeries/slots/{slot.id}/book", data={}).status_code == 400
    assert client.post(f"/surgeries/slots/{slot.id}/book", data={"theme": "general"}).status_code == 302


@pytest.mark.parametrize("name", ["Siân O'Brien-Jones", "Zoë Ł. Nowak", "Dr. A. N. Other", "张伟", "محمد علي",
                                  "Jose\u0301 Nun\u0303ez", "Ngũgĩ wa Thiong’o", "Ana  María"])
def test_a_colleague_can_have_any_plain_name(world, name):
    booking, _ = book_slot(world["surgery_date"].slots[0], world["practitioner"], "general",
                           colleagues=[{"name": name, "email": "col@example.org"}])
    assert booking.colleagues[0]["name"] == " ".join(unicodedata.normalize("NFC", name).split())


@pytest.mark.parametrize("name", ["Bob\nPlease pay the invoice at once", "Bob\r\nX", "Visit https://evil.example.org",
                                  "<b>Bob</b>", "Bob: call 0800 123 456", "12345", "...", "a" * 71, "Bob\tSmith",
                                  "Bob\u202eevil"])
def test_a_colleague_name_that_is_not_a_plain_name_is_refused_on_its_field(world, name):
    with pytest.raises(DomainError, match="only letters, spaces, hyphens, apostrophes and full stops") as refused:
        book_slot(world["surgery_date"].slots[0], world["practitioner"], "general",
                  colleagues=[{"name": "Ann Other", "email": "a@example.org"},
                              {"name": name, "email": "col@example.org"}])
    assert refused.value.field == "colleague2_name"


def test_the_booking_form_shows_the_name_rule_and_refuses_a_two_line_name(client, world):
    sign_in(client, world["practitioner"])
    url = f"/surgeries/slots/{world['surgery_date'].slots[0].id}/book"
    assert "letters, spaces, hyphens, apostrophes and full stops" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"theme": "general", "colleague1_name": "Col\nClick the link below",
                                      "colleague1_email": OUTSIDER})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in body
    assert "Enter colleague 1&#39;s name using only letters" in body
    assert 'href="#colleague1_name"' in body
    assert db.session.execute(select(func.count(SurgeryBooking.id))).scalar_one() == 0
    assert mails_to(OUTSIDER) == 0


def test_the_colleague_email_says_only_who_booked_and_when(app, world, deliver):
    surgery_date = world["surgery_date"]
    with app.test_request_context():
        booking, _ = book_slot(surgery_date.slots[0], world["practitioner"], "legal-cafcass",
                               outline="About a baby in FfA",
                               colleagues=[{"name": "Col League", "email": OUTSIDER}])
        db.session.commit()
        cancel_booking(booking, world["practitioner"], "Clash with court")
        db.session.commit()
    booked, cancelled = [m for m in deliver() if m.recipients == [OUTSIDER]]
    for message, method in ((booked, "REQUEST"), (cancelled, "CANCEL")):
        for body in (message.text, message.html):
            assert "Alice Booker" in body
            assert uk_date(surgery_date.slots[0].starts_at) in body
            assert "9:30am to 10:10am (UK time)" in body
            for leak in ("http", "www.", "Col League", "FfA", "Clash", "legal", "CAFCASS", "Dear"):
                assert leak not in body, (leak, body)
        calendar, event = calendar_of(message)
        assert str(calendar["METHOD"]) == method and str(event["UID"]) == booking.uid
        ics = event.to_ical().decode()
        assert "http" not in ics and "Col League" not in ics and "Alice Booker" in ics
    assert booked.subject.startswith("Surgery booked:") and cancelled.subject.startswith("Surgery cancelled:")


# --- 4. Bounded dates, and jobs that carry on past a bad row ------------------------------------

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # a Tuesday: two years on is a Friday


def test_a_surgery_date_can_be_set_up_to_two_years_ahead_and_no_further(app):
    programme = factories.surgery_programme()
    create_surgery_date(None, programme, date(2028, 12, 1), SessionKind.PM, now=NOW)
    with pytest.raises(DomainError, match="within 2 years of today, so on or before 1 December 2028") as refused:
        create_surgery_date(None, programme, date(2028, 12, 4), SessionKind.AM, now=NOW)
    assert refused.value.field == "day"
    with pytest.raises(DomainError, match="within 2 years"):
        create_surgery_date(None, programme, date(9999, 12, 31), SessionKind.PM, now=NOW)


def test_the_new_date_form_shows_the_two_year_limit_on_the_date_field(client, world):
    organiser = factories.user(roles=[(Role.ORGANISER, world["programme"])])
    db.session.commit()
    sign_in(client, organiser)
    too_far = (utcnow() + timedelta(days=2 * 366 + 30)).date()
    response = client.post("/surgeries/mtc/manage/dates/new",
                           data={"day": [str(too_far.day), str(too_far.month), str(too_far.year)], "session": "am"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in body
    assert "The surgery date must be within 2 years of today" in body and 'href="#day' in body
    assert db.session.execute(select(func.count(SurgeryDate.id))).scalar_one() == 1


def _force_far_future_booking(programme, user, outline: str) -> int:
    """A date in 9999 written straight into the database, as one could be before dates were bounded."""
    # Strings as SQLAlchemy writes SQLite datetimes (sqlite3's own datetime adapter is deprecated).
    starts, ends, long_ago = "9999-12-31 09:30:00.000000", "9999-12-31 10:10:00.000000", "2026-01-01 00:00:00.000000"
    date_id = db.session.execute(text(
        "INSERT INTO event (kind, programme_id, title, starts_at, ends_at, status, online_url, venue, created_at)"
        " VALUES ('surgery_date', :p, 'Practice surgery', :s, :e, 'published', '', '', :now) RETURNING id"),
        {"p": programme.id, "s": starts, "e": ends, "now": long_ago}).scalar_one()
    db.session.execute(text("INSERT INTO surgery_date (id, day, session, cancel_message) "
                            "VALUES (:d, '9999-12-31', 'am', '')"), {"d": date_id})
    slot_id = db.session.execute(text(
        "INSERT INTO surgery_slot (surgery_date_id, starts_at, ends_at, status) VALUES (:d, :s, :e, 'open')"
        " RETURNING id"), {"d": date_id, "s": starts, "e": ends}).scalar_one()
    booking_id = db.session.execute(text(
        "INSERT INTO place (kind, event_id, user_id, uid, sequence, status, starts_at, ends_at, cancel_reason,"
        " attendance, created_at) VALUES ('surgery_booking', :d, :user, 'far@ep-events', 0, 'confirmed', :s, :e, '',"
        " 'unknown', :now) RETURNING id"),
        {"d": date_id, "user": user.id, "s": starts, "e": ends, "now": long_ago}).scalar_one()
    db.session.execute(text(
        "INSERT INTO surgery_booking (id, slot_id, held_slot_id, theme, outline, colleagues) VALUES (:id, :slot,"
        " :slot, 'general', :outline, '[]')"), {"id": booking_id, "slot": slot_id, "outline": outline})
    db.session.commit()
    return booking_id


def test_purge_expired_erases_every_other_outline_past_one_booking_dated_9999(app, caplog):
    broken = factories.surgery_programme()
    fine = factories.surgery_programme()
    old_date = factories.surgery_date(fine, day=date(2026, 10, 1), now=datetime(2026, 9, 1, tzinfo=UTC))
    person = factories.user()
    old, _ = book_slot(old_date.slots[0], person, "general", outline="An old question",
                       now=datetime(2026, 9, 1, tzinfo=UTC))
    db.session.commit()
    far = _force_far_future_booking(broken, person, "Kept for ever?")
    with caplog.at_level(logging.ERROR, logger="ep_events.jobs"):
        result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert "outlines erased: 1" in result.output
    db.session.expire_all()
    assert db.session.get(SurgeryBooking, old.id).outline == ""
    assert db.session.get(SurgeryBooking, far).outline == "Kept for ever?"
    assert f"purge-expired: skipped the outline of booking {far}" in caplog.text and "OverflowError" in caplog.text
    # The bad row is logged each run, and the rest stays done.
    assert "outlines erased: 0" in app.test_cli_runner().invoke(args=["purge-expired"]).output


def test_expire_offers_carries_on_past_an_offer_that_cannot_be_processed(app, caplog):
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    offers = []
    for _ in range(2):
        programme = factories.surgery_programme()
        surgery_date = factories.surgery_date(programme, day=date(2026, 12, 21), now=now)
        booking, _ = book_slot(surgery_date.slots[0], factories.user(), "general", now=now)
        for slot in surgery_date.slots[1:]:
            book_slot(slot, factories.user(), "general", now=now)
        for _waiting in range(2):  # the second is offered the slot when the first offer lapses
            join_waitlist(surgery_date, factories.user(), now=now)
        cancel_booking(booking, booking.user, now=now)
        offers.append(db.session.execute(select(SlotOffer).where(SlotOffer.slot_id == booking.slot_id)).scalar_one())
    db.session.commit()
    # The first programme's offer time, corrupted in the database: passing its slot on overflows.
    db.session.execute(text("UPDATE surgery_settings SET offer_hours = :h WHERE programme_id = :p"),
                       {"h": 10**10, "p": offers[0].slot.surgery_date.programme_id})
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="ep_events.jobs"):
        expire_offers(now=now + timedelta(hours=13))
    db.session.expire_all()
    assert db.session.get(SlotOffer, offers[0].id).status is OfferStatus.OPEN  # rolled back, tried next run
    assert db.session.get(SlotOffer, offers[1].id).status is OfferStatus.EXPIRED
    assert db.session.execute(select(func.count(SlotOffer.id)).where(SlotOffer.status == OfferStatus.OPEN)
                              ).scalar_one() == 2  # the second date's slot went to its next person
    assert f"expire-offers: skipped offer {offers[0].id}" in caplog.text


def test_send_reminders_carries_on_past_a_programme_with_a_corrupt_setting(app, caplog):
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    bookings = []
    for _ in range(2):
        programme = factories.surgery_programme()
        surgery_date = factories.surgery_date(programme, day=date(2026, 12, 3), now=now - timedelta(days=5))
        booking, _ = book_slot(surgery_date.slots[0], factories.user(), "general",
                               now=now - timedelta(days=5))
        booking.created_at = now - timedelta(days=5)
        bookings.append(booking)
    db.session.commit()
    db.session.execute(text("UPDATE surgery_settings SET reminder_hours = :h WHERE programme_id = :p"),
                       {"h": "[10000000000]", "p": bookings[0].slot.surgery_date.programme_id})
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="ep_events.jobs"):
        assert send_due_reminders(now=now) == 1
    reminders = db.session.execute(select(OutboxMessage.recipient).where(OutboxMessage.kind == "surgeries/reminder")
                                   ).scalars().all()
    assert reminders == [bookings[1].user.email]
    assert f"send-reminders: skipped the reminders of place {bookings[0].id}" in caplog.text


# --- 7. Outlines: the booker and the programme's facilitators and organisers only ----------------

@pytest.fixture
def booked_with_outline(world):
    booking, _ = book_slot(world["surgery_date"].slots[0], world["practitioner"], "general",
                           outline="Unsure whether FfA is the right plan")
    db.session.commit()
    return booking


def test_a_site_admin_sees_bookings_but_not_outlines(client, world, booked_with_outline):
    sign_in(client, factories.admin())
    body = client.get(f"/surgeries/manage/dates/{world['surgery_date'].id}").get_data(as_text=True)
    assert "Alice Booker" in body
    assert "Unsure whether FfA" not in body
    assert "Outline: only this programme's facilitators and organisers can read it" in body


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.ORGANISER])
def test_the_programmes_facilitators_and_organisers_read_outlines(client, world, booked_with_outline, role):
    sign_in(client, factories.user(roles=[(role, world["programme"])]))
    body = client.get(f"/surgeries/manage/dates/{world['surgery_date'].id}").get_data(as_text=True)
    assert "Outline: Unsure whether FfA is the right plan" in body


def test_an_admin_who_grants_themself_the_role_reads_outlines(client, world, booked_with_outline):
    admin = factories.user(roles=[(Role.ADMIN, None), (Role.FACILITATOR, world["programme"])])
    sign_in(client, admin)
    body = client.get(f"/surgeries/manage/dates/{world['surgery_date'].id}").get_data(as_text=True)
    assert "Outline: Unsure whether FfA is the right plan" in body


def test_can_read_outlines_is_per_programme_and_never_for_admins_as_such(world):
    other = factories.surgery_programme()
    programme = world["programme"]
    assert not can_read_outlines(factories.admin(), programme)
    assert not can_read_outlines(factories.user(roles=[(Role.FACILITATOR, other)]), programme)
    assert not can_read_outlines(factories.user(roles=[(Role.ORGANISER, other)]), programme)
    assert not can_read_outlines(world["practitioner"], programme)
    assert can_read_outlines(factories.user(roles=[(Role.FACILITATOR, programme)]), programme)
    assert can_read_outlines(factories.user(roles=[(Role.ORGANISER, programme)]), programme)


# --- 8. Draft dates are not found by practitioners -----------------------------------------------

@pytest.fixture
def draft(world):
    draft = factories.surgery_date(world["programme"], day=working_day(10), session=SessionKind.PM, publish=False)
    db.session.commit()
    return draft


def test_every_practitioner_route_with_a_draft_dates_ids_is_not_found(client, world, draft):
    booking, _ = book_slot(world["surgery_date"].slots[0], world["practitioner"], "general")
    db.session.commit()
    sign_in(client, world["practitioner"])
    slot = draft.slots[0]
    for method, url, data in [
        ("GET", f"/surgeries/slots/{slot.id}/book", None),
        ("POST", f"/surgeries/slots/{slot.id}/book", {"theme": "general"}),
        ("GET", f"/surgeries/dates/{draft.id}/waitlist", None),
        ("POST", f"/surgeries/dates/{draft.id}/waitlist", {"theme": "general"}),
    ]:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 404, (method, url)
        assert draft.label not in response.get_data(as_text=True)
    # Moving onto a draft slot: not among the choices, and its label is never shown.
    moved = client.post(f"/bookings/{booking.id}/move", data={"slot": str(slot.id)})
    assert moved.status_code == 400 and draft.label not in moved.get_data(as_text=True)
    assert booking_of(world["practitioner"]).slot_id == world["surgery_date"].slots[0].id
    listing = client.get("/surgeries/mtc").get_data(as_text=True)
    assert draft.label not in listing


def test_the_programmes_facilitators_can_still_open_a_draft_dates_pages(client, world, draft):
    sign_in(client, factories.user(roles=[(Role.FACILITATOR, world["programme"])]))
    assert client.get(f"/surgeries/dates/{draft.id}/waitlist").status_code != 404
    response = client.get(f"/surgeries/slots/{draft.slots[0].id}/book")
    assert response.status_code == 302  # to the dates, with "This slot is not available"
