"""invoice_pdf_p95_ms: one three-line invoice, issued through the billing services, rendered again and again."""

import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.loadgen import percentile_ms
from ep_events import create_app
from ep_events.billing.invoices import issue_invoice
from ep_events.billing.models import BillingItem
from ep_events.billing.orders import WantedLine, place_order
from ep_events.billing.pdf import invoice_pdf
from ep_events.billing.settings import set_price, set_vat_rate, update_billing_settings
from ep_events.extensions import db
from ep_events.organisations.models import Organisation, OrganisationKind
from ep_events.programmes.models import Programme, ProgrammeStatus

RENDERS = 60


def measure_invoice_pdf(database_url: str, renders: int = RENDERS) -> float:
    """The 95th percentile, in ms, of rendering one invoice of three lines (after one warm-up render)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    try:
        with app.app_context():
            db.create_all()
            invoice = _three_line_invoice()
            db.session.commit()
            invoice_pdf(invoice)  # the first render in a process also cuts the font (see billing/pdf.py)
            times = []
            for _ in range(renders):
                started = time.perf_counter()
                invoice_pdf(invoice)
                times.append(time.perf_counter() - started)
        return percentile_ms(times, 95)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _three_line_invoice():
    programme = Programme(name="Coram Early Permanence Network", slug="bench-network", kind="network_days",
                          contact_email="network@example.org", description="Network Days",
                          status=ProgrammeStatus.PUBLISHED)
    agency = Organisation(name="Zoë’s Agency – North", kind=OrganisationKind.REGIONAL_ADOPTION_AGENCY,
                          region="North West")
    db.session.add_all([programme, agency])
    db.session.flush()
    update_billing_settings(None, programme, legal_name="Coram", address="41 Brunswick Square\nLondon WC1N 1AZ",
                            charity_number="312278", vat_number="GB 123 4567 89",
                            how_to_pay="Bank transfer to Coram, sort code 00-00-00, account 12345678")
    set_vat_rate(None, programme, "20", date(2026, 1, 1))
    set_price(None, programme, BillingItem.MEMBERSHIP, "150.00", date(2026, 1, 1))
    set_price(None, programme, BillingItem.EXTRA_PLACE, "97.50", date(2026, 1, 1))
    order = place_order(None, programme, agency, [
        WantedLine(BillingItem.MEMBERSHIP, 1, "Membership 1 April 2026 to 31 March 2027"),
        WantedLine(BillingItem.EXTRA_PLACE, 2, "Extra places, Network Day 12 June 2026 (London)"),
        WantedLine(BillingItem.EXTRA_PLACE, 1, "Extra place, Network Day 9 October 2026 (online)"),
    ], billing_contact_name="Finance Team", billing_contact_email="finance@example.org",
        billing_address="1 High Street\nManchester M1 1AA", po_number="PO-1234",
        now=datetime(2026, 5, 1, 10, 0, tzinfo=UTC))
    return issue_invoice(order, None, today=date(2026, 5, 1))


if __name__ == "__main__":  # python -m bench.invoice_pdf: this figure alone
    with tempfile.TemporaryDirectory(prefix="ep-events-bench-") as folder:
        print(f"invoice_pdf_p95_ms: {measure_invoice_pdf(f'sqlite:///{Path(folder) / "pdf.db"}'):.2f}")
