from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ep_events.accounts import services as accounts
from ep_events.accounts.models import Grant, Role, User
from ep_events.accounts.policy import admin_required
from ep_events.accounts.views import chosen_organisation, fill_organisation_choices
from ep_events.admin.forms import ButtonForm, GrantForm, OrganisationForm, ProgrammeForm, UserForm
from ep_events.bookings.programmes import check_kind_change
from ep_events.core import audit_labels
from ep_events.core.audit import audit_actions, list_audit_entries
from ep_events.core.errors import DomainError
from ep_events.core.forms import OrganisationSelectField, form_status
from ep_events.core.inputs import text_arg
from ep_events.core.jobs import last_runs
from ep_events.extensions import db
from ep_events.notifications import outbox
from ep_events.notifications.models import OutboxMessage, OutboxStatus
from ep_events.organisations import services as organisations
from ep_events.organisations.models import Organisation, OrganisationKind
from ep_events.programmes import services as programmes
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.schedule import JOBS

bp = Blueprint("admin", __name__)


@bp.before_request
@admin_required
def _only_admins():
    """Every page here is for site admins: anonymous visitors sign in, others get 403."""


def _get_or_404(model, object_id):
    return db.get_or_404(model, object_id)


@bp.route("/")
def index():
    return render_template("admin/index.html")


# --- Organisations -----------------------------------------------------------------------------

@bp.route("/organisations")
def organisation_list():
    return render_template("admin/organisations.html", organisations=organisations.list_organisations())


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation_edit(organisation_id: int | None = None):
    organisation = _get_or_404(Organisation, organisation_id) if organisation_id else None
    form = OrganisationForm(data={"name": organisation.name, "kind": organisation.kind.value,
                                  "region": organisation.region} if organisation and request.method == "GET" else None)
    if form.validate_on_submit():
        kind = OrganisationKind(form.kind.data)
        if organisation is None:
            ok, _ = form.apply(lambda: organisations.create_organisation(current_user, form.name.data, kind,
                                                                         form.region.data))
        else:
            ok, _ = form.apply(lambda: organisations.update_organisation(current_user, organisation, form.name.data,
                                                                         kind, form.region.data))
        if ok:
            flash(f"Organisation ‘{form.name.data.strip()}’ saved.", "success")
            return redirect(url_for("admin.organisation_list"))
    return render_template("admin/organisation_form.html", form=form, organisation=organisation), form_status(form)


# --- Programmes --------------------------------------------------------------------------------

@bp.route("/programmes")
def programme_list():
    return render_template("admin/programmes.html", programmes=programmes.list_programmes())


@bp.route("/programmes/new", methods=["GET", "POST"])
@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"])
def programme_edit(programme_id: int | None = None):
    programme = _get_or_404(Programme, programme_id) if programme_id else None
    data = None
    if programme and request.method == "GET":
        data = {"name": programme.name, "slug": programme.slug, "kind": programme.kind,
                "contact_email": programme.contact_email, "description": programme.description,
                "teams_provider": programme.teams_provider, "status": programme.status.value}
    form = ProgrammeForm(data=data, current_kind=programme.kind if programme else None)
    if form.validate_on_submit():
        args = (form.name.data, form.slug.data, form.kind.data, form.contact_email.data,
                form.description.data or "", form.teams_provider.data or "manual")
        if programme is None:
            ok, _ = form.apply(lambda: programmes.create_programme(current_user, *args))
        else:
            status = ProgrammeStatus(form.status.data) if form.status.data else None

            def save():
                check_kind_change(programme, form.kind.data)
                return programmes.update_programme(current_user, programme, *args, status=status)

            ok, _ = form.apply(save)
        if ok:
            flash(f"Programme ‘{form.name.data.strip()}’ saved." + (
                " It is a draft: only site admins and its organisers can see it until you publish it."
                if programme is None else ""), "success")
            return redirect(url_for("admin.programme_list"))
    return render_template("admin/programme_form.html", form=form, programme=programme), form_status(form)


# --- Users and grants --------------------------------------------------------------------------

@bp.route("/users")
def user_list():
    search = text_arg("q", max_length=320)
    return render_template("admin/users.html", users=accounts.list_users(search), search=search)


def _grant_form() -> GrantForm:
    # Prefixed: it shares the page with the user's details form, which also has an "organisation"
    # field, and two fields with one id would leave one select without its label.
    form = GrantForm(prefix="grant")
    form.programme.choices = [SelectChoice("", "Not needed")] + [
        SelectChoice(str(p.id), p.name) for p in programmes.list_programmes()]
    form.organisation.choices = [SelectChoice("", "Not needed")] + [
        SelectChoice(str(o.id), o.name) for o in organisations.list_organisations()]
    return form


def _saved_user_form(user: User) -> UserForm:
    """The details form showing the saved user, never the data of whichever form was posted."""
    form = UserForm(formdata=None, obj=user)
    fill_organisation_choices(form)
    form.organisation.data = (str(user.organisation_id) if user.organisation_id
                              else (OrganisationSelectField.OTHER if user.organisation_other else ""))
    form.confirmed.data = user.is_confirmed
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _get_or_404(User, user_id)
    if request.method == "GET":
        form = _saved_user_form(user)
    else:
        form = UserForm()
        fill_organisation_choices(form)
    if form.validate_on_submit():
        organisation, other = chosen_organisation(form)
        accounts.admin_update_user(current_user, user, form.name.data, form.job_title.data, organisation, other,
                                   form.confirmed.data)
        db.session.commit()
        flash(f"{user.name}'s details saved.", "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user, grant_form=_grant_form(),
                           remove_form=ButtonForm()), form_status(form)


@bp.route("/users/<int:user_id>/grants", methods=["POST"])
def grant_add(user_id: int):
    user = _get_or_404(User, user_id)
    grant_form = _grant_form()
    if grant_form.validate_on_submit():
        programme = db.session.get(Programme, int(grant_form.programme.data)) if grant_form.programme.data else None
        organisation = (db.session.get(Organisation, int(grant_form.organisation.data))
                        if grant_form.organisation.data else None)
        ok, _ = grant_form.apply(lambda: accounts.grant_role(current_user, user, Role(grant_form.role.data),
                                                             programme, organisation))
        if ok:
            flash(f"Role added for {user.name}.", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_form.html", form=_saved_user_form(user), user=user, grant_form=grant_form,
                           remove_form=ButtonForm()), 400


@bp.route("/grants/<int:grant_id>/remove", methods=["POST"])
def grant_remove(grant_id: int):
    grant = _get_or_404(Grant, grant_id)
    user = grant.user
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            accounts.revoke_grant(current_user, grant)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"Role removed from {user.name}.", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# --- Audit log and outbox ----------------------------------------------------------------------

@bp.route("/audit")
def audit_log():
    action = text_arg("action", max_length=80) or None
    target_type = text_arg("target", max_length=40) or None
    actor = text_arg("actor", max_length=320) or None
    entries = list_audit_entries(action=action, target_type=target_type, actor_email=actor)
    return render_template("admin/audit.html", entries=entries, actions=audit_actions(), words=audit_labels,
                           action=action or "", target=target_type or "", actor=actor or "",
                           targets=["Organisation", "Programme", "User", "OutboxMessage"])


@bp.route("/jobs")
def job_list():
    """Every scheduled job with its period and its last run: no personal data, only names, counts and times."""
    return render_template("admin/jobs.html", jobs=JOBS, runs=last_runs(job.name for job in JOBS))


@bp.route("/outbox")
def outbox_list():
    status = text_arg("status", max_length=20) or None
    try:
        status_value = OutboxStatus(status) if status else None
    except ValueError:
        status_value = None
    return render_template("admin/outbox.html", messages=outbox.list_messages(status_value),
                           status=status or "", statuses=list(OutboxStatus), resend_form=ButtonForm())


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
def outbox_resend(message_id: int):
    message = _get_or_404(OutboxMessage, message_id)
    if ButtonForm().validate_on_submit():
        # The service resends only failed messages: a stale Resend button must not send an email twice.
        if not outbox.resend_message(current_user, message):
            flash(f"‘{message.subject}’ to {message.recipient} has not failed, so it was not sent again.", "error")
            return redirect(url_for("admin.outbox_list"))
        db.session.commit()
        flash(f"‘{message.subject}’ to {message.recipient} will be sent again.", "success")
    return redirect(url_for("admin.outbox_list"))

