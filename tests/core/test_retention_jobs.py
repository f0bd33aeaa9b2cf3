"""Personal data over time (issue 18): each kind is erased by a scheduled job after the period the privacy page
states; every run of every job is recorded, and /admin/jobs lists each job with its period and its last run."""

import html
import os
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from ep_events.accounts.models import AccountToken, Role, TokenPurpose, User
from ep_events.core.audit import AuditEntry, record_audit
from ep_events.core.jobs import JobRun, run_recorded
from ep_events.extensions import db
from ep_events.invitations import uploads
from ep_events.invitations.models import InvitationListEntry, ListEntryStatus, SuppressedAddress
from ep_events.schedule import JOBS, retention_periods, scheduled
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import SurgeryBooking
from ep_events.workshops.resources import ORPHAN_AFTER_SECONDS, add_file_resource
from tests import factories
from tests.conftest import sign_in
from tests.workshops.conftest import build_world, workshop

T0 = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROOT = Path(__file__).resolve().parents[2]


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _run(app, job: str) -> str:
    result = app.test_cli_runner().invoke(args=[job])
    assert result.exception is None, repr(result.exception)
    return result.output


def test_an_account_never_confirmed_goes_after_30_days_and_its_booking_is_released_first(app):
    with freeze_time(T0):
        programme = factories.surgery_programme()
        surgery_date = factories.surgery_date(programme, day=date(2027, 3, 16), now=T0, teams_url=factories.TEAMS_URL)
        never = factories.user(email="never-confirmed@example.org", confirmed=False)
        booking, _ = book_slot(surgery_date.slots[0], never, "general", now=T0)
        confirmed = factories.user(email="confirmed@example.org")
        given_a_role = factories.user(email="made-by-an-admin@example.org", confirmed=False,
                                      roles=[(Role.FACILITATOR, programme)])
        db.session.commit()
        booking_id, never_id = booking.id, never.id
    with freeze_time(T0 + timedelta(days=20)):
        asked_again = factories.user(email="asked-again@example.org", confirmed=False)
        asked_again.created_at = T0
        db.session.commit()
    with freeze_time(T0 + timedelta(days=29)):
        # Asking for a new confirmation link starts the period again.
        db.session.add(AccountToken(user_id=asked_again.id, purpose=TokenPurpose.CONFIRM_EMAIL, token_hash="x" * 64,
                                    expires_at=T0 + timedelta(days=30)))
        db.session.commit()
        assert _run(app, "purge-unconfirmed-accounts") == "unconfirmed accounts deleted: 0\n"
    with freeze_time(T0 + timedelta(days=31)):
        assert _run(app, "purge-unconfirmed-accounts") == "unconfirmed accounts deleted: 1\n"
        assert _run(app, "purge-unconfirmed-accounts") == "unconfirmed accounts deleted: 0\n"
    db.session.expire_all()
    left = set(db.session.execute(select(User.email)).scalars())
    assert left == {confirmed.email, given_a_role.email, "asked-again@example.org"}
    kept = db.session.get(SurgeryBooking, booking_id)
    assert kept is None or kept.held_slot_id is None  # the slot is free for someone else
    [entry] = db.session.execute(select(AuditEntry).where(AuditEntry.action == "user.delete_unconfirmed")).scalars()
    assert entry.actor_id is None and f"deleted user #{never_id}" in entry.summary
    assert "never-confirmed@example.org" not in entry.summary


def test_invitation_list_entries_that_expired_or_left_go_after_30_days_and_a_leaver_stays_suppressed(app):
    world = build_world()
    with freeze_time(T0):
        pending = InvitationListEntry(programme=world.programme, email="pending@example.org", name="Pat Pending",
                                      status=ListEntryStatus.PENDING, confirm_token_hash="a" * 64,
                                      confirm_expires_at=T0)
        left = InvitationListEntry(programme=world.programme, email="left@example.org", name="Lee Left",
                                   status=ListEntryStatus.UNSUBSCRIBED, unsubscribed_at=T0)
        staying = InvitationListEntry(programme=world.programme, email="staying@example.org", name="Sam Staying",
                                      status=ListEntryStatus.CONFIRMED, confirmed_at=T0, consent_at=T0)
        db.session.add_all([pending, left, staying,
                            SuppressedAddress(programme_id=world.programme.id, email="left@example.org")])
        db.session.commit()
        assert "unconfirmed invitation list entries expired: 1" in _run(app, "expire-list-entries")
    with freeze_time(T0 + timedelta(days=29)):
        assert "invitation list entries erased: 0" in _run(app, "expire-list-entries")
    with freeze_time(T0 + timedelta(days=30, minutes=1)):
        output = _run(app, "expire-list-entries")
    assert output == "unconfirmed invitation list entries expired: 0\ninvitation list entries erased: 2\n"
    db.session.expire_all()
    assert list(db.session.execute(select(InvitationListEntry.email)).scalars()) == ["staying@example.org"]
    assert list(db.session.execute(select(SuppressedAddress.email)).scalars()) == ["left@example.org"]


def test_audit_details_are_blanked_after_two_years_and_the_log_still_says_what_was_done(app, client):
    admin = factories.admin(email="admin@example.org")
    with freeze_time(T0):
        person = factories.user(email="renamed@example.org", name="Rae Renamed")
        record_audit(admin, "user.update", person, "changed Rae Renamed's name",
                     before={"name": "Rae Oldname"}, after={"name": "Rae Renamed"})
        db.session.commit()
    with freeze_time(T0 + timedelta(days=700)):
        record_audit(admin, "user.update", person, "changed Rae Renamed's job title",
                     before={"job_title": "Social worker"}, after={"job_title": "Team manager"})
        db.session.commit()
    with freeze_time(T0 + timedelta(days=731)):
        assert _run(app, "purge-audit-details") == "audit entries erased: 1\n"
        assert _run(app, "purge-audit-details") == "audit entries erased: 0\n"
        db.session.expire_all()
        old, recent = db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
        assert (old.summary, old.actor_email, old.before, old.after) == ("", "", None, None)
        assert old.action == "user.update" and old.actor_id == admin.id and old.at == T0
        assert recent.summary == "changed Rae Renamed's job title" and recent.after == {"job_title": "Team manager"}
        sign_in(client, admin)
        page = text_of(client.get("/admin/audit").get_data(as_text=True))
    assert "Rae Oldname" not in page and "changed Rae Renamed's name" not in page
    assert "Details erased after the retention period" in page
    assert "changed Rae Renamed's job title" in page


def test_left_over_import_files_and_resource_files_no_resource_refers_to_are_deleted(app, tmp_path):
    app.config["WORKSHOP_UPLOAD_DIR"] = str(tmp_path / "uploads")
    world = build_world()
    made = workshop(world, now=datetime.now(UTC))
    add_file_resource(world.organiser, made, "Slides", "slides.pdf", PDF)
    db.session.commit()
    folder = tmp_path / "uploads" / "workshops"
    [kept] = list(folder.iterdir())
    orphan, young_orphan = folder / "orphan-left-by-a-failed-save", folder / "being-saved-now"
    orphan.write_bytes(PDF)
    young_orphan.write_bytes(PDF)
    hours_ago = time.time() - ORPHAN_AFTER_SECONDS - 60
    for path in (kept, orphan):
        os.utime(path, (hours_ago, hours_ago))
    stale_id = uploads.keep_upload(world.programme, world.organiser, "email,name\nold@example.org,Old\n")
    fresh_id = uploads.keep_upload(world.programme, world.organiser, "email,name\nnew@example.org,New\n")
    stale_path = uploads._path(stale_id)
    os.utime(stale_path, (time.time() - uploads.UPLOAD_TTL - 60,) * 2)

    output = _run(app, "purge-uploads")

    assert re.search(r"^import files deleted: [1-9]\d*$", output, re.M), output
    assert "orphaned resource files deleted: 1\n" in output
    assert sorted(p.name for p in folder.iterdir()) == sorted([kept.name, young_orphan.name])
    assert not stale_path.exists() and uploads._path(fresh_id).exists()


def test_each_run_is_recorded_and_the_admin_page_lists_every_job_with_its_period_and_last_run(app, client):
    admin = factories.admin(email="admin@example.org")
    db.session.commit()
    with freeze_time(T0):
        _run(app, "purge-outbox")

    def breaks() -> int:
        raise ValueError("a row the job could not read")

    with freeze_time(T0 + timedelta(minutes=1)), pytest.raises(ValueError):
        run_recorded("purge-expired", breaks)
    db.session.expire_all()
    runs = db.session.execute(select(JobRun).order_by(JobRun.id)).scalars().all()
    assert [(r.name, r.ok, r.rows_affected, r.error) for r in runs] == [
        ("purge-outbox", True, 0, None), ("purge-expired", False, None, "ValueError")]

    sign_in(client, admin)
    assert "Scheduled jobs" in text_of(client.get("/admin/").get_data(as_text=True))
    page = client.get("/admin/jobs").get_data(as_text=True)
    rows = {re.search(r"<code>([a-z-]+)</code>", row).group(1): text_of(row)
            for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S)[1:]}
    assert set(rows) == {job.name for job in JOBS}
    assert "Succeeded 0 rows changed" in rows["purge-outbox"] and "1 February 2027" in rows["purge-outbox"]
    assert "30 days after sending" in rows["purge-outbox"]
    assert "Failed ValueError" in rows["purge-expired"]
    assert "a row the job could not read" not in page  # the error's class only, never its text
    assert "Never run" in rows["purge-audit-details"] and "730 days" in rows["purge-audit-details"]


def test_the_privacy_page_states_every_period_from_the_settings(app, client):
    app.config.update(UNCONFIRMED_ACCOUNT_DAYS=14, AUDIT_DETAILS_RETENTION_DAYS=400, LIST_ENTRY_RETENTION_DAYS=60)
    page = text_of(client.get("/privacy").get_data(as_text=True))
    periods = retention_periods(app.config)
    assert len(periods) == sum(len(job.erases) for job in JOBS) >= 8
    for what, period in periods:
        assert f"{what} {period}" in page
    assert "14 days after it was made" in page
    assert "400 days, then erased" in page
    assert "deleted 60 days after that" in page


def test_deploy_and_make_run_start_every_scheduled_job():
    names = " ".join(job.name for job in scheduled())
    for path in ("deploy/systemd/ep-events-job@.timer", "deploy/production-local.sh"):
        listed = re.search(r"for job in ([a-z\- \\\n#]+?); do", (ROOT / path).read_text()).group(1)
        assert " ".join(listed.replace("\\", " ").replace("#", " ").split()) == names, path
