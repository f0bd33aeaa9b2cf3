"""UK time as people read it, GOV.UK style."""

from datetime import UTC, datetime

from ep_events.core.time import uk_datetime, uk_time


def test_times_are_shown_in_uk_time_in_govuk_style():
    assert uk_time(datetime(2027, 1, 12, 9, 30, tzinfo=UTC)) == "9:30am"
    assert uk_time(datetime(2026, 6, 16, 8, 30, tzinfo=UTC)) == "9:30am"  # BST
    assert uk_time(datetime(2027, 1, 12, 12, 0, tzinfo=UTC)) == "midday"
    assert uk_time(datetime(2027, 1, 12, 0, 0, tzinfo=UTC)) == "midnight"
    assert uk_time(datetime(2027, 1, 12, 13, 5, tzinfo=UTC)) == "1:05pm"
    assert uk_datetime(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "Sunday 25 October 2026, 1:30am"
