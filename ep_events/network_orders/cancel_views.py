"""The organiser cancels a Network order, in full or some of its lines: billing credits them, and what they
bought (a membership and its places to come, extra places) goes too."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea
from sqlalchemy import select
from wtforms import SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from ep_events.accounts.policy import can_manage_programme, staff_page
from ep_events.billing.invoices import credited_line_ids
from ep_events.billing.models import Order, OrderStatus
from ep_events.billing.money import format_pounds
from ep_events.core.errors import DomainError
from ep_events.core.forms import Form, form_status
from ep_events.extensions import db
from ep_events.network_orders.purchases import cancel_network_order
from ep_events.programmes.models import Programme

bp = Blueprint("network_cancel", __name__)


class CancelOrderForm(Form):
    lines = SelectMultipleField("What to cancel", widget=GovCheckboxesInput(), coerce=int,
                                validators=[InputRequired("Choose what to cancel")])
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           description="Printed on the credit note and kept in the audit log.",
                           validators=[InputRequired("Enter the reason for cancelling"),
                                       Length(max=2000, message="The reason must be 2000 characters or fewer")])
    submit = SubmitField("Cancel and issue a credit note", widget=GovSubmitInput())


def _order(slug: str, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if order is None or programme is None or order.programme_id != programme.id:
        abort(404)
    return order


def _open_lines(order: Order) -> list:
    """The order lines not yet credited (all of them when it was never invoiced)."""
    if order.invoice is None:
        return list(order.lines)
    credited = credited_line_ids(order.invoice)
    return [invoice_line.order_line for invoice_line in order.invoice.lines if invoice_line.id not in credited]


@bp.route("/billing/<slug>/orders/<int:order_id>/cancel", methods=["GET", "POST"])
def cancel_order(slug: str, order_id: int):
    order = _order(slug, order_id)
    denied = staff_page(can_manage_programme, order.programme)
    if denied is not None:
        return denied
    open_lines = _open_lines(order)
    if order.status is OrderStatus.CANCELLED or not open_lines:
        flash("This order has already been cancelled.", "error")
        return redirect(_back(order))
    form = CancelOrderForm()
    form.lines.choices = [(line.id, f"{line.description} (x{line.quantity}, {format_pounds(line.line_total_pence)})")
                          for line in open_lines]
    if not form.is_submitted():
        form.lines.data = [line.id for line in open_lines]
    if form.validate_on_submit():
        chosen = [line for line in open_lines if line.id in set(form.lines.data)]
        try:
            credit_note = cancel_network_order(current_user, order, form.reason.data,
                                               None if len(chosen) == len(order.lines) else chosen)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(f"Credit note {credit_note.reference} issued." if credit_note else "Order cancelled.", "success")
            return redirect(_back(order))
    return render_template("network_orders/cancel_order.html", order=order, form=form, back=_back(order),
                           pounds=format_pounds), form_status(form)


def _back(order: Order) -> str:
    if order.invoice is not None:
        return url_for("billing.invoice", slug=order.programme.slug, invoice_id=order.invoice.id)
    return url_for("billing.invoices", slug=order.programme.slug)
