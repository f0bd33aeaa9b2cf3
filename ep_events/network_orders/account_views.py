"""An agency's account page for a Network programme (its admins and the programme's organisers): memberships,
the EP Champion, places on the days to come, and its invoices, credit notes, payments and balance; and the
pages to name, change and cancel a place."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from ep_events.accounts.models import User
from ep_events.accounts.policy import can_administer_organisation, can_manage_programme, staff_page
from ep_events.billing.money import format_pounds
from ep_events.bookings.models import EventStatus
from ep_events.core.forms import form_status
from ep_events.core.limits import sends_email
from ep_events.core.time import uk_datetime, utcnow
from ep_events.extensions import db
from ep_events.network_days.memberships import name_champion
from ep_events.network_days.models import PROGRAMME_KIND, NetworkDay, NetworkPlace, PlaceType
from ep_events.network_days.places import cancel_place, name_place, offer_membership_place, offer_place
from ep_events.network_orders.account import agency_account, colleagues_of
from ep_events.network_orders.forms import CancelPlaceForm, ChampionForm, NamePlaceForm
from ep_events.organisations.models import Organisation
from ep_events.programmes.models import Programme

bp = Blueprint("network_account", __name__)


@bp.context_processor
def _money_words() -> dict:
    return {"pounds": format_pounds}


def _may_see(user, programme, agency) -> bool:
    return can_administer_organisation(user, agency) or can_manage_programme(user, programme)


def _agency(slug: str, org_id: int):
    """The programme and agency, and the response to return instead when the visitor may not see them
    (sign in; 403 for anyone but the agency's admins and the programme's organisers)."""
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    agency = db.session.get(Organisation, org_id)
    if programme is None or programme.kind != PROGRAMME_KIND or agency is None:
        abort(404)
    return programme, agency, staff_page(_may_see, programme, agency)


def _day(programme, day_id: int) -> NetworkDay:
    network_day = db.session.get(NetworkDay, day_id)
    if (network_day is None or network_day.programme_id != programme.id
            or network_day.status is not EventStatus.PUBLISHED):
        abort(404)
    return network_day


def _place(programme, agency, place_id: int) -> NetworkPlace:
    """One of this agency's confirmed places on one of this programme's days (anything else: not found)."""
    place = db.session.get(NetworkPlace, place_id)
    if (place is None or place.agency_id != agency.id or place.event.programme_id != programme.id
            or not place.is_confirmed):
        abort(404)
    return place


def _url(endpoints: tuple[str, ...], fallback: str, **values) -> str:
    """A link to a page another part of the site may not have yet: its own address, else the agreed one."""
    for endpoint in endpoints:
        try:
            return url_for(endpoint, **values)
        except BuildError:
            continue
    return fallback


def _links(programme, agency) -> dict:
    slug, org_id = programme.slug, agency.id
    return {
        "buy_membership": lambda year: _url(
            ("network_buy.buy_membership", "network_buy.buy_membership_page"),
            f"/network-days/{slug}/agencies/{org_id}/membership/new?year={year}", slug=slug, org_id=org_id, year=year),
        "invoice_pdf": lambda invoice: _url(
            ("billing.invoice_pdf",), f"/billing/{slug}/invoices/{invoice.id}.pdf", slug=slug, invoice_id=invoice.id),
        "credit_note_pdf": lambda note: _url(
            ("billing.credit_note_pdf",), f"/billing/{slug}/credit-notes/{note.id}.pdf", slug=slug,
            credit_note_id=note.id),
    }


def _account_page(programme, agency, champion_form=None):
    account = agency_account(programme, agency, utcnow())
    if champion_form is None:
        champion_form = ChampionForm(formdata=None)
    champion_form.offer(account.colleagues, account.champion.user_id if account.champion else None)
    return render_template("network_orders/account.html", programme=programme, agency=agency, account=account,
                           champion_form=champion_form, links=_links(programme, agency),
                           is_organiser=can_manage_programme(current_user, programme)), form_status(champion_form)


@bp.route("/network-days/<slug>/agencies/<int:org_id>", endpoint="agency_account")
def agency_account_page(slug: str, org_id: int):
    programme, agency, denied = _agency(slug, org_id)
    if denied is not None:
        return denied
    return _account_page(programme, agency)


@bp.route("/network-days/<slug>/agencies/<int:org_id>/champion", methods=["POST"])
def champion(slug: str, org_id: int):
    programme, agency, denied = _agency(slug, org_id)
    if denied is not None:
        return denied
    form = ChampionForm().offer(colleagues_of(agency))
    if form.validate_on_submit():
        person = db.session.get(User, int(form.champion.data))
        ok, _ = form.apply(lambda: name_champion(current_user, programme, agency, person))
        if ok:
            flash(f"{person.name} is now {agency.name}’s EP Champion.", "success")
            return redirect(url_for("network_account.agency_account", slug=slug, org_id=org_id) + "#ep-champion")
    return _account_page(programme, agency, champion_form=form)


def _closed_message(network_day: NetworkDay, programme) -> str | None:
    """Why the agency's admins can no longer change places on the day (the services say the same on POST)."""
    if can_manage_programme(current_user, programme) or network_day.renamable_by_agency(utcnow()):
        return None
    return (f"Places on this Network Day could be changed until {uk_datetime(network_day.rename_deadline)}. Only the "
            f"organisers can change them now: email them at {programme.contact_email}.")


def _name_page(programme, agency, network_day, form, place=None):
    return render_template("network_orders/name_place.html", programme=programme, agency=agency,
                           day=network_day, place=place, form=form,
                           closed=_closed_message(network_day, programme),
                           back=url_for("network_account.agency_account", slug=programme.slug,
                                        org_id=agency.id) + "#places"), form_status(form)


def _done(programme, agency, message: str):
    flash(message, "success")
    return redirect(url_for("network_account.agency_account", slug=programme.slug, org_id=agency.id) + "#places")


def _person_from(form: NamePlaceForm):
    person_id = form.chosen_person_id()
    return db.session.get(User, person_id) if person_id is not None else None


def _name_membership_place(programme, agency, network_day, form: NamePlaceForm):
    """The membership place nobody holds yet: to a colleague, or to anyone by email (held for them to accept if
    they have no account yet)."""
    person = _person_from(form)
    if person is None:
        return offer_membership_place(current_user, network_day, agency, form.offered_email())
    return name_place(current_user, network_day, agency, person, PlaceType.MEMBERSHIP)


@bp.route("/network-days/<slug>/agencies/<int:org_id>/days/<int:day_id>/name", methods=["GET", "POST"])
@sends_email
def name_membership_place(slug: str, org_id: int, day_id: int):
    programme, agency, denied = _agency(slug, org_id)
    if denied is not None:
        return denied
    network_day = _day(programme, day_id)
    form = NamePlaceForm().offer(colleagues_of(agency))
    if form.validate_on_submit():
        ok, place = form.apply(lambda: _name_membership_place(programme, agency, network_day, form))
        if ok:
            if place.user is None:
                return _done(programme, agency, f"The membership place is offered to {place.invited_email}. We have "
                                                "emailed them a link to accept it.")
            return _done(programme, agency, f"{place.user.name} is named on the membership place. We have emailed "
                                            "them a confirmation and a calendar invite.")
    return _name_page(programme, agency, network_day, form)


@bp.route("/network-days/<slug>/agencies/<int:org_id>/places/<int:place_id>/name", methods=["GET", "POST"])
@sends_email
def change_place(slug: str, org_id: int, place_id: int):
    """Name a held extra place, give a named or offered place to someone else, or offer it by email."""
    programme, agency, denied = _agency(slug, org_id)
    if denied is not None:
        return denied
    place = _place(programme, agency, place_id)
    form = NamePlaceForm().offer(colleagues_of(agency))
    if form.validate_on_submit():
        person = _person_from(form)
        email = person.email if person is not None else form.offered_email()
        ok, changed = form.apply(lambda: offer_place(current_user, place, email))
        if ok:
            if changed.user is not None:
                return _done(programme, agency, f"{changed.user.name} is named on the place. We have emailed them "
                                                "a confirmation and a calendar invite.")
            return _done(programme, agency, f"The place is offered to {changed.invited_email}. We have emailed "
                                            "them a link to accept it.")
    return _name_page(programme, agency, place.event, form, place=place)


@bp.route("/network-days/<slug>/agencies/<int:org_id>/places/<int:place_id>/cancel", methods=["GET", "POST"])
@sends_email
def cancel(slug: str, org_id: int, place_id: int):
    programme, agency, denied = _agency(slug, org_id)
    if denied is not None:
        return denied
    place = _place(programme, agency, place_id)
    form = CancelPlaceForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: cancel_place(current_user, place, form.reason.data or ""))
        if ok:
            return _done(programme, agency, f"The place on {place.event.title} is cancelled."
                         + (f" We have told {place.user.name}." if place.user is not None else ""))
    return render_template("network_orders/account_cancel_place.html", programme=programme, agency=agency,
                           place=place, day=place.event, form=form,
                           closed=_closed_message(place.event, programme),
                           back=url_for("network_account.agency_account", slug=slug, org_id=org_id) + "#places"), \
        form_status(form)
