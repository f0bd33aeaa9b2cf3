"""After a workshop: its resources (registrants and the programme's staff), feedback (registrants give it,
organisers read it) and attendance (by hand or from a Teams attendance report)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from ep_events.accounts.policy import staff_page
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.core.spreadsheets import csv_download
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db, login_manager
from ep_events.workshops import attendance, feedback, resources
from ep_events.workshops.after_forms import (
    FeedbackForm,
    ResourceFileForm,
    ResourceLinkForm,
    TeamsReportForm,
    WorkshopAttendanceForm,
)
from ep_events.workshops.models import Workshop, WorkshopResource

bp = Blueprint("workshop_after", __name__)


def _workshop(workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


def _workshop_url(workshop: Workshop) -> str | None:
    """The workshop's own page (the workshops blueprint), where it is registered."""
    if "workshops.workshop_page" not in current_app.view_functions:
        return None
    return url_for("workshops.workshop_page", slug=workshop.programme.slug, workshop_id=workshop.id)


def _signed_in():
    """Anonymous visitors are sent to sign in (the response to return), else None."""
    return None if current_user.is_authenticated else login_manager.unauthorized()


# --- Resources ---------------------------------------------------------------------------------------

@bp.route("/workshops/<int:workshop_id>/resources", endpoint="resources")
def resources_page(workshop_id: int, file_form=None, link_form=None, status=200):
    denied = _signed_in()
    if denied is not None:
        return denied
    workshop = _workshop(workshop_id)
    if not resources.can_see_resources(current_user, workshop):
        abort(404)  # not theirs: as if it did not exist
    can_share = resources.can_share_resources(current_user, workshop)
    file_form = file_form or ResourceFileForm(formdata=None)
    link_form = link_form or ResourceLinkForm(prefix="link", formdata=None)
    return render_template("workshops/after_resources.html", workshop=workshop,
                           resources=resources.workshop_resources(workshop), can_share=can_share,
                           file_form=file_form, link_form=link_form,
                           form=file_form if file_form.errors else link_form if link_form.errors else None,
                           size_label=resources.size_label, max_size=resources.size_label(resources.upload_max_bytes()),
                           can_read_feedback=can_share,
                           feedback_open=feedback.feedback_open(workshop),
                           is_registrant=resources.is_registrant(current_user, workshop),
                           workshop_url=_workshop_url(workshop)), status



def _staff_workshop(workshop_id: int):
    workshop = _workshop(workshop_id)
    return workshop, staff_page(resources.can_share_resources, workshop)


@bp.route("/workshops/<int:workshop_id>/resources/upload", methods=["POST"])
def upload_resource(workshop_id: int):
    workshop, denied = _staff_workshop(workshop_id)
    if denied is not None:
        return denied
    form = ResourceFileForm()
    if form.validate_on_submit():
        filename, stream = form.file_content()
        ok, resource = form.apply(lambda: resources.add_file_resource(
            current_user, workshop, form.title.data, filename,
            resources.read_capped(stream, resources.upload_max_bytes())))
        if ok:
            flash(f"{resource.title} is shared with the people registered.", "success")
            return redirect(url_for("workshop_after.resources", workshop_id=workshop.id))
    return resources_page(workshop.id, file_form=form, status=400)


@bp.route("/workshops/<int:workshop_id>/resources/link", methods=["POST"])
def add_link(workshop_id: int):
    workshop, denied = _staff_workshop(workshop_id)
    if denied is not None:
        return denied
    form = ResourceLinkForm(prefix="link")
    if form.validate_on_submit():
        ok, resource = form.apply(lambda: resources.add_link_resource(current_user, workshop, form.title.data,
                                                                       form.url.data))
        if ok:
            flash(f"{resource.title} is shared with the people registered.", "success")
            return redirect(url_for("workshop_after.resources", workshop_id=workshop.id))
    return resources_page(workshop.id, link_form=form, status=400)


def _resource(workshop: Workshop, resource_id: int) -> WorkshopResource:
    resource = db.session.get(WorkshopResource, resource_id)
    if resource is None or resource.workshop_id != workshop.id:
        abort(404)
    return resource


@bp.route("/workshops/<int:workshop_id>/resources/<int:resource_id>/download")
def download_resource(workshop_id: int, resource_id: int):
    denied = _signed_in()
    if denied is not None:
        return denied
    workshop = _workshop(workshop_id)
    if not resources.can_see_resources(current_user, workshop):
        abort(404)
    resource = _resource(workshop, resource_id)
    if resource.is_link:
        return redirect(resource.url)
    path = resources.stored_path(resource)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=resource.content_type, as_attachment=True,
                         download_name=resource.filename, max_age=0, etag=False, conditional=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/workshops/<int:workshop_id>/resources/<int:resource_id>/delete", methods=["POST"])
def delete_resource(workshop_id: int, resource_id: int):
    workshop, denied = _staff_workshop(workshop_id)
    if denied is not None:
        return denied
    resource = _resource(workshop, resource_id)
    title = resource.title
    try:
        path = resources.delete_resource(current_user, resource)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("workshop_after.resources", workshop_id=workshop.id))
    db.session.commit()
    resources.remove_stored_file(path)
    flash(f"{title} is removed.", "success")
    return redirect(url_for("workshop_after.resources", workshop_id=workshop.id))


# --- Feedback ----------------------------------------------------------------------------------------

@bp.route("/workshops/<int:workshop_id>/feedback", methods=["GET", "POST"], endpoint="feedback")
def feedback_page(workshop_id: int):
    denied = _signed_in()
    if denied is not None:
        return denied
    workshop = _workshop(workshop_id)
    if not resources.is_registrant(current_user, workshop):
        if resources.can_share_resources(current_user, workshop):
            return redirect(url_for("workshop_after.feedback_summary", workshop_id=workshop.id))
        abort(404)
    now = utcnow()
    existing = feedback.own_feedback(current_user, workshop)
    is_open = feedback.feedback_open(workshop, now)
    form = FeedbackForm(obj=existing) if existing is not None else FeedbackForm()
    if existing is not None and not form.is_submitted():
        form.usefulness.data, form.relevance.data = str(existing.usefulness), str(existing.relevance)
    if form.validate_on_submit():  # after the 14 days the service refuses, with the date it closed
        ok, _ = form.apply(lambda: feedback.save_feedback(current_user, workshop, form.answers(), now))
        if ok:
            flash("Thank you: your feedback is saved. You can change it until "
                  f"{feedback.feedback_closes_at(workshop).astimezone(UK):%-d %B %Y}.", "success")
            return redirect(url_for("workshop_after.feedback", workshop_id=workshop.id))
    return render_template("workshops/after_feedback.html", workshop=workshop, form=form, existing=existing,
                           is_open=is_open, not_yet=now < feedback.feedback_opens_at(workshop),
                           closes_at=feedback.feedback_closes_at(workshop)), form_status(form)



@bp.route("/workshops/<int:workshop_id>/feedback/summary")
def feedback_summary(workshop_id: int):
    workshop, denied = _staff_workshop(workshop_id)
    if denied is not None:
        return denied
    registrations = len(attendance.confirmed_registrations(workshop))
    can_read_text = feedback.can_read_feedback_text(current_user, workshop)
    return render_template("workshops/after_feedback_summary.html", workshop=workshop,
                           summary=feedback.feedback_summary(workshop, registrations), can_read_text=can_read_text,
                           responses=feedback.feedback_responses(workshop) if can_read_text else [])


@bp.route("/workshops/<int:workshop_id>/feedback.csv")
def feedback_csv(workshop_id: int):
    workshop, denied = _staff_workshop(workshop_id)
    if denied is not None:
        return denied
    if not feedback.can_read_feedback_text(current_user, workshop):
        abort(403)
    filename = f"workshop-{workshop.starts_at.astimezone(UK):%Y-%m-%d}-feedback.csv"
    return csv_download(filename, feedback.feedback_csv(current_user, workshop))


# --- Attendance --------------------------------------------------------------------------------------

def _attendance_workshop(workshop_id: int):
    workshop = _workshop(workshop_id)
    return workshop, staff_page(attendance.can_mark_attendance, workshop)


@bp.route("/workshops/<int:workshop_id>/attendance", endpoint="attendance")
def attendance_page(workshop_id: int, form=None, report_form=None, status=200):
    workshop, denied = _attendance_workshop(workshop_id)
    if denied is not None:
        return denied
    now = utcnow()
    is_open = attendance.attendance_open(workshop, now)
    registrations = attendance.confirmed_registrations(workshop)
    form = form or WorkshopAttendanceForm.for_registrations(workshop, registrations if is_open else [],
                                                            formdata=None)
    report_form = report_form or TeamsReportForm(prefix="teams", formdata=None)
    return render_template("workshops/after_attendance.html", workshop=workshop, attendance_form=form,
                           report_form=report_form, form=report_form if report_form.errors else form,
                           attendance_open=is_open,
                           registrations=registrations, workshop_minutes=attendance.workshop_minutes(workshop),
                           threshold=attendance.attended_threshold_minutes(workshop)), status



@bp.route("/workshops/<int:workshop_id>/attendance/marks", methods=["POST"])
def save_attendance(workshop_id: int):
    workshop, denied = _attendance_workshop(workshop_id)
    if denied is not None:
        return denied
    now = utcnow()
    registrations = attendance.confirmed_registrations(workshop) if attendance.attendance_open(workshop, now) else []
    form = WorkshopAttendanceForm.for_registrations(workshop, registrations)
    if form.validate_on_submit():
        ok, saved = form.apply(lambda: attendance.record_attendance(current_user, workshop, form.marks(), now))
        if ok:
            flash(f"Attendance saved for {saved} {'person' if saved == 1 else 'people'}.", "success")
            return redirect(url_for("workshop_after.attendance", workshop_id=workshop.id))
    return attendance_page(workshop.id, form=form, status=400)


@bp.route("/workshops/<int:workshop_id>/attendance/import", methods=["POST"])
def import_attendance(workshop_id: int):
    workshop, denied = _attendance_workshop(workshop_id)
    if denied is not None:
        return denied
    report_form = TeamsReportForm(prefix="teams")
    if report_form.validate_on_submit():
        content = resources.read_capped(report_form.report.data, attendance.report_max_bytes())
        ok, result = report_form.apply(lambda: attendance.import_teams_report(current_user, workshop, content))
        if ok:
            return render_template("workshops/after_attendance_import.html", workshop=workshop, result=result)
    return attendance_page(workshop.id, report_form=report_form, status=400)
