from datetime import UTC, date, datetime, time

from flask import Blueprint, Response, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from ep_events.api.openapi import openapi_document
from ep_events.bookings.public import find_event, upcoming_events
from ep_events.core.inputs import EARLIEST_YEAR, LATEST_YEAR, parse_iso_date
from ep_events.extensions import csrf
from ep_events.notifications.calendar import build_feed
from ep_events.programmes.services import get_published_programme_by_slug

bp = Blueprint("api", __name__)
csrf.exempt(bp)


class BadParameter(Exception):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


def _error(status: int, code: str, message: str, parameter: str | None = None):
    body = {"error": {"code": code, "message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    return jsonify(body), status


@bp.errorhandler(BadParameter)
def _bad_parameter(error: BadParameter):
    return _error(400, "bad_parameter", str(error), error.name)


def _http_error(error: HTTPException):
    return _error(error.code or 500, error.name.lower().replace(" ", "_"), error.description or error.name)


# By status code: the site's HTML error pages are registered by code too, and a code beats a class.
for _code in (400, 404, 405, 500):
    bp.register_error_handler(_code, _http_error)


def _date_param(name: str) -> date | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    found = parse_iso_date(value)
    if found is None:
        raise BadParameter(name, f"{name} must be a date in the form YYYY-MM-DD, in the years "
                                 f"{EARLIEST_YEAR} to {LATEST_YEAR}")
    return found


ALLOWED = {"programme", "from", "to"}


@bp.get("/api/v1/events")
def events():
    unknown = sorted(set(request.args) - ALLOWED)
    if unknown:
        raise BadParameter(unknown[0], f"Unknown parameter: {unknown[0]}")
    slug = request.args.get("programme") or None
    if slug is not None and get_published_programme_by_slug(slug) is None:
        raise BadParameter("programme", f"No programme has the slug {slug!r}")
    start, end = _date_param("from"), _date_param("to")
    if start and end and end < start:
        raise BadParameter("to", "to must not be before from")
    starts_from = datetime.combine(start, time.min, tzinfo=UTC) if start else None
    starts_before = datetime.combine(end, time.max, tzinfo=UTC) if end else None
    return jsonify([e.as_json() for e in upcoming_events(slug, starts_from, starts_before)])


@bp.get("/api/v1/events/<event_id>")
def event(event_id: str):
    found = find_event(event_id)
    if found is None:
        abort(404, description=f"No upcoming event has the id {event_id!r}")
    return jsonify(found.as_json())


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/programmes/<slug>/events.ics")
def programme_feed(slug: str):
    """Public subscription feed of a programme's upcoming events: events only, no personal data."""
    programme = get_published_programme_by_slug(slug)
    if programme is None:
        abort(404, description="No programme has that slug")
    body = build_feed([e.as_calendar_event() for e in upcoming_events(slug)], programme.name)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{slug}.ics"'})
