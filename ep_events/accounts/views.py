from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ep_events.accounts import services
from ep_events.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    ProfileForm,
    ResendConfirmationForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from ep_events.accounts.models import TokenPurpose, User
from ep_events.core.errors import DomainError
from ep_events.core.forms import OrganisationSelectField
from ep_events.core.limits import sends_email
from ep_events.extensions import db, limiter, login_manager
from ep_events.organisations.models import Organisation
from ep_events.organisations.services import list_organisations

bp = Blueprint("accounts", __name__)


# Built once, with the person's roles in the same statement: every signed-in page's navigation asks for them.
_SIGNED_IN_USER = select(User).options(joinedload(User.grants)).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id: str):
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.execute(_SIGNED_IN_USER, {"user_id": user_id}).unique().scalar_one_or_none()
    if user is None or user.session_version != version:
        return None
    return user


def chosen_organisation(form) -> tuple[Organisation | None, str]:
    """The organisation picked in an OrganisationSelectField, or None and the free text."""
    value = form.organisation.data
    if value and value != OrganisationSelectField.OTHER:
        return db.session.get(Organisation, int(value)), ""
    return None, form.organisation_other.data or ""


def fill_organisation_choices(form) -> None:
    form.organisation.set_organisations(list_organisations())


def _safe_next(target: str | None) -> str | None:
    """A path on this site to go to after signing in, or None: never another site (open redirect).

    Browsers read a backslash as a slash and drop tabs and newlines, so a path starting with a slash
    and a backslash or a tab would still reach another site; refuse any backslash, space or control
    character.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    return target


def _address_key() -> str:
    return "sign-in:" + (request.form.get("email") or "").strip().lower()


def _address_and_ip_key() -> str:
    return _address_key() + "|" + get_remote_address()


def _reset_address_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()


def _failed_attempt(response) -> bool:
    return response.status_code != 302


@bp.route("/sign-up", methods=["GET", "POST"])
@sends_email
def sign_up():
    form = SignUpForm()
    fill_organisation_choices(form)
    if form.validate_on_submit():
        organisation, other = chosen_organisation(form)
        ok, _ = form.apply(lambda: services.sign_up(form.name.data, form.email.data, form.job_title.data,
                                                    organisation, other, form.password.data))
        if ok:
            return redirect(url_for("accounts.check_email", email=services.normalise_email(form.email.data)))
    return render_template("accounts/sign_up.html", form=form), 400 if form.errors else 200


@bp.route("/sign-up/check-your-email")
def check_email():
    email = request.args.get("email", "")
    form = ResendConfirmationForm(data={"email": email})
    return render_template("accounts/check_email.html", email=email, form=form)


@bp.route("/sign-up/resend", methods=["GET", "POST"])
@sends_email
def resend_confirmation():
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        db.session.commit()
        flash("We have sent the email again.", "success")
        return redirect(url_for("accounts.check_email", email=services.normalise_email(form.email.data)))
    return render_template("accounts/resend_confirmation.html", form=form), 400 if form.errors else 200


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    form = ConfirmForm()
    try:
        services.find_token(token, TokenPurpose.CONFIRM_EMAIL)
    except DomainError as error:
        return render_template("accounts/link_invalid.html", message=str(error),
                               resend=True), 400
    if form.validate_on_submit():
        try:
            services.confirm_email(token)
        except DomainError as error:
            db.session.rollback()
            return render_template("accounts/link_invalid.html", message=str(error), resend=True), 400
        db.session.commit()
        flash("Your email address is confirmed. You can now sign in.", "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/confirm.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed_attempt)
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ADDRESS"], key_func=_address_key, methods=["POST"],
               deduct_when=_failed_attempt)
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ADDRESS_AND_IP"], key_func=_address_and_ip_key,
               methods=["POST"], deduct_when=_failed_attempt)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            # A new session for the signed-in person: nothing set before signing in (by them, or planted by
            # someone who handed them a cookie) carries over, and the CSRF token is a new one.
            next_page = _safe_next(request.args.get("next"))
            session.clear()
            login_user(user)
            flash(f"Signed in as {user.name}.", "success")
            return redirect(next_page or url_for("pages.home"))
    return render_template("accounts/sign_in.html", form=form), 400 if form.errors else 200


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    if current_user.is_authenticated:
        services.end_session(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("pages.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@sends_email
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_ADDRESS"], key_func=_reset_address_key, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.find_token(token, TokenPurpose.RESET_PASSWORD)
    except DomainError as error:
        return render_template("accounts/link_invalid.html", message=str(error), resend=False), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: services.reset_password(token, form.password.data))
        if ok:
            logout_user()
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    fill_organisation_choices(form)
    if request.method == "GET":
        form.organisation.data = (str(current_user.organisation_id) if current_user.organisation_id
                                  else (OrganisationSelectField.OTHER if current_user.organisation_other else ""))
    if form.validate_on_submit():
        organisation, other = chosen_organisation(form)
        services.update_profile(current_user, form.name.data, form.job_title.data, organisation, other,
                                cpd_emails=bool(form.cpd_emails.data))
        db.session.commit()
        flash("Your details have been saved.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: services.change_password(current_user, form.current_password.data,
                                                            form.new_password.data))
        if ok:
            # Keep this session, with the new session version. The real user, not the proxy: Flask-Login
            # stores what it is given as the current user, and the proxy would then resolve to itself.
            login_user(current_user._get_current_object())
            flash("Your password has been changed.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@sends_email
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        ok, _ = form.apply(lambda: services.request_email_change(current_user, form.email.data, form.password.data))
        if ok:
            return render_template("accounts/change_email_sent.html",
                                   email=services.normalise_email(form.email.data))
    return render_template("accounts/change_email.html", form=form), 400 if form.errors else 200


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    try:
        change = services.find_email_change(token)
    except DomainError as error:
        return render_template("accounts/link_invalid.html", message=str(error), change_email=True), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        # Read before the change: afterwards the session no longer matches the account.
        signed_in_id = current_user.id if current_user.is_authenticated else None
        try:
            user = services.confirm_email_change(token)
        except DomainError as error:
            db.session.rollback()
            return render_template("accounts/link_invalid.html", message=str(error), change_email=True), 400
        db.session.commit()
        # The change ends every session; the browser that confirmed it stays signed in if it was.
        if signed_in_id == user.id:
            login_user(user)
            flash(f"Your email address is now {user.email}.", "success")
            return redirect(url_for("accounts.profile"))
        logout_user()
        flash(f"Your email address is now {user.email}. Sign in with it.", "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/confirm_email_change.html", form=form, new_email=change.new_email)
