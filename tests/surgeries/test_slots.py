"""Slot generation and UK time, either side of the clocks changing."""

from datetime import UTC, date, datetime, time

import pytest
from freezegun import freeze_time

from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.surgeries.dates import create_surgery_date
from ep_events.surgeries.models import SessionKind
from tests import factories


def _utc(y, m, d, hh, mm):
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def test_am_session_makes_three_forty_minute_slots_with_ten_minute_buffers(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, day=date(2027, 1, 12), now=_utc(2026, 12, 1, 9, 0))
    times = [(s.starts_at, s.ends_at) for s in surgery_date.slots]
    # 09:30-10:10, 10:20-11:00, 11:10-11:50 (11:50+10+40 = 12:40 would pass 12:30). GMT = UTC in January.
    assert times == [(_utc(2027, 1, 12, 9, 30), _utc(2027, 1, 12, 10, 10)),
                     (_utc(2027, 1, 12, 10, 20), _utc(2027, 1, 12, 11, 0)),
                     (_utc(2027, 1, 12, 11, 10), _utc(2027, 1, 12, 11, 50))]


@pytest.mark.parametrize("day, utc_hour", [
    (date(2027, 3, 23), 9),   # week before the clocks go forward (28 March 2027): GMT
    (date(2027, 3, 30), 8),   # week after: BST, so 09:30 UK time is 08:30 UTC
    (date(2026, 10, 20), 8),  # week before the clocks go back (25 October 2026): BST
    (date(2026, 10, 27), 9),  # week after: GMT
])
def test_slots_are_stored_in_utc_and_start_at_nine_thirty_uk_time_either_side_of_clock_changes(app, day, utc_hour):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, day=day, now=_utc(2026, 9, 1, 9, 0))
    first = surgery_date.slots[0]
    assert first.starts_at == datetime(day.year, day.month, day.day, utc_hour, 30, tzinfo=UTC)
    db.session.commit()
    db.session.expire_all()
    assert first.starts_at.tzinfo is not None and first.starts_at.hour == utc_hour


@pytest.mark.parametrize("day", [date(2026, 10, 20), date(2026, 10, 27), date(2027, 3, 23), date(2027, 3, 30)])
def test_slot_picker_shows_the_same_uk_times_either_side_of_clock_changes(client, day):
    programme = factories.surgery_programme(slug="mtc")
    factories.surgery_date(programme, day=day, now=_utc(2026, 9, 1, 9, 0))
    db.session.commit()
    with freeze_time(datetime(2026, 9, 2, 12, 0)):
        body = client.get("/surgeries/mtc").get_data(as_text=True)
    assert "Book 9:30am to 10:10am" in body
    assert "Book 10:20am to 11:00am" in body
    assert "UK time" in body


def test_pm_and_custom_windows(app):
    programme = factories.surgery_programme()
    now = _utc(2026, 12, 1, 9, 0)
    pm = create_surgery_date(None, programme, date(2027, 2, 2), SessionKind.PM, now=now)
    assert pm.slots[0].starts_at == _utc(2027, 2, 2, 13, 30)
    custom = create_surgery_date(None, programme, date(2027, 2, 3), SessionKind.CUSTOM, time(10, 0),
                                 time(11, 30), now=now)
    assert [s.starts_at for s in custom.slots] == [_utc(2027, 2, 3, 10, 0), _utc(2027, 2, 3, 10, 50)]


def test_a_surgery_date_in_the_past_is_refused(app):
    programme = factories.surgery_programme()
    with pytest.raises(DomainError, match="must be in the future"):
        create_surgery_date(None, programme, date(2026, 11, 1), SessionKind.AM,
                            now=_utc(2026, 11, 28, 9, 0))


def test_a_window_too_short_for_a_slot_is_refused(app):
    programme = factories.surgery_programme()
    with pytest.raises(DomainError, match="too short"):
        create_surgery_date(None, programme, date(2027, 2, 3), SessionKind.CUSTOM, time(10, 0),
                            time(10, 30), now=_utc(2026, 11, 28, 9, 0))
