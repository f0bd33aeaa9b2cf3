"""`/events`: every programme's upcoming events, filtered by a GET form that works without JavaScript (each
filtered view has its own address), a page at a time; `/events.ics`: the same list as a calendar."""

from flask import Blueprint, Response, render_template, request, url_for

from ep_events.bookings.kinds import kind_label
from ep_events.core.inputs import page_arg
from ep_events.finder.filters import WHERE, read_filters, standard_options, theme_choices
from ep_events.finder.found import find_events
from ep_events.notifications.calendar import build_feed

bp = Blueprint("finder", __name__)

PER_PAGE = 20
LAST_PAGE = 500
FEED_MAX = 500  # a calendar of every matching event to come, up to this many
# The filters an empty result offers to remove, each with the names it is written in.
REMOVABLE = (
    ("programme", ("programme",), "show every programme"),
    ("theme", ("theme",), "show every theme"),
    ("standard", ("standard",), "show every practice standard"),
    ("where", ("where",), "show online and in-person events"),
    ("places", ("places",), "include events that are full"),
    ("from", ("from-day", "from-month", "from-year"), "remove the date from"),
    ("to", ("to-day", "to-month", "to-year"), "remove the date to"),
)


def _link(active: dict[str, str], without: tuple[str, ...] = (), **values) -> str:
    kept = {name: value for name, value in active.items() if name not in without}
    return url_for("finder.events", **kept, **values)


@bp.route("/events")
def events():
    chosen = read_filters(request.args)
    page = page_arg("page", last=LAST_PAGE)
    found = None if chosen.errors else find_events(chosen.filters, PER_PAGE, (page - 1) * PER_PAGE)
    active = chosen.active
    removals = [(text, _link(active, names)) for key, names, text in REMOVABLE
                if any(name in active for name in names)]
    return render_template(
        "finder/events.html", chosen=chosen, found=found, page=page, kind_label=kind_label,
        programmes=chosen.programmes, themes=theme_choices(), standards=standard_options(), where=WHERE,
        removals=removals, feed_url=url_for("finder.events_feed", **active),
        prev_url=_link(active, page=page - 1) if found and page > 1 else None,
        next_url=_link(active, page=page + 1) if found and found.has_more and page < LAST_PAGE else None,
    ), 400 if chosen.errors else 200


@bp.route("/events.ics")
def events_feed():
    """The finder's filtered list as a calendar to subscribe to: events only, no personal data."""
    chosen = read_filters(request.args)
    if chosen.errors:
        return Response("\n".join(chosen.errors.values()) + "\n", status=400, mimetype="text/plain")
    found = find_events(chosen.filters, FEED_MAX)
    return Response(build_feed([event.as_calendar_event() for event in found.events], "EP Events"),
                    mimetype="text/calendar", headers={"Content-Disposition": 'inline; filename="ep-events.ics"'})
