"""An organiser's CSV import into the invitation list: read the file, preview every row's result, then import
only the valid rows in one transaction.

What a spreadsheet gives us varies: Excel's "CSV UTF-8" (with a byte-order mark), plain "CSV" (Windows-1252),
"Unicode Text" (UTF-16, tab-separated). Each is decoded; anything else (a workbook, a PDF, a web page renamed
.csv, binary) is refused with a message saying what to upload instead. Limits: MAX_BYTES and MAX_ROWS, so a
100,000-row file is refused before any row is looked at in the database.

Each imported person gets the double opt-in email (consent_source IMPORT) unless the organiser records a
lawful basis to add them without it; then they are confirmed at once with that basis kept on the entry.
An address that unsubscribed (the suppression list) is never imported.
"""

import codecs
import csv
import enum
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.invitations.entries import (
    EMAIL_MAX,
    NAME_MAX,
    ORGANISATION_MAX,
    ROLE_MAX,
    clean_email,
    clean_text,
    start_double_opt_in,
)
from ep_events.invitations.models import ConsentSource, InvitationListEntry, ListEntryStatus, SuppressedAddress

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
LAWFUL_BASIS_MAX = 1000
COLUMNS_HELP = "name, email, and if you have them organisation and role"

# Header cells we recognise (lower case, spaces for underscores) and the field each fills.
_HEADERS = {
    "name": "name", "full name": "name",
    "email": "email", "email address": "email", "e-mail": "email", "e-mail address": "email",
    "organisation": "organisation_name", "organization": "organisation_name",
    "organisation name": "organisation_name", "organization name": "organisation_name",
    "role": "role", "job title": "role",
}
_REQUIRED = ("name", "email")
# Control characters no text file has (tab, line feed and return are allowed between cells).
_BINARY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHUNK = 500


class ImportFileError(DomainError):
    """The file as a whole cannot be imported; nothing is."""

    field = "file"


class RowResult(enum.Enum):
    OK = "ok"
    MISSING_NAME = "missing_name"
    BAD_EMAIL = "bad_email"
    BAD_VALUE = "bad_value"
    DUPLICATE_IN_FILE = "duplicate"
    ALREADY_ON_LIST = "already"
    SUPPRESSED = "suppressed"

    @property
    def label(self) -> str:
        return {"ok": "Will be imported", "missing_name": "Name missing", "bad_email": "Email address not valid",
                "bad_value": "Not valid", "duplicate": "Duplicate in this file", "already": "Already on the list",
                "suppressed": "Unsubscribed: cannot be added"}[self.value]


@dataclass
class ImportRow:
    line: int
    name: str
    email: str
    organisation_name: str
    role: str
    result: RowResult = RowResult.OK
    message: str = ""


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.result is RowResult.OK]

    @property
    def counts(self) -> dict[RowResult, int]:
        counts = dict.fromkeys(RowResult, 0)
        for row in self.rows:
            counts[row.result] += 1
        return counts


def _looks_like_utf16(data: bytes) -> str | None:
    """The UTF-16 codec of a file without a byte-order mark, judged by where its zero bytes are."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4000]
    odd_zeros, even_zeros = sample[1::2].count(0), sample[0::2].count(0)
    if odd_zeros > 0.9 * len(sample) // 2 and even_zeros == 0:
        return "utf-16-le"
    if even_zeros > 0.9 * len(sample) // 2 and odd_zeros == 0:
        return "utf-16-be"
    return None


def decode_upload(data: bytes) -> str:
    """The file's text; refused (ImportFileError) when empty, too large, or not a text CSV file."""
    if not data:
        raise ImportFileError("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB (at most "
                              f"{MAX_ROWS:,} people). Split it into smaller files.")
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError("The file is an Excel workbook or other zip file, not a CSV file. In Excel, use "
                              "File > Save As and choose ‘CSV UTF-8’, then upload that file.")
    if data.startswith(b"%PDF"):
        raise ImportFileError("The file is a PDF, not a CSV file. Upload a CSV file.")
    codec = None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    elif b"\x00" in data:
        codec = _looks_like_utf16(data)
        if codec is None:
            raise ImportFileError("The file is not a CSV file (it holds binary data). Upload a CSV file.")
    try:
        if codec:
            text = data.decode(codec)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252")  # Excel's plain "CSV" on Windows
    except UnicodeDecodeError:
        raise ImportFileError("The file’s text could not be read. In Excel, save it as ‘CSV UTF-8’ and upload "
                              "that file.") from None
    text = text.removeprefix("\ufeff")
    if _BINARY.search(text):
        raise ImportFileError("The file is not a CSV file (it holds binary data). Upload a CSV file.")
    head = text.lstrip()[:2048].lower()
    if head.startswith(("<!doctype", "<html", "<?xml")) or "<html" in head or "<body" in head:
        raise ImportFileError("The file is a web page (HTML) or XML, not a CSV file. Upload a CSV file.")
    if not text.strip():
        raise ImportFileError("The selected file is empty")
    return text


def _delimiter(text: str) -> str:
    """Comma, tab (Excel's UTF-16 'Unicode Text') or semicolon (Excel in some locales), from the header line."""
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    return max((",", "\t", ";"), key=first_line.count)


def _header_key(cell: str) -> str:
    return " ".join(cell.strip().lower().replace("_", " ").split())


def read_rows(text: str) -> tuple[list[ImportRow], list[str]]:
    """The file's rows (blank ones skipped) and the columns ignored; ImportFileError for a file that is not
    a list of people with the right columns, or has more than MAX_ROWS."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows, ignored = [], []
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ImportFileError("The selected file is empty")
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            key = _HEADERS.get(_header_key(cell))
            if key is None:
                if cell.strip():
                    ignored.append(cell.strip()[:50])
            elif key in positions:
                raise ImportFileError(f"The column ‘{cell.strip()[:50]}’ appears twice in the first row.")
            else:
                positions[key] = index
        missing = [name for name in _REQUIRED if name not in positions]
        if missing:
            found = ", ".join(cell.strip()[:30] for cell in header[:6] if cell.strip()) or "nothing"
            raise ImportFileError(f"The first row must name the columns: {COLUMNS_HELP}. It has no "
                                  f"{' or '.join(missing)} column (found: {found}).")
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS:,} people. Split it into files of "
                                      f"{MAX_ROWS:,} or fewer.")

            def cell(key: str, cells=cells) -> str:
                index = positions.get(key)
                return cells[index] if index is not None and index < len(cells) else ""

            rows.append(ImportRow(line=reader.line_num, name=cell("name"), email=cell("email"),
                                  organisation_name=cell("organisation_name"), role=cell("role")))
    except csv.Error as error:
        raise ImportFileError(f"The file could not be read as CSV (line {reader.line_num}): {error}.") from None
    if not rows:
        raise ImportFileError("The file has a header row but no people in it.")
    return rows, ignored


def _check_row(row: ImportRow, seen: set[str]) -> None:
    """Fill in the row's result from its own values (and the addresses earlier in the file)."""
    shown_name, shown_email = row.name.strip()[:NAME_MAX], row.email.strip()[:EMAIL_MAX]
    try:
        row.name = clean_text(row.name, "name", "the name", NAME_MAX)
    except DomainError as error:
        row.name = shown_name
        row.result = RowResult.MISSING_NAME if not shown_name else RowResult.BAD_VALUE
        row.message = str(error)
        return
    try:
        row.email = clean_email(row.email)
    except DomainError:
        row.email = shown_email
        row.result, row.message = RowResult.BAD_EMAIL, "Not a valid email address"
        return
    try:
        row.organisation_name = clean_text(row.organisation_name, "organisation_name", "the organisation",
                                           ORGANISATION_MAX, required=False)
        row.role = clean_text(row.role, "role", "the role", ROLE_MAX, required=False)
    except DomainError as error:
        row.organisation_name, row.role = row.organisation_name[:ORGANISATION_MAX], row.role[:ROLE_MAX]
        row.result, row.message = RowResult.BAD_VALUE, str(error)
        return
    if row.email in seen:
        row.result, row.message = RowResult.DUPLICATE_IN_FILE, "This address is on an earlier row"
        return
    seen.add(row.email)


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _existing(programme, emails: list[str]) -> tuple[dict[str, InvitationListEntry], set[str]]:
    entries, suppressed = {}, set()
    for chunk in _chunks(emails):
        entries.update({e.email: e for e in db.session.execute(select(InvitationListEntry).where(
            InvitationListEntry.programme_id == programme.id, InvitationListEntry.email.in_(chunk))).scalars()})
        suppressed.update(db.session.execute(select(SuppressedAddress.email).where(
            SuppressedAddress.programme_id == programme.id, SuppressedAddress.email.in_(chunk))).scalars())
    return entries, suppressed


def preview_text(programme, text: str) -> tuple[ImportPreview, dict[str, InvitationListEntry]]:
    rows, ignored = read_rows(text)
    seen: set[str] = set()
    for row in rows:
        _check_row(row, seen)
    entries, suppressed = _existing(programme, [row.email for row in rows if row.result is RowResult.OK])
    for row in rows:
        if row.result is not RowResult.OK:
            continue
        entry = entries.get(row.email)
        if row.email in suppressed or (entry is not None and entry.status is ListEntryStatus.UNSUBSCRIBED):
            row.result, row.message = RowResult.SUPPRESSED, "This address unsubscribed; only they can rejoin"
        elif entry is not None and entry.status in (ListEntryStatus.PENDING, ListEntryStatus.CONFIRMED):
            row.result = RowResult.ALREADY_ON_LIST
            row.message = ("Already subscribed" if entry.status is ListEntryStatus.CONFIRMED
                           else "Already asked to confirm")
    return ImportPreview(rows=rows, ignored_columns=ignored), entries


def preview_import(programme, data: bytes) -> ImportPreview:
    """Every row of an uploaded file with what importing it would do; nothing is changed."""
    return preview_text(programme, decode_upload(data))[0]


def import_people(actor, programme, text: str, lawful_basis: str | None = None,
                  now: datetime | None = None) -> int:
    """Import the valid rows of `text` (checked again against the list as it is now): each gets the double
    opt-in email, or with `lawful_basis` is confirmed at once with that basis recorded. Returns the number
    imported; the caller commits once, so a failure imports nobody."""
    now = now or utcnow()
    if lawful_basis is not None:
        lawful_basis = clean_text(lawful_basis.replace("\r\n", " ").replace("\n", " "), "lawful_basis",
                                  "the lawful basis", LAWFUL_BASIS_MAX)
    preview, entries = preview_text(programme, text)
    valid = preview.valid_rows
    if not valid:
        raise DomainError("No rows can be imported: every row has a problem or is already on the list.",
                          field="has_lawful_basis")
    for row in valid:
        entry = entries.get(row.email)  # an EXPIRED entry is invited again
        if entry is None:
            entry = InvitationListEntry(programme=programme, email=row.email, created_at=now, token_version=0)
            db.session.add(entry)
        entry.name, entry.organisation_name, entry.role = row.name, row.organisation_name, row.role
        entry.consent_source = ConsentSource.IMPORT
        entry.consent_wording_version = ""
        entry.consent_at = None
        if lawful_basis is not None:
            entry.status = ListEntryStatus.CONFIRMED
            entry.confirmed_at = now
            entry.lawful_basis = lawful_basis
            entry.confirm_token_hash = entry.confirm_expires_at = None
            entry.token_version += 1
        else:
            entry.lawful_basis = ""
            start_double_opt_in(entry, now)
    db.session.flush()
    how = f"with lawful basis: {lawful_basis}" if lawful_basis is not None else "each asked to confirm"
    record_audit(actor, "invitations.list.imported", programme,
                 f"{len(valid)} people imported into the invitation list of {programme.name}, {how}")
    return len(valid)
