"""The programme kinds this site runs: the one place a new programme is listed (see ARCHITECTURE.md)."""

from ep_events.bookings import kinds
from ep_events.network_days.kind import KIND as NETWORK_DAYS
from ep_events.surgeries.kind import KIND as PRACTICE_SURGERIES
from ep_events.workshops.kind import KIND as WORKSHOPS

PROGRAMME_KINDS = (PRACTICE_SURGERIES, NETWORK_DAYS, WORKSHOPS)


def register_kinds() -> None:
    for kind in PROGRAMME_KINDS:
        kinds.register(kind)
