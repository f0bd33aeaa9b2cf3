"""What an organiser can do in a Network programme, for the cross-programme Manage page."""

from flask import url_for

from ep_events.core.time import utcnow
from ep_events.network_days.days import upcoming_days


def staff_tools(programme, can_organise: bool) -> dict:
    """The programme's upcoming published days in a line, a link to its public page and, for its organisers,
    to their page of days (their pages for places and memberships are still to come)."""
    count = len(upcoming_days(programme, utcnow()))
    links = [("Network Days page", url_for("network_days.programme_days", slug=programme.slug))]
    if can_organise:
        links.insert(0, ("Manage Network Days", url_for("network_days.manage", slug=programme.slug)))
    return {"summary": f"{count} upcoming Network {'Day' if count == 1 else 'Days'} published", "links": links}
