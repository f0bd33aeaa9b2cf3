"""Resources after a workshop: checked by content, stored outside static/, seen only by registrants and staff."""

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from ep_events.extensions import db
from ep_events.workshops.models import WorkshopResource
from tests.conftest import sign_in
from tests.workshops.after_fixtures import after_world_for


@pytest.fixture
def after_world(app, tmp_path):
    return after_world_for(app, tmp_path)

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MAIN_PARTS = {
    "pptx": ("/ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
    "docx": ("/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}


def office_file(kind: str, content_types: str | None = None) -> bytes:
    part, content_type = MAIN_PARTS[kind]
    declared = content_types or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part}" ContentType="{content_type}"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", declared)
        archive.writestr(part.lstrip("/"), "<xml/>")
    return out.getvalue()


def multipart(fields: dict) -> dict:
    """The request body built in memory: the test client would spool a large one to a temporary file that it
    never closes (a ResourceWarning), which a real server does not do."""
    boundary, body = encode_multipart(MultiDict(fields))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def many_entries_docx(entries: int = 20_001) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override PartName="/word/document.xml" '
                                                f'ContentType="{MAIN_PARTS["docx"][1]}"/></Types>')
        for n in range(entries):
            archive.writestr(f"p{n}", "")
    return out.getvalue()


def upload(client, workshop, filename: str, content: bytes, title: str = "Slides"):
    return client.post(f"/workshops/{workshop.id}/resources/upload",
                       **multipart({"title": title, "file": FileStorage(io.BytesIO(content), filename)}))


def stored_files(app) -> list[Path]:
    root = Path(app.config["WORKSHOP_UPLOAD_DIR"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def resource_count() -> int:
    return db.session.execute(select(func.count(WorkshopResource.id))).scalar_one()


def test_organiser_uploads_a_pdf_and_a_registrant_downloads_it_as_an_attachment(app, client, after_world):
    w = after_world
    sign_in(client, w.organiser)
    response = upload(client, w.workshop, "Family time – slides (final).pdf", PDF_BYTES, "Slides: family time")
    assert response.status_code == 302
    page = client.get(f"/workshops/{w.workshop.id}/resources").get_data(as_text=True)
    assert "Slides: family time" in page
    resource = db.session.execute(select(WorkshopResource)).scalar_one()
    [stored] = stored_files(app)
    assert stored.name == resource.storage_key and "static" not in stored.parts
    assert stored.read_bytes() == PDF_BYTES

    client.post("/sign-out")
    sign_in(client, w.alice)
    page = client.get(f"/workshops/{w.workshop.id}/resources").get_data(as_text=True)
    assert "Slides: family time" in page and "Upload a file" not in page
    response = client.get(f"/workshops/{w.workshop.id}/resources/{resource.id}/download")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith("filename=Family_time_slides_final.pdf")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()  # send_file streams the stored file


def test_office_files_are_recognised_by_their_declared_main_part(app, client, after_world):
    w = after_world
    sign_in(client, w.facilitator)  # facilitators of the programme share resources too
    for kind in ("pptx", "docx", "xlsx"):
        assert upload(client, w.workshop, f"handout.{kind}", office_file(kind), f"Handout {kind}").status_code == 302
    types = set(db.session.execute(select(WorkshopResource.content_type)).scalars())
    assert types == {"application/vnd.openxmlformats-officedocument.presentationml.presentation",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    resource = db.session.execute(select(WorkshopResource)
                                  .where(WorkshopResource.filename == "handout.docx")).scalar_one()
    response = client.get(f"/workshops/{w.workshop.id}/resources/{resource.id}/download")
    assert response.headers["Content-Type"] == resource.content_type
    response.close()


def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_is_stored(app, client, after_world):
    w = after_world
    sign_in(client, w.organiser)
    big = b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024)
    bomb_types = ('<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                  'officedocument.wordprocessingml.document.main+xml"/>' + " " * (2 * 1024 * 1024) + "</Types>")
    cases = [
        ("empty.pdf", b"", "The selected file is empty"),
        ("huge.pdf", big, "The selected file must be smaller than 20 MB"),
        ("page.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
         "The selected file is not a real PDF file"),
        ("report.docx", PDF_BYTES, "The selected file is called .docx but is a PDF file"),
        ("slides.pptx", office_file("docx"), "The selected file is called .pptx but is a Word file"),
        ("notes.txt", b"hello", "The selected file must be a PDF, PowerPoint (.pptx), Word (.docx) or Excel"),
        ("bomb.docx", office_file("docx", content_types=bomb_types), "The selected file is not a real Word file"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "The selected file is not a real Excel file"),
        ("parts.docx", many_entries_docx(), "The selected file is not a real Word file"),
    ]
    for filename, content, message in cases:
        response = upload(client, w.workshop, filename, content)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, filename
        assert "There is a problem" in page and message in page, filename
    assert resource_count() == 0
    assert stored_files(app) == []


def test_a_request_larger_than_the_site_allows_gets_the_friendly_too_large_page(app, client, after_world):
    w = after_world
    sign_in(client, w.organiser)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = upload(client, w.workshop, "big.pdf", b"%PDF-" + b"0" * (128 * 1024))
    assert response.status_code == 413
    assert "The file or form is too large" in response.get_data(as_text=True)
    assert resource_count() == 0


def test_the_upload_limit_leaves_room_below_the_request_limit():
    from config import Config

    assert Config.WORKSHOP_UPLOAD_MAX_BYTES == 20 * 1024 * 1024
    assert Config.MAX_CONTENT_LENGTH > 21 * 1024 * 1024


def test_people_not_registered_get_not_found_and_anonymous_visitors_sign_in(app, client, after_world):
    w = after_world
    sign_in(client, w.organiser)
    upload(client, w.workshop, "slides.pdf", PDF_BYTES)
    resource = db.session.execute(select(WorkshopResource)).scalar_one()
    client.post("/sign-out")
    page_url = f"/workshops/{w.workshop.id}/resources"
    download_url = f"{page_url}/{resource.id}/download"
    response = client.get(download_url)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    for person in (w.stranger, w.cancelled, w.other_organiser):
        sign_in(client, person)
        assert client.get(page_url).status_code == 404
        assert client.get(download_url).status_code == 404
        assert upload(client, w.workshop, "x.pdf", PDF_BYTES).status_code == 403
        client.post("/sign-out")
    sign_in(client, w.alice)
    assert client.get(f"{page_url}/{resource.id + 1}/download").status_code == 404
    assert client.get("/workshops/2147483647/resources").status_code == 404
    assert upload(client, w.workshop, "x.pdf", PDF_BYTES).status_code == 403
    assert resource_count() == 1


def test_organiser_adds_an_https_link_and_other_addresses_are_refused(app, client, after_world):
    w = after_world
    sign_in(client, w.organiser)
    url = f"/workshops/{w.workshop.id}/resources/link"
    for bad, message in [("http://example.org/slides", "starting https://"),
                         ("javascript:alert(1)", "starting https://"),
                         ("https://exa mple.org/", "without spaces"),
                         ("", "Enter the web address")]:
        response = client.post(url, data={"link-title": "Recording", "link-url": bad})
        assert response.status_code == 400 and message in response.get_data(as_text=True), bad
    assert resource_count() == 0
    response = client.post(url, data={"link-title": "Recording", "link-url": "https://video.example.org/rec/1"})
    assert response.status_code == 302
    client.post("/sign-out")
    sign_in(client, w.bola)
    page = client.get(f"/workshops/{w.workshop.id}/resources").get_data(as_text=True)
    assert 'href="https://video.example.org/rec/1"' in page and "Recording" in page


def test_removing_a_resource_removes_its_file(app, client, after_world):
    w = after_world
    sign_in(client, w.organiser)
    upload(client, w.workshop, "slides.pdf", PDF_BYTES)
    resource = db.session.execute(select(WorkshopResource)).scalar_one()
    assert len(stored_files(app)) == 1
    client.post("/sign-out")
    sign_in(client, w.alice)
    assert client.post(f"/workshops/{w.workshop.id}/resources/{resource.id}/delete").status_code == 403
    client.post("/sign-out")
    sign_in(client, w.organiser)
    response = client.post(f"/workshops/{w.workshop.id}/resources/{resource.id}/delete")
    assert response.status_code == 302
    assert resource_count() == 0
    assert stored_files(app) == []
    assert "slides.pdf" not in client.get(f"/workshops/{w.workshop.id}/resources").get_data(as_text=True)
