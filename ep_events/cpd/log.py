"""The CPD log of one registration year, to carry into a Social Work England renewal: as a page, a PDF (one
record per page, in the order of the SWE form) and a CSV (the same columns, spreadsheet-safe)."""

from datetime import date, datetime

from ep_events.core.spreadsheets import csv_bytes
from ep_events.cpd.models import CpdRecord
from ep_events.cpd.pdf import SECONDARY, Document
from ep_events.cpd.years import RegistrationYear
from ep_events.standards import current_edition

# The boxes of the SWE form in its order, as the log's PDF and CSV label them.
FORM_ORDER = (
    ("cpd_type", "Type of CPD"),
    ("title", "Title"),
    ("activity_date", "Date"),
    ("description", "Description of the CPD and why it is relevant to your practice"),
    ("learning", "What did you learn?"),
    ("impact", "What positive impact will this have on your practice and the people you work with?"),
    ("peer", "Did you discuss this CPD with a peer? (peer reflection)"),
    ("peer_role", "The peer's role"),
    ("peer_learning", "What did you learn from discussing it with a peer?"),
)


def day_text(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def duration_text(minutes: int | None) -> str:
    """'40 minutes', '1 hour', '2 hours 30 minutes'."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if rest:
        parts.append(f"{rest} minute{'' if rest == 1 else 's'}")
    return " ".join(parts)


def standards_text(codes) -> str:
    """'S4: Support … ; 4.2' — each code with the title of its standard where the edition names one."""
    edition = current_edition()
    named = []
    for code in codes or ():
        standard, substandard = edition.standard(code), edition.substandard(code)
        if standard is not None:
            named.append(f"{code}: {standard.title}")
        elif substandard is not None:
            text = substandard.text if len(substandard.text) <= 90 else substandard.text[:89].rstrip() + "…"
            named.append(f"{code}: {text}")
        else:
            named.append(code)
    return "; ".join(named)


def _values(record: CpdRecord) -> dict[str, str]:
    return {"cpd_type": record.cpd_type, "title": record.title, "activity_date": day_text(record.activity_date),
            "description": record.description, "learning": record.learning, "impact": record.impact,
            "peer": "Yes" if record.has_peer_reflection else "No",
            "peer_role": record.peer_role if record.has_peer_reflection else "",
            "peer_learning": record.peer_learning if record.has_peer_reflection else ""}


def log_pdf(user, year: RegistrationYear, records: list[CpdRecord], progress, made_at: datetime) -> bytes:
    """One record per page, its fields in the SWE form's order; the year and progress at the top of each."""
    texts = [user.name] + [value for record in records for value in _values(record).values()]
    texts += [record.programme_name for record in records]
    title = f"CPD log {year.short_label}: {user.name}"
    document = Document(title, user.name, f"CPD log of {user.name}, {year.label}", texts)
    pdf = document.pdf
    if not records:
        pdf.add_page()
        document.paragraph(title, size=16, style="B", height=8)
        document.paragraph(f"Registration year {year.label}. No CPD recorded in this year yet.")
    for number, record in enumerate(records, start=1):
        pdf.add_page()
        document.paragraph(f"{user.name}  ·  Registration year {year.label}  ·  Record {number} of {len(records)}",
                           size=8, colour=SECONDARY, height=4)
        document.paragraph(f"This year's progress: {progress.summary}", size=8, colour=SECONDARY, height=4)
        document.rule()
        document.paragraph(record.title or "Untitled CPD", size=15, style="B", height=7.5)
        status = "Complete" if record.is_complete else "Draft: not yet complete"
        facts = [status]
        if record.programme_name:
            facts.append(f"At EP Events: {record.programme_name}")
        if record.duration_minutes:
            facts.append(f"Time: {duration_text(record.duration_minutes)}")
        document.paragraph("  ·  ".join(facts), size=9, colour=SECONDARY)
        values = _values(record)
        for name, label in FORM_ORDER:
            if name in ("peer_role", "peer_learning") and not record.has_peer_reflection:
                continue
            document.field(label, values[name])
        if record.practice_standards:
            document.field("EP National Practice Standards", standards_text(record.practice_standards))
    return document.output(made_at)


def log_csv(records: list[CpdRecord]) -> bytes:
    """The year's records as a spreadsheet: the SWE form's columns in its order, then status, time and standards."""
    header = [label for _, label in FORM_ORDER] + ["Status", "Time (minutes)", "Programme",
                                                    "EP National Practice Standards"]
    rows = []
    for record in records:
        values = _values(record)
        rows.append([values[name] for name, _ in FORM_ORDER] + [
            record.status.label, record.duration_minutes or "", record.programme_name,
            " ".join(record.practice_standards or ())])
    return csv_bytes(header, rows)
