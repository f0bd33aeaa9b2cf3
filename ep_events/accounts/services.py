"""Account rules: sign-up without enumeration, single-use expiring links, roles and grants."""

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ep_events.accounts.models import AccountToken, Grant, Role, TokenPurpose, User
from ep_events.accounts.passwords import check_password_strength
from ep_events.core.audit import anonymise_audit, audited_identities, record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.core.urls import external_url
from ep_events.extensions import db
from ep_events.notifications.outbox import erase_messages_about, last_message_id, queue_email


class TokenInvalid(DomainError):
    pass


@cache
def _dummy_password_hash() -> str:
    """A hash made the way real ones are, to check passwords against for addresses with no account.

    Checking a password costs the same whether or not the account exists, so response times do not
    tell anyone which addresses have accounts.
    """
    return generate_password_hash(secrets.token_urlsafe(16))


def _token_work_without_account() -> None:
    """What issuing a link token costs, for an address that gets none (see _dummy_password_hash).

    The same statement and hashing as the real thing; the update matches no row.
    """
    revoke_tokens(User(id=0), TokenPurpose.RESET_PASSWORD)
    _hash(secrets.token_urlsafe(32))


def _send_no_account(email: str, asked_for: str) -> None:
    """Tell an address with no account that someone asked for a link for it.

    Writing an email in this branch too keeps its response time the same as for a real account
    (a median of response times could see a missing email and token), and helps someone who has
    forgotten which address they signed up with. The shared email budgets stop it being used to
    flood an address.
    """
    _token_work_without_account()
    queue_email(email, "accounts/no_account", email=email, asked_for=asked_for,
                sign_up_url=external_url("accounts.sign_up"))


def normalise_email(address: str) -> str:
    return address.strip().lower()


def get_user_by_email(address: str) -> User | None:
    query = select(User).where(func.lower(User.email) == normalise_email(address))
    return db.session.execute(query).scalar_one_or_none()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, hours: int, new_email: str | None = None) -> str:
    """Create a single-use link token; earlier unused tokens of the same purpose stop working."""
    revoke_tokens(user, purpose)
    raw = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=_hash(raw), new_email=new_email,
                                expires_at=utcnow() + timedelta(hours=hours)))
    db.session.flush()
    return raw


def revoke_tokens(user: User, *purposes: TokenPurpose) -> None:
    """Unused links of these purposes (all purposes if none given) stop working."""
    query = update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
    if purposes:
        query = query.where(AccountToken.purpose.in_(purposes))
    db.session.execute(query.values(used_at=utcnow()))


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


def _use_token(raw: str, purpose: TokenPurpose) -> AccountToken:
    token = find_token(raw, purpose)
    # Conditional update so two clicks at once cannot both use the token.
    result = db.session.execute(
        update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:
        raise TokenInvalid("This link has already been used or is not valid")
    return token


def _set_password(user: User, password: str) -> None:
    """The one way a password changes: other sessions end and unused reset links stop working."""
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    revoke_tokens(user, TokenPurpose.RESET_PASSWORD, TokenPurpose.CHANGE_EMAIL)


def end_session(user: User) -> None:
    """Sign-out: every session cookie issued to the user so far stops working, even a copied one.

    The session cookie is signed, not stored, so the only server-side handle on it is the user's
    session version, which it carries; this also ends the user's sessions on other devices.
    """
    user.session_version += 1
    db.session.flush()


def sign_up(name: str, email: str, job_title: str, organisation, organisation_other: str,
            password: str) -> User | None:
    """Create an unconfirmed account and email a confirmation link.

    If the address already has an account, nothing is created and the owner is emailed instead, so
    the page shown is the same either way (no account enumeration).
    """
    check_password_strength(password)
    email = normalise_email(email)
    # Hashed in both branches, and both queue one email: the response takes as long either way.
    password_hash = generate_password_hash(password)
    existing = get_user_by_email(email)
    if existing is not None:
        _token_work_without_account()
        _send_already_registered(existing)
        return None
    user = User(name=name.strip(), email=email, job_title=job_title.strip(),
                organisation=organisation,
                organisation_other=(organisation_other or "").strip() if organisation is None else "",
                password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)
    return user


def _send_already_registered(user: User) -> None:
    queue_email(user.email, "accounts/already_registered", user=user,
                sign_in_url=external_url("accounts.sign_in"),
                reset_url=external_url("accounts.forgot_password"))


def send_confirmation(user: User) -> None:
    raw = issue_token(user, TokenPurpose.CONFIRM_EMAIL, current_app.config["CONFIRM_TOKEN_HOURS"])
    queue_email(user.email, "accounts/confirm_email", user=user,
                confirm_url=external_url("accounts.confirm_email", token=raw),
                hours=current_app.config["CONFIRM_TOKEN_HOURS"])


def resend_confirmation(email: str) -> None:
    """Send a new confirmation link to an unconfirmed account (earlier links stop working).

    A confirmed account is told it can sign in instead, an address with no account that it has
    none. The page shown is the same in every case (no account enumeration).
    """
    user = get_user_by_email(email)
    if user is None:
        _send_no_account(normalise_email(email), "a link to confirm the address")
    elif user.is_confirmed:
        _send_already_registered(user)
    else:
        send_confirmation(user)


def confirm_email(raw_token: str) -> User:
    """Mark the address confirmed; the link works once and expires."""
    user = _use_token(raw_token, TokenPurpose.CONFIRM_EMAIL).user
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
    db.session.flush()
    return user


class SignInFailed(DomainError):
    pass


def authenticate(email: str, password: str) -> User:
    """The user whose address and password match and who has confirmed their address."""
    user = get_user_by_email(email)
    # An unknown address costs a password check too, so timing does not tell which addresses exist.
    password_ok = check_password_hash(user.password_hash if user else _dummy_password_hash(), password)
    if user is None or not password_ok:
        raise SignInFailed("Enter a correct email address and password", field="email")
    if not user.is_confirmed:
        raise SignInFailed("Confirm your email address before signing in: use the link we sent you",
                           field="email")
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the address has an account, else say it has none; the page is the same."""
    user = get_user_by_email(email)
    if user is None:
        _send_no_account(normalise_email(email), "a link to reset the password")
        return
    raw = issue_token(user, TokenPurpose.RESET_PASSWORD, current_app.config["RESET_TOKEN_HOURS"])
    queue_email(user.email, "accounts/reset_password", user=user,
                reset_url=external_url("accounts.reset_password", token=raw),
                hours=current_app.config["RESET_TOKEN_HOURS"])


def reset_password(raw_token: str, password: str) -> User:
    """Set a new password from a reset link; the link works once; other sessions end."""
    check_password_strength(password)
    user = _use_token(raw_token, TokenPurpose.RESET_PASSWORD).user
    _set_password(user, password)
    # Whoever could read the reset email could also have confirmed the address.
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
    db.session.flush()
    return user


def update_profile(user: User, name: str, job_title: str, organisation, organisation_other: str,
                   cpd_emails: bool | None = None) -> User:
    user.name = name.strip()
    if cpd_emails is not None:
        user.cpd_emails = cpd_emails
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
    _set_password(user, new_password)
    db.session.flush()


class EmailChangeRefused(DomainError):
    pass


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Email a confirmation link to the new address; nothing changes until it is used.

    If the new address already has an account, that account's owner is told instead and the page
    shown is the same (no account enumeration).
    """
    if not check_password_hash(user.password_hash, password):
        raise EmailChangeRefused("Your password is not correct", field="password")
    new_email = normalise_email(new_email)
    if new_email == normalise_email(user.email):
        raise EmailChangeRefused("Enter an email address different from the one you use now", field="email")
    existing = get_user_by_email(new_email)
    if existing is not None:
        _token_work_without_account()
        _send_already_registered(existing)
        return
    hours = current_app.config["CONFIRM_TOKEN_HOURS"]
    raw = issue_token(user, TokenPurpose.CHANGE_EMAIL, hours, new_email=new_email)
    queue_email(new_email, "accounts/confirm_new_email", user=user, new_email=new_email,
                confirm_url=external_url("accounts.confirm_email_change", token=raw), hours=hours)


def find_email_change(raw_token: str) -> AccountToken:
    """The pending change a link stands for, if it can still be used; otherwise TokenInvalid."""
    return find_token(raw_token, TokenPurpose.CHANGE_EMAIL)


def confirm_email_change(raw_token: str) -> User:
    """Move the account to the new address from its link; the old address is told.

    Every session ends (the address is what one signs in with), and unused links sent to the old
    address stop working.
    """
    token = _use_token(raw_token, TokenPurpose.CHANGE_EMAIL)
    user, old_email = token.user, token.user.email
    if get_user_by_email(token.new_email) is not None:
        raise EmailChangeRefused(f"{token.new_email} now has its own account, so yours cannot move to it")
    user.email = token.new_email
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
    user.session_version += 1
    revoke_tokens(user)
    # Audited like any change of who an account is; account deletion also reads the old address here.
    record_audit(user, "user.change_email", user, f"{old_email} changed their email address to {user.email}",
                 before={"email": old_email}, after={"email": user.email})
    queue_email(old_email, "accounts/email_changed", user=user, old_email=old_email, new_email=user.email)
    db.session.flush()
    return user


def delete_account(user: User, password: str, release: Callable[[User], object]) -> None:
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
    _erase_account(user, release, user, "user.delete_self", "deleted their account")


def delete_unconfirmed_account(user: User, release: Callable[[User], object]) -> None:
    """Delete an account whose address was never confirmed, by the same path as deleting one's own account."""
    days = current_app.config["UNCONFIRMED_ACCOUNT_DAYS"]
    _erase_account(user, release, None, "user.delete_unconfirmed",
                   f"was deleted: its address was not confirmed within {days} days")


def unconfirmed_accounts_due(now) -> list[int]:
    """Ids of accounts never confirmed, made (and last sent a confirmation link) more than
    UNCONFIRMED_ACCOUNT_DAYS ago, and holding no role (an admin gave those on purpose)."""
    cutoff = now - timedelta(days=current_app.config["UNCONFIRMED_ACCOUNT_DAYS"])
    recent_link = select(AccountToken.id).where(AccountToken.user_id == User.id,
                                                AccountToken.purpose == TokenPurpose.CONFIRM_EMAIL,
                                                AccountToken.created_at > cutoff)
    has_role = select(Grant.id).where(Grant.user_id == User.id)
    return list(db.session.execute(select(User.id).where(
        User.confirmed_at.is_(None), User.created_at <= cutoff, ~recent_link.exists(), ~has_role.exists())
        .order_by(User.id)).scalars())


def _erase_account(user: User, release: Callable[[User], object], actor: User | None, action: str,
                   what: str) -> None:
    label = f"deleted user #{user.id}"
    # Every address and name the person has gone by here: the current ones and earlier ones the audit log recorded.
    identities = {user.email, user.name} | audited_identities(user.id)
    record_audit(actor, action, user, f"{label} {what}")
    # Their upcoming bookings are cancelled properly first by every programme (`release`, from the
    # layer above): colleagues told, calendar entries removed, places offered to whoever is waiting.
    queued_before = last_message_id()
    release(user)
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


# --- Personal calendar feed address ------------------------------------------------------------

def regenerate_feed_token(user: User) -> str:
    """Give the person a new secret feed address; the old one stops working at once."""
    user.feed_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.feed_token


def user_for_feed_token(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(select(User).where(User.feed_token == token)).scalar_one_or_none()


def lock_person(user: User) -> None:
    """Serialise one person's changes (bookings in any programme, deleting the account): a PostgreSQL row
    lock, SQLite's write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    else:
        # A no-op write takes SQLite's write lock now, before we read anything we decide on.
        db.session.execute(update(User).where(User.id == user.id).values(session_version=User.session_version))
