"""The toolkit's spreadsheet: export (a sheet per standard, numbers as text), import into a new assessment with a
preview (same ratings, comments and actions), and every bad file refused with its sheet, row and column named and
nothing imported."""

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from ep_events.assessments.assessments import EntryInput, start_assessment
from ep_events.assessments.models import Rating
from ep_events.assessments.spreadsheet import assessment_xlsx, read_toolkit
from ep_events.extensions import db
from ep_events.standards import current_edition
from tests.assessments.conftest import completed
from tests.conftest import sign_in

FILLED = {
    "1.1": EntryInput(rating="red", comments="No written EP pathway; see =SUM(A1) note", action="Write the pathway",
                      action_owner_role="Team manager", action_due_on=date(2027, 6, 16)),
    "2.10": EntryInput(rating="amber", comments="Training with the LA twice a year\nMore needed"),
    "8.8": EntryInput(rating="green", comments="Local guidance published “2026”"),
}


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _upload(client, assessment, content: bytes, name="toolkit.xlsx"):
    """POST the file as a browser does. The body is built here: Werkzeug's test client would spool a large one
    to a temporary file that it never closes (a ResourceWarning)."""
    boundary = "----assessment-import-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode() \
        + content + f"\r\n--{boundary}--\r\n".encode()
    return client.post(f"/self-assessments/{assessment.id}/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _entries(assessment) -> dict:
    db.session.expire_all()
    return {e.number: (e.rating, e.comments, e.action, e.action_owner_role, e.action_due_on)
            for e in assessment.entries}


def test_the_export_has_a_sheet_per_standard_in_the_toolkits_columns_with_numbers_as_text(client, world):
    assessment = completed(world, overrides=FILLED)
    sign_in(client, world.admin)
    response = client.get(f"/self-assessments/{assessment.id}/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert f'filename="self-assessment-{assessment.id}.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [f"S{n}" for n in range(1, 9)]
    s2 = book["S2"]
    assert s2["A1"].value.startswith("Standard 2: Effective early care planning")
    assert [c.value for c in s2[4]] == ["Number", "Sub-standard", "Comments", "RAG rating", "Actions",
                                        "Action owner (role)", "Action due date", "Resources"]
    numbers = [row[0] for row in s2.iter_rows(min_row=5, values_only=False)]
    assert [c.value for c in numbers] == [f"2.{n}" for n in range(1, 11)]
    assert all(c.data_type == "s" for c in numbers)  # 2.10 stays 2.10 in Excel
    last = [c.value for c in s2[14]]
    assert last[:4] == ["2.10", current_edition().substandard("2.10").text,
                        "Training with the LA twice a year\nMore needed", "amber"]
    first = [c.value for c in book["S1"][5]]
    assert first[3:7] == ["red", "Write the pathway", "Team manager", first[6]] and first[6].date() == date(2027, 6, 16)
    assert "EP Leadership & management" in first[7]


def test_an_export_imported_into_a_new_assessment_gives_the_same_ratings_comments_and_actions(client, world):
    source = completed(world, rating="green", overrides=FILLED)
    sign_in(client, world.admin)
    content = client.get(f"/self-assessments/{source.id}/export.xlsx").data
    target = start_assessment(world.admin, world.agency)
    db.session.commit()
    preview = _upload(client, target, content)
    page = _text(preview)
    assert preview.status_code == 200 and "The spreadsheet has 70 sub-standards" in page
    assert "No written EP pathway" in page and _entries(target)["1.1"][0] is None  # nothing yet
    token = preview.get_data(as_text=True).split('name="upload" type="hidden" value="')[1].split('"')[0]
    done = client.post(f"/self-assessments/{target.id}/import/confirm", data={"upload": token})
    assert done.status_code == 302
    assert _entries(target) == _entries(source)
    assert _entries(target)["1.1"] == (Rating.RED, "No written EP pathway; see =SUM(A1) note", "Write the pathway",
                                       "Team manager", date(2027, 6, 16))


def test_a_preview_token_works_only_for_its_assessment_and_person(client, world):
    source = completed(world, overrides=FILLED)
    sign_in(client, world.admin)
    content = client.get(f"/self-assessments/{source.id}/export.xlsx").data
    target = start_assessment(world.admin, world.agency)
    other = start_assessment(world.admin, world.agency)
    db.session.commit()
    token = _upload(client, target, content).get_data(as_text=True).split(
        'name="upload" type="hidden" value="')[1].split('"')[0]
    for bad in (token + "x", "", "garbage"):
        response = client.post(f"/self-assessments/{target.id}/import/confirm", data={"upload": bad})
        assert response.headers["Location"].endswith(f"/self-assessments/{target.id}/import")
    client.post(f"/self-assessments/{other.id}/import/confirm", data={"upload": token})
    assert all(e.rating is None for e in other.entries) and all(e.rating is None for e in target.entries)


def _workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _exported(world, **changes) -> Workbook:
    """The toolkit export of a completed assessment, as an openpyxl workbook to spoil."""
    assessment = completed(world, overrides=FILLED)
    return load_workbook(io.BytesIO(assessment_xlsx(assessment, current_edition())))


def _spoilt(world, how) -> bytes:
    book = _exported(world)
    how(book)
    return _workbook_bytes(book)


def _not_the_layout(world) -> bytes:
    book = Workbook()
    book.active.append(["Name", "Email"])
    return _workbook_bytes(book)


def _long_sheet(book):
    sheet = book["S3"]
    for n in range(100_000):
        sheet.cell(row=20 + n, column=1, value=f"row {n}")


def _with_a_megabyte_cell(world) -> bytes:
    """Excel (and openpyxl) stop a cell at 32,767 characters, but a hand-made file need not: put 1 MB in one."""
    book = _exported(world)
    book["S5"]["C6"] = "MEGABYTE-CELL"
    source, out = zipfile.ZipFile(io.BytesIO(_workbook_bytes(book))), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data.replace(b"MEGABYTE-CELL", b"x" * 1_000_000))
    return out.getvalue()


def _bad_rating(book):
    book["S2"]["D7"] = "yellow"


def _formula(book):
    book["S4"]["D5"] = "=IF(1,\"red\",\"green\")"


def _number_as_number(book):
    book["S2"]["A14"] = 2.1


def _unknown_number(book):
    book["S6"]["A5"] = "6.9"


def _bad_date(book):
    book["S1"]["G6"] = "next week"
    book["S1"]["E6"] = "Do something"


def _headings(book):
    book["S7"]["D4"] = "Score"


@pytest.mark.parametrize("make, message", [
    (_not_the_layout, "it has no sheet named S1, S2, S3, S4, S5, S6, S7, S8"),
    (lambda w: _spoilt(w, _long_sheet), "Sheet S3, row 100019: the sheet has 100,019 rows, but S3 has 10 sub-"),
    (_with_a_megabyte_cell, "Sheet S5, row 6, column C (Comments): the cell holds 1,000,000 characters"),
    (lambda w: _spoilt(w, _bad_rating), "Sheet S2, row 7, column D (RAG rating): 'yellow' is not a rating"),
    (lambda w: _spoilt(w, _formula), "Sheet S4, row 5, column D (RAG rating): a formula is not read"),
    (lambda w: _spoilt(w, _number_as_number), "Sheet S2, row 14, column A (Number): 2.1 is stored as a number"),
    (lambda w: _spoilt(w, _unknown_number), "Sheet S6, row 5, column A (Number): 6.9 is not a sub-standard of S6"),
    (lambda w: _spoilt(w, _bad_date), "Sheet S1, row 6, column G (Action due date): enter the due date as a date"),
    (lambda w: _spoilt(w, _headings), "Sheet S7, row 4: the column headings are not the toolkit's"),
    # An Office file with a password is an encrypted compound document (OLE2), not a zip: its first bytes say so.
    (lambda w: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, "The file is password-protected"),
    (lambda w: b"Name,Email\nPat,pat@example.org\n", "The file is not an Excel workbook (.xlsx)"),
    (lambda w: b"", "The file is not an Excel workbook (.xlsx)"),
])
def test_a_bad_spreadsheet_is_refused_naming_where_and_nothing_is_imported(client, world, make, message):
    content = make(world)
    target = start_assessment(world.admin, world.agency)
    db.session.commit()
    before = _entries(target)
    sign_in(client, world.admin)
    response = _upload(client, target, content)
    assert response.status_code == 400
    page = _text(response).replace("&#39;", "'")
    assert "There is a problem" in page and "Nothing has been imported" in page and message in page
    assert "Import these ratings" not in page
    assert _entries(target) == before


def test_reading_stops_at_the_problems_and_keeps_no_rows(world):
    book = _exported(world)
    _bad_rating(book)
    preview = read_toolkit(_workbook_bytes(book), current_edition())
    assert preview.errors and preview.rows == {}


def test_no_file_chosen_says_so(client, world):
    target = start_assessment(world.admin, world.agency)
    db.session.commit()
    sign_in(client, world.admin)
    response = client.post(f"/self-assessments/{target.id}/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose the toolkit spreadsheet to upload" in _text(response)


def test_the_pdf_holds_the_ratings_comments_and_actions(client, world):
    from pypdf import PdfReader

    assessment = completed(world, overrides=FILLED)
    sign_in(client, world.admin)
    response = client.get(f"/self-assessments/{assessment.id}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Adoption Central Midlands" in text and "Completed" in text
    assert "No written EP pathway" in text and "Owner: Team manager" in text and "Due: 16 June 2027" in text
    assert "Local guidance published “2026”" in text
    assert "S8: Delivering an effective organisational strategy for early permanence" in text

