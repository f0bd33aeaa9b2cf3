"""This process's short-lived copy of the free places the public listings show (see
`capacity.listed_free_places`): emptied by whatever changes them here, and never older than its lifetime
elsewhere (another worker's change is seen when the copy expires)."""

import time


class ListedPlaces:
    """Free places per day, kept for a few seconds, keyed by the listing's days (and their capacities)."""

    MAX_ENTRIES = 256  # listings are few (one per programme and page); a bound, not a working size

    def __init__(self) -> None:
        self._entries: dict[tuple, tuple[float, dict[int, int]]] = {}

    def get(self, key: tuple) -> dict[int, int] | None:
        kept = self._entries.get(key)
        if kept is None or kept[0] <= time.monotonic():
            return None
        return kept[1]

    def keep(self, key: tuple, places: dict[int, int], seconds: float) -> None:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + seconds, places)

    def forget(self) -> None:
        self._entries.clear()


listed_places = ListedPlaces()
