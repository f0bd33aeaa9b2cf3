"""The organiser cancels a Network order from its page: a credit note for what was chosen, the places it bought
go, and the balance shown on the invoice page is right. Only the programme's organisers."""

import re

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.billing.models import CreditNote, OrderStatus
from ep_events.bookings.models import PlaceStatus
from ep_events.extensions import db
from ep_events.network_days.models import NetworkPlace
from ep_events.network_orders.purchases import buy_extra_places
from tests.conftest import sign_in
from tests.network_orders.conftest import BILLING, NOW, network_day


@pytest.fixture
def order(shop):
    day = network_day(shop, capacity=8)
    order = buy_extra_places(shop.admin, day, shop.agency, 2, BILLING, now=NOW)
    db.session.commit()
    return order


def _url(shop, order):
    return f"/billing/{shop.programme.slug}/orders/{order.id}/cancel"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_organiser_cancels_an_order_and_sees_the_credit_note_and_the_balance(client, shop, order):
    with freeze_time(NOW):
        sign_in(client, shop.organiser)
        page = client.get(_url(shop, order))
        assert page.status_code == 200
        line = "Extra place at Legal updates and pre-birth planning, Wednesday 16 June 2027 (x2, £300.00)"
        assert line in _text(page)
        done = client.post(_url(shop, order), data={"lines": [str(order.lines[0].id)],
                                                    "reason": "The agency cannot come"}, follow_redirects=True)
    text = _text(done)
    assert "Credit note NET-CN-000001 issued." in text
    assert "NET-CN-000001" in text and "£0.00" in text
    db.session.expire_all()
    assert order.status is OrderStatus.CANCELLED
    assert {p.status for p in db.session.execute(select(NetworkPlace)).scalars()} == {PlaceStatus.CANCELLED}
    with freeze_time(NOW):
        again = client.get(_url(shop, order), follow_redirects=True)
    assert "This order has already been cancelled." in _text(again)


@pytest.mark.parametrize("data, message", [
    ({"reason": "No lines chosen"}, "Choose what to cancel"),
    ({"lines": ["1"], "reason": ""}, "Enter the reason for cancelling"),
    ({"lines": ["1"], "reason": "x" * 2001}, "The reason must be 2000 characters or fewer"),
    ({"lines": ["999999"], "reason": "Not its line"}, "Not a valid choice"),
    ({"lines": [str(2**63)], "reason": "Huge"}, "Not a valid choice"),
    # A NUL byte anywhere in a request is refused by the app before any view (a 400 page).
    ({"lines": ["1"], "reason": "Bad\x00byte"}, "there is a problem with your request"),
])
def test_bad_input_shows_the_error_summary_and_cancels_nothing(client, shop, order, data, message):
    with freeze_time(NOW):
        sign_in(client, shop.organiser)
        page = client.post(_url(shop, order), data=data)
    assert page.status_code == 400
    assert "there is a problem" in _text(page).lower() and message.lower() in _text(page).lower()
    assert db.session.execute(select(func.count(CreditNote.id))).scalar_one() == 0


def test_only_the_programmes_organisers_can_cancel(client, shop, order):
    assert client.get(_url(shop, order)).status_code == 302  # to sign in
    sign_in(client, shop.admin)
    assert client.get(_url(shop, order)).status_code == 403
    assert client.post(_url(shop, order), data={"lines": ["1"], "reason": "mine"}).status_code in (400, 403)
    assert client.get(f"/billing/{shop.programme.slug}/orders/{2**63}/cancel").status_code == 404
    assert db.session.execute(select(func.count(CreditNote.id))).scalar_one() == 0
