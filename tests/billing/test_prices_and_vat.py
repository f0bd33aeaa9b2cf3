"""Prices and VAT: the price in force on the day, kept by the order; VAT half-up per line; totals are sums."""

from datetime import UTC, date, datetime

import pytest

from ep_events.billing.balances import invoice_totals
from ep_events.billing.invoices import issue_invoice
from ep_events.billing.models import BillingItem
from ep_events.billing.money import format_pounds, format_rate, line_figures, parse_pounds, parse_vat_rate, vat_on
from ep_events.billing.orders import WantedLine
from ep_events.billing.settings import membership_year, price_on, set_price, set_vat_rate, vat_rate_on
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from tests.billing.conftest import ORDERED_ON, order_for


def test_the_price_in_force_is_the_latest_one_starting_on_or_before_the_day(programme, organiser):
    set_price(organiser, programme, BillingItem.MEMBERSHIP, "175.00", date(2026, 4, 1))
    assert price_on(programme, BillingItem.MEMBERSHIP, date(2025, 12, 31)) is None
    assert price_on(programme, BillingItem.MEMBERSHIP, date(2026, 1, 1)).amount_pence == 15000
    assert price_on(programme, BillingItem.MEMBERSHIP, date(2026, 3, 31)).amount_pence == 15000
    assert price_on(programme, BillingItem.MEMBERSHIP, date(2026, 4, 1)).amount_pence == 17500
    assert price_on(programme, BillingItem.EXTRA_PLACE, date(2026, 4, 1)).amount_pence == 15000


def test_an_order_keeps_the_price_and_vat_in_force_when_it_was_placed(programme, agency, organiser):
    order = order_for(programme, agency, at=datetime(2026, 3, 31, 12, tzinfo=UTC))
    db.session.commit()
    set_price(organiser, programme, BillingItem.MEMBERSHIP, "175.00", date(2026, 4, 1))
    set_vat_rate(organiser, programme, "20", date(2026, 4, 1))
    later = order_for(programme, agency, at=datetime(2026, 4, 1, 9, tzinfo=UTC))
    db.session.commit()
    db.session.expire_all()
    assert (order.lines[0].unit_price_pence, order.lines[0].vat_pence, order.total_pence) == (15000, 0, 15000)
    assert (later.lines[0].unit_price_pence, later.lines[0].vat_pence, later.total_pence) == (17500, 3500, 21000)
    # Invoiced after the change, the earlier order is still invoiced at its own price.
    invoice = issue_invoice(order, organiser, today=date(2026, 4, 2))
    assert invoice_totals(invoice) == (15000, 0, 15000)


def test_the_uk_date_decides_the_price_an_order_pays(programme, agency, organiser):
    set_price(organiser, programme, BillingItem.MEMBERSHIP, "175.00", date(2026, 4, 1))
    # 23:30 UTC on 31 March 2026 is 00:30 on 1 April in London (BST).
    order = order_for(programme, agency, at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    assert order.lines[0].unit_price_pence == 17500


def test_vat_is_zero_until_the_organiser_sets_a_rate(programme, organiser):
    assert vat_rate_on(programme, ORDERED_ON) == 0
    set_vat_rate(organiser, programme, "17.5", date(2026, 6, 1))
    assert vat_rate_on(programme, date(2026, 5, 31)) == 0
    assert vat_rate_on(programme, date(2026, 6, 1)) == 1750


@pytest.mark.parametrize(("net", "basis_points", "vat"), [
    (1, 2000, 0),        # 0.2p
    (2, 2000, 0),        # 0.4p
    (3, 2000, 1),        # 0.6p
    (5, 1000, 1),        # 0.5p: half goes up
    (25, 1000, 3),       # 2.5p: half-up, not to even (banker's rounding would give 2)
    (2, 1750, 0),        # 0.35p
    (3, 1750, 1),        # 0.525p
    (20, 1750, 4),       # 3.5p
    (60, 1750, 11),      # 10.5p: half-up (banker's would give 10)
    (15000, 1750, 2625),
    (15000, 2000, 3000),
    (0, 2000, 0),
])
def test_vat_is_rounded_half_up_to_the_penny(net, basis_points, vat):
    assert vat_on(net, basis_points) == vat


def test_vat_is_worked_out_on_each_line_and_totals_are_sums_of_lines(programme, agency, organiser):
    set_price(organiser, programme, BillingItem.EXTRA_PLACE, "0.01", date(2026, 2, 1))
    set_price(organiser, programme, BillingItem.MEMBERSHIP, "0.60", date(2026, 2, 1))
    set_vat_rate(organiser, programme, "17.5", date(2026, 2, 1))
    lines = [WantedLine(BillingItem.EXTRA_PLACE, 1, "Extra place, 12 June"),
             WantedLine(BillingItem.EXTRA_PLACE, 1, "Extra place, 9 October"),
             WantedLine(BillingItem.EXTRA_PLACE, 3, "Extra places, 5 February"),
             WantedLine(BillingItem.MEMBERSHIP, 1, "Membership 2026 to 2027")]
    order = order_for(programme, agency, lines)
    figures = [(line.net_pence, line.vat_pence, line.line_total_pence) for line in order.lines]
    # 17.5% of 1p is 0.175p (0); of 3p, 0.525p (1); of 60p, 10.5p (11). On the sum, 65p: 11.375p (11).
    assert figures == [(1, 0, 1), (1, 0, 1), (3, 1, 4), (60, 11, 71)]
    assert (order.net_pence, order.vat_pence, order.total_pence) == (65, 12, 77)
    invoice = issue_invoice(order, organiser, today=ORDERED_ON)
    assert invoice_totals(invoice) == (65, 12, 77)
    assert [line.vat_basis_points for line in invoice.lines] == [1750] * 4


def test_twenty_percent_of_penny_lines_rounds_each_line_to_nothing(programme, agency, organiser):
    set_price(organiser, programme, BillingItem.EXTRA_PLACE, 1, date(2026, 2, 1))
    set_vat_rate(organiser, programme, 2000, date(2026, 2, 1))
    lines = [WantedLine(BillingItem.EXTRA_PLACE, 1, f"Extra place {n}") for n in range(1, 6)]
    order = order_for(programme, agency, lines)
    assert [line.vat_pence for line in order.lines] == [0] * 5
    assert (order.net_pence, order.vat_pence, order.total_pence) == (5, 0, 5)


def test_a_line_stores_its_quantity_unit_price_rate_vat_and_total():
    assert line_figures(3, 15000, 2000) == {"quantity": 3, "unit_price_pence": 15000, "vat_basis_points": 2000,
                                            "net_pence": 45000, "vat_pence": 9000, "line_total_pence": 54000}


@pytest.mark.parametrize(("text", "pence"), [
    ("150", 15000), ("150.00", 15000), ("150.5", 15050), ("0.01", 1), ("£1,500.00", 150000), (" 12.34 ", 1234),
    ("0", 0), (150, 150),
])
def test_amounts_in_pounds_become_integer_pence(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(("text", "message"), [
    ("150.005", "no more than 2 decimal places"),
    ("0.001", "no more than 2 decimal places"),
    ("-5.00", "like 150.00"),
    ("1e3", "like 150.00"),
    ("١٥٠", "like 150.00"),
    ("", "like 150.00"),
    ("15,00.00", "like 150.00"),
    ("1000000.01", "£1,000,000.00 or less"),
    (-1, "not negative"),
])
def test_amounts_with_fractions_of_a_penny_or_not_money_are_refused(text, message):
    with pytest.raises(DomainError, match=message) as refused:
        parse_pounds(text)
    assert refused.value.field == "amount"


def test_vat_rates_are_percentages_with_at_most_two_decimals():
    assert [parse_vat_rate(t) for t in ("20", "17.5", "20%", "0", "12.25")] == [2000, 1750, 2000, 0, 1225]
    for text in ("17.555", "-1", "100.01", "abc"):
        with pytest.raises(DomainError):
            parse_vat_rate(text)


def test_amounts_and_rates_read_as_people_write_them():
    assert [format_pounds(p) for p in (0, 1, 15000, 150000, -15000)] == [
        "£0.00", "£0.01", "£150.00", "£1,500.00", "-£150.00"]
    assert [format_rate(b) for b in (0, 2000, 1750, 1225)] == ["0%", "20%", "17.5%", "12.25%"]


def test_the_membership_year_runs_from_1_april_to_31_march_by_default(programme):
    assert membership_year(programme, date(2026, 4, 1)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert membership_year(programme, date(2027, 3, 31)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert membership_year(programme, date(2026, 3, 31)) == (date(2025, 4, 1), date(2026, 3, 31))


def test_a_second_price_from_the_same_date_is_refused(programme, organiser):
    with pytest.raises(DomainError, match="already applies from that date") as refused:
        set_price(organiser, programme, BillingItem.MEMBERSHIP, "160.00", date(2026, 1, 1))
    assert refused.value.field == "applies_from"
