"""The finder's pages of events, kept for FINDER_CACHE_SECONDS (a few seconds; 0 turns it off) in each process:
the page counts every programme's free places, and visitors ask for the same few lists (the first page, a
programme's). A list may be that many seconds behind; booking a place always counts afresh."""

from flask import current_app

from ep_events.bookings.public import EventFilters, EventPage, find_upcoming
from ep_events.core.short_cache import ShortLivedCache

found_pages = ShortLivedCache()


def find_events(filters: EventFilters, limit: int, offset: int = 0) -> EventPage:
    seconds = current_app.config.get("FINDER_CACHE_SECONDS", 0)
    if seconds <= 0:
        return find_upcoming(filters, limit, offset)
    key = (filters, limit, offset)
    page = found_pages.get(key)
    if page is None:
        page = find_upcoming(filters, limit, offset)
        found_pages.keep(key, page, seconds)
    return page
