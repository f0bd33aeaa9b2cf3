"""A workshop's resources: slides, handouts and links shared after it, seen only by its registrants and the
programme's organisers and facilitators.

Files are checked by what they contain, not by their name: a PDF starts with `%PDF-`; a PowerPoint, Word or
Excel file is a ZIP whose `[Content_Types].xml` declares the presentation, document or workbook main part.
The name's extension must agree. Only that one entry of the ZIP is read, with a cap on its declared and real
size, so a ZIP bomb costs nothing. Files are stored outside `static/` under a random name and served by
`after_views.download_resource` as attachments.
"""

import io
import os
import re
import secrets
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from werkzeug.utils import secure_filename

from ep_events.accounts.policy import can_facilitate_programme
from ep_events.bookings.models import PlaceStatus
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.inputs import has_forbidden_character
from ep_events.extensions import db
from ep_events.workshops.models import Workshop, WorkshopRegistration, WorkshopResource

TITLE_MAX = 200
URL_MAX = 2000
FILENAME_MAX = 200
# [Content_Types].xml is a few kilobytes; more than this is not an Office file we want to read.
CONTENT_TYPES_MAX_BYTES = 256 * 1024
# A large slide deck has a few thousand parts.
MAX_ZIP_ENTRIES = 20_000


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


PDF = FileKind(".pdf", "application/pdf", "PDF")
PPTX = FileKind(".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "PowerPoint")
DOCX = FileKind(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
XLSX = FileKind(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
KINDS_BY_EXTENSION = {kind.extension: kind for kind in (PDF, PPTX, DOCX, XLSX)}

# The main part each Office format declares in [Content_Types].xml (ECMA-376 Part 2 and Part 1, 11.3/12.3/13.3).
OFFICE_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_CONTENT_TYPE_ATTR = re.compile(rb"""ContentType\s*=\s*["']([^"']{1,200})["']""")

ALLOWED_TEXT = "a PDF, PowerPoint (.pptx), Word (.docx) or Excel (.xlsx) file"


def upload_max_bytes() -> int:
    return int(current_app.config["WORKSHOP_UPLOAD_MAX_BYTES"])


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size} bytes"


def upload_dir() -> Path:
    configured = current_app.config.get("WORKSHOP_UPLOAD_DIR") or ""
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def stored_path(resource: WorkshopResource) -> Path:
    return upload_dir() / "workshops" / resource.storage_key


# --- Who sees what ---------------------------------------------------------------------------------

def can_share_resources(user, workshop: Workshop) -> bool:
    """The programme's organisers and facilitators add and remove resources."""
    return can_facilitate_programme(user, workshop.programme)


def is_registrant(user, workshop: Workshop) -> bool:
    if not (user and user.is_authenticated):
        return False
    return db.session.execute(
        select(WorkshopRegistration.id).where(WorkshopRegistration.event_id == workshop.id,
                                              WorkshopRegistration.user_id == user.id,
                                              WorkshopRegistration.status == PlaceStatus.CONFIRMED).limit(1)
    ).first() is not None


def can_see_resources(user, workshop: Workshop) -> bool:
    """Registrants (a confirmed place) and the programme's organisers and facilitators; anyone else is told
    the page does not exist."""
    return can_share_resources(user, workshop) or is_registrant(user, workshop)


def workshop_resources(workshop: Workshop) -> list[WorkshopResource]:
    return list(db.session.execute(
        select(WorkshopResource).where(WorkshopResource.workshop_id == workshop.id)
        .order_by(WorkshopResource.created_at, WorkshopResource.id)).scalars())


# --- Checking an upload ----------------------------------------------------------------------------

def read_capped(stream, limit: int) -> bytes:
    """At most limit + 1 bytes of the stream: enough to tell that it is over the limit without reading it all."""
    chunks, total = [], 0
    while total <= limit:
        chunk = stream.read(min(1024 * 1024, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _zip_entry_count(content: bytes) -> int | None:
    """The number of entries the ZIP's end-of-central-directory record declares (None if it has none), read
    before zipfile lists them all: a ZIP of a million empty entries is refused without parsing it."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))  # the record is in the last 64 KB + 22
    if end < 0 or end + 22 > len(content):
        return None
    return int.from_bytes(content[end + 10:end + 12], "little")


def _office_kind(content: bytes) -> FileKind | None:
    """The Office format a ZIP declares as its main part, or None (not a ZIP, no or several main parts)."""
    entries = _zip_entry_count(content)
    if entries is None or entries > MAX_ZIP_ENTRIES:  # 0xFFFF: a ZIP64 archive, which no Office file of 20 MB is
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            try:
                info = archive.getinfo("[Content_Types].xml")
            except KeyError:
                return None
            if info.file_size > CONTENT_TYPES_MAX_BYTES:
                return None
            with archive.open(info) as entry:
                # The declared size can lie: read no more than the cap whatever it says.
                declared = entry.read(CONTENT_TYPES_MAX_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError, ValueError,
            EOFError):
        return None
    if len(declared) > CONTENT_TYPES_MAX_BYTES:
        return None
    kinds = {OFFICE_MAIN_PARTS[value.decode("ascii", "replace")]
             for value in _CONTENT_TYPE_ATTR.findall(declared)
             if value.decode("ascii", "replace") in OFFICE_MAIN_PARTS}
    return kinds.pop() if len(kinds) == 1 else None


def detect_kind(content: bytes) -> FileKind | None:
    """What the bytes are, whatever the file is called: PDF, PPTX, DOCX, XLSX, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content)
    return None


def safe_filename(original: str, kind: FileKind) -> str:
    """A name for the download: letters, digits, dots, dashes and underscores only, with the right extension."""
    stem = secure_filename(Path(original or "").stem)[:FILENAME_MAX - len(kind.extension)] or "resource"
    return stem + kind.extension


def check_upload(filename: str, content: bytes) -> FileKind:
    """The file's kind if it may be shared; otherwise a DomainError saying why (on the `file` field)."""
    limit = upload_max_bytes()
    if not content:
        raise DomainError("The selected file is empty", field="file")
    if len(content) > limit:
        raise DomainError(f"The selected file must be smaller than {size_label(limit)}", field="file")
    extension = os.path.splitext(filename or "")[1].lower()
    named_kind = KINDS_BY_EXTENSION.get(extension)
    if named_kind is None:
        raise DomainError(f"The selected file must be {ALLOWED_TEXT}", field="file")
    kind = detect_kind(content)
    if kind is None:
        raise DomainError(f"The selected file is not a real {named_kind.label} file. It must be {ALLOWED_TEXT}",
                          field="file")
    if kind is not named_kind:
        raise DomainError(f"The selected file is called {extension} but is a {kind.label} file. Rename it "
                          f"to end {kind.extension}, or choose another file", field="file")
    return kind


def _check_title(title: str, field: str) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError("Enter a title for the resource", field=field)
    if len(title) > TITLE_MAX:
        raise DomainError(f"The title must be {TITLE_MAX} characters or fewer", field=field)
    if has_forbidden_character(title) or any(ord(ch) < 32 for ch in title):
        raise DomainError("The title must not contain control characters", field=field)
    return title


def check_link(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise DomainError("Enter the web address of the link", field="url")
    if len(url) > URL_MAX:
        raise DomainError(f"The web address must be {URL_MAX} characters or fewer", field="url")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url) or has_forbidden_character(url):
        raise DomainError("Enter a web address without spaces", field="url")
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname or "." not in parts.hostname:
        raise DomainError("Enter a web address starting https://, like https://www.example.org/slides",
                          field="url")
    return url


# --- Adding and removing ---------------------------------------------------------------------------

def add_file_resource(actor, workshop: Workshop, title: str, filename: str, content: bytes) -> WorkshopResource:
    """Check and store an uploaded file for the workshop's registrants; nothing is stored if it is refused."""
    if not can_share_resources(actor, workshop):
        raise NotAllowed("Only the programme's organisers and facilitators can share resources")
    title = _check_title(title, "title")
    kind = check_upload(filename, content)
    resource = WorkshopResource(workshop_id=workshop.id, title=title, filename=safe_filename(filename, kind),
                                content_type=kind.content_type, size_bytes=len(content),
                                storage_key=secrets.token_hex(24), uploaded_by_id=actor.id)
    db.session.add(resource)
    db.session.flush()
    path = stored_path(resource)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    os.replace(partial, path)  # never a half-written file under the real name
    record_audit(actor, "workshop.resource_added", resource, f"{workshop.title}: {title} ({resource.filename})")
    return resource


def add_link_resource(actor, workshop: Workshop, title: str, url: str) -> WorkshopResource:
    """Share a link (https only) with the workshop's registrants."""
    if not can_share_resources(actor, workshop):
        raise NotAllowed("Only the programme's organisers and facilitators can share resources")
    title = _check_title(title, "title")
    url = check_link(url)
    resource = WorkshopResource(workshop_id=workshop.id, title=title, url=url, uploaded_by_id=actor.id)
    db.session.add(resource)
    db.session.flush()
    record_audit(actor, "workshop.resource_added", resource, f"{workshop.title}: {title} (link)")
    return resource


def delete_resource(actor, resource: WorkshopResource) -> Path | None:
    """Remove a resource; returns its stored file, for `remove_stored_file` once the removal is committed (so a
    failed commit never leaves a resource whose file is gone)."""
    if not can_share_resources(actor, resource.workshop):
        raise NotAllowed("Only the programme's organisers and facilitators can remove resources")
    path = stored_path(resource) if resource.storage_key else None
    record_audit(actor, "workshop.resource_removed", resource, f"{resource.workshop.title}: {resource.title}")
    db.session.delete(resource)
    db.session.flush()
    return path


def remove_stored_file(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


# A file is written before its resource is committed: one younger than this may be an upload being saved.
ORPHAN_AFTER_SECONDS = 60 * 60


def discard_orphaned_files(now: float | None = None) -> int:
    """Delete stored files that no resource refers to (a save that failed after writing, a removal cut short
    before its file went) once they are an hour old; how many went. Safe to run twice."""
    folder = upload_dir() / "workshops"
    if not folder.is_dir():
        return 0
    now = now or time.time()
    kept = set(db.session.execute(select(WorkshopResource.storage_key)
                                  .where(WorkshopResource.storage_key != "")).scalars())
    discarded = 0
    for path in folder.iterdir():
        if path.name in kept:
            continue
        try:
            if path.is_file() and path.stat().st_mtime < now - ORPHAN_AFTER_SECONDS:
                path.unlink()
                discarded += 1
        except OSError:
            pass  # gone already
    return discarded
