"""Network Day pages: the public list of a programme's days, a named person's own place, and the organisers'
pages to create, edit, publish and cancel days, see who holds each day's places and mark attendance."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ep_events.accounts.policy import can_manage_programme, can_see_programme, staff_page
from ep_events.accounts.services import normalise_email
from ep_events.bookings.models import EventStatus
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.core.inputs import page_arg, text_arg
from ep_events.core.limits import sends_email
from ep_events.core.spreadsheets import csv_download
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db, limiter
from ep_events.network_days import attendance, emails, enquiries
from ep_events.network_days.capacity import listed_free_places, places_taken
from ep_events.network_days.days import (
    cancel_day,
    confirmed_places,
    create_day,
    managed_days,
    publish_day,
    upcoming_days,
    update_day,
)
from ep_events.network_days.forms import (
    AcceptPlaceForm,
    CancelDayForm,
    DayAttendanceForm,
    MarkEnquiryAnsweredForm,
    NetworkDayForm,
    PublishDayForm,
    TrainingEnquiryForm,
)
from ep_events.network_days.memberships import membership_year_label, membership_year_of
from ep_events.network_days.models import PROGRAMME_KIND, NetworkDay, NetworkPlace, TrainingEnquiry
from ep_events.network_days.places import accept_offered_place
from ep_events.network_days.roster import attendees_csv, day_roster, unnamed_label
from ep_events.notifications.calendar import build_download
from ep_events.programmes.models import Programme

bp = Blueprint("network_days", __name__)


def _programme(slug: str) -> Programme:
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None or programme.kind != PROGRAMME_KIND or not can_see_programme(current_user, programme):
        abort(404)
    return programme


def _own_place(place_id: int) -> NetworkPlace:
    """Only the named person sees their place: anyone else's is 'not found'."""
    place = db.session.get(NetworkPlace, place_id)
    if place is None or place.user_id != current_user.id:
        abort(404)
    return place


@bp.route("/network-days/<slug>")
def programme_days(slug: str):
    programme = _programme(slug)
    days = upcoming_days(programme, utcnow())
    return render_template("network_days/days.html", programme=programme, days=days, left=listed_free_places(days),
                           years={d.id: membership_year_label(membership_year_of(d), programme) for d in days},
                           can_manage=can_manage_programme(current_user, programme))


@bp.route("/network-days/places/<int:place_id>")
@login_required
def place_detail(place_id: int):
    place = _own_place(place_id)
    return render_template("network_days/place.html", place=place, day=place.event,
                           is_upcoming=place.is_confirmed and place.event.starts_at > utcnow())


@bp.route("/network-days/places/<int:place_id>/invite.ics")
@login_required
def place_invite(place_id: int):
    place = _own_place(place_id)
    if not place.is_confirmed:
        abort(404)
    filename = f"network-day-{place.starts_at:%Y-%m-%d}.ics"
    return Response(build_download(emails.calendar_event(place)), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _offer_to_me(place_id: int) -> NetworkPlace:
    """A place offered by email, seen only by someone signed in with that address (anyone else: not found)."""
    place = db.session.get(NetworkPlace, place_id)
    if (place is None or place.invited_email is None or place.user_id is not None or not place.is_confirmed
            or normalise_email(current_user.email) != place.invited_email):
        abort(404)
    return place


@bp.route("/network-days/offers/<int:place_id>", methods=["GET", "POST"])
@login_required
def place_offer(place_id: int):
    place = _offer_to_me(place_id)
    form = AcceptPlaceForm()
    if form.validate_on_submit():
        try:
            accept_offered_place(current_user, place)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("people.my_bookings"))
        db.session.commit()
        flash("You have accepted the place. We have emailed you a confirmation and a calendar invite.")
        return redirect(url_for("network_days.place_detail", place_id=place.id))
    return render_template("network_days/place_offer.html", place=place, day=place.event, form=form)


# --- Organisers --------------------------------------------------------------------------------

def _organiser_only(programme: Programme):
    """Anonymous visitors sign in; people who do not organise this programme get 403 (as for surgeries)."""
    return staff_page(can_manage_programme, programme)


def _managed_programme(slug: str) -> Programme:
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None or programme.kind != PROGRAMME_KIND:
        abort(404)
    return programme


@bp.route("/network-days/<slug>/manage")
def manage(slug: str):
    programme = _managed_programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    days = managed_days(programme, utcnow())
    return render_template("network_days/manage.html", programme=programme, days=days,
                           taken=places_taken(days.upcoming + days.past))


@bp.route("/network-days/<slug>/manage/days/new", methods=["GET", "POST"])
def new_day(slug: str):
    programme = _managed_programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    form = NetworkDayForm()
    if form.validate_on_submit():
        ok, network_day = form.apply(lambda: create_day(current_user, programme, form.details()))
        if ok:
            flash("The Network Day is saved as a draft. Check it, then publish it.", "success")
            return redirect(url_for("network_days.edit_day", day_id=network_day.id))
    return render_template("network_days/day_form.html", form=form, programme=programme, network_day=None), \
        form_status(form)


def _day_for_organiser(day_id: int):
    network_day = db.get_or_404(NetworkDay, day_id)
    return network_day, _organiser_only(network_day.programme)


@bp.route("/network-days/manage/days/<int:day_id>", methods=["GET", "POST"])
def edit_day(day_id: int):
    network_day, denied = _day_for_organiser(day_id)
    if denied is not None:
        return denied
    form = NetworkDayForm() if request.method == "POST" else NetworkDayForm.for_day(network_day)
    if network_day.status is not EventStatus.CANCELLED and form.validate_on_submit():
        ok, saved = form.apply(lambda: update_day(current_user, network_day, form.details()))
        if ok:
            told = saved.told
            flash("The Network Day is saved." + (f" {told} named {'person has' if told == 1 else 'people have'} "
                                                 "been sent the updated invite." if told else "")
                  + (f" Places were offered to {saved.offers} agenc{'y' if saved.offers == 1 else 'ies'} on the "
                     "waiting list." if saved.offers else ""), "success")
            if saved.outside_membership:
                flash("This day is now in the membership year "
                      f"{membership_year_label(membership_year_of(network_day), network_day.programme)}. These "
                      "agencies hold membership places on it but are not members for that year: "
                      + ", ".join(saved.outside_membership) + ". Their places are kept: check with them.", "error")
            return redirect(url_for("network_days.edit_day", day_id=network_day.id))
    return render_template("network_days/day_form.html", form=form, programme=network_day.programme,
                           network_day=network_day, taken=len(confirmed_places(network_day)),
                           has_ended=network_day.ends_at <= utcnow()), \
        form_status(form)


@bp.route("/network-days/manage/days/<int:day_id>/publish", methods=["POST"])
def publish(day_id: int):
    network_day, denied = _day_for_organiser(day_id)
    if denied is not None:
        return denied
    if PublishDayForm().validate_on_submit():
        try:
            publish_day(current_user, network_day)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("The Network Day is published: it shows on the Network Days page and agencies can name places.",
                  "success")
    return redirect(url_for("network_days.edit_day", day_id=day_id))


@bp.route("/network-days/manage/days/<int:day_id>/cancel", methods=["GET", "POST"])
def cancel(day_id: int):
    network_day, denied = _day_for_organiser(day_id)
    if denied is not None:
        return denied
    if network_day.status is EventStatus.CANCELLED or network_day.ends_at <= utcnow():
        return redirect(url_for("network_days.edit_day", day_id=day_id))
    named = sum(1 for place in confirmed_places(network_day) if place.user is not None)
    form = CancelDayForm()
    if form.validate_on_submit():
        ok, told = form.apply(lambda: cancel_day(current_user, network_day, form.message.data or ""))
        if ok:
            flash(f"The Network Day is cancelled. {told} named {'person was' if told == 1 else 'people were'} told.",
                  "success")
            return redirect(url_for("network_days.manage", slug=network_day.programme.slug))
    return render_template("network_days/cancel_day.html", form=form, network_day=network_day, named=named), \
        form_status(form)


@bp.route("/network-days/manage/days/<int:day_id>/places")
def day_places(day_id: int, attendance_form=None, status=200):
    network_day, denied = _day_for_organiser(day_id)
    if denied is not None:
        return denied
    now = utcnow()
    attendance_form = attendance_form or DayAttendanceForm.for_places(
        network_day, attendance.attendance_due(network_day, now), formdata=None)
    return render_template("network_days/day_places.html", network_day=network_day, programme=network_day.programme,
                           roster=day_roster(network_day), unnamed=unnamed_label(network_day, now),
                           form=attendance_form, attendance_open=attendance.attendance_open(network_day, now),
                           day_minutes=attendance.day_minutes(network_day)), status


@bp.route("/network-days/manage/days/<int:day_id>/attendance", methods=["POST"])
def save_attendance(day_id: int):
    network_day, denied = _day_for_organiser(day_id)
    if denied is not None:
        return denied
    form = DayAttendanceForm.for_places(network_day, attendance.attendance_due(network_day, utcnow()))
    if form.validate_on_submit():
        ok, saved = form.apply(lambda: attendance.record_attendance(current_user, network_day, form.marks()))
        if ok:
            flash(f"Attendance saved for {saved} {'person' if saved == 1 else 'people'}.", "success")
            return redirect(url_for("network_days.day_places", day_id=day_id) + "#attendance")
    return day_places(day_id, attendance_form=form, status=400)


@bp.route("/network-days/manage/days/<int:day_id>/attendees.csv")
def attendees(day_id: int):
    network_day, denied = _day_for_organiser(day_id)
    if denied is not None:
        return denied
    filename = f"network-day-{network_day.starts_at.astimezone(UK):%Y-%m-%d}-attendees.csv"
    return csv_download(filename, attendees_csv(network_day))


# --- Bespoke-training enquiries ----------------------------------------------------------------
# Anyone may send one (no account); only the programme's organisers and site admins read them.

def _enquiry_address_key() -> str:
    return "enquiry:" + (request.form.get("email") or "").strip().lower()


def _enquiry_sent(response) -> bool:
    """Only an enquiry that was stored (and so emailed) uses up the budget; a form with mistakes does not."""
    return response.status_code < 400


@bp.route("/network-days/<slug>/enquiry", methods=["GET", "POST"])
@sends_email
@limiter.limit(lambda: current_app.config["ENQUIRY_LIMIT_PER_IP"], methods=["POST"], deduct_when=_enquiry_sent)
@limiter.limit(lambda: current_app.config["ENQUIRY_LIMIT_PER_ADDRESS"], key_func=_enquiry_address_key,
               methods=["POST"], deduct_when=_enquiry_sent)
def enquiry_form(slug: str):
    programme = _programme(slug)
    form = TrainingEnquiryForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: enquiries.send_enquiry(programme, enquiries.EnquiryDetails(**form.details())))
        if ok:
            return redirect(url_for("network_days.enquiry_sent", slug=programme.slug))
    return render_template("network_days/enquiry_form.html", form=form, programme=programme,
                           limits={"training": enquiries.TRAINING_MAX, "audience": enquiries.AUDIENCE_MAX}), \
        form_status(form)


@bp.route("/network-days/<slug>/enquiry/sent")
def enquiry_sent(slug: str):
    return render_template("network_days/enquiry_sent.html", programme=_programme(slug))


@bp.route("/network-days/<slug>/manage/enquiries")
def enquiry_list(slug: str):
    programme = _managed_programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    show = text_arg("show", max_length=20)
    show = show if show in enquiries.LISTS else "unanswered"
    return render_template("network_days/enquiry_list.html", programme=programme, show=show, lists=enquiries.LISTS,
                           listing=enquiries.programme_enquiries(programme, show, page_arg()))


def _enquiry_for_organiser(enquiry_id: int):
    enquiry = db.get_or_404(TrainingEnquiry, enquiry_id)
    return enquiry, _organiser_only(enquiry.programme)


@bp.route("/network-days/manage/enquiries/<int:enquiry_id>")
def enquiry_detail(enquiry_id: int):
    enquiry, denied = _enquiry_for_organiser(enquiry_id)
    if denied is not None:
        return denied
    return render_template("network_days/enquiry_detail.html", enquiry=enquiry, programme=enquiry.programme,
                           form=MarkEnquiryAnsweredForm())


@bp.route("/network-days/manage/enquiries/<int:enquiry_id>/answered", methods=["POST"])
def mark_enquiry_answered(enquiry_id: int):
    enquiry, denied = _enquiry_for_organiser(enquiry_id)
    if denied is not None:
        return denied
    form = MarkEnquiryAnsweredForm()
    if form.validate_on_submit():
        ok, changed = form.apply(lambda: enquiries.mark_answered(current_user, enquiry))
        if ok:
            flash(f"Enquiry {enquiry.reference} from {enquiry.organisation_name} is marked as answered."
                  if changed else "This enquiry was already marked as answered.", "success")
    return redirect(url_for("network_days.enquiry_detail", enquiry_id=enquiry.id))
