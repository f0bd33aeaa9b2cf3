"""This process's short-lived copy of the free places the public listings show (see
`capacity.listed_free_places`), keyed by the listing's days and their capacities."""

from ep_events.core.short_cache import ShortLivedCache

listed_places = ShortLivedCache()
