"""Network Day pages: the public list of a programme's days, and a named person's own place."""

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ep_events.accounts.policy import can_manage_programme, can_see_programme
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.network_days import emails
from ep_events.network_days.days import places_left, upcoming_days
from ep_events.network_days.memberships import membership_year_label, membership_year_of
from ep_events.network_days.models import PROGRAMME_KIND, NetworkPlace
from ep_events.notifications.calendar import build_download
from ep_events.programmes.models import Programme

bp = Blueprint("network_days", __name__)


def _programme(slug: str) -> Programme:
    programme = db.session.execute(select(Programme).where(Programme.slug == slug)).scalar_one_or_none()
    if programme is None or programme.kind != PROGRAMME_KIND or not can_see_programme(current_user, programme):
        abort(404)
    return programme


def _own_place(place_id: int) -> NetworkPlace:
    """Only the named person sees their place: anyone else's is 'not found'."""
    place = db.session.get(NetworkPlace, place_id)
    if place is None or place.user_id != current_user.id:
        abort(404)
    return place


@bp.route("/network-days/<slug>")
def programme_days(slug: str):
    programme = _programme(slug)
    days = upcoming_days(programme, utcnow())
    return render_template("network_days/days.html", programme=programme, days=days, left=places_left(days),
                           years={d.id: membership_year_label(membership_year_of(d)) for d in days},
                           can_manage=can_manage_programme(current_user, programme))


@bp.route("/network-days/places/<int:place_id>")
@login_required
def place_detail(place_id: int):
    place = _own_place(place_id)
    return render_template("network_days/place.html", place=place, day=place.event,
                           is_upcoming=place.is_confirmed and place.event.starts_at > utcnow())


@bp.route("/network-days/places/<int:place_id>/invite.ics")
@login_required
def place_invite(place_id: int):
    place = _own_place(place_id)
    if not place.is_confirmed:
        abort(404)
    filename = f"network-day-{place.starts_at:%Y-%m-%d}.ics"
    return Response(build_download(emails.calendar_event(place)), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
