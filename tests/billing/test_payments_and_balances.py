"""Payments, balances and overdue invoices: invoices − credit notes − payments, summed in SQL."""

from datetime import date

import pytest
from sqlalchemy import func, select

from ep_events.billing.balances import balance, organisation_balance, overdue_invoices
from ep_events.billing.invoices import issue_credit_note
from ep_events.billing.models import BillingItem, Payment, PaymentMethod
from ep_events.billing.orders import WantedLine
from ep_events.billing.payments import record_payment
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from tests import factories
from tests.billing.conftest import invoiced_order, set_up_programme

PAID_ON = date(2026, 5, 20)


def test_part_payments_reduce_the_balance_until_it_is_paid(programme, agency, organiser):
    _, invoice = invoiced_order(programme, agency)
    assert balance(invoice) == 15000
    record_payment(invoice, organiser, "100.00", PAID_ON, PaymentMethod.BANK_TRANSFER, "BACS 991")
    assert balance(invoice) == 5000
    record_payment(invoice, organiser, 5000, date(2026, 6, 2), PaymentMethod.CHEQUE, "Cheque 000123")
    assert balance(invoice) == 0
    assert [(p.amount_pence, p.method, p.overpayment) for p in invoice.payments] == [
        (10000, PaymentMethod.BANK_TRANSFER, False), (5000, PaymentMethod.CHEQUE, False)]


def test_a_payment_above_what_is_owed_needs_confirming_as_an_overpayment(programme, agency, organiser):
    _, invoice = invoiced_order(programme, agency)
    record_payment(invoice, organiser, "100.00", PAID_ON, PaymentMethod.BANK_TRANSFER)
    with pytest.raises(DomainError, match="more than the £50.00 owed") as refused:
        record_payment(invoice, organiser, "50.01", PAID_ON, PaymentMethod.BANK_TRANSFER)
    assert refused.value.field == "amount"
    assert db.session.execute(select(func.count(Payment.id))).scalar_one() == 1
    overpaid = record_payment(invoice, organiser, "60.00", PAID_ON, PaymentMethod.BANK_TRANSFER,
                              overpayment_confirmed=True)
    assert overpaid.overpayment
    assert balance(invoice) == -1000


def test_a_credited_invoice_owes_nothing_so_any_payment_is_an_overpayment(programme, agency, organiser):
    _, invoice = invoiced_order(programme, agency)
    issue_credit_note(invoice, organiser, "Cancelled", today=date(2026, 5, 2))
    with pytest.raises(DomainError, match="more than the £0.00 owed"):
        record_payment(invoice, organiser, "150.00", PAID_ON, PaymentMethod.BANK_TRANSFER)


@pytest.mark.parametrize(("amount", "message"), [
    (0, "more than £0.00"), ("0.00", "more than £0.00"), ("-1", "like 150.00"), ("10.001", "2 decimal places"),
])
def test_a_payment_must_be_a_positive_whole_number_of_pence(programme, agency, organiser, amount, message):
    _, invoice = invoiced_order(programme, agency)
    with pytest.raises(DomainError, match=message):
        record_payment(invoice, organiser, amount, PAID_ON, PaymentMethod.BANK_TRANSFER)
    assert db.session.execute(select(func.count(Payment.id))).scalar_one() == 0


def test_a_payment_cannot_be_dated_before_its_invoice(programme, agency, organiser):
    _, invoice = invoiced_order(programme, agency)
    with pytest.raises(DomainError, match="before the invoice date") as refused:
        record_payment(invoice, organiser, "10.00", date(2026, 4, 30), PaymentMethod.BANK_TRANSFER)
    assert refused.value.field == "received_on"


def test_a_payment_reference_is_short_plain_text(programme, agency, organiser):
    _, invoice = invoiced_order(programme, agency)
    for reference in ("x" * 101, "BACS\x00991"):
        with pytest.raises(DomainError) as refused:
            record_payment(invoice, organiser, "10.00", PAID_ON, PaymentMethod.BANK_TRANSFER, reference)
        assert refused.value.field == "reference"


def test_an_agencys_balance_is_its_invoices_less_credit_notes_less_payments(programme, agency, organiser):
    other_agency = factories.organisation()
    other_programme = set_up_programme()
    _, membership = invoiced_order(programme, agency)
    _, places = invoiced_order(programme, agency, [WantedLine(BillingItem.EXTRA_PLACE, 3, "Extra places")])
    invoiced_order(programme, other_agency)
    invoiced_order(other_programme, agency)
    issue_credit_note(places, organiser, "One place not needed", today=date(2026, 5, 2))
    record_payment(membership, organiser, "40.00", PAID_ON, PaymentMethod.CARD)
    # 150 + 450 − 450 − 40
    assert organisation_balance(programme, agency) == 11000
    assert organisation_balance(programme, other_agency) == 15000
    assert organisation_balance(other_programme, other_agency) == 0


def test_overdue_invoices_are_those_past_due_with_money_owed(programme, agency, organiser):
    _, paid = invoiced_order(programme, agency, on=date(2026, 3, 1))
    _, part_paid = invoiced_order(programme, agency, on=date(2026, 3, 2))
    _, credited = invoiced_order(programme, agency, on=date(2026, 3, 3))
    _, not_yet_due = invoiced_order(programme, agency, on=date(2026, 4, 20))
    record_payment(paid, organiser, "150.00", date(2026, 3, 10), PaymentMethod.BANK_TRANSFER)
    record_payment(part_paid, organiser, "100.00", date(2026, 3, 10), PaymentMethod.BANK_TRANSFER)
    issue_credit_note(credited, organiser, "Cancelled", today=date(2026, 3, 4))
    # Due 1 April (terms of 30 days from 2 March): overdue from 2 April on.
    assert overdue_invoices(programme, date(2026, 4, 1)) == []
    assert overdue_invoices(programme, date(2026, 5, 21)) == [(part_paid, 5000), (not_yet_due, 15000)]
    assert overdue_invoices(programme, date(2026, 4, 2)) == [(part_paid, 5000)]
