"""CPD records: drafts after attended events, saving and completing in the SWE form's fields, progress per
registration year (1 December to 30 November, UK time), and what is refused."""

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time

from ep_events.core.errors import DomainError
from ep_events.cpd.drafts import create_cpd_drafts, draft_own_records
from ep_events.cpd.models import CpdRecord, RecordStatus
from ep_events.cpd.records import (
    TEXT_MAX,
    RecordAnswers,
    identifying_warnings,
    progress_of,
    records_in_year,
    reflection_counts,
    save_record,
)
from ep_events.cpd.years import RegistrationYear, year_from_url, year_of
from ep_events.extensions import db
from tests.cpd.conftest import NOW, held_workshop, place_on

FULL = RecordAnswers(cpd_type="Course or training", title="Reading on contact in EP", activity_date=date(2027, 1, 5),
                     description="A course on family time.", learning="How to plan contact.",
                     impact="Better planned family time for babies.")
PEER = RecordAnswers(**{**FULL.__dict__, "has_peer_reflection": True, "peer_role": "Adoption team manager",
                        "peer_learning": "Another view on the timing of contact."})


def test_an_attended_event_waits_as_a_draft_pre_filled_from_the_event(world):
    assert draft_own_records(world.pat, now=NOW) == 1
    [record] = db.session.query(CpdRecord).filter_by(user_id=world.pat.id).all()
    assert (record.status, record.title, record.programme_name, record.activity_date, record.duration_minutes,
            record.cpd_type, record.practice_standards) == (
        RecordStatus.DRAFT, "Workshop: Managing family time in EP", "Adoption England P&SD workshops",
        date(2027, 2, 16), 85, "Workshop/webinar", ["S5", "5.2"])
    assert draft_own_records(world.pat, now=NOW) == 0  # once


def test_no_draft_for_an_event_not_attended_or_not_marked(world):
    other = held_workshop(world.programme, datetime(2027, 3, 1, 10, 0, tzinfo=UTC), title="Hope Boxes")
    place_on(other, world.pat, attended=False)
    later = held_workshop(world.programme, datetime(2027, 3, 2, 10, 0, tzinfo=UTC), title="Pre-birth planning")
    place_on(later, world.pat, attended=None)
    draft_own_records(world.pat, now=NOW)
    assert [r.title for r in db.session.query(CpdRecord).filter_by(user_id=world.pat.id)] == [
        "Workshop: Managing family time in EP"]


def test_the_job_drafts_for_everyone_and_emails_each_once_respecting_the_opt_out(world, mail):
    world.sam.cpd_emails = False
    db.session.commit()
    with freeze_time(NOW.replace(day=1)):  # within 30 days of the workshop
        assert create_cpd_drafts() == 2
        assert create_cpd_drafts() == 0
        messages = mail()
    assert [m.recipients for m in messages] == [["pat@example.org"]]
    assert "Managing family time in EP" in messages[0].subject
    body = messages[0].text
    record = db.session.query(CpdRecord).filter_by(user_id=world.pat.id).one()
    assert f"/cpd/records/{record.id}" in body
    assert db.session.query(CpdRecord).filter_by(user_id=world.sam.id).count() == 1  # a draft, no email


def test_the_job_does_not_email_about_attendance_long_past(world, mail):
    with freeze_time(datetime(2027, 6, 1, tzinfo=UTC)):
        assert create_cpd_drafts() == 2
    assert mail() == []


def test_saving_a_draft_keeps_what_was_typed_and_completing_needs_every_box(world):
    with freeze_time(NOW):
        record = save_record(world.pat, None, RecordAnswers(title="Half written"))
        assert record.status is RecordStatus.DRAFT
        with pytest.raises(DomainError) as refused:
            save_record(world.pat, record, RecordAnswers(title="Half written", cpd_type="Conference"), complete=True)
        assert refused.value.field == "activity_date"
        db.session.rollback()
        done = save_record(world.pat, record, PEER, complete=True)
    assert done.is_complete and done.counts_as_peer_reflection


def test_a_peer_reflection_needs_the_peer_fields(world):
    with freeze_time(NOW), pytest.raises(DomainError) as refused:
        save_record(world.pat, None, RecordAnswers(**{**FULL.__dict__, "has_peer_reflection": True}), complete=True)
    assert refused.value.field == "peer_role"


@pytest.mark.parametrize("change, field", [
    ({"learning": "x" * (TEXT_MAX + 1)}, "learning"),
    ({"description": "x" * 200_000}, "description"),
    ({"impact": "bad\x00byte"}, "impact"),
    ({"activity_date": date(2027, 3, 11)}, "activity_date"),
    ({"activity_date": date(1999, 12, 31)}, "activity_date"),
    ({"cpd_type": "Holiday"}, "cpd_type"),
    ({"practice_standards": ("S9",)}, "practice_standards"),
    ({"duration_minutes": 0}, "duration_minutes"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(world, change, field):
    with freeze_time(NOW), pytest.raises(DomainError) as refused:
        save_record(world.pat, None, RecordAnswers(**{**FULL.__dict__, **change}))
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.query(CpdRecord).count() == 0


def test_text_in_any_language_is_kept_as_typed(world):
    text = "Zoë and Łukasz: مرحبا بالعالم 😀 — ‘quotes’"
    with freeze_time(NOW):
        record = save_record(world.pat, None, RecordAnswers(**{**FULL.__dict__, "learning": text}), complete=True)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CpdRecord, record.id).learning == text


def test_the_registration_year_turns_at_midnight_on_1_december_uk_time():
    assert year_of(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == RegistrationYear(2026)
    assert year_of(datetime(2026, 12, 1, 0, 30, tzinfo=UTC)) == RegistrationYear(2027)
    assert RegistrationYear(2027).label == "1 December 2026 to 30 November 2027"


def test_events_either_side_of_the_year_boundary_are_drafted_into_different_years(world):
    before = held_workshop(world.programme, datetime(2026, 11, 30, 23, 30, tzinfo=UTC), title="Late November")
    after = held_workshop(world.programme, datetime(2026, 12, 1, 0, 30, tzinfo=UTC), title="Early December")
    place_on(before, world.pat)
    place_on(after, world.pat)
    draft_own_records(world.pat, now=NOW)
    assert [r.title for r in records_in_year(world.pat, RegistrationYear(2026))] == ["Workshop: Late November"]
    assert "Workshop: Early December" in [r.title for r in records_in_year(world.pat, RegistrationYear(2027))]


def test_progress_counts_only_complete_records_of_that_year(world):
    with freeze_time(NOW):
        save_record(world.pat, None, FULL, complete=True)
        save_record(world.pat, None, RecordAnswers(**{**FULL.__dict__, "activity_date": date(2026, 11, 30)}),
                    complete=True)  # the year before
        save_record(world.pat, None, RecordAnswers(title="A draft", activity_date=date(2027, 1, 9)))
    progress = progress_of(records_in_year(world.pat, RegistrationYear(2027)))
    assert progress.summary == ("1 of 2 records, 0 with peer reflection: 1 more complete record and a peer reflection "
                                "needed")
    with freeze_time(NOW):
        save_record(world.pat, None, PEER, complete=True)
    progress = progress_of(records_in_year(world.pat, RegistrationYear(2027)))
    assert progress.ready
    assert progress.summary == "2 of 2 records, 1 with peer reflection: ready for renewal"


@pytest.mark.parametrize("text", ["2000", "2026", "2027"])
def test_years_up_to_the_current_one_can_be_shown(text):
    assert year_from_url(text, now=NOW) == RegistrationYear(int(text))


@pytest.mark.parametrize("text", ["2028", "9999", "1999", "0", "", "２０２６", "2026.0", "20260", "-2026"])
def test_a_year_that_does_not_exist_is_not_a_year(text):
    assert year_from_url(text, now=NOW) is None


def test_what_looks_like_a_date_of_birth_a_postcode_or_a_phone_number_is_warned_about():
    answers = RecordAnswers(learning="Baby born on 03/04/2026", impact="Lives at B15 2TT",
                            description="Call 07700 900123")
    warned = dict(identifying_warnings(answers))
    assert "a date of birth" in warned["learning"]
    assert "a postcode" in warned["impact"]
    assert "a phone number" in warned["description"]
    assert identifying_warnings(FULL) == []


def test_organisers_counts_are_numbers_only(world):
    with freeze_time(NOW):
        draft_own_records(world.pat)
        record = db.session.query(CpdRecord).filter_by(user_id=world.pat.id).one()
        save_record(world.pat, record, RecordAnswers(**{**FULL.__dict__, "activity_date": date(2027, 2, 16)}),
                    complete=True)
    assert reflection_counts([world.workshop.id]) == {world.workshop.id: 1}
