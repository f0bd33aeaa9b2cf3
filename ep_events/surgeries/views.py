from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from wtforms.fields.choices import SelectChoice

from ep_events.accounts import services as accounts
from ep_events.accounts.models import Grant, Role
from ep_events.accounts.policy import (
    can_facilitate_programme,
    can_manage_programme,
    can_read_outlines,
    can_see_programme,
    staff_page,
)
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.core.inputs import page_arg
from ep_events.core.limits import sends_email
from ep_events.core.spreadsheets import csv_download
from ep_events.core.time import uk_date, uk_time, utcnow
from ep_events.extensions import db
from ep_events.programmes.models import Programme
from ep_events.surgeries import attendance, availability, booking_changes, bookings, dates, themes, waitlist
from ep_events.surgeries.forms import (
    AttendanceForm,
    BookingForm,
    ButtonForm,
    CancelBookingForm,
    CancelDateForm,
    CancelWithMessageForm,
    FacilitatorForm,
    MoveBookingForm,
    PracticeStandardsForm,
    SettingsForm,
    SurgeryDateForm,
    TeamsLinkForm,
    WaitlistForm,
)
from ep_events.surgeries.models import (
    PROGRAMME_KIND,
    THEME_LABELS,
    SessionKind,
    SlotOffer,
    SurgeryBooking,
    SurgeryDate,
    SurgeryDateStatus,
    SurgerySlot,
    SurgeryWaitlistEntry,
)
from ep_events.surgeries.settings import SETTING_FIELDS, get_settings, reminder_hours, update_settings

bp = Blueprint("surgeries", __name__)


_PROGRAMME_BY_SLUG = select(Programme).where(Programme.slug == bindparam("slug"))  # built once: every page uses it


def _programme(slug: str) -> Programme:
    programme = db.session.execute(_PROGRAMME_BY_SLUG, {"slug": slug}).scalar_one_or_none()
    if programme is None or programme.kind != PROGRAMME_KIND:
        abort(404)
    return programme


def _facilitator_only(programme: Programme):
    """Anonymous visitors sign in; people who do not facilitate this programme get 403."""
    return staff_page(can_facilitate_programme, programme)


def _organiser_only(programme: Programme):
    return staff_page(can_manage_programme, programme)


def _own_booking(booking_id: int) -> SurgeryBooking:
    """A practitioner sees only their own bookings: anyone else's is 'not found'."""
    booking = db.session.get(SurgeryBooking, booking_id)
    if booking is None or booking.user_id != current_user.id:
        abort(404)
    return booking


def _slot_label(slot: SurgerySlot) -> str:
    return f"{uk_date(slot.starts_at)}, {uk_time(slot.starts_at)} to {uk_time(slot.ends_at)}"


# --- Practitioners -----------------------------------------------------------------------------

DATES_PER_PAGE = 10
PAST_BOOKINGS_PER_PAGE = 20


def _page_number() -> int:
    """?page=N for a paged list; anything else is the first page."""
    return page_arg("page", last=9_999)


@bp.route("/surgeries/<slug>")
def programme_slots(slug: str):
    page = _page_number()
    picker = availability.slot_picker_page(slug, page, DATES_PER_PAGE, utcnow())
    if picker is None or not can_see_programme(current_user, picker.programme):
        abort(404)
    waiting = {}  # date id: the person's waiting list entry id, for "Leave the waiting list"
    person = None  # the signed-in person's own bookings ("Booked by you") and booking limit
    if current_user.is_authenticated:
        waiting = {e.surgery_date_id: e.id for e in waitlist.user_waitlist(current_user)}
        person = availability.person_on_picker(current_user, picker.programme)
    return render_template("surgeries/slots.html", programme=picker.programme, availability=picker.dates,
                           settings=picker.programme, waiting=waiting, page=page, has_later=picker.has_later,
                           person=person,
                           can_facilitate=can_facilitate_programme(current_user, picker.programme))


def _published_or_404(surgery_date: SurgeryDate) -> None:
    """A draft date, and every slot of it, is 'not found' to all but its programme's facilitators and organisers."""
    if surgery_date.status is SurgeryDateStatus.DRAFT and not can_facilitate_programme(current_user,
                                                                                       surgery_date.programme):
        abort(404)


@bp.route("/surgeries/slots/<int:slot_id>/book", methods=["GET", "POST"])
@login_required
@sends_email
def book(slot_id: int):
    slot = db.get_or_404(SurgerySlot, slot_id)
    _published_or_404(slot.surgery_date)
    programme = slot.surgery_date.programme
    if (booked := bookings.booked_slot_by(current_user, slot)) is not None:
        if request.method == "POST":  # the same booking sent twice: show the first
            return redirect(url_for("surgeries.booking_confirmed", booking_id=booked.id))
        # Back after booking, or the booking link of a slot one holds: say so, not "just been taken".
        return render_template("surgeries/book.html", slot=slot, programme=programme, booked=booked,
                               slot_label=_slot_label(slot))
    if request.method == "GET":
        try:
            bookings.check_slot_bookable(slot, utcnow())
        except DomainError as error:
            flash(str(error), "error")
            return redirect(url_for("surgeries.programme_slots", slug=programme.slug))
    if (at_limit := bookings.at_booking_limit(current_user, programme)) is not None:
        # Said before anything is typed, not as an error on the theme question after the whole form.
        return render_template("surgeries/book.html", slot=slot, programme=programme, at_limit=at_limit,
                               slot_label=_slot_label(slot)), 200 if request.method == "GET" else 409
    form = BookingForm()
    if form.validate_on_submit():
        ok, result = form.apply(lambda: bookings.book_slot(slot, current_user, form.theme.data, form.outline.data,
                                                           form.colleagues))
        if ok:
            booking, _created = result
            return redirect(url_for("surgeries.booking_confirmed", booking_id=booking.id))
    return render_template("surgeries/book.html", form=form, slot=slot, programme=programme,
                           slot_label=_slot_label(slot), theme_hints=themes.theme_hints(programme)), form_status(form)


@bp.route("/bookings/<int:booking_id>/confirmed")
@login_required
def booking_confirmed(booking_id: int):
    booking = _own_booking(booking_id)
    return render_template("surgeries/confirmed.html", booking=booking, slot_label=_slot_label(booking.slot),
                           reminder_hours=reminder_hours(booking.slot.surgery_date.programme))


@bp.route("/bookings/<int:booking_id>/invite.ics")
@login_required
def booking_invite(booking_id: int):
    booking = _own_booking(booking_id)
    if not booking.is_confirmed:
        abort(404)
    filename = f"ep-surgery-{booking.slot.surgery_date.day.isoformat()}.ics"
    return Response(bookings.booking_invite(booking), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/bookings/<int:booking_id>")
@login_required
def booking_detail(booking_id: int):
    booking = _own_booking(booking_id)
    return render_template("surgeries/booking.html", booking=booking, slot_label=_slot_label(booking.slot),
                           is_upcoming=booking.can_change(utcnow()))


def _unchangeable(booking: SurgeryBooking, page: str):
    """A cancelled or started booking's move and cancel pages say so and link back, with no form.
    A POST here changes nothing (409, so it uses none of the person's email budget)."""
    return render_template(page, booking=booking, slot_label=_slot_label(booking.slot), closed=True), \
        409 if request.method == "POST" else 200


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
@sends_email
def cancel_booking(booking_id: int):
    booking = _own_booking(booking_id)
    if not booking.can_change(utcnow()):
        return _unchangeable(booking, "surgeries/cancel.html")
    form = CancelBookingForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: booking_changes.cancel_booking(booking, current_user, form.reason.data or ""))
        if ok:
            flash("Your booking is cancelled. We have emailed you and removed it from your calendar.", "success")
            return redirect(url_for("people.my_bookings"))
    return render_template("surgeries/cancel.html", form=form, booking=booking,
                           slot_label=_slot_label(booking.slot)), form_status(form)


@bp.route("/bookings/<int:booking_id>/move", methods=["GET", "POST"])
@login_required
@sends_email
def move_booking(booking_id: int):
    booking = _own_booking(booking_id)
    if not booking.can_change(utcnow()):
        return _unchangeable(booking, "surgeries/move.html")
    movable = booking_changes.movable_slots(booking)
    form = MoveBookingForm()
    form.slot.choices = [SelectChoice(s.id, _slot_label(s)) for a in movable for s in a.free_slots]
    if form.validate_on_submit():
        new_slot = db.get_or_404(SurgerySlot, form.slot.data)
        ok, _ = form.apply(lambda: booking_changes.move_booking(booking, new_slot, current_user))
        if ok:
            flash(f"Your booking has moved to {_slot_label(booking.slot)} (UK time). "
                  "We have emailed you the updated invite.", "success")
            return redirect(url_for("surgeries.booking_detail", booking_id=booking.id))
    return render_template("surgeries/move.html", form=form, booking=booking, availability=movable,
                           slot_label=_slot_label(booking.slot)), form_status(form)


@bp.route("/surgeries/dates/<int:date_id>/waitlist", methods=["GET", "POST"])
@login_required
@sends_email
def join_waitlist(date_id: int):
    surgery_date = db.get_or_404(SurgeryDate, date_id)
    _published_or_404(surgery_date)
    dates_url = url_for("surgeries.programme_slots", slug=surgery_date.programme.slug)
    if waitlist.waitlist_entry_for(surgery_date, current_user) is not None:
        # Joining twice (or coming back to the form) says so, rather than seeming to join again.
        flash(f"You are already on the waiting list for {surgery_date.label}. If a slot frees, we will email you.")
        return redirect(dates_url)
    form = WaitlistForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: waitlist.join_waitlist(surgery_date, current_user, form.theme.data))
        if ok:
            flash(f"You are on the waiting list for {surgery_date.label}. We have emailed you to confirm, and will "
                  "email you if a slot frees.", "success")
            return redirect(dates_url)
    return render_template("surgeries/waitlist.html", form=form, surgery_date=surgery_date,
                           terms=waitlist.offer_terms(surgery_date),
                           theme_hints=themes.theme_hints(surgery_date.programme)), form_status(form)


@bp.route("/waitlist/<int:entry_id>/leave", methods=["POST"])
@login_required
@sends_email  # leaving while offered a slot passes it to the next person, who is emailed
def leave_waitlist(entry_id: int):
    entry = db.get_or_404(SurgeryWaitlistEntry, entry_id)
    if entry.user_id != current_user.id:
        abort(404)
    if ButtonForm().validate_on_submit():
        try:
            waitlist.leave_waitlist(entry, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"You have left the waiting list for {entry.surgery_date.label}.", "success")
    if request.form.get("return_to") == "dates":  # the slot picker's "Leave the waiting list"
        return redirect(url_for("surgeries.programme_slots", slug=entry.surgery_date.programme.slug))
    return redirect(url_for("people.my_bookings"))


@bp.route("/waitlist/<int:entry_id>")
@login_required
def waitlist_entry(entry_id: int):
    """From My bookings: the offer made to this waiting-list entry, or the date's slots if none is open."""
    entry = db.session.get(SurgeryWaitlistEntry, entry_id)
    if entry is None or entry.user_id != current_user.id:
        abort(404)
    offer = waitlist.open_offer_for_entry(entry)
    if offer is not None:
        return redirect(url_for("surgeries.offer", offer_id=offer.id))
    return redirect(url_for("surgeries.programme_slots", slug=entry.surgery_date.programme.slug)
                    + f"#date-{entry.surgery_date_id}")


@bp.route("/offers/<int:offer_id>", methods=["GET", "POST"])
@login_required
@sends_email  # taking the slot sends the booking confirmation
def offer(offer_id: int):
    slot_offer = db.get_or_404(SlotOffer, offer_id)
    if slot_offer.entry.user_id != current_user.id:
        abort(404)
    form = ButtonForm()
    if form.validate_on_submit():
        ok, booking = form.apply(lambda: waitlist.accept_offer(slot_offer, current_user))
        if ok:
            return redirect(url_for("surgeries.booking_confirmed", booking_id=booking.id))
    return render_template("surgeries/offer.html", form=form, offer=slot_offer, slot_label=_slot_label(slot_offer.slot),
                           now=utcnow()), form_status(form)


@bp.route("/offers/<int:offer_id>/decline", methods=["POST"])
@login_required
@sends_email  # the slot is offered to the next person at once, by email
def decline_offer(offer_id: int):
    slot_offer = db.get_or_404(SlotOffer, offer_id)
    if slot_offer.entry.user_id != current_user.id:
        abort(404)
    if ButtonForm().validate_on_submit():
        try:
            waitlist.decline_offer(slot_offer, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("surgeries.offer", offer_id=slot_offer.id))
        db.session.commit()
        flash("You said no thanks, so the slot goes to the next person waiting. You have left the waiting list "
              f"for {slot_offer.slot.surgery_date.label}.", "success")
    return redirect(url_for("people.my_bookings"))


# --- Facilitators ------------------------------------------------------------------------------

DATE_LISTS = {"upcoming": "Upcoming", "past": "Past", "cancelled": "Cancelled"}


@bp.route("/surgeries/<slug>/manage")
def manage(slug: str):
    programme = _programme(slug)
    if (denied := _facilitator_only(programme)) is not None:
        return denied
    show = request.args.get("show", "upcoming")
    if show not in DATE_LISTS:
        show = "upcoming"
    lists = dates.managed_dates(programme, utcnow())
    shown = getattr(lists, show)
    return render_template("surgeries/manage.html", programme=programme, dates=shown, show=show, lists=lists,
                           date_lists=DATE_LISTS, counts=dates.booking_counts(shown),
                           can_manage=can_manage_programme(current_user, programme))


@bp.route("/surgeries/<slug>/manage/dates/new", methods=["GET", "POST"])
def new_date(slug: str):
    programme = _programme(slug)
    if (denied := _facilitator_only(programme)) is not None:
        return denied
    form = SurgeryDateForm()
    settings = get_settings(programme)
    if form.validate_on_submit():
        starts, ends = form.window()
        ok, surgery_date = form.apply(lambda: dates.create_surgery_date(
            current_user, programme, form.day.data, SessionKind(form.session.data), starts, ends,
            allow_non_working_day=form.confirm_day.data,
            practice_standards=(*(form.practice_standards.data or ()), *(form.practice_substandards.data or ()))))
        if ok:
            flash("Slots generated. Check them, remove any you do not want, then publish the date.", "success")
            return redirect(url_for("surgeries.manage_date", date_id=surgery_date.id))
    return render_template("surgeries/new_date.html", form=form, programme=programme, settings=settings), \
        form_status(form)


def _date_for_facilitator(date_id: int):
    surgery_date = db.get_or_404(SurgeryDate, date_id)
    return surgery_date, _facilitator_only(surgery_date.programme)


@bp.route("/surgeries/manage/dates/<int:date_id>", methods=["GET"])
def manage_date(date_id: int, teams_form=None, attendance_form=None, status=200):
    surgery_date, denied = _date_for_facilitator(date_id)
    if denied is not None:
        return denied
    by_slot = {b.slot_id: b for b in bookings.confirmed_bookings_for_date(surgery_date)}
    teams_form = teams_form or TeamsLinkForm(data={"teams_url": surgery_date.teams_url})
    due = attendance.attendance_due(surgery_date, utcnow())
    attendance_form = attendance_form or AttendanceForm.for_bookings(due, formdata=None)
    return render_template("surgeries/manage_date.html", surgery_date=surgery_date, bookings=by_slot,
                           teams_form=teams_form, form=attendance_form if attendance_form.errors else teams_form,
                           attendance_form=attendance_form, attendance_opens_at=attendance.attendance_opens_at(
                               surgery_date), now=utcnow(), slot_label=_slot_label,
                           can_read_outlines=can_read_outlines(current_user, surgery_date.programme),
                           waitlist=waitlist.waitlist_for_date(surgery_date)), status


def _facilitator_action(date_id: int, action, success: str):
    surgery_date, denied = _date_for_facilitator(date_id)
    if denied is not None:
        return denied
    if ButtonForm().validate_on_submit():
        try:
            action(surgery_date)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(success, "success")
    return redirect(url_for("surgeries.manage_date", date_id=surgery_date.id))


@bp.route("/surgeries/manage/dates/<int:date_id>/publish", methods=["POST"])
def publish_date(date_id: int):
    def publish(surgery_date):
        problem = dates.publish_surgery_date(current_user, surgery_date)
        if problem:
            flash(f"{problem} The organiser has been emailed.", "error")

    return _facilitator_action(date_id, publish, "The date is published: practitioners can now book its slots.")


@bp.route("/surgeries/manage/dates/<int:date_id>/teams", methods=["POST"])
def set_teams_link(date_id: int):
    surgery_date, denied = _date_for_facilitator(date_id)
    if denied is not None:
        return denied
    form = TeamsLinkForm()
    if form.validate_on_submit():
        ok, sent = form.apply(lambda: dates.set_teams_url(current_user, surgery_date, form.teams_url.data))
        if ok:
            flash("Joining link saved." + (f" {sent} booked {'person has' if sent == 1 else 'people have'} been "
                                           "sent the updated invite." if sent else ""), "success")
            return redirect(url_for("surgeries.manage_date", date_id=surgery_date.id))
    return manage_date(date_id, teams_form=form, status=400)


@bp.route("/surgeries/manage/dates/<int:date_id>/standards", methods=["GET", "POST"])
def date_standards(date_id: int):
    surgery_date, denied = _date_for_facilitator(date_id)
    if denied is not None:
        return denied
    form = PracticeStandardsForm() if request.method == "POST" else PracticeStandardsForm.showing(
        surgery_date.practice_standards or ())
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: dates.set_date_standards(current_user, surgery_date, form.codes()))
        if ok:
            flash("Practice standards saved.", "success")
            return redirect(url_for("surgeries.manage_date", date_id=surgery_date.id))
    return render_template("surgeries/standards.html", form=form, programme=surgery_date.programme,
                           heading=f"Practice standards of {surgery_date.label}",
                           back_url=url_for("surgeries.manage_date", date_id=surgery_date.id),
                           back_text=f"Back to {surgery_date.label}",
                           hint="The standards this surgery date helps practitioners with. They show on the public "
                                "listings and are added to the CPD drafts of the people who attend."), \
        form_status(form)


@bp.route("/surgeries/manage/dates/<int:date_id>/delete", methods=["POST"])
def delete_date(date_id: int):
    surgery_date, denied = _date_for_facilitator(date_id)
    if denied is not None:
        return denied
    if ButtonForm().validate_on_submit():
        programme, label = surgery_date.programme, surgery_date.label
        try:
            dates.delete_draft_date(current_user, surgery_date)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("surgeries.manage_date", date_id=date_id))
        db.session.commit()
        flash(f"The draft {label} is deleted.", "success")
        return redirect(url_for("surgeries.manage", slug=programme.slug))
    return redirect(url_for("surgeries.manage_date", date_id=date_id))


@bp.route("/surgeries/manage/dates/<int:date_id>/attendance", methods=["POST"])
def save_attendance(date_id: int):
    surgery_date, denied = _date_for_facilitator(date_id)
    if denied is not None:
        return denied
    form = AttendanceForm.for_bookings(attendance.attendance_due(surgery_date, utcnow()))
    if form.validate_on_submit():
        ok, saved = form.apply(lambda: attendance.record_attendance(current_user, surgery_date, form.marks()))
        if ok:
            flash(f"Attendance saved for {saved} {'person' if saved == 1 else 'people'}.", "success")
            return redirect(url_for("surgeries.manage_date", date_id=date_id) + "#attendance")
    return manage_date(date_id, attendance_form=form, status=400)


@bp.route("/surgeries/manage/dates/<int:date_id>/cancel", methods=["GET", "POST"])
def cancel_date(date_id: int):
    surgery_date, denied = _date_for_facilitator(date_id)
    if denied is not None:
        return denied
    booked = sum(1 for b in bookings.confirmed_bookings_for_date(surgery_date) if b.user is not None)
    # With nobody booked there is nobody to write to: the page is a plain confirmation.
    form = CancelWithMessageForm() if booked else CancelDateForm()
    if form.validate_on_submit():
        message = form.message.data if booked else ""
        ok, count = form.apply(lambda: dates.facilitator_cancel_date(current_user, surgery_date, message))
        if ok:
            flash(f"The date is cancelled. {count} booked {'person was' if count == 1 else 'people were'} told.",
                  "success")
            return redirect(url_for("surgeries.manage_date", date_id=surgery_date.id))
    return render_template("surgeries/cancel_date.html", form=form, surgery_date=surgery_date,
                           booked=booked), form_status(form)


@bp.route("/surgeries/manage/dates/<int:date_id>/bookings.csv")
def bookings_csv(date_id: int):
    surgery_date, denied = _date_for_facilitator(date_id)
    if denied is not None:
        return denied
    if surgery_date.status.value == "draft":
        abort(404)  # a draft takes no bookings: there is no list to download
    filename = f"surgery-{surgery_date.day.isoformat()}-{surgery_date.session.value}-bookings.csv"
    return csv_download(filename, attendance.bookings_csv(surgery_date))


def _slot_for_facilitator(slot_id: int):
    slot = db.get_or_404(SurgerySlot, slot_id)
    return slot, _facilitator_only(slot.surgery_date.programme)


@bp.route("/surgeries/manage/slots/<int:slot_id>/remove", methods=["POST"])
def remove_slot(slot_id: int):
    slot, denied = _slot_for_facilitator(slot_id)
    if denied is not None:
        return denied
    return _facilitator_action(slot.surgery_date_id, lambda d: dates.remove_slot(current_user, slot),
                               f"Slot {_slot_label(slot)} removed.")


@bp.route("/surgeries/manage/slots/<int:slot_id>/reopen", methods=["POST"])
def reopen_slot(slot_id: int):
    slot, denied = _slot_for_facilitator(slot_id)
    if denied is not None:
        return denied
    return _facilitator_action(slot.surgery_date_id, lambda d: dates.reopen_slot(current_user, slot),
                               f"Slot {_slot_label(slot)} is open again.")


@bp.route("/surgeries/manage/slots/<int:slot_id>/cancel", methods=["GET", "POST"])
def cancel_slot(slot_id: int):
    slot, denied = _slot_for_facilitator(slot_id)
    if denied is not None:
        return denied
    form = CancelWithMessageForm()
    booking = availability.booking_for_slot(slot)
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: dates.facilitator_cancel_slot(current_user, slot, form.message.data))
        if ok:
            flash(f"Slot {_slot_label(slot)} cancelled." + (" The person booked has been told." if booking else ""),
                  "success")
            return redirect(url_for("surgeries.manage_date", date_id=slot.surgery_date_id))
    return render_template("surgeries/cancel_slot.html", form=form, slot=slot, booking=booking,
                           slot_label=_slot_label(slot)), form_status(form)


# --- Organisers --------------------------------------------------------------------------------

def _settings_data(current) -> dict:
    """The saved settings as the form shows them: times as 9:30am, reminders as '24, 1'."""
    data = {k: getattr(current, k) for k in SETTING_FIELDS}
    for key in ("am_starts", "am_ends", "pm_starts", "pm_ends"):
        data[key] = SettingsForm.shown_time(data[key])
    data["reminder_hours"] = ", ".join(str(h) for h in current.reminder_hours)
    return data


def _themes(programme) -> list[tuple[str, str, tuple[str, ...]]]:
    """(key, words, codes) of every theme, for the settings page's table."""
    tagged = themes.theme_standards(programme)
    return [(key, words, tagged.get(key, ())) for key, words in THEME_LABELS.items()]


@bp.route("/surgeries/<slug>/settings", methods=["GET", "POST"])
def settings(slug: str):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    current = get_settings(programme)
    form = SettingsForm(data=_settings_data(current) if request.method == "GET" else None)
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: update_settings(current_user, programme, **form.values()))
        if ok:
            flash("Surgery settings saved.", "success")
            return redirect(url_for("surgeries.settings", slug=slug))
    return render_template("surgeries/settings.html", form=form, programme=programme,
                           facilitator_form=FacilitatorForm(formdata=None),
                           facilitators=dates.facilitator_grants(programme), themes=_themes(programme)), \
        form_status(form)


@bp.route("/surgeries/<slug>/settings/themes/<theme>", methods=["GET", "POST"])
def theme_standards(slug: str, theme: str):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    if theme not in THEME_LABELS:
        abort(404)
    form = PracticeStandardsForm() if request.method == "POST" else PracticeStandardsForm.showing(
        themes.theme_standards(programme).get(theme, ()))
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: themes.set_theme_standards(current_user, programme, theme, form.codes()))
        if ok:
            flash(f"Practice standards saved for “{THEME_LABELS[theme]}”.", "success")
            return redirect(url_for("surgeries.settings", slug=slug) + "#themes")
    return render_template("surgeries/standards.html", form=form, programme=programme,
                           heading="Practice standards of a theme", quoted=THEME_LABELS[theme],
                           back_url=url_for("surgeries.settings", slug=slug) + "#themes",
                           back_text="Back to surgery settings",
                           hint="People choosing this theme when they book see these standards, and they are added "
                                "to their CPD draft after the surgery."), form_status(form)


@bp.route("/surgeries/<slug>/facilitators", methods=["POST"])
def add_facilitator(slug: str):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    form = FacilitatorForm()
    if form.validate_on_submit():
        person = accounts.get_user_by_email(form.email.data)
        ok, _ = form.apply(lambda: dates.add_facilitator(current_user, programme, person))
        if ok:
            flash(f"{person.name} is now a facilitator of {programme.name}.", "success")
            return redirect(url_for("surgeries.settings", slug=slug))
    current = get_settings(programme)
    settings_form = SettingsForm(formdata=None, data=_settings_data(current))
    return render_template("surgeries/settings.html", form=settings_form, programme=programme,
                           facilitator_form=form, facilitators=dates.facilitator_grants(programme),
                           themes=_themes(programme)), 400


@bp.route("/surgeries/<slug>/facilitators/<int:grant_id>/remove", methods=["POST"])
def remove_facilitator(slug: str, grant_id: int):
    programme = _programme(slug)
    if (denied := _organiser_only(programme)) is not None:
        return denied
    grant = db.get_or_404(Grant, grant_id)
    if grant.programme_id != programme.id or grant.role is not Role.FACILITATOR:
        abort(404)
    if ButtonForm().validate_on_submit():
        name = grant.user.name
        accounts.revoke_grant(current_user, grant)
        db.session.commit()
        flash(f"{name} is no longer a facilitator of {programme.name}.", "success")
    return redirect(url_for("surgeries.settings", slug=slug))
