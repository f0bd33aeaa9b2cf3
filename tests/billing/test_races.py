"""Invoices issued at the same moment get numbers 1..N: no gaps, no duplicates (PostgreSQL and SQLite)."""


import pytest
from sqlalchemy import select

from ep_events.billing.invoices import issue_invoice
from ep_events.billing.models import CreditNote, Invoice, Order
from ep_events.billing.orders import cancel_order
from ep_events.extensions import db
from tests import factories
from tests.billing.conftest import ORDERED_ON, order_for, set_up_programme
from tests.races import race


def _issue_at_once(app, how_many: int, fail_every: int = 0):
    programme = set_up_programme()
    agency = factories.organisation()
    order_ids = [order_for(programme, agency).id for _ in range(how_many)]
    db.session.commit()

    def attempt_for(index, order_id):
        def attempt():
            issue_invoice(db.session.get(Order, order_id), None, today=ORDERED_ON)
            if fail_every and index % fail_every == 0:
                raise RuntimeError("the order failed after its invoice was numbered")
        return attempt

    results = race(app, [attempt_for(i, oid) for i, oid in enumerate(order_ids)])
    db.session.expire_all()
    numbers = db.session.execute(select(Invoice.number).where(Invoice.programme_id == programme.id)
                                 .order_by(Invoice.number)).scalars().all()
    return results, numbers


@pytest.mark.postgres
def test_fifty_invoices_issued_at_once_on_postgresql_are_numbered_exactly_1_to_50(pg_app):
    results, numbers = _issue_at_once(pg_app, 50)
    assert results == ["ok"] * 50
    assert numbers == list(range(1, 51))


@pytest.mark.postgres
def test_invoices_rolled_back_while_others_are_issued_on_postgresql_leave_no_gap(pg_app):
    results, numbers = _issue_at_once(pg_app, 30, fail_every=3)
    assert results.count("ok") == 20, results
    assert numbers == list(range(1, 21))


def test_twenty_invoices_issued_at_once_on_sqlite_are_numbered_exactly_1_to_20(app):
    results, numbers = _issue_at_once(app, 20)
    assert results == ["ok"] * 20
    assert numbers == list(range(1, 21))


def _cancel_twice(app):
    programme = set_up_programme()
    order = order_for(programme, factories.organisation())
    issue_invoice(order, None, today=ORDERED_ON)
    db.session.commit()
    order_id = order.id

    def attempt():
        cancel_order(db.session.get(Order, order_id), None, "Cancelled twice at once", today=ORDERED_ON)

    results = race(app, [attempt] * 5)
    db.session.expire_all()
    assert results.count("ok") == 1, results
    assert all(r == "ok" or "already been cancelled" in r for r in results), results
    assert len(db.session.execute(select(CreditNote)).scalars().all()) == 1


@pytest.mark.postgres
def test_an_order_cancelled_twice_at_once_on_postgresql_gets_one_credit_note(pg_app):
    _cancel_twice(pg_app)


def test_an_order_cancelled_twice_at_once_on_sqlite_gets_one_credit_note(app):
    _cancel_twice(app)
