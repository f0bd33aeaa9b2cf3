"""Invitation list pages: joining (no account), confirming from the emailed link, one-click unsubscribe, and
the organisers' list with search, filters, CSV export and CSV import."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ep_events.accounts.policy import can_manage_programme, can_see_programme, staff_page
from ep_events.core.errors import DomainError
from ep_events.core.forms import form_status
from ep_events.core.inputs import page_arg, text_arg
from ep_events.core.limits import sends_email
from ep_events.core.spreadsheets import csv_download
from ep_events.extensions import csrf, db, limiter
from ep_events.invitations import entries, imports, uploads
from ep_events.invitations import unsubscribe as unsubscribing
from ep_events.invitations.consent import consent_wording
from ep_events.invitations.forms import ConfirmForm, ImportConfirmForm, ImportUploadForm, JoinListForm
from ep_events.invitations.models import ListEntryStatus
from ep_events.programmes.models import Programme

bp = Blueprint("invitations", __name__)

SLUG_MAX = 80
PREVIEW_ROWS_SHOWN = 500


def _programme(slug: str) -> Programme:
    programme = None
    if len(slug) <= SLUG_MAX:
        programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None or not can_see_programme(current_user, programme):
        abort(404)
    return programme


# --- Joining ------------------------------------------------------------------------------------

def _join_address_key() -> str:
    return "invitation-join:" + (request.form.get("email") or "").strip().lower()[:320]


def _did_its_work(response) -> bool:
    """Only a join that was accepted (and so emailed) uses up the budget; a form with mistakes does not."""
    return response.status_code < 400


@bp.route("/lists/<slug>/join", methods=["GET", "POST"])
@sends_email
@limiter.limit(lambda: current_app.config.get("INVITATION_JOIN_LIMIT_PER_IP", "10 per hour"), methods=["POST"],
               deduct_when=_did_its_work)
@limiter.limit(lambda: current_app.config.get("INVITATION_JOIN_LIMIT_PER_ADDRESS", "3 per hour"),
               key_func=_join_address_key, methods=["POST"], deduct_when=_did_its_work)
def join(slug: str):
    programme = _programme(slug)
    form = JoinListForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: entries.join_list(programme, entries.JoinDetails(**form.details())))
        if ok:
            return redirect(url_for("invitations.check_email", slug=programme.slug))
    return render_template("invitations/join.html", form=form, programme=programme,
                           wording=consent_wording(programme)), form_status(form)


@bp.route("/lists/<slug>/join/check-your-email")
def check_email(slug: str):
    """The same page whatever the address's state, so the form never tells who is on the list."""
    return render_template("invitations/check_email.html", programme=_programme(slug))


@bp.route("/lists/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows the page with a Confirm button and changes nothing (mail scanners open links); POST confirms."""
    entry = entries.entry_for_confirm_token(token)
    if entry is None:
        return render_template("invitations/link_not_found.html"), 404
    programme = entry.programme
    if entries.link_has_expired(entry):
        return render_template("invitations/link_expired.html", programme=programme), 410
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: entries.confirm_entry(entry))
        if ok:
            return redirect(url_for("invitations.joined", slug=programme.slug))
    return render_template("invitations/confirm.html", form=form, entry=entry, programme=programme,
                           wording=consent_wording(programme)), form_status(form)


@bp.route("/lists/<slug>/joined")
def joined(slug: str):
    return render_template("invitations/joined.html", programme=_programme(slug))


# --- Unsubscribing ------------------------------------------------------------------------------

@bp.route("/lists/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """RFC 8058 one-click: a POST of `List-Unsubscribe=One-Click` unsubscribes at once with no sign-in and no
    CSRF token (the signed link is the authority; mail clients post without cookies). The page's own button
    posts the same body. GET only shows the page."""
    entry, current = unsubscribing.read_token(token)
    if entry is None:
        return render_template("invitations/unsubscribe_not_found.html"), 404
    if not current:
        return render_template("invitations/unsubscribed.html", programme=entry.programme, already=True)
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") != "One-Click":
            return render_template("invitations/unsubscribe.html", programme=entry.programme, entry=entry,
                                   bad_request=True), 400
        unsubscribing.unsubscribe(entry)
        db.session.commit()
        return render_template("invitations/unsubscribed.html", programme=entry.programme, already=False)
    return render_template("invitations/unsubscribe.html", programme=entry.programme, entry=entry)


# --- The organisers' pages ----------------------------------------------------------------------

def _organised(slug: str):
    """(programme, None) for its organisers and site admins; (programme, sign-in response) for anonymous
    visitors; 403 for anyone else; 404 for a programme that does not exist."""
    programme = None
    if len(slug) <= SLUG_MAX:
        programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None:
        abort(404)
    return programme, staff_page(can_manage_programme, programme)


def _filters() -> entries.ListFilters:
    status = next((s for s in ListEntryStatus if s.value == text_arg("status", 20)), None)
    return entries.ListFilters(search=text_arg("q", 200).strip(), organisation=text_arg("organisation", 200),
                               status=status)


@bp.route("/lists/<slug>/manage")
def manage(slug: str):
    programme, denied = _organised(slug)
    if denied is not None:
        return denied
    filters = _filters()
    return render_template("invitations/manage.html", programme=programme, filters=filters,
                           listing=entries.list_entries(programme, filters, page_arg()),
                           organisations=entries.organisation_names(programme),
                           counts=entries.status_counts(programme), statuses=list(ListEntryStatus))


@bp.route("/lists/<slug>/manage/export.csv")
def export(slug: str):
    programme, denied = _organised(slug)
    if denied is not None:
        return denied
    content = entries.export_csv(current_user, programme, _filters())
    db.session.commit()
    return csv_download(f"{programme.slug}-invitation-list.csv", content)


@bp.route("/lists/<slug>/manage/import", methods=["GET", "POST"])
def import_upload(slug: str):
    programme, denied = _organised(slug)
    if denied is not None:
        return denied
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = b""
        if upload:
            with upload.stream:  # closed now: a large upload is spooled to a temporary file
                data = upload.read(imports.MAX_BYTES + 1)
        try:
            if not upload or not upload.filename:
                raise imports.ImportFileError("Select a CSV file")
            text = imports.decode_upload(data)
            preview, _ = imports.preview_text(programme, text)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            confirm_form = ImportConfirmForm(formdata=None, upload=uploads.keep_upload(programme, current_user, text))
            return render_template("invitations/import_preview.html", programme=programme, preview=preview,
                                   form=confirm_form, shown=preview.rows[:PREVIEW_ROWS_SHOWN],
                                   results=list(imports.RowResult), filename=upload.filename[:100])
    return render_template("invitations/import.html", programme=programme, form=form,
                           max_rows=imports.MAX_ROWS), form_status(form)


@bp.route("/lists/<slug>/manage/import/confirm", methods=["POST"])
def import_confirm(slug: str):
    programme, denied = _organised(slug)
    if denied is not None:
        return denied
    form = ImportConfirmForm()
    text = uploads.load_upload(programme, current_user, form.upload.data)
    if text is None:
        flash("The uploaded file is no longer available (previews last an hour, and work once). Upload it again.",
              "error")
        return redirect(url_for("invitations.import_upload", slug=programme.slug))
    ok = False
    if form.validate_on_submit():
        lawful_basis = (form.lawful_basis.data or "") if form.has_lawful_basis.data else None
        ok, imported = form.apply(lambda: imports.import_people(current_user, programme, text, lawful_basis))
    if not ok:
        preview, _ = imports.preview_text(programme, text)
        return render_template("invitations/import_preview.html", programme=programme, preview=preview,
                               form=form, shown=preview.rows[:PREVIEW_ROWS_SHOWN], results=list(imports.RowResult),
                               filename=""), 400
    uploads.discard_upload(form.upload.data)
    how = "They are on the list now." if lawful_basis is not None else \
        "Each has been emailed a link, and joins the list when they confirm."
    flash(f"{imported} {'person' if imported == 1 else 'people'} imported. {how}", "success")
    return redirect(url_for("invitations.manage", slug=programme.slug))
