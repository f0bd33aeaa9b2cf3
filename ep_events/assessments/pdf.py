"""An assessment as an A4 PDF: per standard, each sub-standard's rating, comments and action (DejaVu Sans, as
every PDF here: see ep_events/core/pdf_fonts.py)."""

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout

from ep_events.assessments.models import SelfAssessment
from ep_events.core.pdf_fonts import font_files, plain
from ep_events.standards import Edition

FAMILY = "Text"
MARGIN = 15
RAG_SHADES = {"red": (246, 215, 210), "amber": (255, 247, 191), "green": (204, 226, 216)}
COLUMNS = (12, 62, 18, 44, 44)  # number and text, rating, comments, action: 180 mm


def assessment_pdf(assessment: SelfAssessment, standards: Edition) -> bytes:
    entries = {entry.number: entry for entry in assessment.entries}
    texts = [assessment.organisation.name, assessment.completer_name, assessment.completer_job_title]
    texts += [s.title + s.headline for s in standards.standards] + [sub.text for sub in standards.substandards]
    texts += [e.comments + e.action + e.action_owner_role for e in assessment.entries]
    fonts = font_files(texts)
    text = str if fonts else plain
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    for style, path in (fonts or {}).items():
        pdf.add_font(FAMILY, style, str(path))
    family = FAMILY if fonts else "Helvetica"
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=15)
    title = f"EP National Practice Standards self-assessment: {assessment.organisation.name}"
    pdf.set_title(text(title))
    pdf.set_author(text(assessment.organisation.name))
    pdf.set_creator("EP Events")
    pdf.set_lang("en-GB")
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 8, text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    facts = [f"Local authority: {assessment.local_authority.name}" if assessment.local_authority else "",
             f"Started {assessment.created_at:%-d %B %Y}",
             (f"Completed {assessment.completed_at:%-d %B %Y} by {assessment.completer_name}, "
              f"{assessment.completer_job_title}") if assessment.is_completed else "In progress",
             f"Standards edition: {standards.key}"]
    for fact in filter(None, facts):
        pdf.multi_cell(0, 5, text(fact), new_x="LMARGIN", new_y="NEXT")
    for standard in standards.standards:
        pdf.ln(4)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 6, text(f"{standard.code}: {standard.title}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9)
        pdf.multi_cell(0, 4.5, text(standard.headline), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        with pdf.table(col_widths=COLUMNS, text_align="LEFT", line_height=4.2,
                       borders_layout=TableBordersLayout.HORIZONTAL_LINES,
                       headings_style=FontFace(emphasis="BOLD")) as table:
            table.row([text(h) for h in ("No.", "Sub-standard", "Rating", "Comments", "Action")])
            for sub in standard.substandards:
                entry = entries.get(sub.number)
                rating = entry.rating.value if entry is not None and entry.rating is not None else ""
                action = ""
                if entry is not None and entry.action:
                    action = entry.action
                    if entry.action_owner_role:
                        action += f"\nOwner: {entry.action_owner_role}"
                    if entry.action_due_on:
                        action += f"\nDue: {entry.action_due_on:%-d %B %Y}"
                row = table.row()
                row.cell(text(sub.number))
                row.cell(text(sub.text))
                row.cell(text(rating.capitalize() or "Not rated"),
                         style=FontFace(fill_color=RAG_SHADES[rating]) if rating else None)
                row.cell(text(entry.comments if entry else ""))
                row.cell(text(action))
    return bytes(pdf.output())
