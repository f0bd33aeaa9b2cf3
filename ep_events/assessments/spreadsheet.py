"""The toolkit's spreadsheet: an assessment exported as XLSX, one sheet per standard, and a filled-in one read
back (every problem named by sheet, row and column; nothing imported unless the whole file is right).

Sub-standard numbers are written as text ("2.10"), never as numbers, or Excel shows 2.10 as 2.1.
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ep_events.assessments.assessments import EntryInput, checked_entry
from ep_events.assessments.models import SelfAssessment
from ep_events.core.errors import DomainError
from ep_events.core.inputs import EARLIEST_YEAR, LATEST_YEAR
from ep_events.standards import Edition

COLUMNS = ("Number", "Sub-standard", "Comments", "RAG rating", "Actions", "Action owner (role)",
           "Action due date", "Resources")
WIDTHS = (9, 60, 45, 12, 45, 22, 16, 50)
NUMBER, TEXT, COMMENTS, RATING, ACTION, OWNER, DUE, RESOURCES = range(8)
HEADER_SEARCH_ROWS = 10  # the column headings are looked for in the first rows of a sheet
ROWS_READ_MAX = 200  # a standard has at most a dozen sub-standards: a longer sheet is not the toolkit's
FILE_MAX_BYTES = 5 * 1024 * 1024
CELL_MAX = 10_000  # characters in any cell read
ERRORS_SHOWN = 20
RAG_FILLS = {"red": "F6D7D2", "amber": "FFF7BF", "green": "CCE2D8"}


def assessment_xlsx(assessment: SelfAssessment, standards: Edition) -> bytes:
    """The assessment in the toolkit's layout: a sheet per standard (S1 … S8), its title and statement, then a
    row per sub-standard with the comments, rating, action (owner, due date) and the toolkit's resources."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    entries = {entry.number: entry for entry in assessment.entries}
    about = (f"{assessment.organisation.name}"
             + (f", for {assessment.local_authority.name}" if assessment.local_authority else "")
             + (f". Completed {assessment.completed_at:%-d %B %Y} by {assessment.completer_name}, "
                f"{assessment.completer_job_title}" if assessment.is_completed else ". In progress")
             + f". EP National Practice Standards, {standards.key} edition.")
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for standard in standards.standards:
        sheet = workbook.create_sheet(standard.code)
        sheet.append([f"Standard {standard.number}: {standard.title}"])
        sheet.append([standard.headline])
        sheet.append([about])
        sheet.append(list(COLUMNS))
        sheet["A1"].font = Font(bold=True, size=14)
        for cell in sheet[4]:
            cell.font = bold
        for sub in standard.substandards:
            entry = entries.get(sub.number)
            rating = entry.rating.value if entry is not None and entry.rating is not None else ""
            sheet.append([sub.number, sub.text, entry.comments if entry else "", rating,
                          entry.action if entry else "", entry.action_owner_role if entry else "",
                          entry.action_due_on if entry else None, "\n".join(sub.resources)])
            row = sheet.max_row
            number = sheet.cell(row=row, column=NUMBER + 1)
            number.value, number.number_format, number.data_type = sub.number, "@", "s"
            sheet.cell(row=row, column=DUE + 1).number_format = "DD/MM/YYYY"
            for cell in sheet[row]:
                cell.alignment = wrap
            if rating:
                sheet.cell(row=row, column=RATING + 1).fill = PatternFill("solid", fgColor=RAG_FILLS[rating])
        for i, width in enumerate(WIDTHS, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A5"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class ImportPreview:
    """What a spreadsheet would import, or the problems found in it (then nothing is imported)."""

    rows: dict[str, dict] = field(default_factory=dict)  # number -> checked values
    errors: list[str] = field(default_factory=list)
    more_errors: int = 0

    def add_error(self, message: str) -> None:
        if len(self.errors) < ERRORS_SHOWN:
            self.errors.append(message)
        else:
            self.more_errors += 1


def _where(sheet: str, row: int, column: int | None = None) -> str:
    if column is None:
        return f"Sheet {sheet}, row {row}"
    return f"Sheet {sheet}, row {row}, column {get_column_letter(column + 1)} ({COLUMNS[column]})"


def read_toolkit(content: bytes, standards: Edition) -> ImportPreview:
    """Read a filled-in toolkit spreadsheet (the layout `assessment_xlsx` writes) against the edition."""
    preview = ImportPreview()
    if len(content) > FILE_MAX_BYTES:
        preview.add_error(f"The file is larger than {FILE_MAX_BYTES // (1024 * 1024)} MB: the toolkit's spreadsheet "
                          "is much smaller. Check you chose the right file")
        return preview
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        preview.add_error("The file is password-protected or in the old .xls format. Remove the password and save "
                          "it as an Excel workbook (.xlsx), then upload it again")
        return preview
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        preview.add_error("The file is not an Excel workbook (.xlsx). Save the toolkit as .xlsx and upload it again")
        return preview
    try:
        names = set(workbook.sheetnames)
        missing = [s.code for s in standards.standards if s.code not in names]
        if missing:
            preview.add_error(f"The file is not the toolkit's layout: it has no sheet named {', '.join(missing)} "
                              "(a sheet per standard, S1 to S8). Start from a spreadsheet exported here")
            return preview
        for standard in standards.standards:
            _read_sheet(workbook[standard.code], standard, preview)
    finally:
        workbook.close()
    if preview.errors:
        preview.rows = {}
    return preview


def _text_of(value, preview, where) -> str | None:
    if value is None:
        return ""
    if isinstance(value, str):
        if len(value) > CELL_MAX:
            preview.add_error(f"{where}: the cell holds {len(value):,} characters; at most {CELL_MAX:,} are read")
            return None
        return value
    return str(value)


def _read_sheet(sheet, standard, preview: ImportPreview) -> None:
    code = standard.code
    header_row = None
    for index, row in enumerate(sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
        cells = [str(v).strip().lower() if isinstance(v, str) else "" for v in row[:len(COLUMNS)]]
        if cells[:2] == ["number", "sub-standard"]:
            header_row = index
            headings = [str(v).strip() if v is not None else "" for v in row[:len(COLUMNS)]]
            if headings[:DUE + 1] != list(COLUMNS[:DUE + 1]):
                preview.add_error(f"{_where(code, index)}: the column headings are not the toolkit's; they should be "
                                  f"{', '.join(COLUMNS[:DUE + 1])}")
                return
            break
    if header_row is None:
        preview.add_error(f"Sheet {code}: the column headings (Number, Sub-standard, Comments, RAG rating, …) are "
                          f"not in the first {HEADER_SEARCH_ROWS} rows: the file is not the toolkit's layout")
        return
    known = {sub.number for sub in standard.substandards}
    last_row = sheet.max_row  # from the sheet's stated dimension, without reading the rows
    if last_row and last_row - header_row > ROWS_READ_MAX:
        preview.add_error(f"{_where(code, last_row)}: the sheet has {last_row:,} rows, but {code} has {len(known)} "
                          "sub-standards. Remove the rows below them")
        return
    seen: set[str] = set()
    for index, row in enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=False), start=header_row + 1):
        if index - header_row > ROWS_READ_MAX:
            preview.add_error(f"{_where(code, index)}: the sheet goes on past row {header_row + ROWS_READ_MAX}; "
                              f"{code} has {len(known)} sub-standards. Remove the extra rows")
            return
        cells = list(row[:len(COLUMNS)]) + [None] * (len(COLUMNS) - len(row[:len(COLUMNS)]))
        values = [getattr(cell, "value", None) for cell in cells]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values[:DUE + 1]):
            continue
        formula = next((i for i, cell in enumerate(cells[:DUE + 1])
                        if getattr(cell, "data_type", None) == "f"
                        or (isinstance(getattr(cell, "value", None), str) and cell.value.startswith("="))), None)
        if formula is not None:
            preview.add_error(f"{_where(code, index, formula)}: a formula is not read; type the value instead")
            continue
        number = values[NUMBER]
        if isinstance(number, float | int):
            preview.add_error(f"{_where(code, index, NUMBER)}: {number} is stored as a number; type the "
                              "sub-standard's number as text (for example 2.10, not 2.1)")
            continue
        number = (number or "").strip() if isinstance(number, str) else ""
        if number not in known:
            shown = number[:20] or "nothing"
            preview.add_error(f"{_where(code, index, NUMBER)}: {shown} is not a sub-standard of {code}")
            continue
        if number in seen:
            preview.add_error(f"{_where(code, index, NUMBER)}: {number} appears twice")
            continue
        seen.add(number)
        texts = {}
        for column in (COMMENTS, RATING, ACTION, OWNER):
            texts[column] = _text_of(values[column], preview, _where(code, index, column))
        if any(value is None for value in texts.values()):
            continue
        rating = texts[RATING].strip().lower()
        if rating not in ("", "red", "amber", "green"):
            preview.add_error(f"{_where(code, index, RATING)}: {texts[RATING][:20]!r} is not a rating; enter red, "
                              "amber or green, or leave it empty")
            continue
        due = values[DUE]
        if isinstance(due, datetime):
            due = due.date()
        elif isinstance(due, str) and due.strip():
            try:
                due = datetime.strptime(due.strip(), "%d/%m/%Y").date()
            except ValueError:
                preview.add_error(f"{_where(code, index, DUE)}: enter the due date as a date, like 16/06/2027")
                continue
        elif due is not None and not isinstance(due, date) and not (isinstance(due, str) and not due.strip()):
            preview.add_error(f"{_where(code, index, DUE)}: enter the due date as a date, like 16/06/2027")
            continue
        if isinstance(due, str):
            due = None
        if due is not None and not EARLIEST_YEAR <= due.year <= LATEST_YEAR:
            preview.add_error(f"{_where(code, index, DUE)}: enter a date in the years {EARLIEST_YEAR} to "
                              f"{LATEST_YEAR}")
            continue
        try:
            preview.rows[number] = checked_entry(number, EntryInput(
                rating=rating, comments=texts[COMMENTS], action=texts[ACTION],
                action_owner_role=texts[OWNER], action_due_on=due))
        except DomainError as error:
            column = {"rating": RATING, "comments": COMMENTS, "action": ACTION, "owner": OWNER,
                      "due": DUE}.get((error.field or "").rsplit("_", 1)[-1], COMMENTS)
            preview.add_error(f"{_where(code, index, column)}: {str(error).split(': ', 1)[-1]}")
