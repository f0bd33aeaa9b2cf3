"""Invoices, their lines, credit notes, their lines and payments are never changed or deleted."""

from datetime import date

import pytest
from sqlalchemy import delete, func, select, update

from ep_events.billing import balances, invoices, orders, payments, settings
from ep_events.billing.invoices import issue_credit_note
from ep_events.billing.models import (
    AppendOnlyError,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
)
from ep_events.billing.orders import WantedLine
from ep_events.billing.payments import record_payment
from ep_events.extensions import db
from tests.billing.conftest import BillingItem, invoiced_order


@pytest.fixture
def documents(programme, agency, organiser):
    _, invoice = invoiced_order(programme, agency, [WantedLine(BillingItem.MEMBERSHIP, 1, "Membership"),
                                                    WantedLine(BillingItem.EXTRA_PLACE, 1, "Extra place")])
    credit_note = issue_credit_note(invoice, organiser, "Place not needed", [invoice.lines[1]],
                                    today=date(2026, 5, 2))
    payment = record_payment(invoice, organiser, "50.00", date(2026, 5, 3), PaymentMethod.BANK_TRANSFER, "BACS 1")
    db.session.commit()
    return {Invoice: invoice, InvoiceLine: invoice.lines[0], CreditNote: credit_note,
            CreditNoteLine: credit_note.lines[0], Payment: payment}


CHANGES = [
    (Invoice, "po_number", "PO-CHANGED"),
    (Invoice, "number", 99),
    (InvoiceLine, "unit_price_pence", 1),
    (CreditNote, "reason", "Rewritten"),
    (CreditNoteLine, "line_total_pence", 1),
    (Payment, "amount_pence", 1),
]


def _snapshot(documents):
    db.session.expire_all()
    return {cls: {c.key: getattr(obj, c.key) for c in cls.__table__.columns} for cls, obj in documents.items()}


@pytest.mark.parametrize(("cls", "field", "value"), CHANGES, ids=[f"{c.__name__}.{f}" for c, f, _ in CHANGES])
def test_changing_an_issued_document_is_refused_and_changes_nothing(documents, cls, field, value):
    before = _snapshot(documents)
    setattr(documents[cls], field, value)
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        db.session.commit()
    db.session.rollback()
    assert _snapshot(documents) == before


@pytest.mark.parametrize("cls", [Invoice, InvoiceLine, CreditNote, CreditNoteLine, Payment],
                         ids=lambda cls: cls.__name__)
def test_deleting_an_issued_document_is_refused_and_deletes_nothing(documents, cls):
    before = _snapshot(documents)
    db.session.delete(documents[cls])
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        db.session.commit()
    db.session.rollback()
    assert _snapshot(documents) == before


@pytest.mark.parametrize("cls", [Invoice, InvoiceLine, CreditNote, CreditNoteLine, Payment],
                         ids=lambda cls: cls.__name__)
def test_bulk_updates_and_deletes_of_issued_documents_are_refused(documents, cls):
    before, rows = _snapshot(documents), db.session.execute(select(func.count(cls.id))).scalar_one()
    with pytest.raises(AppendOnlyError):
        db.session.execute(update(cls).values(id=cls.id))
    with pytest.raises(AppendOnlyError):
        db.session.execute(delete(cls))
    db.session.rollback()
    assert _snapshot(documents) == before
    assert db.session.execute(select(func.count(cls.id))).scalar_one() == rows


def test_adding_payments_and_credit_notes_to_an_invoice_is_not_a_change_to_it(documents, organiser):
    invoice = documents[Invoice]
    record_payment(invoice, organiser, "10.00", date(2026, 5, 4), PaymentMethod.CARD)
    issue_credit_note(invoice, organiser, "Membership cancelled", today=date(2026, 5, 5))
    db.session.commit()
    assert len(invoice.payments) == 2 and len(invoice.credit_notes) == 2


def test_no_billing_service_offers_to_change_or_delete_issued_money():
    public = {name for module in (balances, invoices, orders, payments, settings) for name in dir(module)
              if not name.startswith("_") and callable(getattr(module, name))
              and getattr(getattr(module, name), "__module__", "") == module.__name__}
    verbs = {"update", "set", "change", "edit", "amend", "delete", "remove", "void", "renumber"}
    documents = {"invoice", "invoices", "line", "lines", "credit", "payment", "payments"}
    forbidden = [name for name in public if verbs & set(name.split("_")) and documents & set(name.split("_"))]
    assert forbidden == []
    assert "update_billing_settings" in public and "record_payment" in public
