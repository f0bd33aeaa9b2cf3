"""The organiser's invoice details, price list and VAT rates, each price and rate from a date on."""

from datetime import date, timedelta

from sqlalchemy import select

from ep_events.billing.models import BillingItem, BillingSettings, Price, VatRate
from ep_events.billing.money import clean_text, format_pounds, format_rate, parse_pounds, parse_vat_rate
from ep_events.core.audit import record_audit, snapshot
from ep_events.core.errors import DomainError
from ep_events.core.inputs import EARLIEST_YEAR, LATEST_YEAR
from ep_events.extensions import db

SETTING_FIELDS = ("legal_name", "address", "charity_number", "company_number", "vat_number", "payment_terms_days",
                  "how_to_pay", "invoice_prefix", "credit_note_prefix", "membership_year_start_month",
                  "membership_year_start_day")


def get_billing_settings(programme) -> BillingSettings:
    """The programme's invoice details, created with the defaults if new."""
    settings = db.session.execute(
        select(BillingSettings).where(BillingSettings.programme_id == programme.id)).scalar_one_or_none()
    if settings is None:
        settings = BillingSettings(programme=programme)
        db.session.add(settings)
        db.session.flush()
    return settings


def update_billing_settings(actor, programme, **values) -> BillingSettings:
    """Change the invoice details; only invoices issued afterwards carry them. Audited."""
    settings = get_billing_settings(programme)
    cleaned = {
        "legal_name": clean_text(values.get("legal_name"), "legal_name", "legal name", 200),
        "address": clean_text(values.get("address"), "address", "address", 2000, multiline=True),
        "charity_number": clean_text(values.get("charity_number"), "charity_number", "charity number", 50,
                                     required=False),
        "company_number": clean_text(values.get("company_number"), "company_number", "company number", 50,
                                     required=False),
        "vat_number": clean_text(values.get("vat_number"), "vat_number", "VAT number", 50, required=False),
        "how_to_pay": clean_text(values.get("how_to_pay"), "how_to_pay", "how to pay", 2000, multiline=True),
        "invoice_prefix": clean_text(values.get("invoice_prefix", "INV-"), "invoice_prefix", "invoice number prefix",
                                     20, required=False),
        "credit_note_prefix": clean_text(values.get("credit_note_prefix", "CN-"), "credit_note_prefix",
                                         "credit note number prefix", 20, required=False),
    }
    terms = values.get("payment_terms_days", 30)
    if not isinstance(terms, int) or isinstance(terms, bool) or not 0 <= terms <= 365:
        raise DomainError("Payment terms must be a whole number of days from 0 to 365", field="payment_terms_days")
    month, day = values.get("membership_year_start_month", 4), values.get("membership_year_start_day", 1)
    try:
        # A year that is not a leap year: 29 February would start no year three times in four.
        date(2025, month, day)
    except (TypeError, ValueError):
        raise DomainError("Enter a real day for the start of the membership year, like 1 April",
                          field="membership_year_start_day") from None
    cleaned.update(payment_terms_days=terms, membership_year_start_month=month, membership_year_start_day=day)
    before = snapshot(settings, SETTING_FIELDS)
    for key, value in cleaned.items():
        setattr(settings, key, value)
    db.session.flush()
    record_audit(actor, "billing.settings", programme, f"Invoice details of {programme.name}",
                 before=before, after=snapshot(settings, SETTING_FIELDS))
    return settings


def membership_year(programme, day: date) -> tuple[date, date]:
    """The first and last day of the membership year that `day` falls in (1 April – 31 March by default)."""
    settings = get_billing_settings(programme)
    month, start_day = settings.membership_year_start_month, settings.membership_year_start_day
    start = date(day.year, month, start_day)
    if day < start:
        start = date(day.year - 1, month, start_day)
    return start, date(start.year + 1, month, start_day) - timedelta(days=1)


def _check_applies_from(applies_from) -> date:
    if not isinstance(applies_from, date) or not EARLIEST_YEAR <= applies_from.year <= LATEST_YEAR:
        raise DomainError(f"Enter the date it applies from, between {EARLIEST_YEAR} and {LATEST_YEAR}",
                          field="applies_from")
    return applies_from


def set_price(actor, programme, item: BillingItem, amount: str | int, applies_from: date) -> Price:
    """Add a price for an item from a date on; orders placed before that date keep their price."""
    pence = parse_pounds(amount, field="amount")
    _check_applies_from(applies_from)
    taken = db.session.execute(select(Price.id).where(
        Price.programme_id == programme.id, Price.item == item, Price.applies_from == applies_from)).first()
    if taken:
        raise DomainError(f"A {item.label.lower()} price already applies from that date", field="applies_from")
    price = Price(programme_id=programme.id, item=item, amount_pence=pence, applies_from=applies_from)
    db.session.add(price)
    db.session.flush()
    record_audit(actor, "billing.price", programme,
                 f"{item.label} {format_pounds(pence)} from {applies_from.isoformat()}",
                 after={"item": item.value, "amount_pence": pence, "applies_from": applies_from.isoformat()})
    return price


def set_vat_rate(actor, programme, rate: str | int, applies_from: date) -> VatRate:
    """Add a VAT rate from a date on (a percentage like "20", or basis points as an int)."""
    basis_points = parse_vat_rate(rate)
    _check_applies_from(applies_from)
    taken = db.session.execute(select(VatRate.id).where(
        VatRate.programme_id == programme.id, VatRate.applies_from == applies_from)).first()
    if taken:
        raise DomainError("A VAT rate already applies from that date", field="applies_from")
    vat_rate = VatRate(programme_id=programme.id, rate_basis_points=basis_points, applies_from=applies_from)
    db.session.add(vat_rate)
    db.session.flush()
    record_audit(actor, "billing.vat_rate", programme, f"VAT {format_rate(basis_points)} from {applies_from}",
                 after={"rate_basis_points": basis_points, "applies_from": applies_from.isoformat()})
    return vat_rate


def price_on(programme, item: BillingItem, day: date) -> Price | None:
    """The price of an item in force on a day: the one with the latest start on or before it (None: no price)."""
    return db.session.execute(
        select(Price).where(Price.programme_id == programme.id, Price.item == item, Price.applies_from <= day)
        .order_by(Price.applies_from.desc()).limit(1)).scalar_one_or_none()


def vat_rate_on(programme, day: date) -> int:
    """The VAT rate in force on a day, in basis points (0 when the organiser has set none)."""
    rate = db.session.execute(
        select(VatRate.rate_basis_points).where(VatRate.programme_id == programme.id, VatRate.applies_from <= day)
        .order_by(VatRate.applies_from.desc()).limit(1)).scalar_one_or_none()
    return rate or 0
