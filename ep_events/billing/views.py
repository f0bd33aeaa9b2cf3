"""The organiser's billing pages: invoice details, prices and VAT, the invoices and their payments, payment
reminders, the finance export, and invoice and credit-note PDFs (also for the agency's own admins)."""

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ep_events.accounts.policy import can_administer_organisation, can_manage_programme, staff_page
from ep_events.billing import pdf
from ep_events.billing.balances import InvoiceFilter, balance, invoice_totals, list_invoices
from ep_events.billing.emails import long_date
from ep_events.billing.export import finance_export_csv
from ep_events.billing.forms import (
    BillingSettingsForm,
    FinanceExportForm,
    PaymentForm,
    PriceForm,
    ReminderForm,
    VatRateForm,
)
from ep_events.billing.invoices import uk_today
from ep_events.billing.models import BillingItem, CreditNote, Invoice, Price, VatRate
from ep_events.billing.money import format_pounds, format_rate
from ep_events.billing.payments import OverpaymentNotConfirmed, record_payment
from ep_events.billing.reminders import last_reminder_at, send_payment_reminder
from ep_events.billing.settings import get_billing_settings, set_price, set_vat_rate, update_billing_settings
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.core.inputs import page_arg
from ep_events.core.spreadsheets import csv_download
from ep_events.extensions import db
from ep_events.programmes.models import Programme

bp = Blueprint("billing", __name__)

INVOICES_PER_PAGE = 50


@bp.context_processor
def _money_words() -> dict:
    return {"pounds": format_pounds, "vat_rate": format_rate, "long_date": long_date}


def _programme(slug: str) -> Programme:
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None:
        abort(404)
    return programme


def _organiser_only(programme: Programme):
    """Anonymous visitors sign in; people who do not organise this programme get 403 (as for Network Days)."""
    return staff_page(can_manage_programme, programme)


def _invoice(programme: Programme, invoice_id: int) -> Invoice:
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.programme_id != programme.id:
        abort(404)
    return invoice


# --- Invoice details, prices and VAT ------------------------------------------------------------

def _settings_page(programme, details_form=None, price_form=None, vat_form=None):
    details_form = details_form or BillingSettingsForm.for_settings(get_billing_settings(programme))
    price_form = price_form or PriceForm(prefix="price")
    vat_form = vat_form or VatRateForm(prefix="vat")
    failed = next((f for f in (details_form, price_form, vat_form) if f.errors), details_form)
    prices = {item: list(db.session.execute(
        select(Price).where(Price.programme_id == programme.id, Price.item == item)
        .order_by(Price.applies_from.desc())).scalars()) for item in BillingItem}
    vat_rates = list(db.session.execute(select(VatRate).where(VatRate.programme_id == programme.id)
                                        .order_by(VatRate.applies_from.desc())).scalars())
    return render_template("billing/settings.html", programme=programme, form=failed, details_form=details_form,
                           price_form=price_form, vat_form=vat_form, prices=prices, vat_rates=vat_rates,
                           today=uk_today()), form_status(details_form, price_form, vat_form)


@bp.route("/billing/<slug>/settings", methods=["GET", "POST"])
def settings(slug: str):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    if request.method == "GET":
        return _settings_page(programme)
    form = BillingSettingsForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: update_billing_settings(current_user, programme, **form.values()))
        if ok:
            flash("The invoice details are saved. Invoices issued from now on carry them.", "success")
            return redirect(url_for("billing.settings", slug=slug))
    return _settings_page(programme, details_form=form)


@bp.route("/billing/<slug>/settings/prices", methods=["POST"])
def add_price(slug: str):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    form = PriceForm(prefix="price")
    if form.validate_on_submit():
        ok, price = form.apply(lambda: set_price(current_user, programme, BillingItem(form.item.data),
                                                 form.amount.data, form.applies_from.data))
        if ok:
            flash(f"{price.item.label} {format_pounds(price.amount_pence)} applies to orders placed from "
                  f"{long_date(price.applies_from)}.", "success")
            return redirect(url_for("billing.settings", slug=slug) + "#prices")
    return _settings_page(programme, price_form=form)


@bp.route("/billing/<slug>/settings/vat-rates", methods=["POST"])
def add_vat_rate(slug: str):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    form = VatRateForm(prefix="vat")
    if form.validate_on_submit():
        ok, rate = form.apply(lambda: set_vat_rate(current_user, programme, form.rate.data, form.applies_from.data))
        if ok:
            flash(f"VAT at {format_rate(rate.rate_basis_points)} applies to orders placed from "
                  f"{long_date(rate.applies_from)}.", "success")
            return redirect(url_for("billing.settings", slug=slug) + "#vat")
    return _settings_page(programme, vat_form=form)


# --- Invoices -------------------------------------------------------------------------------------

@bp.route("/billing/<slug>/invoices")
def invoices(slug: str):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    try:
        show = InvoiceFilter(request.args.get("show", "all"))
    except ValueError:
        show = InvoiceFilter.ALL
    page = page_arg()
    rows = list_invoices(programme, show, uk_today(), offset=(page - 1) * INVOICES_PER_PAGE,
                         limit=INVOICES_PER_PAGE + 1)
    return render_template("billing/invoices.html", programme=programme, rows=rows[:INVOICES_PER_PAGE], show=show,
                           filters=list(InvoiceFilter), page=page, has_next=len(rows) > INVOICES_PER_PAGE,
                           today=uk_today())


def _invoice_page(programme, invoice, payment_form=None, confirm_overpayment=False):
    payment_form = payment_form or PaymentForm()
    net, vat, total = invoice_totals(invoice)
    owed = balance(invoice)
    today = uk_today()
    return render_template("billing/invoice.html", programme=programme, invoice=invoice, form=payment_form,
                           net=net, vat=vat, total=total, owed=owed, overdue=owed > 0 and invoice.due_on < today,
                           confirm_overpayment=confirm_overpayment, reminder_form=ReminderForm(prefix="reminder"),
                           last_reminder=last_reminder_at(invoice)), form_status(payment_form)


@bp.route("/billing/<slug>/invoices/<int:invoice_id>", methods=["GET", "POST"])
def invoice(slug: str, invoice_id: int):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    invoice = _invoice(programme, invoice_id)
    if request.method == "GET":
        return _invoice_page(programme, invoice)
    form = PaymentForm()
    confirm = False
    if form.validate_on_submit():
        try:
            payment = record_payment(invoice, current_user, form.amount.data, form.received_on.data,
                                     form.payment_method, form.reference.data or "",
                                     overpayment_confirmed=bool(form.overpayment.data))
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            confirm = isinstance(error, OverpaymentNotConfirmed)
        else:
            db.session.commit()
            flash(f"Payment of {format_pounds(payment.amount_pence)} recorded against invoice {invoice.reference}.",
                  "success")
            return redirect(url_for("billing.invoice", slug=slug, invoice_id=invoice.id))
    # Once asked, the confirmation stays on the page until the payment is recorded.
    return _invoice_page(programme, invoice, form, confirm_overpayment=confirm or bool(form.overpayment.data))


@bp.route("/billing/<slug>/invoices/<int:invoice_id>/reminder", methods=["POST"])
def send_reminder(slug: str, invoice_id: int):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    invoice = _invoice(programme, invoice_id)
    if ReminderForm(prefix="reminder").validate_on_submit():
        try:
            owed = send_payment_reminder(invoice, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"A payment reminder for {format_pounds(owed)} was sent to {invoice.billing_contact_email}.",
                  "success")
    return redirect(url_for("billing.invoice", slug=slug, invoice_id=invoice.id))


# --- PDFs: the programme's organisers, and the admins of the agency invoiced --------------------------

def _can_read_invoice(user, invoice: Invoice) -> bool:
    return can_manage_programme(user, invoice.order.programme) or can_administer_organisation(
        user, invoice.organisation)


def _pdf(content: bytes, reference: str) -> Response:
    filename = "".join(c if c.isalnum() or c in "-_" else "-" for c in reference) or "document"
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.pdf"'})


@bp.route("/billing/<slug>/invoices/<int:invoice_id>.pdf")
def invoice_pdf(slug: str, invoice_id: int):
    invoice = _invoice(_programme(slug), invoice_id)
    if (denied := staff_page(_can_read_invoice, invoice)) is not None:
        return denied
    return _pdf(pdf.invoice_pdf(invoice), invoice.reference)


@bp.route("/billing/<slug>/credit-notes/<int:credit_note_id>.pdf")
def credit_note_pdf(slug: str, credit_note_id: int):
    programme = _programme(slug)
    credit_note = db.session.get(CreditNote, credit_note_id)
    if credit_note is None or credit_note.programme_id != programme.id:
        abort(404)
    if (denied := staff_page(_can_read_invoice, credit_note.invoice)) is not None:
        return denied
    return _pdf(pdf.credit_note_pdf(credit_note), credit_note.reference)


# --- Finance export ---------------------------------------------------------------------------------

@bp.route("/billing/<slug>/export", methods=["GET", "POST"])
def export(slug: str):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    form = FinanceExportForm()
    if form.validate_on_submit():
        first: date = form.first.data
        last: date = form.last.data
        try:
            content = finance_export_csv(programme, first, last)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return csv_download(f"{programme.slug}-finance-{first.isoformat()}-to-{last.isoformat()}.csv", content)
    return render_template("billing/export.html", programme=programme, form=form), form_status(form)
