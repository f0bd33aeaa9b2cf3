"""Attendance at a workshop: marked by hand, or imported from the report Microsoft Teams exports."""

import io
from pathlib import Path

import pytest
from freezegun import freeze_time
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from ep_events.bookings.models import Attendance, Place
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.workshops.attendance import import_teams_report
from ep_events.workshops.teams_import import NotATeamsReport, parse_duration, parse_report
from tests.conftest import sign_in
from tests.workshops.after_fixtures import AFTER, BEFORE, after_world_for


@pytest.fixture
def after_world(app, tmp_path):
    return after_world_for(app, tmp_path)

REPORT = (Path(__file__).parent / "fixtures" / "teams_attendance_report.csv").read_bytes()


def attendance_of(place) -> tuple:
    db.session.expire_all()
    place = db.session.get(Place, place.id)
    return place.attendance, place.attended_minutes


def import_file(client, w, content: bytes, filename: str = "meetingAttendanceReport.csv"):
    boundary, body = encode_multipart(MultiDict({"teams-report": FileStorage(io.BytesIO(content), filename)}))
    return client.post(f"/workshops/{w.workshop.id}/attendance/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def everyone_unmarked(w) -> bool:
    return all(attendance_of(place) == (Attendance.UNKNOWN, None)
               for place in (w.alice_place, w.bola_place, w.chen_place))


@pytest.mark.parametrize("text, seconds", [("1h 2m 3s", 3723), ("45m 10s", 2710), ("58s", 58), ("2h", 7200),
                                           ("1h 1m", 3660), ("", None), ("ten minutes", None), ("1:02:03", None)])
def test_teams_durations_are_read(text, seconds):
    assert parse_duration(text) == seconds


def test_the_fixture_is_read_as_teams_writes_it_utf16_with_its_summary_block():
    assert REPORT[:2] == b"\xff\xfe"
    report = parse_report(REPORT)
    assert report.title == "Managing family time in EP"
    assert report.meeting_duration_seconds == 5668
    assert [(p.email, p.minutes, p.role) for p in report.participants] == [
        ("organiser@example.org", 94, "Organizer"), ("alice.adams@example.org", 85, "Attendee"),
        ("bola@example.org", 20, "Attendee"), ("pat@example.org", 61, "Attendee"), ("", 45, "Attendee")]


def test_importing_the_teams_report_records_minutes_and_attendance_and_lists_the_unmatched(app, client, after_world):
    w = after_world
    with freeze_time(AFTER):
        sign_in(client, w.organiser)
        response = import_file(client, w, REPORT)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # 90-minute workshop: attended from 45 minutes in the meeting.
    assert attendance_of(w.alice_place) == (Attendance.ATTENDED, 85)  # matched whatever the letter case
    assert attendance_of(w.bola_place) == (Attendance.DID_NOT_ATTEND, None)  # 20 minutes
    assert attendance_of(w.chen_place) == (Attendance.DID_NOT_ATTEND, None)  # registered, not in the report
    assert attendance_of(w.cancelled_place) == (Attendance.UNKNOWN, None)
    assert "2 people in the report were matched to a registration: 1 attended (45 minutes or more of 90)" in page
    for unmatched in ("Olu Organiser", "organiser@example.org", "Pat Unregistered", "pat@example.org",
                      "Jo Visitor (Guest)", "No email address"):
        assert unmatched in page
    assert "Marked as did not attend: Chen Cho" in page


def test_the_threshold_is_a_setting(app, after_world):
    w = after_world
    app.config["WORKSHOP_ATTENDED_PERCENT"] = 20  # 18 of 90 minutes
    result = import_teams_report(w.organiser, w.workshop, REPORT, now=AFTER)
    assert result.threshold_minutes == 18
    assert attendance_of(w.bola_place) == (Attendance.ATTENDED, 20)


def test_a_utf8_comma_separated_copy_with_the_columns_is_accepted(app, after_world):
    w = after_world
    text = ("Name,First Join,Last Leave,In-Meeting Duration,Email,Participant ID (UPN),Role\r\n"
            "Bola Bello,\"6/3/27, 10:00:02 AM\",\"6/3/27, 11:29:00 AM\",1h 28m 58s,BOLA@example.org,"
            "BOLA@example.org,Attendee\r\n")
    result = import_teams_report(w.organiser, w.workshop, text.encode("utf-8-sig"), now=AFTER)
    assert [(row.email, row.minutes) for row in result.matched] == [("bola@example.org", 88)]
    assert attendance_of(w.bola_place) == (Attendance.ATTENDED, 88)


def test_bad_reports_are_refused_with_a_clear_message_and_nothing_changes(app, client, after_world):
    w = after_world
    app.config["WORKSHOP_ATTENDANCE_REPORT_MAX_BYTES"] = 64 * 1024
    not_a_report = "Full Name\tUser Action\tTimestamp\r\nAlice\tJoined\t6/3/27, 10:00 AM\r\n".encode("utf-16")
    bad_duration = REPORT.decode("utf-16").replace("20m 15s", "twenty minutes").encode("utf-16")
    cases = [
        (b"", "The selected file is empty"),
        (not_a_report, "not a Teams attendance report"),
        (b"%PDF-1.7 \x00\xff\xfe binary", "not a Teams attendance report"),
        (b"\xff\xfe" + b"\x00\xd8", "not a Teams attendance report"),
        (REPORT + b"\x00" * (64 * 1024), "The selected file must be smaller than"),
        (bad_duration, "In-Meeting Duration that is not a time"),
    ]
    with freeze_time(AFTER):
        sign_in(client, w.organiser)
        for content, message in cases:
            response = import_file(client, w, content)
            page = response.get_data(as_text=True)
            assert response.status_code == 400 and "There is a problem" in page, message
            assert message in page, message
    assert everyone_unmarked(w)


def test_the_parser_refuses_what_is_not_a_report():
    with pytest.raises(NotATeamsReport):
        parse_report("just,some,columns\r\n1,2,3\r\n".encode())


def test_attendance_opens_when_the_workshop_starts(app, after_world):
    w = after_world
    with pytest.raises(DomainError, match="once the workshop has started"):
        import_teams_report(w.organiser, w.workshop, REPORT, now=BEFORE)
    assert everyone_unmarked(w)


def test_organiser_marks_attendance_by_hand(app, client, after_world):
    w = after_world
    url = f"/workshops/{w.workshop.id}/attendance"
    with freeze_time(AFTER):
        sign_in(client, w.facilitator)
        page = client.get(url).get_data(as_text=True)
        assert "Alice Adams" in page and "Dee Dropped" not in page
        response = client.post(f"{url}/marks", data={f"place_{w.alice_place.id}": "attended",
                                          f"minutes_{w.alice_place.id}": "60",
                                          f"place_{w.bola_place.id}": "did_not_attend"})
        assert response.status_code == 302
        assert "Attendance saved for 2 people" in client.get(url).get_data(as_text=True)
    assert attendance_of(w.alice_place) == (Attendance.ATTENDED, 60)
    assert attendance_of(w.bola_place) == (Attendance.DID_NOT_ATTEND, None)
    assert attendance_of(w.chen_place) == (Attendance.UNKNOWN, None)


def test_bad_attendance_by_hand_saves_nothing(app, client, after_world):
    w = after_world
    url = f"/workshops/{w.workshop.id}/attendance"
    with freeze_time(AFTER):
        sign_in(client, w.organiser)
        for data, message in [
            ({f"place_{w.alice_place.id}": "attended", f"minutes_{w.alice_place.id}": "91"},
             "a whole number between 1 and 90"),
            ({f"place_{w.alice_place.id}": "attended", f"minutes_{w.alice_place.id}": "٦٠"},
             "a whole number between 1 and 90"),
            ({f"place_{w.alice_place.id}": "attended", f"place_{w.cancelled_place.id}": "attended"},
             "not registered for this workshop"),
            ({f"place_{w.alice_place.id}": "maybe"}, "Not a valid choice"),
        ]:
            response = client.post(f"{url}/marks", data=data)
            assert response.status_code == 400 and message in response.get_data(as_text=True), data
    assert everyone_unmarked(w)


def test_only_the_programme_staff_mark_attendance(app, client, after_world):
    w = after_world
    url = f"/workshops/{w.workshop.id}/attendance"
    with freeze_time(AFTER):
        assert client.get(url).status_code == 302
        for person in (w.alice, w.other_organiser, w.stranger):
            sign_in(client, person)
            assert client.get(url).status_code == 403
            assert import_file(client, w, REPORT).status_code == 403
            assert client.post(f"{url}/marks", data={f"place_{w.alice_place.id}": "attended"}).status_code == 403
            client.post("/sign-out")
        assert client.get("/workshops/2147483647/attendance").status_code in (302, 404)
    assert everyone_unmarked(w)
