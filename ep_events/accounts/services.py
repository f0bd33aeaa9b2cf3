"""Account rules: sign-up without enumeration, single-use expiring links, roles and grants."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ep_events.accounts.models import AccountToken, Grant, Role, TokenPurpose, User
from ep_events.core.audit import anonymise_audit, audited_identities, record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.core.urls import external_url
from ep_events.extensions import db
from ep_events.notifications.outbox import erase_messages_about, last_message_id, queue_email

MIN_PASSWORD_LENGTH = 10


class TokenInvalid(DomainError):
    pass


def normalise_email(address: str) -> str:
    return address.strip().lower()


def get_user_by_email(address: str) -> User | None:
    query = select(User).where(func.lower(User.email) == normalise_email(address))
    return db.session.execute(query).scalar_one_or_none()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, hours: int) -> str:
    """Create a single-use link token; earlier unused tokens of the same purpose stop working."""
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    raw = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=_hash(raw),
                                expires_at=now + timedelta(hours=hours)))
    db.session.flush()
    return raw


def find_token(raw: str, purpose: TokenPurpose) -> AccountToken:
    """The token if it exists, is unused and has not expired; otherwise TokenInvalid."""
    token = db.session.execute(
        select(AccountToken).where(AccountToken.token_hash == _hash(raw or ""), AccountToken.purpose == purpose)
    ).scalar_one_or_none()
    if token is None or token.used_at is not None:
        raise TokenInvalid("This link has already been used or is not valid")
    if token.expires_at <= utcnow():
        raise TokenInvalid("This link has expired")
    return token


def _use_token(raw: str, purpose: TokenPurpose) -> User:
    token = find_token(raw, purpose)
    # Conditional update so two clicks at once cannot both use the token.
    result = db.session.execute(
        update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:
        raise TokenInvalid("This link has already been used or is not valid")
    return token.user


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Password must be {MIN_PASSWORD_LENGTH} characters or more", field=field)


def sign_up(name: str, email: str, job_title: str, organisation, organisation_other: str,
            password: str) -> User | None:
    """Create an unconfirmed account and email a confirmation link.

    If the address already has an account, nothing is created and the owner is emailed instead, so
    the page shown is the same either way (no account enumeration).
    """
    check_password_strength(password)
    email = normalise_email(email)
    existing = get_user_by_email(email)
    if existing is not None:
        queue_email(existing.email, "accounts/already_registered", user=existing,
                    sign_in_url=external_url("accounts.sign_in"),
                    reset_url=external_url("accounts.forgot_password"))
        return None
    user = User(name=name.strip(), email=email, job_title=job_title.strip(),
                organisation=organisation, organisation_other=(organisation_other or "").strip() if organisation is None else "",
                password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    raw = issue_token(user, TokenPurpose.CONFIRM_EMAIL, current_app.config["CONFIRM_TOKEN_HOURS"])
    queue_email(user.email, "accounts/confirm_email", user=user,
                confirm_url=external_url("accounts.confirm_email", token=raw),
                hours=current_app.config["CONFIRM_TOKEN_HOURS"])


def confirm_email(raw_token: str) -> User:
    """Mark the address confirmed; the link works once and expires."""
    user = _use_token(raw_token, TokenPurpose.CONFIRM_EMAIL)
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
    db.session.flush()
    return user


class SignInFailed(DomainError):
    pass


def authenticate(email: str, password: str) -> User:
    """The user whose address and password match and who has confirmed their address."""
    user = get_user_by_email(email)
    if user is None or not check_password_hash(user.password_hash, password):
        raise SignInFailed("Enter a correct email address and password", field="email")
    if not user.is_confirmed:
        raise SignInFailed("Confirm your email address before signing in: use the link we sent you",
                           field="email")
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the address has an account; say nothing either way."""
    user = get_user_by_email(email)
    if user is None:
        return
    raw = issue_token(user, TokenPurpose.RESET_PASSWORD, current_app.config["RESET_TOKEN_HOURS"])
    queue_email(user.email, "accounts/reset_password", user=user,
                reset_url=external_url("accounts.reset_password", token=raw),
                hours=current_app.config["RESET_TOKEN_HOURS"])


def reset_password(raw_token: str, password: str) -> User:
    """Set a new password from a reset link; the link works once; other sessions end."""
    check_password_strength(password)
    user = _use_token(raw_token, TokenPurpose.RESET_PASSWORD)
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    # Whoever could read the reset email could also have confirmed the address.
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
    db.session.flush()
    return user


def update_profile(user: User, name: str, job_title: str, organisation, organisation_other: str) -> User:
    user.name = name.strip()
    user.job_title = job_title.strip()
    user.organisation = organisation
    user.organisation_other = (organisation_other or "").strip() if organisation is None else ""
    db.session.flush()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one; other sessions end."""
    if not check_password_hash(user.password_hash, current_password):
        raise DomainError("Your current password is not correct", field="current_password")
    check_password_strength(new_password, field="new_password")
    user.password_hash = generate_password_hash(new_password)
    user.session_version += 1
    db.session.flush()


def delete_account(user: User, password: str) -> None:
    """Delete the account after checking the password and erase what names the person; the last site admin stays.

    Afterwards no table holds their address or name: emails to or about them are deleted or erased
    (the cancellations this sends are erased once sent), and the audit log calls them "deleted user #<id>".
    """
    if not check_password_hash(user.password_hash, password):
        raise DomainError("Your password is not correct", field="password")
    # As with removing one's own admin role: the site must keep an admin, and there is no other way in.
    if user.is_admin and _admin_count() == 1:
        raise DomainError("You are the only site admin. Make someone else a site admin before you delete "
                          "your account", field="password")
    label = f"deleted user #{user.id}"
    # Every address and name the person has gone by here: the current ones and earlier ones the audit log recorded.
    identities = {user.email, user.name} | audited_identities(user.id)
    record_audit(user, "user.delete_self", user, f"{label} deleted their account")
    # Their upcoming bookings are cancelled properly first: colleagues are told, calendar entries
    # removed, and the slots offered to whoever is waiting.
    from ep_events.surgeries.services import release_person

    queued_before = last_message_id()
    release_person(user)
    erase_messages_about(identities, keep_queued_after=queued_before)
    anonymise_audit(user.id, identities, label)
    # Explicit, although SQLite now enforces foreign keys too (core/database.py): an unused reset
    # link must never work for the next account given the same id.
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    db.session.delete(user)
    db.session.flush()


# --- Admin: users and grants -------------------------------------------------------------------

def _admin_count() -> int:
    return db.session.execute(
        select(func.count(func.distinct(Grant.user_id))).where(Grant.role == Role.ADMIN)).scalar_one()


def list_users(search: str = "") -> list[User]:
    query = select(User).order_by(User.name)
    if search.strip():
        term = f"%{search.strip().lower()}%"
        query = query.where(func.lower(User.email).like(term) | func.lower(User.name).like(term))
    return list(db.session.execute(query).scalars())


def admin_update_user(actor: User, user: User, name: str, job_title: str, organisation,
                      organisation_other: str, confirmed: bool) -> User:
    """An admin corrects someone's details, audited."""
    fields = ("name", "job_title", "organisation_id", "organisation_other")
    before = {f: getattr(user, f) for f in fields} | {"confirmed": user.is_confirmed}
    update_profile(user, name, job_title, organisation, organisation_other)
    if confirmed and user.confirmed_at is None:
        user.confirmed_at = utcnow()
    elif not confirmed:
        user.confirmed_at = None
    db.session.flush()
    after = {f: getattr(user, f) for f in fields} | {"confirmed": user.is_confirmed}
    record_audit(actor, "user.update", user, f"Updated {user.email}", before=before, after=after)
    return user


def grant_role(actor: User, user: User, role: Role, programme=None, organisation=None) -> Grant:
    """Give a user a role, on the right kind of scope, once; audited."""
    if role.scope == "programme" and programme is None:
        raise DomainError(f"Choose the programme this {role.label.lower()} works on", field="programme")
    if role.scope == "organisation" and organisation is None:
        raise DomainError("Choose the organisation this agency admin looks after", field="organisation")
    if role.scope != "programme":
        programme = None
    if role.scope != "organisation":
        organisation = None
    for grant in user.grants:
        if grant.role is role and grant.programme is programme and grant.organisation is organisation:
            raise DomainError(f"{user.name} already has that role", field="role")
    grant = Grant(user=user, role=role, programme=programme, organisation=organisation)
    db.session.add(grant)
    db.session.flush()
    record_audit(actor, "grant.add", user, f"{user.email}: {role.label} — {grant.scope_label}",
                 after={"role": role.value, "scope": grant.scope_label})
    return grant


def revoke_grant(actor: User, grant: Grant) -> None:
    """Remove a role; an admin cannot remove their own admin role (so the site keeps one)."""
    if grant.role is Role.ADMIN and grant.user_id == actor.id:
        raise DomainError("You cannot remove your own admin role")
    user = grant.user
    record_audit(actor, "grant.remove", user, f"{user.email}: {grant.role.label} — {grant.scope_label}",
                 before={"role": grant.role.value, "scope": grant.scope_label})
    user.grants.remove(grant)
    db.session.flush()
