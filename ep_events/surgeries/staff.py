"""What a facilitator or organiser can do in a surgery programme, for the cross-programme Manage page."""

from flask import url_for

from ep_events.surgeries.dates import managed_dates


def staff_tools(programme, can_organise: bool) -> dict:
    """The programme's next dates in a line, and links to its tools (settings for organisers only)."""
    lists = managed_dates(programme)
    drafts = sum(1 for d in lists.upcoming if d.status.value == "draft")
    summary = f"{len(lists.upcoming)} upcoming surgery {'date' if len(lists.upcoming) == 1 else 'dates'}"
    if drafts:
        summary += f", {drafts} of them {'a draft' if drafts == 1 else 'drafts'}"
    links = [("Surgery dates and bookings", url_for("surgeries.manage", slug=programme.slug)),
             ("Create a surgery date", url_for("surgeries.new_date", slug=programme.slug)),
             ("Past dates and attendance", url_for("surgeries.manage", slug=programme.slug, show="past"))]
    if can_organise:
        links.append(("Surgery settings and facilitators", url_for("surgeries.settings", slug=programme.slug)))
    return {"summary": summary, "links": links}
