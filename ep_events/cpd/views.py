"""CPD pages: the person's log, their records, downloads and certificates; the public certificate check; the
organisers' counts. Every page showing a record finds it among the signed-in person's own, else 404."""

from datetime import time, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ep_events.accounts.models import Role
from ep_events.bookings.models import Attendance, Event, Place, PlaceStatus
from ep_events.core.errors import DomainError
from ep_events.core.inputs import page_arg
from ep_events.core.spreadsheets import csv_download
from ep_events.core.time import uk_to_utc, utcnow
from ep_events.cpd import records as cpd_records
from ep_events.cpd.certificates import certificate_for, certificate_pdf, own_attended_place, verify_code
from ep_events.cpd.drafts import event_title
from ep_events.cpd.forms import DeleteRecordForm, RecordForm
from ep_events.cpd.log import day_text, duration_text, log_csv, log_pdf, standards_text
from ep_events.cpd.records import RecordAnswers, identifying_warnings, progress_of, records_in_year
from ep_events.cpd.years import RegistrationYear, current_year, year_from_url, year_of_date
from ep_events.extensions import db, limiter
from ep_events.programmes.models import Programme

bp = Blueprint("cpd", __name__)

# Checking a certificate code reads one row; enough for anyone checking by hand, too few to guess codes.
VERIFY_PER_MINUTE = "30 per minute"


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _year(text: str | None) -> RegistrationYear:
    if text is None:
        return current_year()
    year = year_from_url(text)
    if year is None:
        abort(404)
    return year


def _attended_places(user, year: RegistrationYear) -> list[Place]:
    """The events the person attended that started in the year (midnight to midnight, UK time)."""
    return list(db.session.execute(
        select(Place).where(Place.user_id == user.id, Place.attendance == Attendance.ATTENDED,
                            Place.status == PlaceStatus.CONFIRMED,
                            Place.starts_at >= uk_to_utc(year.first_day, time(0)),
                            Place.starts_at < uk_to_utc(year.last_day + timedelta(days=1), time(0)))
        .options(joinedload(Place.event).joinedload(Event.programme))
        .order_by(Place.starts_at)).scalars())


@bp.get("/cpd", defaults={"year": None}, endpoint="log")
@bp.get("/cpd/<year>", endpoint="log")
@login_required
def log_page(year: str | None):
    chosen = _year(year)
    records = records_in_year(current_user, chosen)
    now_year = current_year()
    years = sorted(set(cpd_records.years_with_records(current_user)) | {now_year.ends_in}, reverse=True)
    undated = [r for r in cpd_records.records_to_write(current_user) if r.activity_date is None]
    return _private(Response(render_template(
        "cpd/log.html", year=chosen, is_current=chosen == now_year,
        years=[RegistrationYear(y) for y in years if y <= now_year.ends_in], records=records,
        progress=progress_of(records), undated=undated, places=_attended_places(current_user, chosen),
        event_title=event_title, day_text=day_text, duration_text=duration_text)))


@bp.get("/cpd/<year>/log.pdf")
@login_required
def log_download_pdf(year: str):
    chosen = _year(year)
    records = records_in_year(current_user, chosen)
    content = log_pdf(current_user, chosen, records, progress_of(records), utcnow())
    return _private(Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="cpd-log-{chosen.ends_in - 1}-{chosen.ends_in}.pdf"'}))


@bp.get("/cpd/<year>/log.csv")
@login_required
def log_download_csv(year: str):
    chosen = _year(year)
    response = csv_download(f"cpd-log-{chosen.ends_in - 1}-{chosen.ends_in}.csv",
                            log_csv(records_in_year(current_user, chosen)))
    return _private(response)


def _record_page(form: RecordForm, record=None, status: int = 200):
    warnings = identifying_warnings(form.answers()) if (record is not None or form.errors) else []
    return _private(Response(render_template(
        "cpd/record.html", form=form, record=record, warnings=warnings,
        delete_form=DeleteRecordForm(formdata=None), standards_text=standards_text, day_text=day_text,
        duration_text=duration_text), status=status))


def _save(form: RecordForm, record):
    ok, saved = form.apply(lambda: cpd_records.save_record(current_user, record, form.answers(),
                                                           complete=form.marking_complete))
    if not ok:
        return _record_page(form, record, status=400)
    warned = identifying_warnings(saved)
    if warned:
        flash("Saved. Check the warnings below: something may identify a child, family or carer.", "warning")
    else:
        flash("Your CPD record is complete." if saved.is_complete else "Your draft is saved.", "success")
    if warned or not saved.is_complete:
        return redirect(url_for("cpd.edit_record", record_id=saved.id))
    return redirect(url_for("cpd.log", year=str(year_of_date(saved.activity_date).ends_in)))


@bp.route("/cpd/records/new", methods=["GET", "POST"])
@login_required
def new_record():
    form = RecordForm()
    if request.method == "POST":
        if form.validate_on_submit():
            return _save(form, None)
        return _record_page(form, status=400)
    return _record_page(form)


@bp.route("/cpd/records/<int:record_id>", methods=["GET", "POST"])
@login_required
def edit_record(record_id: int):
    record = cpd_records.own_record(current_user, record_id)
    if record is None:
        abort(404)  # not theirs: as if it did not exist, for every role
    if request.method == "POST":
        form = RecordForm()
        if form.validate_on_submit():
            return _save(form, record)
        return _record_page(form, record, status=400)
    form = RecordForm(formdata=None)
    form.fill_from(RecordAnswers.of(record))
    return _record_page(form, record)


@bp.post("/cpd/records/<int:record_id>/delete")
@login_required
def delete_record(record_id: int):
    record = cpd_records.own_record(current_user, record_id)
    if record is None:
        abort(404)
    if DeleteRecordForm().validate_on_submit():
        try:
            cpd_records.delete_record(current_user, record)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("The record is deleted.", "success")
            return redirect(url_for("cpd.log"))
    return redirect(url_for("cpd.edit_record", record_id=record_id))


@bp.post("/cpd/certificates/<int:place_id>")
@login_required
def certificate(place_id: int):
    """A POST, since the first download issues the certificate and its code (a GET changes nothing)."""
    place = own_attended_place(current_user, place_id)
    if place is None:
        abort(404)  # not theirs, or not attended: there is no certificate
    issued = certificate_for(current_user, place)
    content = certificate_pdf(issued)
    db.session.commit()
    return _private(Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{issued.code}.pdf"'}))


@bp.get("/certificates/<code>", endpoint="verify")
@limiter.limit(VERIFY_PER_MINUTE)
def verify(code: str):
    verified = verify_code(code)
    if verified is None:
        abort(404)
    return render_template("cpd/verify.html", verified=verified, code=code.strip().upper())


@bp.get("/cpd/programmes/<int:programme_id>/reflections")
@login_required
def reflection_counts(programme_id: int):
    """For the programme's organisers: how many complete reflections each past event has. Counts only."""
    programme = db.session.get(Programme, programme_id)
    if programme is None or not (current_user.has_role(Role.ORGANISER, programme=programme)
                                 or current_user.is_admin):
        abort(404)
    listing = cpd_records.past_event_counts(programme, page_arg(), utcnow())
    if listing.page > 1 and not listing.rows:
        abort(404)  # past the last page
    return render_template("cpd/reflection_counts.html", programme=programme, listing=listing,
                           rows=[(event, event_title(event), count) for event, count in listing.rows])
