"""What an organiser or facilitator can do in a workshops programme, for the cross-programme Manage page."""

from flask import url_for

from ep_events.core.time import utcnow
from ep_events.workshops.workshops import managed_workshops


def staff_tools(programme, can_organise: bool) -> dict:
    """The programme's upcoming workshops in a line, and links to the organisers' list and the public page."""
    upcoming = managed_workshops(programme, utcnow()).upcoming
    drafts = sum(1 for w in upcoming if w.status.value == "draft")
    summary = f"{len(upcoming)} upcoming {'workshop' if len(upcoming) == 1 else 'workshops'}"
    if drafts:
        summary += f", {drafts} of them {'a draft' if drafts == 1 else 'drafts'}"
    links = [("Manage workshops", url_for("workshops.manage", slug=programme.slug)),
             ("Workshops page", url_for("workshops.programme_workshops", slug=programme.slug))]
    if can_organise:
        links.insert(1, ("Create a workshop", url_for("workshops.new_workshop", slug=programme.slug)))
    return {"summary": summary, "links": links}
