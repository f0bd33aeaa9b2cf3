"""Self-assessment pages: an agency's list, the task list, a standard's page, the summary, complete, copy,
compare, export (XLSX, PDF), import, delegation; and Adoption England's aggregate.

Anyone who is not one of the agency's admins or delegated colleagues gets 404 for every address under an
agency or an assessment (whether it exists is not theirs to know)."""

from datetime import date

import click
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from ep_events.accounts.models import User
from ep_events.assessments import aggregate as agg
from ep_events.assessments import assessments as rules
from ep_events.assessments import spreadsheet, summary
from ep_events.assessments.forms import (
    CompleteForm,
    DelegateForm,
    ImportConfirmForm,
    ImportUploadForm,
    StandardForm,
    StartForm,
)
from ep_events.assessments.models import AssessmentDelegate, Rating, SelfAssessment
from ep_events.assessments.pdf import assessment_pdf
from ep_events.core.forms import form_status
from ep_events.core.inputs import parse_id
from ep_events.core.spreadsheets import csv_download
from ep_events.core.time import to_uk, utcnow
from ep_events.extensions import db
from ep_events.organisations.models import REGIONS, Organisation
from ep_events.programmes.models import Programme
from ep_events.standards import current_edition

bp = Blueprint("assessments", __name__, url_prefix="/self-assessments")

IMPORT_SALT = "assessment-import"
IMPORT_MAX_AGE = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _agency(org_id: int) -> Organisation:
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or not rules.may_work_on(current_user, organisation):
        abort(404)
    return organisation


def _assessment(assessment_id: int) -> SelfAssessment:
    assessment = db.session.get(SelfAssessment, assessment_id)
    if assessment is None or not rules.may_work_on(current_user, assessment.organisation):
        abort(404)
    return assessment


def _open(assessment: SelfAssessment):
    """None, or the redirect for a completed assessment (read-only through every route)."""
    if assessment.is_completed:
        flash(str(rules.AssessmentCompleted()), "error")
        return redirect(url_for("assessments.task_list", assessment_id=assessment.id))
    return None


def _today() -> date:
    return to_uk(utcnow()).date()


@bp.route("")
@login_required
def index():
    agencies = rules.agencies_for(current_user)
    by_agency = {a.id: list(db.session.execute(select(SelfAssessment).where(
        SelfAssessment.organisation_id == a.id).order_by(SelfAssessment.created_at.desc(), SelfAssessment.id.desc())
    ).scalars()) for a in agencies}
    return render_template("assessments/index.html", agencies=agencies, by_agency=by_agency,
                           may_delegate={a.id: rules.is_agency_admin(current_user, a) for a in agencies},
                           sees_aggregate=agg.may_see_aggregate(current_user))


@bp.route("/agencies/<int:org_id>/new", methods=["GET", "POST"])
@login_required
def start(org_id: int):
    organisation = _agency(org_id)
    form = StartForm()
    authorities = rules.local_authorities_for(organisation)
    form.set_local_authorities(authorities)
    if form.validate_on_submit():
        chosen = next((o for o in authorities if str(o.id) == form.local_authority.data), None)
        if form.local_authority.data and chosen is None:
            form.local_authority.errors = [f"Choose a local authority in {organisation.region}"]
            ok = False
        else:
            ok, assessment = form.apply(lambda: rules.start_assessment(current_user, organisation, chosen))
        if ok:
            flash("Self-assessment started. Work through the standards in any order; your answers are saved "
                  "on each page.", "success")
            return redirect(url_for("assessments.task_list", assessment_id=assessment.id))
    return render_template("assessments/start.html", form=form, organisation=organisation), form_status(form)


@bp.route("/<int:assessment_id>")
@login_required
def task_list(assessment_id: int):
    assessment = _assessment(assessment_id)
    standards = rules.edition_of(assessment)
    statuses = {s.code: rules.standard_status(assessment, s) for s in standards.standards}
    others = [a for a in db.session.execute(select(SelfAssessment).where(
        SelfAssessment.organisation_id == assessment.organisation_id, SelfAssessment.id != assessment.id)
        .order_by(SelfAssessment.created_at.desc())).scalars()]
    return render_template("assessments/task_list.html", assessment=assessment, standards=standards,
                           statuses=statuses, others=others,
                           completed_count=sum(1 for v in statuses.values() if v == "Completed"))


@bp.route("/<int:assessment_id>/standards/<int:number>", methods=["GET", "POST"])
@login_required
def standard_page(assessment_id: int, number: int):
    assessment = _assessment(assessment_id)
    standard = rules.edition_of(assessment).standard(f"S{number}")
    if standard is None:
        abort(404)
    entries = {entry.number: entry for entry in assessment.entries}
    if request.method == "POST":
        if (closed := _open(assessment)) is not None:
            return closed
        form = StandardForm.for_standard(standard, entries)
        if form.validate_on_submit():
            ok, _ = form.apply(lambda: rules.save_standard(current_user, assessment, standard, form.entered()))
            if ok:
                flash(f"{standard.code} saved.", "success")
                if form.save_and_stay.data:
                    return redirect(url_for("assessments.standard_page", assessment_id=assessment.id,
                                            number=number))
                return redirect(url_for("assessments.task_list", assessment_id=assessment.id))
    else:
        form = StandardForm.for_standard(standard, entries, formdata=None)
    return render_template("assessments/standard.html", assessment=assessment, standard=standard, form=form,
                           entries=entries, read_only=assessment.is_completed), form_status(form)


@bp.route("/<int:assessment_id>/summary")
@login_required
def summary_page(assessment_id: int):
    assessment = _assessment(assessment_id)
    counts = summary.rating_counts(assessment)
    return render_template("assessments/summary.html", assessment=assessment, counts=counts,
                           chart=summary.chart_svg(counts), suggestions=summary.what_to_book_next(assessment, utcnow()),
                           Rating=Rating)


@bp.route("/<int:assessment_id>/complete", methods=["GET", "POST"])
@login_required
def complete(assessment_id: int):
    assessment = _assessment(assessment_id)
    if (closed := _open(assessment)) is not None:
        return closed
    form = CompleteForm(data={"completer_name": current_user.name, "completer_job_title": current_user.job_title}
                        if request.method == "GET" else None)
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: rules.complete_assessment(
            current_user, assessment, form.completer_name.data or "", form.completer_job_title.data or "",
            form.shared.data))
        if ok:
            flash("Self-assessment completed. It can no longer be changed; start the next one as a copy.", "success")
            return redirect(url_for("assessments.summary_page", assessment_id=assessment.id))
    return render_template("assessments/complete.html", assessment=assessment, form=form), form_status(form)


@bp.route("/<int:assessment_id>/sharing", methods=["POST"])
@login_required
def sharing(assessment_id: int):
    assessment = _assessment(assessment_id)
    share = request.form.get("shared") == "yes"
    rules.set_sharing(current_user, assessment, share)
    db.session.commit()
    flash("The ratings are shared with Adoption England." if share else "The ratings are no longer shared.",
          "success")
    return redirect(url_for("assessments.task_list", assessment_id=assessment.id))


@bp.route("/<int:assessment_id>/copy", methods=["POST"])
@login_required
def copy(assessment_id: int):
    assessment = _assessment(assessment_id)
    new = rules.copy_assessment(current_user, assessment)
    db.session.commit()
    flash("The next self-assessment starts from this one's ratings, comments and actions.", "success")
    return redirect(url_for("assessments.task_list", assessment_id=new.id))


@bp.route("/<int:assessment_id>/compare")
@login_required
def compare(assessment_id: int):
    assessment = _assessment(assessment_id)
    other_id = parse_id(request.args.get("with", ""))
    other = db.session.get(SelfAssessment, other_id) if other_id else None
    if other is None or other.organisation_id != assessment.organisation_id or other.id == assessment.id:
        abort(404)
    earlier, later = sorted((assessment, other), key=lambda a: (a.created_at, a.id))
    movements = summary.compare(earlier, later)
    return render_template("assessments/compare.html", earlier=earlier, later=later, movements=movements,
                           moved_up=[m for m in movements if m.direction == "up"],
                           moved_down=[m for m in movements if m.direction == "down"])


def _filename(assessment: SelfAssessment, extension: str) -> str:
    return f"self-assessment-{assessment.id}.{extension}"


@bp.route("/<int:assessment_id>/export.xlsx")
@login_required
def export_xlsx(assessment_id: int):
    assessment = _assessment(assessment_id)
    content = spreadsheet.assessment_xlsx(assessment, rules.edition_of(assessment))
    return Response(content, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{_filename(assessment, "xlsx")}"'})


@bp.route("/<int:assessment_id>/export.pdf")
@login_required
def export_pdf(assessment_id: int):
    assessment = _assessment(assessment_id)
    content = assessment_pdf(assessment, rules.edition_of(assessment))
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{_filename(assessment, "pdf")}"'})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=IMPORT_SALT)


def _pack(assessment, rows: dict) -> str:
    plain = {number: {**values, "rating": values["rating"].value if values["rating"] else None,
                      "action_due_on": values["action_due_on"].isoformat() if values["action_due_on"] else None}
             for number, values in rows.items()}
    return _serializer().dumps({"a": assessment.id, "u": current_user.id, "rows": plain})


def _unpack(assessment, token: str) -> dict | None:
    try:
        data = _serializer().loads(token or "", max_age=IMPORT_MAX_AGE)
    except BadSignature:
        return None
    if data.get("a") != assessment.id or data.get("u") != current_user.id:
        return None
    return {number: {**values, "rating": Rating(values["rating"]) if values["rating"] else None,
                     "action_due_on": date.fromisoformat(values["action_due_on"]) if values["action_due_on"]
                     else None} for number, values in data["rows"].items()}


@bp.route("/<int:assessment_id>/import", methods=["GET", "POST"])
@login_required
def import_upload(assessment_id: int):
    assessment = _assessment(assessment_id)
    if (closed := _open(assessment)) is not None:
        return closed
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            form.file.errors = ["Choose the toolkit spreadsheet to upload"]
        else:
            with upload.stream:
                content = upload.read(spreadsheet.FILE_MAX_BYTES + 1)
            preview = spreadsheet.read_toolkit(content, rules.edition_of(assessment))
            if preview.errors:
                form.file.errors = ["The spreadsheet has problems, listed below. Nothing has been imported"]
                return render_template("assessments/import.html", assessment=assessment, form=form,
                                       preview=preview), 400
            confirm = ImportConfirmForm(formdata=None, upload=_pack(assessment, preview.rows))
            return render_template("assessments/import_preview.html", assessment=assessment, form=confirm,
                                   preview=preview, standards=rules.edition_of(assessment))
    return render_template("assessments/import.html", assessment=assessment, form=form, preview=None), \
        form_status(form)


@bp.route("/<int:assessment_id>/import/confirm", methods=["POST"])
@login_required
def import_confirm(assessment_id: int):
    assessment = _assessment(assessment_id)
    if (closed := _open(assessment)) is not None:
        return closed
    form = ImportConfirmForm()
    rows = _unpack(assessment, form.upload.data) if form.validate_on_submit() else None
    if rows is None:
        flash("The preview has expired or was not for this self-assessment. Upload the spreadsheet again.", "error")
        return redirect(url_for("assessments.import_upload", assessment_id=assessment.id))
    ok, _ = form.apply(lambda: rules.replace_entries(current_user, assessment, rows))
    if ok:
        flash(f"Imported {len(rows)} sub-standards from the spreadsheet.", "success")
    return redirect(url_for("assessments.task_list", assessment_id=assessment.id))


@bp.route("/agencies/<int:org_id>/colleagues", methods=["GET", "POST"])
@login_required
def colleagues(org_id: int):
    organisation = _agency(org_id)
    if not rules.is_agency_admin(current_user, organisation):
        abort(404)
    delegates = rules.delegates_of(organisation)
    chosen = {d.user_id for d in delegates}
    candidates = [u for u in rules.colleagues_of(organisation) if u.id not in chosen and u.id != current_user.id]
    form = DelegateForm()
    form.set_colleagues(candidates)
    if form.validate_on_submit():
        colleague = next((u for u in candidates if str(u.id) == form.colleague.data), None)
        if colleague is None:
            form.colleague.errors = [f"Choose a colleague at {organisation.name}"]
        else:
            ok, _ = form.apply(lambda: rules.delegate_colleague(current_user, organisation, colleague))
            if ok:
                flash(f"{colleague.name} can now work on {organisation.name}'s self-assessments.", "success")
                return redirect(url_for("assessments.colleagues", org_id=organisation.id))
    return render_template("assessments/colleagues.html", organisation=organisation, delegates=delegates,
                           form=form), form_status(form)


@bp.route("/agencies/<int:org_id>/colleagues/<int:delegate_id>/remove", methods=["POST"])
@login_required
def remove_colleague(org_id: int, delegate_id: int):
    organisation = _agency(org_id)
    delegate = db.session.get(AssessmentDelegate, delegate_id)
    if (not rules.is_agency_admin(current_user, organisation) or delegate is None
            or delegate.organisation_id != organisation.id):
        abort(404)
    name = db.session.get(User, delegate.user_id).name
    rules.remove_delegate(current_user, organisation, delegate)
    db.session.commit()
    flash(f"{name} can no longer work on the self-assessments.", "success")
    return redirect(url_for("assessments.colleagues", org_id=organisation.id))


def _aggregate_region() -> str | None:
    region = request.args.get("region", "")
    if region and region not in REGIONS:
        abort(404)
    return region or None


@bp.route("/aggregate")
@login_required
def aggregate_page():
    if not agg.may_see_aggregate(current_user):
        abort(404)
    region = _aggregate_region()
    return render_template("assessments/aggregate.html", result=agg.aggregate_ratings(region), region=region,
                           regions=REGIONS, standards=current_edition())


@bp.route("/aggregate.csv")
@login_required
def aggregate_csv():
    if not agg.may_see_aggregate(current_user):
        abort(404)
    region = _aggregate_region()
    return csv_download("practice-standards-aggregate.csv", agg.aggregate_csv(agg.aggregate_ratings(region)))



@bp.app_template_global()
def self_assessment_panel() -> dict:
    """For the home page: the agencies whose self-assessments the person works on, and actions due soon."""
    agencies = rules.agencies_for(current_user)
    return {"agencies": agencies, "actions": summary.actions_due(current_user, _today()) if agencies else [],
            "sees_aggregate": agg.may_see_aggregate(current_user)}


@bp.cli.command("aggregate-programme")
@click.argument("slug")
@click.option("--off", is_flag=True, help="Stop its organisers seeing the shared ratings.")
def aggregate_programme(slug: str, off: bool):
    """Mark the programme SLUG as Adoption England's: its organisers see the practice standards ratings agencies
    share (flask assessments aggregate-programme SLUG)."""
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None:
        raise click.ClickException(f"There is no programme {slug!r}")
    agg.mark_aggregate_programme(programme, not off)
    db.session.commit()
    click.echo(f"{programme.name}: its organisers {'no longer see' if off else 'see'} the shared ratings.")
