"""The public "Join the network" page, and an agency admin buying the agency's membership or extra places on a
Network Day: details, then "Check your order" (the figures the invoice will carry), then "Confirm order", which
places the order, issues the invoice and emails it in one transaction.

The review page carries the details in hidden fields; the confirm POST validates them again and the service
checks everything once more under its lock, so a tampered or stale review page changes nothing it should not.
"""

from functools import partial

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ep_events.accounts.models import Role
from ep_events.accounts.policy import can_administer_organisation, can_manage_programme, can_see_programme, staff_page
from ep_events.billing.models import BillingItem, Order
from ep_events.billing.money import format_pounds, format_rate
from ep_events.bookings.models import EventStatus
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.core.inputs import parse_id
from ep_events.core.limits import person_key, sends_email
from ep_events.core.time import utcnow
from ep_events.extensions import db, limiter
from ep_events.network_days.capacity import free_places, free_places_for
from ep_events.network_days.days import upcoming_days
from ep_events.network_days.memberships import (
    check_not_member,
    membership_for,
    membership_year_label,
    membership_year_of,
)
from ep_events.network_days.models import PROGRAMME_KIND, NetworkDay
from ep_events.network_days.waitlist import active_entry, held_for, join_waitlist, leave_waitlist
from ep_events.network_orders.forms import BuyExtraPlacesForm, BuyMembershipForm, JoinWaitlistForm, LeaveWaitlistForm
from ep_events.network_orders.purchases import (
    buy_extra_places,
    buy_membership,
    extra_places_description,
    membership_description,
    quote,
)
from ep_events.organisations.models import Organisation
from ep_events.programmes.models import Programme

bp = Blueprint("network_buy", __name__)

# Confirming an order issues an invoice: a few a person or an address might place in an hour, no more.
ORDER_LIMIT_PER_PERSON = "10 per hour"
ORDER_LIMIT_PER_IP = "30 per hour"


def _order_limit_per_person() -> str:
    return current_app.config.get("NETWORK_ORDER_LIMIT_PER_PERSON", ORDER_LIMIT_PER_PERSON)


def _order_limit_per_ip() -> str:
    return current_app.config.get("NETWORK_ORDER_LIMIT_PER_IP", ORDER_LIMIT_PER_IP)


@bp.context_processor
def _money_words() -> dict:
    return {"vat_rate": format_rate, "pounds": format_pounds}


def _programme(slug: str) -> Programme:
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None or programme.kind != PROGRAMME_KIND or not can_see_programme(current_user, programme):
        abort(404)
    return programme


def _may_buy_for(user, programme, agency) -> bool:
    return can_administer_organisation(user, agency) or can_manage_programme(user, programme)


def _buying_for(slug: str, org_id: int):
    """The programme and the agency, and the response to return instead when the person may not buy for it
    (sign in; 403 for anyone but the agency's admins and the programme's organisers)."""
    programme = _programme(slug)
    agency = db.get_or_404(Organisation, org_id)
    return programme, agency, staff_page(_may_buy_for, programme, agency)


def _quote_or_none(programme, item: BillingItem, quantity: int, description: str, now):
    try:
        return quote(programme, item, quantity, description, now)
    except DomainError:
        return None


def _last_order(agency) -> Order | None:
    """The agency's newest order, whose billing details pre-fill the next one."""
    return db.session.execute(select(Order).where(Order.organisation_id == agency.id)
                              .order_by(Order.placed_at.desc(), Order.id.desc()).limit(1)).scalar_one_or_none()


def _years(programme, now) -> list[int]:
    """The membership years an agency can buy: the current one and the next."""
    current = membership_year_of(now, programme)
    return [current, current + 1]


def _years_not_held(programme, agency, now) -> list[int]:
    return [year for year in _years(programme, now) if membership_for(programme, agency, year) is None]


def _administered_agencies(user) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    agencies = {grant.organisation.id: grant.organisation for grant in user.grants
                if grant.role is Role.AGENCY_ADMIN and grant.organisation is not None}
    return sorted(agencies.values(), key=lambda agency: agency.name.lower())


# --- Join the network (anyone) ---------------------------------------------------------------------------

@bp.route("/network-days/<slug>/join")
def join(slug: str):
    programme = _programme(slug)
    now = utcnow()
    days = upcoming_days(programme, now)
    years = _years(programme, now)
    by_year: dict[int, list[NetworkDay]] = {}
    for network_day in days:
        by_year.setdefault(membership_year_of(network_day), []).append(network_day)
    agencies = [(agency, _years_not_held(programme, agency, now)) for agency in _administered_agencies(current_user)]
    return render_template(
        "network_orders/join.html", programme=programme, days_by_year=sorted(by_year.items()),
        year_label=partial(membership_year_label, programme=programme), free=free_places_for(days), years=years,
        agencies=agencies,
        membership=_quote_or_none(programme, BillingItem.MEMBERSHIP, 1, membership_description(years[0], programme),
                                  now),
        extra_place=_quote_or_none(programme, BillingItem.EXTRA_PLACE, 1, "Extra place", now))


# --- Buying a membership -----------------------------------------------------------------------------------

def _membership_page(programme, agency, form, now):
    offered = _years_not_held(programme, agency, now)
    chosen = form.membership_year.data
    form.offer_years(offered, programme)
    form.membership_year.data = chosen
    first_year = _years(programme, now)[0]
    unit = _quote_or_none(programme, BillingItem.MEMBERSHIP, 1, membership_description(first_year, programme), now)
    return render_template("network_orders/buy_membership.html", programme=programme, agency=agency, form=form,
                           offered=offered, held=[y for y in _years(programme, now) if y not in offered], unit=unit,
                           year_label=partial(membership_year_label, programme=programme)), form_status(form)


def _membership_form(programme, now) -> BuyMembershipForm:
    """The submitted form, its year checked against the two years on sale (held or not: held gets its message)."""
    return BuyMembershipForm().offer_years(_years(programme, now), programme)


@bp.route("/network-days/<slug>/agencies/<int:org_id>/membership/new", methods=["GET", "POST"])
def buy_membership_page(slug: str, org_id: int):
    programme, agency, denied = _buying_for(slug, org_id)
    if denied is not None:
        return denied
    now = utcnow()
    if request.method == "GET":
        form = BuyMembershipForm.prefilled_from(_last_order(agency)).offer_years(_years(programme, now), programme)
        wanted = parse_id(request.args.get("year"))
        offered = _years_not_held(programme, agency, now)
        form.membership_year.data = wanted if wanted in offered else (offered[0] if len(offered) == 1 else None)
        return _membership_page(programme, agency, form, now)
    form = _membership_form(programme, now)
    if "change" in request.form:  # "Change" on the review page: the details again, as typed
        return _membership_page(programme, agency, form, now)
    if form.validate():
        year = form.membership_year.data
        try:
            check_not_member(programme, agency, year)
            order_quote = quote(programme, BillingItem.MEMBERSHIP, 1, membership_description(year, programme), now)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return render_template("network_orders/buy_review.html", programme=programme, agency=agency, form=form,
                                   quote=order_quote, billing=form.billing(), hidden=_hidden_fields(form),
                                   confirm_url=url_for(".confirm_membership", slug=slug, org_id=org_id),
                                   change_url=url_for(".buy_membership_page", slug=slug, org_id=org_id))
    return _membership_page(programme, agency, form, now)


@bp.route("/network-days/<slug>/agencies/<int:org_id>/membership/confirm", methods=["POST"])
@sends_email
@limiter.limit(_order_limit_per_person, key_func=person_key, methods=["POST"])
@limiter.limit(_order_limit_per_ip, methods=["POST"])
def confirm_membership(slug: str, org_id: int):
    programme, agency, denied = _buying_for(slug, org_id)
    if denied is not None:
        return denied
    now = utcnow()
    form = _membership_form(programme, now)
    if form.validate():
        ok, membership = form.apply(lambda: buy_membership(current_user, programme, agency,
                                                           form.membership_year.data, form.billing(), now=now))
        if ok:
            return redirect(url_for(".order_confirmed", slug=slug, org_id=org_id, order_id=membership.order_id))
    return _membership_page(programme, agency, form, now)


# --- Buying extra places on a day --------------------------------------------------------------------------

def _day_for_buying(programme, day_id: int) -> NetworkDay:
    network_day = db.session.get(NetworkDay, day_id)
    if (network_day is None or network_day.programme_id != programme.id
            or network_day.status is not EventStatus.PUBLISHED):
        abort(404)
    return network_day


def _free_for(network_day: NetworkDay, agency) -> int:
    """The places this agency can buy on the day: those free, and any the waiting list holds for it."""
    return free_places(network_day) + held_for(network_day, agency)


def _places_page(programme, agency, network_day, form, now, free: int, waitlist_form=None):
    unit = _quote_or_none(programme, BillingItem.EXTRA_PLACE, 1, extra_places_description(network_day), now)
    waitlist_form = waitlist_form or JoinWaitlistForm()
    return render_template("network_orders/buy_places.html", programme=programme, agency=agency,
                           network_day=network_day, form=form, free=free, unit=unit,
                           started=network_day.starts_at <= now, waiting=active_entry(network_day, agency),
                           waitlist_form=waitlist_form, leave_form=LeaveWaitlistForm(prefix="leave")), \
        form_status(form, waitlist_form)


@bp.route("/network-days/<slug>/days/<int:day_id>/agencies/<int:org_id>/places/new", methods=["GET", "POST"])
def buy_places_page(slug: str, day_id: int, org_id: int):
    programme, agency, denied = _buying_for(slug, org_id)
    if denied is not None:
        return denied
    network_day = _day_for_buying(programme, day_id)
    now = utcnow()
    free = _free_for(network_day, agency)
    if request.method == "GET":
        form = BuyExtraPlacesForm.prefilled_from(_last_order(agency)).up_to(free)
        return _places_page(programme, agency, network_day, form, now, free)
    form = BuyExtraPlacesForm().up_to(free)
    if "change" in request.form or free == 0 or network_day.starts_at <= now:
        return _places_page(programme, agency, network_day, form, now, free)
    if form.validate():
        try:
            order_quote = quote(programme, BillingItem.EXTRA_PLACE, form.quantity.data,
                                extra_places_description(network_day), now)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return render_template(
                "network_orders/buy_review.html", programme=programme, agency=agency, form=form, quote=order_quote,
                billing=form.billing(), hidden=_hidden_fields(form), network_day=network_day,
                confirm_url=url_for(".confirm_places", slug=slug, day_id=day_id, org_id=org_id),
                change_url=url_for(".buy_places_page", slug=slug, day_id=day_id, org_id=org_id))
    return _places_page(programme, agency, network_day, form, now, free)


@bp.route("/network-days/<slug>/days/<int:day_id>/agencies/<int:org_id>/places/confirm", methods=["POST"])
@sends_email
@limiter.limit(_order_limit_per_person, key_func=person_key, methods=["POST"])
@limiter.limit(_order_limit_per_ip, methods=["POST"])
def confirm_places(slug: str, day_id: int, org_id: int):
    programme, agency, denied = _buying_for(slug, org_id)
    if denied is not None:
        return denied
    network_day = _day_for_buying(programme, day_id)
    now = utcnow()
    free = _free_for(network_day, agency)
    form = BuyExtraPlacesForm().up_to(free)
    if form.validate():
        ok, order = form.apply(lambda: buy_extra_places(current_user, network_day, agency, form.quantity.data,
                                                        form.billing(), now=now))
        if ok:
            return redirect(url_for(".order_confirmed", slug=slug, org_id=org_id, order_id=order.id))
    return _places_page(programme, agency, network_day, form, now, _free_for(network_day, agency))


# --- Confirmation --------------------------------------------------------------------------------------------

def _hidden_fields(form) -> list[tuple[str, str]]:
    """What the review page posts back on "Confirm order": the details exactly as validated."""
    fields = [(name, form[name].data) for name in ("membership_year", "quantity") if name in form]
    fields += [(name, form[name].data or "") for name in form.BILLING_FIELDS if name != "no_po"]
    if form.no_po.data:
        fields.append(("no_po", "y"))
    return [(name, str(value)) for name, value in fields]


@bp.route("/network-days/<slug>/agencies/<int:org_id>/orders/<int:order_id>/confirmed")
def order_confirmed(slug: str, org_id: int, order_id: int):
    programme, agency, denied = _buying_for(slug, org_id)
    if denied is not None:
        return denied
    order = db.session.get(Order, order_id)
    if order is None or order.programme_id != programme.id or order.organisation_id != agency.id \
            or order.invoice is None:
        abort(404)
    return render_template("network_orders/buy_confirmed.html", programme=programme, agency=agency, order=order,
                           invoice=order.invoice, is_membership=order.lines[0].item is BillingItem.MEMBERSHIP,
                           account_url=url_for("network_account.agency_account", slug=slug, org_id=org_id))


# --- The waiting list of a full day ---------------------------------------------------------------------------

@bp.route("/network-days/<slug>/days/<int:day_id>/agencies/<int:org_id>/waitlist", methods=["POST"])
@sends_email
def join_day_waitlist(slug: str, day_id: int, org_id: int):
    programme, agency, denied = _buying_for(slug, org_id)
    if denied is not None:
        return denied
    network_day = _day_for_buying(programme, day_id)
    form = JoinWaitlistForm()
    if form.validate_on_submit():
        ok, entry = form.apply(lambda: join_waitlist(current_user, network_day, agency, form.quantity.data))
        if ok:
            flash(f"{agency.name} is on the waiting list for {entry.quantity} "
                  f"{'place' if entry.quantity == 1 else 'places'}. We have emailed you to confirm, and will email "
                  "you when places free up.", "success")
            return redirect(url_for(".buy_places_page", slug=slug, day_id=day_id, org_id=org_id))
    free = _free_for(network_day, agency)
    if free > 0:  # places came free meanwhile: buy them instead
        flash(next(iter(form.quantity.errors), "There is room on this Network Day: buy the places now"), "error")
        return redirect(url_for(".buy_places_page", slug=slug, day_id=day_id, org_id=org_id))
    # The day is full, so the page shows only the waiting-list form: it is the page's form (its error summary).
    return _places_page(programme, agency, network_day, form, utcnow(), free, waitlist_form=form)


@bp.route("/network-days/<slug>/days/<int:day_id>/agencies/<int:org_id>/waitlist/leave", methods=["POST"])
def leave_day_waitlist(slug: str, day_id: int, org_id: int):
    programme, agency, denied = _buying_for(slug, org_id)
    if denied is not None:
        return denied
    network_day = _day_for_buying(programme, day_id)
    entry = active_entry(network_day, agency)
    if entry is None:
        abort(404)
    if LeaveWaitlistForm(prefix="leave").validate_on_submit():
        try:
            leave_waitlist(current_user, entry)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{agency.name} has left the waiting list.", "success")
    return redirect(url_for(".buy_places_page", slug=slug, day_id=day_id, org_id=org_id))
