"""Invoice and credit note PDFs: read back as text, every field and figure is there, on A4, however long."""

import re
import subprocess
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from ep_events.billing import pdf as billing_pdf
from ep_events.billing.invoices import issue_credit_note, issue_invoice
from ep_events.billing.models import BillingItem
from ep_events.billing.money import format_pounds
from ep_events.billing.orders import WantedLine
from ep_events.billing.pdf import credit_note_pdf, invoice_pdf
from ep_events.billing.settings import set_price, set_vat_rate, update_billing_settings
from ep_events.core import pdf_fonts
from ep_events.extensions import db
from tests import factories
from tests.billing.conftest import PRICES_FROM, order_for
from tests.conftest import ARTEFACTS

A4_POINTS = (595.28, 841.89)
LINES = [WantedLine(BillingItem.MEMBERSHIP, 1, "Membership 1 April 2026 to 31 March 2027"),
         WantedLine(BillingItem.EXTRA_PLACE, 2, "Extra places, Network Day 12 June 2026 (London)"),
         WantedLine(BillingItem.EXTRA_PLACE, 1, "Extra place, Network Day 9 October 2026 (online)")]


@pytest.fixture
def priced(programme, organiser):
    """The conftest programme with 20% VAT and an extra place at £97.50, so VAT has pence in it."""
    set_vat_rate(organiser, programme, "20", PRICES_FROM)
    set_price(organiser, programme, BillingItem.EXTRA_PLACE, "97.50", date(2026, 2, 1))
    update_billing_settings(organiser, programme, legal_name="Coram", address="41 Brunswick Square\nLondon WC1N 1AZ",
                            charity_number="312278", company_number="00883095", vat_number="GB 123 4567 89",
                            how_to_pay="Bank transfer to Coram, sort code 00-00-00, account 12345678",
                            invoice_prefix="CORAM-", credit_note_prefix="CORAM-CN-")
    db.session.commit()
    return programme


def invoiced_order(programme, agency, lines, on, **details):
    return None, issue_invoice(order_for(programme, agency, lines, **details), None, today=on)


def text_of(data: bytes) -> list[str]:
    """Each page's text with runs of white space made single spaces."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(BytesIO(data)).pages]


def render_page_one(data: bytes, name: str) -> bytes:
    """Page 1 as a PNG in test-artefacts/ (to look at), via poppler's pdftoppm."""
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile",
                    str(ARTEFACTS / f"{name}.pdf"), str(ARTEFACTS / name)], check=True, timeout=60)
    return (ARTEFACTS / f"{name}.png").read_bytes()


def test_an_invoice_pdf_shows_the_seller_customer_dates_po_every_line_totals_and_how_to_pay(priced, agency):
    _, invoice = invoiced_order(priced, agency, LINES, on=date(2026, 5, 1))
    data = invoice_pdf(invoice)
    [page] = text_of(data)

    for expected in ("Coram", "41 Brunswick Square", "London WC1N 1AZ", "Registered charity number 312278",
                     "Company number 00883095", "VAT registration number GB 123 4567 89",
                     "Invoice", "CORAM-000001", "Issue date 1 May 2026", "Due date 31 May 2026",
                     "Purchase order PO-1234", "Birmingham Children's Trust", "Finance Team",
                     "finance@example.org", "1 High Street", "Birmingham B1 1AA",
                     "Bank transfer to Coram, sort code 00-00-00, account 12345678",
                     "Please quote CORAM-000001 with your payment"):
        assert expected in page
    # Each line's description, quantity, unit price, VAT rate, VAT and total, in that order on its row.
    assert "Membership 1 April 2026 to 31 March 2027 1 £150.00 20% £30.00 £180.00" in page
    assert "Extra places, Network Day 12 June 2026 (London) 2 £97.50 20% £39.00 £234.00" in page
    assert "Extra place, Network Day 9 October 2026 (online) 1 £97.50 20% £19.50 £117.00" in page
    assert "Total before VAT £442.50" in page
    assert "VAT £88.50" in page
    assert "Total due £531.00" in page

    reader = PdfReader(BytesIO(data))
    assert reader.metadata.title == "Invoice CORAM-000001"
    assert (round(float(reader.pages[0].mediabox.width), 2), round(float(reader.pages[0].mediabox.height), 2)) \
        == A4_POINTS
    assert render_page_one(data, "invoice-page-1").startswith(b"\x89PNG")


def test_an_invoice_pdf_prints_only_the_figures_it_stores(priced, agency, organiser):
    _, invoice = invoiced_order(priced, agency, LINES[:1], on=date(2026, 5, 1))
    db.session.commit()
    set_price(organiser, priced, BillingItem.MEMBERSHIP, "999.00", date(2026, 5, 2))
    set_vat_rate(organiser, priced, "5", date(2026, 5, 2))
    db.session.commit()
    [page] = text_of(invoice_pdf(invoice))
    assert "£150.00 20% £30.00 £180.00" in page
    assert "999" not in page and " 5%" not in page


def test_an_agency_without_purchase_orders_sees_that_on_its_invoice(priced, agency):
    _, invoice = invoiced_order(priced, agency, LINES[:1], on=date(2026, 5, 1), po_number="", no_po=True)
    [page] = text_of(invoice_pdf(invoice))
    assert "Purchase order No purchase order" in page


def test_a_credit_note_pdf_names_the_invoice_it_reverses_its_reason_and_the_lines_credited(priced, agency):
    _, invoice = invoiced_order(priced, agency, LINES, on=date(2026, 5, 1))
    credit_note = issue_credit_note(invoice, None, "Extra places for 12 June no longer needed", [invoice.lines[1]],
                                    today=date(2026, 5, 7))
    data = credit_note_pdf(credit_note)
    [page] = text_of(data)
    for expected in ("Credit note", "CORAM-CN-000001", "Date 7 May 2026", "Reverses invoice CORAM-000001",
                     "Invoice date 1 May 2026", "Extra places for 12 June no longer needed", "Coram",
                     "Registered charity number 312278", "Birmingham Children's Trust", "1 High Street",
                     "Extra places, Network Day 12 June 2026 (London) 2 £97.50 20% £39.00 £234.00",
                     "Total before VAT £195.00", "VAT £39.00", "Total credited £234.00"):
        assert expected in page
    assert "Membership" not in page  # only the line credited
    assert PdfReader(BytesIO(data)).metadata.title == "Credit note CORAM-CN-000001"
    assert render_page_one(data, "credit-note-page-1").startswith(b"\x89PNG")


def test_a_40_line_invoice_flows_onto_a_second_page_with_the_column_headings_again(priced, agency):
    many = [WantedLine(BillingItem.EXTRA_PLACE, 1 + n % 3, f"Extra place {n + 1:02d}, Network Day {n % 28 + 1} "
                       "June 2026") for n in range(40)]
    _, invoice = invoiced_order(priced, agency, many, on=date(2026, 5, 1))
    data = invoice_pdf(invoice)
    pages = text_of(data)
    assert len(pages) == 2
    for line in invoice.lines:
        row = (f"{line.description} {line.quantity} £97.50 20% {format_pounds(line.vat_pence)} "
               f"{format_pounds(line.line_total_pence)}")
        assert sum(row in page for page in pages) == 1, row
    for number, page in enumerate(pages, start=1):
        assert "Description Qty Unit price VAT rate VAT Total" in page
        assert f"Page {number} of 2" in page
    assert f"Total due {format_pounds(invoice.total_pence)}" in pages[1]
    assert "HOW TO PAY" in pages[1]
    render_page_one(data, "invoice-40-lines-page-1")


def test_names_and_text_outside_latin_1_survive(priced):
    agency = factories.organisation(name="Zoë’s Agency – North")
    _, invoice = invoiced_order(priced, agency, [WantedLine(BillingItem.MEMBERSHIP, 1, "Membership – Łódź office")],
                                on=date(2026, 5, 1), billing_contact_name="Siân O’Brien")
    [page] = text_of(invoice_pdf(invoice))
    assert "Zoë’s Agency – North" in page
    assert "Siân O’Brien" in page
    assert "Membership – Łódź office" in page


def test_a_character_beyond_the_small_font_loads_the_full_font(priced):
    agency = factories.organisation(name="Agency ☎ Ἀθῆναι")
    _, invoice = invoiced_order(priced, agency, LINES[:1], on=date(2026, 5, 1))
    [page] = text_of(invoice_pdf(invoice))
    assert "Agency ☎ Ἀθῆναι" in page


def test_long_addresses_and_descriptions_wrap_inside_the_margins(priced, agency, tmp_path):
    address = "\n".join(["Finance Department, Floor 3, The Very Long Named Civic Centre Building, "
                         "Corporation Street and Bull Ring Approach, Birmingham"] * 3 + ["B1 1AA"])
    long_line = WantedLine(BillingItem.MEMBERSHIP, 1, "Membership 1 April 2026 to 31 March 2027, covering one "
                           "place at each Network Day in that year, with the champion named by the agency "
                           "and the materials for every session " + "x" * 80)
    _, invoice = invoiced_order(priced, agency, [long_line], on=date(2026, 5, 1), billing_address=address,
                                po_number="P" * 50)
    data = invoice_pdf(invoice)
    (tmp_path / "long.pdf").write_bytes(data)
    render_page_one(data, "invoice-long-text-page-1")
    layout = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "long.pdf"), "-"], check=True,
                            capture_output=True, text=True, timeout=60).stdout
    page_width = float(re.search(r'<page width="([0-9.]+)"', layout).group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([0-9.]+)"', layout)]
    margin_points = billing_pdf.MARGIN * 72 / 25.4
    assert right_edges and max(right_edges) <= page_width - margin_points + 1
    words = " ".join(re.findall(r">([^<]*)</word>", layout))
    for word in ("Corporation", "champion", "materials", "x" * 20, "B1"):
        assert word in words


def test_the_same_invoice_gives_the_same_pdf(priced, agency):
    _, invoice = invoiced_order(priced, agency, LINES, on=date(2026, 5, 1))
    assert invoice_pdf(invoice) == invoice_pdf(invoice)


def test_without_dejavu_the_pdf_falls_back_to_helvetica_with_plain_punctuation(priced, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_fonts, "DEJAVU", tmp_path / "no-fonts-here")
    agency = factories.organisation(name="Zoë’s Agency – North")
    _, invoice = invoiced_order(priced, agency, LINES[:1], on=date(2026, 5, 1))
    [page] = text_of(invoice_pdf(invoice))
    assert "Zoë's Agency - North" in page
    assert "Membership 1 April 2026 to 31 March 2027 1 £150.00 20% £30.00 £180.00" in page


def test_a_worker_whose_copy_of_the_font_was_cleaned_from_tmp_makes_it_again(priced, agency):
    _, invoice = invoiced_order(priced, agency, LINES[:1], on=date(2026, 5, 1))
    invoice_pdf(invoice)
    for path in pdf_fonts.small_fonts().values():
        path.unlink()
    [page] = text_of(invoice_pdf(invoice))
    assert "Birmingham Children's Trust" in page
