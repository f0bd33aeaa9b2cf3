"""Download my data (UK GDPR right of access): a person's zip holds everything about them and nothing
about anyone else."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from freezegun import freeze_time
from playwright.sync_api import expect
from sqlalchemy import select

from ep_events.accounts.models import Role, TokenPurpose
from ep_events.accounts.services import confirm_email_change, grant_role, issue_token
from ep_events.bookings.personal_data import personal_data_zip
from ep_events.core.audit import AuditEntry
from ep_events.core.time import to_uk, utcnow
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from ep_events.surgeries.attendance import mark_attendance
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import Attendance, SlotOffer
from ep_events.surgeries.waitlist import join_waitlist
from tests import factories
from tests.browser.keyboard import press, type_into
from tests.conftest import sign_in

A_OUTLINE = "Thinking about life-story work for siblings placed apart (Alder)"
B_OUTLINE = "Contact arrangements after a disrupted placement (Birch)"
A_JOB_TITLE = '=HYPERLINK("https://example.org","Senior practitioner")'


def fill(surgery_date):
    """Book every slot of a date for people who are neither A nor B; returns their bookings."""
    return [book_slot(slot, factories.user(), "general")[0] for slot in surgery_date.slots]


@pytest.fixture
def seeded(app):
    """One of everything for two people, A and B, on the same programme."""
    admin = factories.admin(email="site.admin@example.org")
    facilitator = factories.user(email="fay.facilitator@example.org", name="Fay Facilitator")
    programme = factories.surgery_programme(name="Adoption Practice Surgeries")
    a = factories.user(email="alice.adopter-support@example.org", name="Alice Appleby", job_title=A_JOB_TITLE)
    b = factories.user(email="bea.otherperson@example.org", name="Beatrix Otherperson", job_title="Team manager")
    grant_role(admin, a, Role.FACILITATOR, programme)
    grant_role(admin, b, Role.ORGANISER, programme)

    soon = factories.surgery_date(programme, day=factories.working_day(10))
    a_booking, _ = book_slot(soon.slots[0], a, "reflect", outline=A_OUTLINE,
                             colleagues=[{"name": "Kit Colleague", "email": "kit.colleague@example.org"}])
    b_booking, _ = book_slot(soon.slots[1], b, "general", outline=B_OUTLINE)
    a_cancelled, _ = book_slot(soon.slots[2], a, "general")
    cancel_booking(a_cancelled, a, reason="Court hearing moved to that morning")
    mark_attendance(facilitator, a_booking, Attendance.ATTENDED, now=a_booking.slot.ends_at)
    # A, a facilitator, marks B: the audit entry A made names B, and must not carry B's address into A's file.
    mark_attendance(a, b_booking, Attendance.DID_NOT_ATTEND, now=b_booking.slot.ends_at)

    full_for_a = factories.surgery_date(programme, day=factories.working_day(20))
    taken_a = fill(full_for_a)
    a_entry = join_waitlist(full_for_a, a, theme="reflect")
    full_for_b = factories.surgery_date(programme, day=factories.working_day(30))
    taken_b = fill(full_for_b)
    b_entry = join_waitlist(full_for_b, b)
    for freed in (taken_a[0], taken_b[0]):
        cancel_booking(freed, freed.user)
    a_offer = db.session.execute(select(SlotOffer).where(SlotOffer.entry_id == a_entry.id)).scalar_one()
    b_offer = db.session.execute(select(SlotOffer).where(SlotOffer.entry_id == b_entry.id)).scalar_one()
    db.session.commit()
    return {"a": a, "b": b, "programme": programme, "a_booking": a_booking, "b_booking": b_booking,
            "a_cancelled": a_cancelled, "a_entry": a_entry, "b_entry": b_entry, "a_offer": a_offer,
            "b_offer": b_offer}


def download(client):
    response = client.post("/account/my-data")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def unzip(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def rows(files: dict[str, str], section: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[f"{section}.csv"])))


def test_a_persons_file_holds_each_of_their_records_in_the_json_and_the_spreadsheets(client, seeded):
    a = seeded["a"]
    sign_in(client, a)
    response = download(client)
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="ep-events-my-data-{to_uk(utcnow()):%Y-%m-%d}.zip"')
    files = unzip(response)
    data = json.loads(files["my-data.json"])
    for name in ("README.txt", "my-data.json", "account.csv", "grants.csv", "places.csv", "waiting_lists.csv",
                 "emails.csv", "audit.csv", "surgery_bookings.csv", "surgery_waiting_lists.csv", "surgery_offers.csv"):
        assert name in files

    assert data["account"] == [{
        "name": "Alice Appleby", "email": "alice.adopter-support@example.org", "job_title": A_JOB_TITLE,
        "organisation": "", "created_at": a.created_at.isoformat(), "confirmed_at": a.confirmed_at.isoformat(),
        "has_calendar_feed_address": False}]
    assert rows(files, "account")[0]["email"] == "alice.adopter-support@example.org"
    assert all(key not in files["my-data.json"] for key in ("password_hash", "feed_token", "session_version"))

    assert [(g["role"], g["programme"]) for g in data["grants"]] == [("Facilitator", "Adoption Practice Surgeries")]
    assert [(g["role"], g["programme"]) for g in rows(files, "grants")] == [
        ("Facilitator", "Adoption Practice Surgeries")]

    # Bookings: the attended one with its outline and colleague, the cancelled one with its reason.
    booking, cancelled = seeded["a_booking"], seeded["a_cancelled"]
    places = {p["calendar_uid"]: p for p in data["places"]}
    place_rows = {p["calendar_uid"]: p for p in rows(files, "places")}
    assert booking.uid in places and booking.uid in place_rows
    assert places[booking.uid]["attendance"] == place_rows[booking.uid]["attendance"] == "attended"
    assert places[booking.uid]["attended_minutes"] == 40 and place_rows[booking.uid]["attended_minutes"] == "40"
    assert places[booking.uid]["attendance_marked_at"] == booking.slot.ends_at.isoformat()
    assert places[booking.uid]["programme"] == "Adoption Practice Surgeries"
    assert places[booking.uid]["starts_at"] == booking.starts_at.isoformat()
    assert places[cancelled.uid]["status"] == place_rows[cancelled.uid]["status"] == "cancelled"
    assert places[cancelled.uid]["cancel_reason"] == "Court hearing moved to that morning"
    assert place_rows[cancelled.uid]["cancelled_by"] == "you"
    # The offer accepted nothing: A's places are just these two (the place offered is not theirs yet).
    assert len(data["places"]) == 2

    surgery = {s["booking"]: s for s in data["surgery_bookings"]}
    surgery_rows = {int(s["booking"]): s for s in rows(files, "surgery_bookings")}
    assert surgery[booking.id]["outline"] == surgery_rows[booking.id]["outline"] == A_OUTLINE
    assert surgery[booking.id]["colleagues"] == [{"name": "Kit Colleague", "email": "kit.colleague@example.org"}]
    assert json.loads(surgery_rows[booking.id]["colleagues"]) == surgery[booking.id]["colleagues"]

    # The waiting list they joined and the place it offered them.
    entry, offer = seeded["a_entry"], seeded["a_offer"]
    assert [(w["entry"], w["status"]) for w in data["waiting_lists"]] == [(entry.id, "offered")]
    assert [(w["entry"], w["status"]) for w in rows(files, "waiting_lists")] == [(str(entry.id), "offered")]
    assert [w["entry"] for w in data["surgery_waiting_lists"]] == [entry.id]
    assert [(o["offer"], o["status"], o["expires_at"]) for o in data["surgery_offers"]] == [
        (offer.id, "open", offer.expires_at.isoformat())]
    assert [(o["offer"], o["status"]) for o in rows(files, "surgery_offers")] == [(str(offer.id), "open")]

    # Every email queued to them, with its subject.
    queued = db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == a.email)).scalars().all()
    assert queued
    subjects = {m.subject for m in queued}
    assert {e["subject"] for e in data["emails"]} == subjects == {e["subject"] for e in rows(files, "emails")}
    # Their text too, while we keep it.
    assert {e["text"] for e in data["emails"]} == {m.body_text for m in queued}

    # Audit: their grant, their attendance, and what they did (with the other person's address hidden).
    summaries = [e["summary"] for e in data["audit"]]
    csv_summaries = [e["summary"] for e in rows(files, "audit")]
    grant_summary = "alice.adopter-support@example.org: Facilitator — Adoption Practice Surgeries"
    attended_summary = "alice.adopter-support@example.org: Attended"
    for summary in (grant_summary, attended_summary, "[another person]: Did not attend"):
        assert summary in summaries and summary in csv_summaries
    assert any(s.startswith("alice.adopter-support@example.org joined the waiting list") for s in summaries)
    assert any(s.startswith("Offered ") and a.email in s for s in summaries)

    assert "surgery_bookings.csv" in files["README.txt"] and "my-data.json" in files["README.txt"]


def test_nothing_about_another_person_is_in_anyones_file(client, seeded):
    b, b_booking = seeded["b"], seeded["b_booking"]
    sign_in(client, seeded["a"])
    files = unzip(download(client))
    distinctive = (b.email, b.name, B_OUTLINE, b_booking.uid, "Team manager", "Organiser",
                   "fay.facilitator@example.org", "site.admin@example.org")
    for name, text in files.items():
        for value in distinctive:
            assert value not in text, f"{value!r} is in {name}"
    data = json.loads(files["my-data.json"])
    assert seeded["b_entry"].id not in [w["entry"] for w in data["waiting_lists"]]
    assert seeded["b_offer"].id not in [o["offer"] for o in data["surgery_offers"]]


def test_spreadsheet_cells_that_would_run_as_formulas_are_shown_as_text(client, seeded):
    sign_in(client, seeded["a"])
    files = unzip(download(client))
    assert rows(files, "account")[0]["job_title"] == "'" + A_JOB_TITLE
    assert json.loads(files["my-data.json"])["account"][0]["job_title"] == A_JOB_TITLE
    assert files["account.csv"].encode("utf-8-sig").startswith(b"\xef\xbb\xbf")


def test_downloading_is_recorded_in_the_audit_log(client, seeded):
    a = seeded["a"]
    sign_in(client, a)
    download(client)
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "user.data_download")).scalar_one()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (a.id, "User", a.id)


def test_the_page_says_what_is_included_and_offers_the_download(client, app):
    sign_in(client, factories.user())
    page = client.get("/account/my-data").get_data(as_text=True)
    assert "<title>Download your data – EP Events</title>" in page
    assert page.count("<h1") == 1 and "Download your data</h1>" in page
    assert "every booking you have made" in page and "emails we have sent to your address" in page
    assert 'action="/account/my-data"' in page and "Download your data (zip)" in page


def test_the_account_page_links_to_the_download(client, app):
    sign_in(client, factories.user())
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account/my-data"' in page and "Download your data" in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_out_visitors_are_sent_to_sign_in(client, app, method):
    response = getattr(client, method)("/account/my-data")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_a_person_can_download_ten_times_an_hour(client, app):
    sign_in(client, factories.user())
    for _ in range(10):
        download(client)
    response = client.post("/account/my-data")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert client.get("/account/my-data").status_code == 200


def test_a_file_with_no_bookings_still_holds_the_account(client, app):
    user = factories.user(email="new.person@example.org")
    db.session.commit()
    sign_in(client, user)
    files = unzip(download(client))
    data = json.loads(files["my-data.json"])
    assert data["account"][0]["email"] == "new.person@example.org"
    assert data["places"] == [] and "places.csv" not in files
    assert "places.csv  (none, so no file)" in files["README.txt"]
    assert utcnow() - timedelta(minutes=5) < max(
        (e for e in db.session.execute(select(AuditEntry.at)).scalars())) <= utcnow()


@pytest.mark.browser
def test_a_person_downloads_their_data_from_their_account_page_with_the_keyboard(page, live_server, check_page,
                                                                                 seeded):
    a = seeded["a"]
    page.goto("/sign-in")
    type_into(page, "#email", a.email)
    type_into(page, "#password", factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Signed in as {a.name}.", exact=True)).to_be_visible()
    page.goto("/account")
    press(page, page.locator("#your-data + p").get_by_role("link", name="Download your data"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Download your data")
    check_page(page, "my-data")
    with page.expect_download() as waiting:
        press(page, page.get_by_role("button", name="Download your data (zip)"))
    download = waiting.value
    assert download.suggested_filename == f"ep-events-my-data-{to_uk(utcnow()):%Y-%m-%d}.zip"
    with zipfile.ZipFile(download.path()) as archive:
        data = json.loads(archive.read("my-data.json"))
    assert data["account"][0]["email"] == a.email
    assert seeded["a_booking"].uid in [p["calendar_uid"] for p in data["places"]]


def test_an_address_given_up_and_taken_by_a_new_account_does_not_bring_the_old_owners_emails(app):
    """Alice changes her address; Bob later signs up with her old one: his file holds nothing of hers."""
    programme = factories.surgery_programme()
    long_ago = utcnow() - timedelta(days=30)
    with freeze_time(long_ago):
        surgery_date = factories.surgery_date(programme, days_ahead=40, teams_url=factories.TEAMS_URL)
        alice = factories.user(email="shared@example.org", name="Alice Previous")
        book_slot(surgery_date.slots[0], alice, "general")
        full = factories.surgery_date(programme, days_ahead=42)
        for slot in full.slots:
            book_slot(slot, factories.user(), "general")
        join_waitlist(full, alice)
        db.session.commit()
        raw = issue_token(alice, TokenPurpose.CHANGE_EMAIL, 24, new_email="alice.new@example.org")
        confirm_email_change(raw)
        db.session.commit()
    bob = factories.user(email="shared@example.org", name="Bob Newcomer")
    db.session.commit()
    book_slot(surgery_date.slots[1], bob, "general")
    db.session.commit()

    data = json.loads(zipfile.ZipFile(io.BytesIO(personal_data_zip(bob))).read("my-data.json"))
    text = json.dumps(data)
    assert "Alice" not in text and "alice.new@example.org" not in text
    assert [e["template"] for e in data["emails"]] == ["surgeries/booking_confirmed"]  # his own, only
    assert all("waiting list" not in entry["summary"] for entry in data["audit"])
