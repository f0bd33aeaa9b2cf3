"""Invoices and credit notes as A4 PDFs, drawn only from the figures and details the documents store.

Nothing here works out a price or VAT: every figure is a copy made when the document was issued, and the
totals are the sums of its lines (the money rule for every total).

Text is set in DejaVu Sans, cut to the Latin alphabets once per process (see ep_events/core/pdf_fonts.py).
"""

from collections.abc import Iterable
from datetime import date

from fpdf import FPDF, FontFace, XPos, YPos
from fpdf.enums import TableBordersLayout

from ep_events.billing.models import CreditNote, Invoice
from ep_events.billing.money import format_pounds, format_rate
from ep_events.core.pdf_fonts import font_files, plain
from ep_events.core.time import as_utc

FAMILY = "Text"
INK = (11, 12, 12)
SECONDARY = (80, 90, 95)
RULE = (177, 180, 182)
SHADE = (243, 242, 241)
MARGIN = 18
# Description, quantity, unit price, VAT rate, VAT, line total: 174 mm between the margins.
COLUMNS = (77, 11, 22, 20, 20, 24)
COLUMN_ALIGN = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as an A4 PDF: seller, customer, dates, PO number, every line, totals and how to pay."""
    po = _purchase_order(invoice)
    facts = [("Invoice number", invoice.reference), ("Issue date", _day(invoice.issued_on)),
             ("Due date", _day(invoice.due_on))]
    if po:
        facts.append(("Purchase order", po))
    document = _Document("Invoice", invoice.reference, invoice, _texts(invoice, po))
    document.heading(facts, "Bill to")
    document.lines(invoice.lines, "Invoice lines")
    document.totals(invoice.lines, "Total due")
    document.paragraph("How to pay", invoice.how_to_pay,
                       f"Please quote {invoice.reference} with your payment. Payment is due by "
                       f"{_day(invoice.due_on)}.")
    return document.output(invoice)


def credit_note_pdf(credit_note: CreditNote) -> bytes:
    """The credit note as an A4 PDF, laid out as the invoice it reverses, with its reason."""
    invoice = credit_note.invoice
    facts = [("Credit note number", credit_note.reference), ("Date", _day(credit_note.issued_on)),
             ("Reverses invoice", invoice.reference), ("Invoice date", _day(invoice.issued_on))]
    po = _purchase_order(invoice)
    if po:
        facts.append(("Purchase order", po))
    document = _Document("Credit note", credit_note.reference, invoice,
                         _texts(invoice, credit_note.reason, *(line.description for line in credit_note.lines)))
    document.heading(facts, "Credited to")
    document.paragraph("Reason", credit_note.reason,
                       f"Reverses invoice {invoice.reference}, issued on {_day(invoice.issued_on)}.")
    document.lines(credit_note.lines, "Lines credited")
    document.totals(credit_note.lines, "Total credited")
    return document.output(credit_note)


def _purchase_order(invoice: Invoice) -> str:
    return "No purchase order" if invoice.order.no_po else invoice.po_number


def _day(value: date) -> str:
    """'7 December 2026'."""
    return f"{value.day} {value:%B %Y}"


def _texts(invoice: Invoice, *more: str) -> Iterable[str]:
    """Every piece of free text a document prints, to choose its font."""
    yield from (invoice.seller_name, invoice.seller_address, invoice.seller_charity_number,
                invoice.seller_company_number, invoice.seller_vat_number, invoice.how_to_pay,
                invoice.customer_name, invoice.billing_contact_name, invoice.billing_contact_email,
                invoice.billing_address, invoice.po_number, invoice.reference)
    yield from (line.description for line in invoice.lines)
    yield from more


class _PDF(FPDF):
    """A4 pages with the document's reference and page number at the foot of each."""

    def __init__(self, footer_text: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.text_family = FAMILY

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_y(9)
            self.set_font(self.text_family, "", 8)
            self.set_text_color(*SECONDARY)
            self.cell(0, 4, f"{self.footer_text} (continued)", align="R")
            self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.text_family, "", 8)
        self.set_text_color(*SECONDARY)
        self.cell(0, 4, f"{self.footer_text}  ·  Page {self.page_no()} of {{nb}}", align="C")


class _Document:
    """One invoice or credit note being drawn, top to bottom."""

    def __init__(self, title: str, reference: str, invoice: Invoice, texts: Iterable[str]):
        fonts = font_files(texts)
        self.text = str if fonts else plain
        self.title, self.reference, self.invoice = title, reference, invoice
        self.pdf = pdf = _PDF(self.text(f"{invoice.seller_name} – {title} {reference}"))
        for style, path in (fonts or {}).items():
            pdf.add_font(FAMILY, style, str(path))
            # fontTools otherwise unpacks and repacks every glyph embedded to recompute bounding boxes that
            # subsetting does not change: half the time of a whole invoice.
            pdf.fonts[f"{FAMILY.lower()}{style}"].ttfont.recalcBBoxes = False
        self.family = pdf.text_family = FAMILY if fonts else "Helvetica"
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=20)
        pdf.set_title(f"{title} {reference}")
        pdf.set_subject(f"{title} {reference} from {invoice.seller_name} to {invoice.customer_name}")
        pdf.set_author(invoice.seller_name)
        pdf.set_creator("EP Events")
        pdf.set_lang("en-GB")
        pdf.add_page()

    # -- pieces ------------------------------------------------------------------------------------------------

    def heading(self, facts: list[tuple[str, str]], bill_to: str) -> None:
        """Seller and title across the top; the seller's details and the document's facts; who it is for."""
        pdf, invoice, text = self.pdf, self.invoice, self.text
        pdf.set_text_color(*INK)
        pdf.set_font(self.family, "B", 14)
        top = pdf.get_y()
        pdf.multi_cell(100, 6.5, text(invoice.seller_name), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(self.family, "", 9)
        pdf.set_text_color(*SECONDARY)
        pdf.multi_cell(100, 4.5, text(invoice.seller_address), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for label, number in (("Registered charity number", invoice.seller_charity_number),
                              ("Company number", invoice.seller_company_number),
                              ("VAT registration number", invoice.seller_vat_number)):
            if number:
                pdf.multi_cell(100, 4.5, text(f"{label} {number}"), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = pdf.get_y()

        right = pdf.w - MARGIN - 80
        pdf.set_xy(right, top - 1)
        pdf.set_text_color(*INK)
        pdf.set_font(self.family, "B", 22)
        pdf.cell(80, 10, self.title, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.ln(2)
        for label, value in facts:
            pdf.set_x(right)
            pdf.set_font(self.family, "", 9)
            pdf.set_text_color(*SECONDARY)
            pdf.cell(36, 5, label)
            pdf.set_font(self.family, "B", 9)
            pdf.set_text_color(*INK)
            pdf.multi_cell(44, 5, text(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(left_bottom, pdf.get_y()) + 8)

        pdf.set_draw_color(*RULE)
        pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
        pdf.ln(5)
        self._label(bill_to)
        pdf.set_font(self.family, "B", 11)
        pdf.multi_cell(120, 5.5, text(invoice.customer_name), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(self.family, "", 9.5)
        contact = f"For the attention of {invoice.billing_contact_name} ({invoice.billing_contact_email})"
        pdf.multi_cell(120, 5, text(contact), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.multi_cell(120, 5, text(invoice.billing_address), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(6)

    def lines(self, lines, caption: str) -> None:
        """A row per line; rows that do not fit go to the next page under the column headings again."""
        pdf, text = self.pdf, self.text
        self._label(caption)
        pdf.set_font(self.family, "", 9)
        pdf.set_text_color(*INK)
        pdf.set_draw_color(*RULE)
        headings = FontFace(emphasis="BOLD", fill_color=SHADE, color=INK)
        with pdf.table(col_widths=COLUMNS, width=sum(COLUMNS), text_align=COLUMN_ALIGN, line_height=4.6,
                       padding=(1.4, 1.5), borders_layout=TableBordersLayout.HORIZONTAL_LINES,
                       headings_style=headings, v_align="TOP", align="LEFT") as table:
            table.row(("Description", "Qty", "Unit price", "VAT rate", "VAT", "Total"))
            for line in lines:
                table.row((text(line.description), str(line.quantity), format_pounds(line.unit_price_pence),
                           format_rate(line.vat_basis_points), format_pounds(line.vat_pence),
                           format_pounds(line.line_total_pence)))
        pdf.ln(3)

    def totals(self, lines, total_label: str) -> None:
        """Net, VAT and total, right-aligned under the table: each the sum of the lines' stored figures."""
        pdf = self.pdf
        rows = (("Total before VAT", sum(line.net_pence for line in lines), False),
                ("VAT", sum(line.vat_pence for line in lines), False),
                (total_label, sum(line.line_total_pence for line in lines), True))
        if pdf.get_y() + 22 > pdf.page_break_trigger:
            pdf.add_page()
        left = pdf.w - MARGIN - 80
        for label, pence, strong in rows:
            if strong:
                pdf.set_draw_color(*INK)
                pdf.line(left, pdf.get_y() + 0.5, pdf.w - MARGIN, pdf.get_y() + 0.5)
                pdf.ln(1.5)
            pdf.set_x(left)
            pdf.set_font(self.family, "B" if strong else "", 11 if strong else 9.5)
            pdf.set_text_color(*(INK if strong else SECONDARY))
            pdf.cell(48, 6.5 if strong else 5.5, label)
            pdf.set_text_color(*INK)
            pdf.cell(32, 6.5 if strong else 5.5, format_pounds(pence), align="R",
                     new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(8)

    def paragraph(self, heading: str, body: str, note: str) -> None:
        pdf, text = self.pdf, self.text
        if pdf.get_y() + 20 > pdf.page_break_trigger:
            pdf.add_page()
        self._label(heading)
        pdf.set_font(self.family, "", 9.5)
        pdf.set_text_color(*INK)
        if body:
            pdf.multi_cell(0, 5, text(body), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)
        pdf.multi_cell(0, 5, text(note), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(6)

    def _label(self, label: str) -> None:
        self.pdf.set_font(self.family, "B", 8.5)
        self.pdf.set_text_color(*SECONDARY)
        self.pdf.cell(0, 5, label.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_text_color(*INK)

    def output(self, document: Invoice | CreditNote) -> bytes:
        # The document's own moment, not now: the same document always gives the same bytes.
        self.pdf.set_creation_date(as_utc(document.issued_at))
        return bytes(self.pdf.output())
