"""Authorisation in one place: who may do what, per programme and per organisation."""

from functools import wraps

from flask import abort
from flask_login import current_user

from ep_events.accounts.models import Role
from ep_events.extensions import login_manager


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_admin)


def can_manage_programme(user, programme) -> bool:
    """Organisers of this programme (and site admins) manage its settings and events."""
    if not (user and user.is_authenticated):
        return False
    return user.is_admin or user.has_role(Role.ORGANISER, programme=programme)


def can_see_programme(user, programme) -> bool:
    """A published programme is public; a draft only to site admins and its organisers."""
    return programme.is_published or can_manage_programme(user, programme)


def runs_a_programme(user) -> bool:
    """Whether the person organises or facilitates any programme (they get the Manage menu item)."""
    if not (user and user.is_authenticated):
        return False
    return user.has_role(Role.ORGANISER) or user.has_role(Role.FACILITATOR)


def can_facilitate_programme(user, programme) -> bool:
    """Facilitators and organisers of this programme run its sessions and see booking notes."""
    if not (user and user.is_authenticated):
        return False
    return can_manage_programme(user, programme) or user.has_role(Role.FACILITATOR, programme=programme)


def can_read_outlines(user, programme) -> bool:
    """Booking outlines (notes about real cases) are read only by their booker and this programme's own
    facilitators and organisers: a site admin manages the site, not the cases (PRODUCT.md, issue 10).
    An admin who truly needs them grants themself the role, which is audited."""
    if not (user and user.is_authenticated) or programme is None:
        return False
    return user.has_role(Role.ORGANISER, programme=programme) or user.has_role(Role.FACILITATOR, programme=programme)


def can_administer_organisation(user, organisation) -> bool:
    if not (user and user.is_authenticated):
        return False
    return user.is_admin or user.has_role(Role.AGENCY_ADMIN, organisation=organisation)


def admin_required(view):
    """Anonymous visitors are sent to sign in; signed-in non-admins get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def require(allowed: bool) -> None:
    """Call in a view after loading the object: 403 unless the check passed."""
    if not allowed:
        abort(403)


def staff_page(check, *objects):
    """For a staff page: anonymous visitors are sent to sign in (the response to return); anyone else gets
    403 unless `check(current_user, *objects)`; None when they may go on."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(check(current_user, *objects))
    return None
