"""Invoice and credit note numbers: sequential per programme, no gaps after a rollback, each its own sequence."""

from datetime import date

import pytest
from sqlalchemy import func, select

from ep_events.billing.balances import balance
from ep_events.billing.invoices import invoices_issued_between, issue_credit_note, issue_invoice
from ep_events.billing.models import BillingItem, CreditNote, Invoice, Order, OrderStatus
from ep_events.billing.orders import WantedLine, cancel_order
from ep_events.billing.settings import set_price, update_billing_settings
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from tests import factories
from tests.billing.conftest import ORDERED_ON, invoiced_order, order_for, set_up_programme


def test_invoice_numbers_run_from_1_without_gaps_and_print_with_the_prefix(programme, agency):
    invoices = [invoiced_order(programme, agency)[1] for _ in range(5)]
    db.session.commit()
    assert [i.number for i in invoices] == [1, 2, 3, 4, 5]
    assert [i.reference for i in invoices] == [f"CORAM-00000{n}" for n in range(1, 6)]


def test_each_programme_numbers_its_own_invoices(programme, agency):
    other = set_up_programme()
    assert invoiced_order(programme, agency)[1].number == 1
    assert invoiced_order(other, agency)[1].number == 1
    assert invoiced_order(programme, agency)[1].number == 2


def test_an_invoice_is_due_after_the_payment_terms_and_copies_the_order(programme, agency):
    order = order_for(programme, agency, [WantedLine(BillingItem.MEMBERSHIP, 1, "Membership 2026 to 2027"),
                                          WantedLine(BillingItem.EXTRA_PLACE, 2, "Extra places, 12 June 2026")])
    invoice = issue_invoice(order, None, today=date(2026, 5, 1))
    assert (invoice.issued_on, invoice.due_on) == (date(2026, 5, 1), date(2026, 5, 31))
    assert [(line.description, line.quantity, line.unit_price_pence, line.line_total_pence) for line in invoice.lines] \
        == [("Membership 2026 to 2027", 1, 15000, 15000), ("Extra places, 12 June 2026", 2, 15000, 30000)]
    assert (invoice.customer_name, invoice.po_number, invoice.seller_name, invoice.seller_charity_number) == (
        "Birmingham Children's Trust", "PO-1234", "Coram", "312278")
    assert invoice.total_pence == 45000


def test_an_issued_invoice_keeps_the_details_it_was_issued_with(programme, agency, organiser):
    _, invoice = invoiced_order(programme, agency)
    db.session.commit()
    update_billing_settings(organiser, programme, legal_name="Coram Group", address="New address",
                            how_to_pay="Card", invoice_prefix="NEW-", payment_terms_days=14)
    db.session.commit()
    db.session.expire_all()
    assert (invoice.seller_name, invoice.seller_address, invoice.reference, invoice.due_on) == (
        "Coram", "41 Brunswick Square\nLondon WC1N 1AZ", "CORAM-000001", date(2026, 5, 31))
    assert invoiced_order(programme, agency)[1].reference == "NEW-000002"


def test_a_rolled_back_invoice_leaves_no_number_used(programme, agency):
    first, second = order_for(programme, agency), order_for(programme, agency)
    db.session.commit()
    first_id, second_id = first.id, second.id
    assert issue_invoice(first, None, today=ORDERED_ON).number == 1
    db.session.rollback()  # something after issuing failed: the whole order's transaction goes
    assert db.session.execute(select(func.count(Invoice.id))).scalar_one() == 0
    assert issue_invoice(db.session.get(Order, second_id), None, today=ORDERED_ON).number == 1
    assert issue_invoice(db.session.get(Order, first_id), None, today=ORDERED_ON).number == 2
    db.session.commit()
    numbers = db.session.execute(select(Invoice.number).order_by(Invoice.number)).scalars().all()
    assert numbers == [1, 2]


def test_a_refused_order_uses_no_number(programme, agency):
    with pytest.raises(DomainError):
        order_for(programme, agency, billing_address="")
    db.session.rollback()
    assert invoiced_order(programme, agency)[1].number == 1


def test_an_order_is_invoiced_once(programme, agency):
    order, _ = invoiced_order(programme, agency)
    with pytest.raises(DomainError, match="already been invoiced"):
        issue_invoice(order, None, today=ORDERED_ON)


def test_no_invoice_without_the_organisers_invoice_details(app, agency):
    programme = factories.programme()
    set_price(None, programme, BillingItem.MEMBERSHIP, "150", date(2026, 1, 1))
    order = order_for(programme, agency)
    with pytest.raises(DomainError, match="invoice details"):
        issue_invoice(order, None, today=ORDERED_ON)


def test_credit_notes_have_their_own_sequence(programme, agency):
    invoices = [invoiced_order(programme, agency)[1] for _ in range(3)]
    first = issue_credit_note(invoices[2], None, "Agency withdrew", today=date(2026, 5, 2))
    second = issue_credit_note(invoices[0], None, "Duplicate order", today=date(2026, 5, 3))
    assert [(c.number, c.reference) for c in (first, second)] == [(1, "CORAM-CN-000001"), (2, "CORAM-CN-000002")]
    assert invoiced_order(programme, agency)[1].number == 4


def test_a_credit_note_reverses_chosen_lines_each_only_once(programme, agency):
    _, invoice = invoiced_order(programme, agency, [
        WantedLine(BillingItem.MEMBERSHIP, 1, "Membership 2026 to 2027"),
        WantedLine(BillingItem.EXTRA_PLACE, 2, "Extra places, 12 June 2026")])
    credit_note = issue_credit_note(invoice, None, "Extra places not needed", [invoice.lines[1]],
                                    today=date(2026, 5, 2))
    assert [(line.description, line.line_total_pence) for line in credit_note.lines] == [
        ("Extra places, 12 June 2026", 30000)]
    assert balance(invoice) == 15000
    with pytest.raises(DomainError, match="already been credited"):
        issue_credit_note(invoice, None, "Again", [invoice.lines[1]], today=date(2026, 5, 2))
    rest = issue_credit_note(invoice, None, "Membership cancelled", today=date(2026, 5, 3))
    assert [line.description for line in rest.lines] == ["Membership 2026 to 2027"]
    assert balance(invoice) == 0
    with pytest.raises(DomainError, match="already been credited"):
        issue_credit_note(invoice, None, "Nothing left", today=date(2026, 5, 3))


def test_cancelling_an_invoiced_order_credits_its_invoice_in_full(programme, agency, organiser):
    order, invoice = invoiced_order(programme, agency)
    credit_note = cancel_order(order, organiser, "Agency left the network", today=date(2026, 5, 10))
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "Agency left the network")
    assert (credit_note.reason, credit_note.total_pence, balance(invoice)) == ("Agency left the network", 15000, 0)
    with pytest.raises(DomainError, match="already been cancelled"):
        cancel_order(order, organiser, "Again", today=date(2026, 5, 10))


def test_cancelling_some_lines_credits_only_those_and_keeps_the_order(programme, agency, organiser):
    order, invoice = invoiced_order(programme, agency, [
        WantedLine(BillingItem.MEMBERSHIP, 1, "Membership 2026 to 2027"),
        WantedLine(BillingItem.EXTRA_PLACE, 1, "Extra place, 12 June 2026")])
    credit_note = cancel_order(order, organiser, "Place not needed", [order.lines[1]], today=date(2026, 5, 10))
    assert credit_note.total_pence == 15000
    assert order.status is OrderStatus.PLACED
    cancel_order(order, organiser, "Membership cancelled too", [order.lines[0]], today=date(2026, 5, 11))
    assert order.status is OrderStatus.CANCELLED
    assert db.session.execute(select(func.count(CreditNote.id))).scalar_one() == 2


def test_a_cancelled_order_is_not_invoiced(programme, agency, organiser):
    order = order_for(programme, agency)
    assert cancel_order(order, organiser, "Ordered by mistake") is None
    with pytest.raises(DomainError, match="cancelled"):
        issue_invoice(order, None, today=ORDERED_ON)


def test_dates_the_wrong_way_round_are_refused(programme, agency):
    _, invoice = invoiced_order(programme, agency)
    with pytest.raises(DomainError, match="before the invoice") as refused:
        issue_credit_note(invoice, None, "Too early", today=date(2026, 4, 30))
    assert refused.value.field == "issued_on"
    with pytest.raises(DomainError, match="end date must be") as refused:
        invoices_issued_between(programme, date(2026, 6, 1), date(2026, 5, 1))
    assert refused.value.field == "last"
    assert invoices_issued_between(programme, date(2026, 5, 1), date(2026, 5, 1)) == [invoice]
