"""A process's short-lived copy of something public and costly to count (free places on a listing): kept for a
few seconds, emptied at once by whatever changes it in this process, and never older than its lifetime
elsewhere (another worker's change is seen when the copy expires). Never used to decide a booking."""

import time


class ShortLivedCache:
    """Values by key, each kept for the seconds given when it was kept."""

    MAX_ENTRIES = 256  # a bound, not a working size: listings are few

    def __init__(self) -> None:
        self._entries: dict = {}

    def get(self, key):
        kept = self._entries.get(key)
        if kept is None or kept[0] <= time.monotonic():
            return None
        return kept[1]

    def keep(self, key, value, seconds: float) -> None:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + seconds, value)

    def forget(self) -> None:
        self._entries.clear()
