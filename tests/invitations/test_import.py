"""The organiser's CSV import: a preview with each row's result, then only the valid rows imported in one go
(each asked to confirm, or confirmed with a recorded lawful basis); suppressed addresses never imported; bad
files (too large, 100,000 rows, UTF-16, HTML renamed .csv, binary, wrong columns) refused with a clear message."""

import re

import pytest

from ep_events.extensions import db
from ep_events.invitations.models import (
    ConsentSource,
    InvitationListEntry,
    ListEntryStatus,
    SuppressedAddress,
)
from tests.conftest import sign_in
from tests.invitations.conftest import MANAGE_URL, NOW, entries, link_in, outbox_count, text_of

IMPORT_URL = MANAGE_URL + "/import"
CONFIRM_URL = IMPORT_URL + "/confirm"

MIXED = (
    "Name,Email,Organisation,Role,Notes\n"
    "Good One,good.one@example.org,Westmere Council,Social worker,x\n"
    "Good Two,GOOD.TWO@example.org,,,\n"
    "Bad Email,not-an-email,,,\n"
    "Good One Again,good.one@example.org,,,\n"
    "Suppressed Sam,sam@example.org,,,\n"
    "Already Ada,ada@example.org,,,\n"
    ",noname@example.org,,,\n"
    "\"Line\nBreak\",linebreak@example.org,,,\n"
    ",,,,\n"
)


@pytest.fixture
def organiser(client, world):
    db.session.add(SuppressedAddress(programme_id=world.programme.id, email="sam@example.org",
                                     reason="Unsubscribed"))
    db.session.add(InvitationListEntry(programme=world.programme, email="ada@example.org", name="Ada Ahmed",
                                       status=ListEntryStatus.CONFIRMED, confirmed_at=NOW))
    # Suppressed for another programme only: no bar to this one.
    db.session.add(SuppressedAddress(programme_id=world.other_programme.id, email="good.two@example.org"))
    db.session.commit()
    sign_in(client, world.organiser)
    return client


def _upload(client, content: bytes | str, filename="people.csv"):
    """POST the file as a browser does. The body is built here: Werkzeug's test client would spool a large one
    to a temporary file that it never closes (a ResourceWarning)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    boundary = "----invitation-import-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(IMPORT_URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _upload_id(response) -> str:
    return re.search(r'name="upload" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def _entries_by_email() -> dict:
    return {e.email: e for e in entries()}


def test_the_preview_shows_each_rows_result_and_changes_nothing(organiser):
    response = _upload(organiser, MIXED)
    assert response.status_code == 200
    body = text_of(response.get_data(as_text=True))
    assert "Check the import" in body
    for expected in ("Will be imported: 2", "Email address not valid: 1", "Duplicate in this file: 1",
                     "Unsubscribed: cannot be added: 1", "Already on the list: 1", "Name missing: 1",
                     "Not valid: 1", "Columns not imported: Notes", "Import 2 people"):
        assert expected in body, expected
    assert set(_entries_by_email()) == {"ada@example.org"} and outbox_count() == 0


def test_confirming_imports_exactly_the_good_rows_each_asked_to_confirm(client, organiser, deliver):
    upload_id = _upload_id(_upload(organiser, MIXED))
    response = organiser.post(CONFIRM_URL, data={"upload": upload_id})
    assert response.status_code == 302 and response.headers["Location"].endswith(MANAGE_URL)
    page = text_of(organiser.get(MANAGE_URL).get_data(as_text=True))
    assert "2 people imported. Each has been emailed a link" in page
    found = _entries_by_email()
    assert set(found) == {"ada@example.org", "good.one@example.org", "good.two@example.org"}
    one = found["good.one@example.org"]
    assert (one.name, one.organisation_name, one.role, one.status, one.consent_source) == (
        "Good One", "Westmere Council", "Social worker", ListEntryStatus.PENDING, ConsentSource.IMPORT)
    messages = deliver()
    assert sorted(m.recipients[0] for m in messages) == ["good.one@example.org", "good.two@example.org"]
    assert "would like to add you to their invitation list" in messages[0].text
    # The preview works once.
    again = organiser.post(CONFIRM_URL, data={"upload": upload_id}, follow_redirects=True)
    assert "The uploaded file is no longer available" in again.get_data(as_text=True)
    assert len(entries()) == 3
    # An imported person confirms from the email like anyone else.
    [to_one] = [m for m in messages if m.recipients == ["good.one@example.org"]]
    anonymous = organiser.application.test_client()
    assert anonymous.post(link_in(to_one, "/lists/confirm/")).status_code == 302
    assert _entries_by_email()["good.one@example.org"].status is ListEntryStatus.CONFIRMED


def test_with_a_lawful_basis_the_good_rows_are_confirmed_at_once_and_nobody_is_emailed(organiser, deliver):
    upload_id = _upload_id(_upload(organiser, MIXED))
    basis = "Legitimate interest: members of the regional EP practice group"
    no_text = organiser.post(CONFIRM_URL, data={"upload": upload_id, "has_lawful_basis": "y", "lawful_basis": ""})
    assert no_text.status_code == 400 and "Enter the lawful basis" in text_of(no_text.get_data(as_text=True))
    not_ticked = organiser.post(CONFIRM_URL, data={"upload": upload_id, "lawful_basis": basis})
    assert not_ticked.status_code == 400 and "Tick ‘We have a lawful basis" in not_ticked.get_data(as_text=True)
    assert len(entries()) == 1
    response = organiser.post(CONFIRM_URL, data={"upload": upload_id, "has_lawful_basis": "y",
                                                 "lawful_basis": basis})
    assert response.status_code == 302
    found = _entries_by_email()
    for email in ("good.one@example.org", "good.two@example.org"):
        entry = found[email]
        assert (entry.status, entry.consent_source, entry.lawful_basis, entry.confirmed_at) == (
            ListEntryStatus.CONFIRMED, ConsentSource.IMPORT, basis, NOW)
    assert deliver() == []


def test_the_rows_are_checked_again_on_confirm(organiser, world):
    upload_id = _upload_id(_upload(organiser, MIXED))
    # Between preview and confirm, good.two unsubscribes elsewhere.
    db.session.add(SuppressedAddress(programme_id=world.programme.id, email="good.two@example.org"))
    db.session.commit()
    organiser.post(CONFIRM_URL, data={"upload": upload_id})
    assert set(_entries_by_email()) == {"ada@example.org", "good.one@example.org"}


def test_another_organiser_cannot_use_someone_elses_preview(app, organiser, world):
    upload_id = _upload_id(_upload(organiser, MIXED))
    other = app.test_client()
    sign_in(other, world.admin)
    response = other.post(CONFIRM_URL, data={"upload": upload_id}, follow_redirects=True)
    assert "The uploaded file is no longer available" in response.get_data(as_text=True)
    assert len(entries()) == 1
    for forged in ("../../etc/passwd", "x" * 1000, ""):
        organiser.post(CONFIRM_URL, data={"upload": forged})
    assert len(entries()) == 1


def _refused(response, message: str):
    assert response.status_code == 400, response.status_code
    body = text_of(response.get_data(as_text=True))
    assert "There is a problem" in body and message in body, body[:2000]
    assert len(entries()) == 1 and outbox_count() == 0


def test_a_file_of_100000_rows_is_refused(organiser):
    rows = "".join(f"Person {n},person{n}@example.org\n" for n in range(100_000))
    _refused(_upload(organiser, "name,email\n" + rows), "The file must be smaller than 2 MB")


def test_more_than_10000_people_in_a_small_file_is_refused(organiser):
    rows = "".join(f"P,p{n}@example.org\n" for n in range(10_001))
    _refused(_upload(organiser, "name,email\n" + rows), "The file has more than 10,000 people")


def test_a_utf16_file_from_excel_is_read(organiser):
    text = "Name\tEmail\tOrganisation\r\nZoë Öztürk\tzoe@example.org\tSüdheim Council\r\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-le")):  # with and without the byte-order mark
        body = text_of(_upload(organiser, data, "people.txt").get_data(as_text=True))
        assert "Will be imported: 1" in body and "Zoë Öztürk" in body and "Südheim Council" in body
    body = text_of(_upload(organiser, "Name,Email\nZoë,zoe@example.org\n".encode("cp1252")).get_data(as_text=True))
    assert "Zoë" in body  # Excel's plain "CSV" on Windows


def test_an_html_file_renamed_csv_is_refused(organiser):
    html = "<!DOCTYPE html><html><head><title>x</title></head><body><table><tr><td>name</td></tr></table></body></html>"
    _refused(_upload(organiser, html), "The file is a web page (HTML)")


@pytest.mark.parametrize(("content", "message"), [
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, "The file is an Excel workbook"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00\x01\x02" * 50, "The file is a PDF"),
    (bytes(range(256)) * 10, "not a CSV file (it holds binary data)"),
    (b"", "The selected file is empty"),
    (b"\n\n", "The selected file is empty"),
    (b"name,email\n", "The file has a header row but no people in it"),
    (b"first,last,mail\nA,B,a@example.org\n", "The first row must name the columns: name, email"),
    (b"name,email,email\nA,a@example.org,b@example.org\n", "appears twice in the first row"),
    (b"name,email\n\"" + b"x" * 200_000 + b"\",a@example.org\n", "could not be read as CSV"),
])
def test_files_that_are_not_a_list_of_people_are_refused(organiser, content, message):
    _refused(_upload(organiser, content), message)


def test_no_file_chosen_is_refused(organiser):
    response = organiser.post(IMPORT_URL, data={}, content_type="multipart/form-data")
    _refused(response, "Select a CSV file")


def test_a_file_with_no_valid_rows_offers_no_import_button(organiser):
    body = text_of(_upload(organiser, "name,email\nAda,ada@example.org\nSam,sam@example.org\n")
                   .get_data(as_text=True))
    assert "No rows can be imported" in body and "Import 0" not in body
