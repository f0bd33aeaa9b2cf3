"""Deleting an account erases the person: no table keeps their address or name afterwards."""

import html
import json
from datetime import timedelta

from sqlalchemy import JSON, String, Text, select

from ep_events.accounts import services as accounts
from ep_events.accounts.models import Role
from ep_events.bookings.models import Place, PlaceStatus
from ep_events.bookings.people import delete_account
from ep_events.core.audit import AuditEntry
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage, OutboxStatus
from ep_events.surgeries.attendance import mark_attendance
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import Attendance, SurgeryBooking
from ep_events.surgeries.waitlist import join_waitlist
from tests import factories
from tests.conftest import sign_in

EMAIL = "zoe.quill@example.org"
NAME = "Zoë Erasmus-Quill"
OLD_NAME = "Zoë Formerly-Known"


def readable(value) -> str:
    """A stored value as a person would read it: JSON decoded, calendar lines unfolded, HTML unescaped."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return html.unescape(text.replace("\r\n ", "").replace("\n ", "").replace("\\", "")).casefold()


def where_they_remain(*terms: str) -> list[str]:
    """Every text and JSON column of every table, searched for the terms."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))
                   or isinstance(getattr(c.type, "impl", None), (String, Text, JSON))]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).mappings():
            for column, value in row.items():
                if value is None:
                    continue
                for term in terms:
                    if term.casefold() in readable(value):
                        found.append(f"{table.name}.{column}: {term}")
    return found


def test_after_deleting_an_account_no_table_holds_the_persons_address_or_name(client, deliver, mailbox):
    programme = factories.surgery_programme()
    facilitator = factories.user(roles=[(Role.FACILITATOR, programme)])
    admin = factories.admin()
    leaver = factories.user(email=EMAIL, name=OLD_NAME, organisation_other="Quill Adoption Agency")
    accounts.admin_update_user(admin, leaver, NAME, "Adoption social worker", None, "Quill Adoption Agency", True)
    # An upcoming booking with a colleague joining: confirmation emails and invites to both.
    upcoming = factories.surgery_date(programme, days_ahead=10)
    booking, _ = book_slot(upcoming.slots[0], leaver, "general",
                           colleagues=[{"name": "Col League", "email": "col.league@example.org"}])
    # A past booking whose attendance a facilitator marked (audited with the address).
    past_now = utcnow() - timedelta(days=20)
    past = factories.surgery_date(programme, days_ahead=2, now=past_now)
    past_booking, _ = book_slot(past.slots[0], leaver, "general", now=past_now)
    mark_attendance(facilitator, past_booking, Attendance.ATTENDED)
    # Someone else's booking naming them as a colleague joining.
    friend = factories.user(name="Fran Friend")
    friends_booking, _ = book_slot(upcoming.slots[1], friend, "general",
                                   colleagues=[{"name": NAME, "email": EMAIL}])
    # The waiting list of a full date (audited with the address).
    full = factories.surgery_date(programme, days_ahead=12)
    others = [book_slot(slot, factories.user(), "general")[0].user for slot in full.slots]
    join_waitlist(full, leaver)
    db.session.commit()
    accounts.request_password_reset(EMAIL)
    db.session.commit()
    deliver()
    accounts.request_password_reset(EMAIL)  # still unsent when the account goes
    db.session.commit()
    assert where_they_remain(EMAIL, NAME, OLD_NAME)
    mailbox.clear()

    sign_in(client, leaver)
    response = client.post("/account/delete", data={"password": factories.PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    received = deliver()

    # The cancellations still reached the person and their colleague, and then were erased.
    assert sorted(m.recipients[0] for m in received) == ["col.league@example.org", EMAIL]
    assert all("cancelled" in m.subject.lower() for m in received)
    assert where_they_remain(EMAIL, NAME, OLD_NAME) == []
    # What happened is still on record, without who.
    leaver_label = f"deleted user #{leaver.id}"
    summaries = [e.summary for e in db.session.execute(select(AuditEntry)).scalars()]
    assert f"{leaver_label} deleted their account" in summaries
    assert any(leaver_label in s and "waiting list" in s for s in summaries)
    assert db.session.get(SurgeryBooking, friends_booking.id).colleagues == []
    sent = db.session.execute(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)).scalars().all()
    assert any(m.recipient == "[erased]" and m.body_text == "" and m.calendar is None for m in sent)
    # Emails that never named them are untouched.
    assert {m.recipient for m in sent if m.body_text} >= {other.email for other in others}


def test_a_short_name_does_not_erase_other_peoples_emails(app, deliver):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10, teams_url=factories.TEAMS_URL)
    other = factories.user(name="Ann Other")
    book_slot(surgery_date.slots[0], other, "general")
    jo = factories.user(name="Jo", email="jo@example.org")
    db.session.commit()
    deliver()
    delete_account(jo, factories.PASSWORD)
    db.session.commit()
    kept = db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == other.email)).scalar_one()
    assert "Join on Microsoft Teams" in kept.calendar.replace("\r\n ", "")
    assert kept.body_text


def test_reports_keep_a_deleted_persons_places_per_programme_and_organisation_without_them(app, client, deliver,
                                                                                          mailbox):
    programme = factories.surgery_programme()
    facilitator = factories.user(roles=[(Role.FACILITATOR, programme)])
    agency = factories.organisation(name="Quill Adoption Agency")
    leaver = factories.user(email=EMAIL, name=NAME, organisation=agency)
    past_now = utcnow() - timedelta(days=20)
    past = factories.surgery_date(programme, days_ahead=2, now=past_now)
    held, _ = book_slot(past.slots[0], leaver, "reflect", outline="A case I want to think through", now=past_now,
                        colleagues=[{"name": "Col League", "email": "col.league@example.org"}])
    mark_attendance(facilitator, held, Attendance.ATTENDED)
    upcoming = factories.surgery_date(programme, days_ahead=10)
    coming, _ = book_slot(upcoming.slots[0], leaver, "general")
    db.session.commit()

    delete_account(leaver, factories.PASSWORD)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.execute(select(Place.id, Place.user_id, Place.organisation_id, Place.status, Place.attendance)
                              .order_by(Place.starts_at)).all()
    assert kept == [(held.id, None, agency.id, PlaceStatus.CONFIRMED, Attendance.ATTENDED),
                    (coming.id, None, agency.id, PlaceStatus.CANCELLED, Attendance.UNKNOWN)]
    # What they wrote went with them; the theme stays for the themes report.
    booking = db.session.get(SurgeryBooking, held.id)
    assert (booking.outline, booking.colleagues, booking.theme) == ("", [], "reflect")
    # The facilitator's page for the date still opens: the slot is booked, by nobody it can name.
    sign_in(client, facilitator)
    page = client.get(f"/surgeries/manage/dates/{past.id}").get_data(as_text=True)
    assert "Booked by someone who has since deleted their account" in page and NAME not in page
    csv_text = client.get(f"/surgeries/manage/dates/{past.id}/bookings.csv").get_data(as_text=True)
    assert "(account deleted)" in csv_text and EMAIL not in csv_text
    # Cancelling that date tells nobody (there is nobody to tell) and does not fail.
    deliver()
    mailbox.clear()
    response = client.post(f"/surgeries/manage/dates/{past.id}/cancel", data={"submit": "Cancel this date"})
    assert response.status_code == 302
    assert "The date is cancelled. 0 booked people were told." in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert deliver() == []
