"""Workshop pages: the public list of a programme's workshops, a workshop's page (register, join the waiting
list, cancel my place), the person's own registration and waiting-list offer, and the organisers' pages to
create, edit, publish and cancel workshops."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ep_events.accounts.policy import can_facilitate_programme, can_manage_programme, staff_page
from ep_events.bookings.models import EventStatus, WaitlistStatus
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.core.inputs import page_arg
from ep_events.core.limits import sends_email
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db
from ep_events.notifications.calendar import build_download
from ep_events.programmes.models import Programme
from ep_events.workshops import emails, registrations, waitlist
from ep_events.workshops.announcements import check_announceable
from ep_events.workshops.capacity import places_left_for, places_taken, registration_for
from ep_events.workshops.forms import ButtonForm, CancelWorkshopForm, WorkshopForm
from ep_events.workshops.models import PROGRAMME_KIND, Workshop, WorkshopRegistration, WorkshopWaitlistEntry
from ep_events.workshops.workshops import (
    cancel_workshop,
    confirmed_registrations,
    create_workshop,
    managed_workshops,
    past_workshops,
    publish_workshop,
    upcoming_workshops,
    update_workshop,
)

bp = Blueprint("workshops", __name__)

WORKSHOPS_PER_PAGE = 10  # on the public list of a programme's workshops

# The pages after a workshop (resources, feedback, attendance) and announcing it live in other modules of
# this package; they are linked only where their blueprints are registered.
AFTER_ENDPOINTS = {"resources": "workshop_after.resources", "feedback": "workshop_after.feedback"}
ANNOUNCE_ENDPOINT = "workshop_announce.compose"
STAFF_ENDPOINTS = (("Announce it to the invitation list", ANNOUNCE_ENDPOINT),
                   ("Resources: slides, handouts and links", "workshop_after.resources"),
                   ("Attendance", "workshop_after.attendance"),
                   ("Feedback", "workshop_after.feedback_summary"))


def _programme(slug: str) -> Programme:
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None or programme.kind != PROGRAMME_KIND:
        abort(404)
    if not (programme.is_published or can_manage_programme(current_user, programme)):
        abort(404)
    return programme


def _visible_workshop(slug: str, workshop_id: int) -> Workshop:
    """A published or cancelled workshop of the programme; a draft only to its organisers and facilitators."""
    programme = _programme(slug)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.programme_id != programme.id:
        abort(404)
    if workshop.status is EventStatus.DRAFT and not can_facilitate_programme(current_user, programme):
        abort(404)
    return workshop


def _after_links(workshop: Workshop, registration) -> list[tuple[str, str]]:
    """Links to the resources and feedback pages once the workshop has ended, for registrants and staff."""
    if workshop.ends_at > utcnow() or not current_user.is_authenticated:
        return []
    if registration is None and not can_facilitate_programme(current_user, workshop.programme):
        return []
    labels = {"resources": "Slides, handouts and links", "feedback": "Give your feedback"}
    return [(labels[key], url_for(endpoint, workshop_id=workshop.id))
            for key, endpoint in AFTER_ENDPOINTS.items() if endpoint in current_app.view_functions]


@bp.route("/workshops/<slug>")
def programme_workshops(slug: str):
    programme = _programme(slug)
    now = utcnow()
    page = page_arg("page", last=9_999)
    # A page of the workshops to come (a year's programme is a hundred): one more read says whether there are later.
    workshops = upcoming_workshops(programme, now, limit=WORKSHOPS_PER_PAGE + 1,
                                   offset=(page - 1) * WORKSHOPS_PER_PAGE)
    has_later, workshops = len(workshops) > WORKSHOPS_PER_PAGE, workshops[:WORKSHOPS_PER_PAGE]
    return render_template("workshops/list.html", programme=programme, workshops=workshops,
                           left=places_left_for(workshops), now=now, page=page, has_later=has_later,
                           past=past_workshops(programme, now, limit=5) if page == 1 else [],
                           can_manage=can_facilitate_programme(current_user, programme))


@bp.route("/workshops/<slug>/<int:workshop_id>")
def workshop_page(slug: str, workshop_id: int):
    workshop = _visible_workshop(slug, workshop_id)
    now = utcnow()
    registration = entry = None
    if current_user.is_authenticated:
        registration = registration_for(workshop, current_user)
        entry = waitlist.active_entry(workshop, current_user)
    return render_template("workshops/workshop.html", workshop=workshop, programme=workshop.programme, now=now,
                           left=places_left_for([workshop])[workshop.id], registration=registration, entry=entry,
                           after_links=_after_links(workshop, registration), form=ButtonForm(),
                           can_manage=can_facilitate_programme(current_user, workshop.programme))


def _back_to(workshop: Workshop):
    return redirect(url_for("workshops.workshop_page", slug=workshop.programme.slug, workshop_id=workshop.id))


@bp.route("/workshops/<slug>/<int:workshop_id>/register", methods=["POST"])
@login_required
@sends_email
def register(slug: str, workshop_id: int):
    workshop = _visible_workshop(slug, workshop_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        registration = registrations.register(workshop, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back_to(workshop)
    db.session.commit()
    flash("You are registered. We have emailed you a confirmation with the Microsoft Teams link and a calendar "
          "invite.", "success")
    return redirect(url_for("workshops.registration_detail", registration_id=registration.id))


@bp.route("/workshops/<slug>/<int:workshop_id>/waitlist", methods=["POST"])
@login_required
@sends_email
def join_waitlist(slug: str, workshop_id: int):
    workshop = _visible_workshop(slug, workshop_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        waitlist.join_waitlist(workshop, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("You are on the waiting list. We have emailed you to confirm, and will email you if a place frees.",
              "success")
    return _back_to(workshop)


def _own_registration(registration_id: int) -> WorkshopRegistration:
    """Only the person registered sees their registration: anyone else's is 'not found'."""
    registration = db.session.get(WorkshopRegistration, registration_id)
    if registration is None or registration.user_id is None or registration.user_id != current_user.id:
        abort(404)
    return registration


@bp.route("/workshops/registrations/<int:registration_id>")
@login_required
def registration_detail(registration_id: int):
    registration = _own_registration(registration_id)
    workshop = registration.event
    return render_template("workshops/registration.html", registration=registration, workshop=workshop,
                           programme=workshop.programme, form=ButtonForm(),
                           is_upcoming=registration.is_confirmed and workshop.starts_at > utcnow(),
                           after_links=_after_links(workshop, registration if registration.is_confirmed else None))


@bp.route("/workshops/registrations/<int:registration_id>/invite.ics")
@login_required
def registration_invite(registration_id: int):
    registration = _own_registration(registration_id)
    if not registration.is_confirmed:
        abort(404)
    filename = f"workshop-{registration.starts_at.astimezone(UK):%Y-%m-%d}.ics"
    return Response(build_download(emails.calendar_event(registration)), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/workshops/registrations/<int:registration_id>/cancel", methods=["POST"])
@login_required
@sends_email  # the invite is cancelled by email, and a freed place is offered to the next person
def cancel_registration(registration_id: int):
    registration = _own_registration(registration_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        registrations.cancel_registration(registration, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Your place on {registration.event.title} is cancelled. We have emailed you to remove it from "
              "your calendar.", "success")
    if request.form.get("return_to") == "registration":
        return redirect(url_for("workshops.registration_detail", registration_id=registration.id))
    return _back_to(registration.event)


def _own_entry(entry_id: int) -> WorkshopWaitlistEntry:
    entry = db.session.get(WorkshopWaitlistEntry, entry_id)
    if entry is None or entry.user_id is None or entry.user_id != current_user.id:
        abort(404)
    return entry


@bp.route("/workshops/waitlist/<int:entry_id>")
@login_required
def waitlist_entry(entry_id: int):
    """From My bookings: the place offered to this entry, or the workshop's page if none is."""
    entry = _own_entry(entry_id)
    if entry.status is WaitlistStatus.OFFERED:
        return redirect(url_for("workshops.offer", entry_id=entry.id))
    return _back_to(entry.event)


@bp.route("/workshops/waitlist/<int:entry_id>/leave", methods=["POST"])
@login_required
@sends_email  # leaving while offered a place passes it to the next person, who is emailed
def leave_waitlist(entry_id: int):
    entry = _own_entry(entry_id)
    if ButtonForm().validate_on_submit():
        try:
            waitlist.leave_waitlist(entry, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"You have left the waiting list for {entry.event.title}.", "success")
    if request.form.get("return_to") == "workshop":
        return _back_to(entry.event)
    return redirect(url_for("people.my_bookings"))


@bp.route("/workshops/offers/<int:entry_id>", methods=["GET", "POST"])
@login_required
@sends_email  # taking the place sends the confirmation and invite
def offer(entry_id: int):
    entry = _own_entry(entry_id)
    form = ButtonForm()
    if form.validate_on_submit():
        ok, registration = form.apply(lambda: waitlist.accept_offer(entry, current_user))
        if ok:
            flash("You have taken the place. We have emailed you a confirmation with the Microsoft Teams link and "
                  "a calendar invite.", "success")
            return redirect(url_for("workshops.registration_detail", registration_id=registration.id))
    now = utcnow()
    return render_template("workshops/offer.html", entry=entry, workshop=entry.event, form=form,
                           is_open=entry.status is WaitlistStatus.OFFERED and entry.offer_expires_at > now), \
        form_status(form)


@bp.route("/workshops/offers/<int:entry_id>/decline", methods=["POST"])
@login_required
@sends_email  # the place is offered to the next person at once, by email
def decline_offer(entry_id: int):
    entry = _own_entry(entry_id)
    if ButtonForm().validate_on_submit():
        try:
            waitlist.decline_offer(entry, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("workshops.offer", entry_id=entry.id))
        db.session.commit()
        flash(f"You said no thanks, so the place goes to the next person waiting. You have left the waiting list "
              f"for {entry.event.title}.", "success")
    return redirect(url_for("people.my_bookings"))


# --- Organisers and facilitators ---------------------------------------------------------------

def _managed_programme(slug: str) -> Programme:
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None or programme.kind != PROGRAMME_KIND:
        abort(404)
    return programme


def _workshop_for_staff(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    return workshop, staff_page(can_facilitate_programme, workshop.programme)


@bp.route("/workshops/<slug>/manage")
def manage(slug: str):
    programme = _managed_programme(slug)
    if (denied := staff_page(can_facilitate_programme, programme)) is not None:
        return denied
    workshops = managed_workshops(programme, utcnow())
    return render_template("workshops/manage.html", programme=programme, workshops=workshops,
                           taken=places_taken(workshops.upcoming + workshops.past),
                           can_organise=can_manage_programme(current_user, programme))


@bp.route("/workshops/<slug>/manage/new", methods=["GET", "POST"])
def new_workshop(slug: str):
    programme = _managed_programme(slug)
    if (denied := staff_page(can_manage_programme, programme)) is not None:
        return denied
    form = WorkshopForm()
    if form.validate_on_submit():
        ok, workshop = form.apply(lambda: create_workshop(current_user, programme, form.details()))
        if ok:
            flash("The workshop is saved as a draft. Check it, then publish it.", "success")
            return redirect(url_for("workshops.edit_workshop", workshop_id=workshop.id))
    return render_template("workshops/workshop_form.html", form=form, programme=programme, workshop=None), \
        form_status(form)


def _announceable(workshop: Workshop, now) -> bool:
    try:
        check_announceable(workshop, now)
    except DomainError:
        return False
    return True


@bp.route("/workshops/manage/<int:workshop_id>", methods=["GET", "POST"])
def edit_workshop(workshop_id: int):
    workshop, denied = _workshop_for_staff(workshop_id)
    if denied is not None:
        return denied
    now = utcnow()
    editable = workshop.status is not EventStatus.CANCELLED and workshop.ends_at > now
    form = WorkshopForm() if request.method == "POST" else WorkshopForm.for_workshop(workshop)
    if request.method == "POST" and not editable:
        abort(400)
    if editable and form.validate_on_submit():
        ok, saved = form.apply(lambda: update_workshop(current_user, workshop, form.details()))
        if ok:
            flash("The workshop is saved." + (
                f" {saved.told} registered {'person has' if saved.told == 1 else 'people have'} been sent the "
                "updated invite." if saved.told else "") + (
                f" A place was offered to {saved.offers} {'person' if saved.offers == 1 else 'people'} on the "
                "waiting list." if saved.offers else ""), "success")
            return redirect(url_for("workshops.edit_workshop", workshop_id=workshop.id))
    return render_template("workshops/workshop_form.html", form=form, programme=workshop.programme,
                           workshop=workshop, editable=editable, registered=confirmed_registrations(workshop),
                           waiting=waitlist.waiting_list(workshop),
                           staff_links=[(label, url_for(endpoint, workshop_id=workshop.id))
                                        for label, endpoint in STAFF_ENDPOINTS
                                        if endpoint in current_app.view_functions
                                        and (endpoint != ANNOUNCE_ENDPOINT or _announceable(workshop, now))],
                           has_ended=workshop.ends_at <= now,
                           can_organise=can_manage_programme(current_user, workshop.programme)), form_status(form)


@bp.route("/workshops/manage/<int:workshop_id>/publish", methods=["POST"])
def publish(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    if (denied := staff_page(can_manage_programme, workshop.programme)) is not None:
        return denied
    if ButtonForm().validate_on_submit():
        try:
            publish_workshop(current_user, workshop)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("The workshop is published: it shows on the workshops page and people can register.", "success")
    return redirect(url_for("workshops.edit_workshop", workshop_id=workshop_id))


@bp.route("/workshops/manage/<int:workshop_id>/cancel", methods=["GET", "POST"])
@sends_email
def cancel(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    if (denied := staff_page(can_manage_programme, workshop.programme)) is not None:
        return denied
    if workshop.status is EventStatus.CANCELLED or workshop.ends_at <= utcnow():
        return redirect(url_for("workshops.edit_workshop", workshop_id=workshop_id))
    form = CancelWorkshopForm()
    if form.validate_on_submit():
        ok, told = form.apply(lambda: cancel_workshop(current_user, workshop, form.message.data or ""))
        if ok:
            flash(f"The workshop is cancelled. {told} registered {'person was' if told == 1 else 'people were'} "
                  "told.", "success")
            return redirect(url_for("workshops.manage", slug=workshop.programme.slug))
    return render_template("workshops/cancel.html", form=form, workshop=workshop,
                           registered=len(confirmed_registrations(workshop)),
                           waiting=len(waitlist.waiting_list(workshop))), form_status(form)
