"""Organisers' Network Days (UK times in, UTC stored, bounded input) and membership years."""

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ep_events.bookings.models import EventStatus
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.extensions import db
from ep_events.network_days.days import cancel_day, create_day, update_day
from ep_events.network_days.memberships import (
    add_membership,
    membership_year_label,
    membership_year_of,
    name_champion,
)
from ep_events.network_days.models import EpChampion, NetworkDay, PlaceType
from ep_events.network_days.places import name_place
from tests.network_days.conftest import NOW, details, network_day


def test_an_organiser_creates_a_draft_day_in_uk_time_stored_in_utc(world):
    day = network_day(world, publish=False)
    assert day.status is EventStatus.DRAFT
    # 10am and 3:30pm British Summer Time are 9am and 2:30pm UTC.
    assert day.starts_at == datetime(2027, 6, 16, 9, 0, tzinfo=UTC)
    assert day.ends_at == datetime(2027, 6, 16, 14, 30, tzinfo=UTC)
    assert day.practice_standards == ["S1", "S4"]
    assert day.capacity == 3 and day.venue.startswith("Coram")


def test_renaming_closes_two_working_days_before_by_default(world):
    day = network_day(world)
    assert day.rename_deadline == datetime(2027, 6, 14, 9, 0, tzinfo=UTC)  # Monday, 10am UK


def test_the_default_rename_deadline_skips_a_bank_holiday_weekend(world):
    # Wednesday 2 June 2027: Tuesday 1 June, then back over Monday 31 May (Spring bank holiday) and the
    # weekend to Friday 28 May.
    day = network_day(world, day=date(2027, 6, 2))
    assert day.rename_deadline == datetime(2027, 5, 28, 9, 0, tzinfo=UTC)


def test_an_organiser_may_set_their_own_rename_deadline(world):
    deadline = datetime(2027, 6, 9, 16, 0, tzinfo=UTC)
    assert network_day(world, rename_deadline=deadline).rename_deadline == deadline


@pytest.mark.parametrize(("changes", "message"), [
    ({"day": date(1999, 6, 16)}, "Enter a date between 2000 and 2100"),
    ({"day": date(2101, 6, 16)}, "Enter a date between 2000 and 2100"),
    ({"day": date(2029, 3, 2)}, "within 2 years of today, so on or before 1 March 2029"),
    ({"day": date(2027, 2, 26)}, "must be in the future"),
    ({"starts": time(15, 0), "ends": time(10, 0)}, "The end time must be after the start time"),
    ({"capacity": 0}, "between 1 and 1000"),
    ({"capacity": 1001}, "between 1 and 1000"),
    ({"title": "   "}, "Enter a title"),
    ({"title": "x" * 201}, "200 characters or fewer"),
    ({"online_url": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_a%40thread.v2/0"},
     "either in person (a venue) or online"),
    ({"venue": "", "online_url": "https://evil.example.org/join"}, "Teams"),
    ({"practice_standards": ("S1", "standard four")}, "no practice standard"),
    ({"rename_deadline": datetime(2027, 6, 16, 9, 0, tzinfo=UTC)}, "Renaming must close before"),
])
def test_bad_day_details_are_refused_and_nothing_is_saved(world, changes, message):
    with pytest.raises(DomainError) as refused:
        create_day(world.organiser, world.programme, details(**changes), now=NOW)
    assert message in str(refused.value)
    assert db.session.execute(select(NetworkDay)).first() is None


def test_only_the_programmes_organisers_create_days(world):
    with pytest.raises(NotAllowed):
        create_day(world.admin, world.programme, details(), now=NOW)


def test_moving_a_day_sends_the_named_person_an_updated_invite(world, deliver):
    day = network_day(world)
    place = name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    deliver()
    told = update_day(world.organiser, day, details(starts=time(11, 0)), now=NOW).told
    db.session.commit()
    assert told == 1 and place.sequence == 1
    assert place.starts_at == datetime(2027, 6, 16, 10, 0, tzinfo=UTC)
    [updated] = [m for m in deliver() if "changed" in m.subject]
    assert updated.recipients == ["alice@example.org"]
    assert "11:00am to 3:30pm (UK time)" in updated.text
    assert "SEQUENCE:1" in updated.part("text/calendar") and place.uid in updated.part("text/calendar")


def test_capacity_cannot_go_below_the_places_named(world):
    day = network_day(world)
    name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    name_place(world.organiser, day, world.agency, world.bola, PlaceType.EXTRA, now=NOW)
    with pytest.raises(DomainError, match="2 places are already named"):
        update_day(world.organiser, day, details(capacity=1), now=NOW)


def test_cancelling_a_day_cancels_every_place_and_tells_each_person(world, deliver):
    day = network_day(world)
    place = name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    deliver()
    assert cancel_day(world.organiser, day, "The venue has flooded.", now=NOW) == 1
    db.session.commit()
    assert day.status is EventStatus.CANCELLED and not place.is_confirmed
    [cancelled] = [m for m in deliver() if "cancelled" in m.subject]
    assert cancelled.recipients == ["alice@example.org"]
    assert "The venue has flooded." in cancelled.text
    assert "METHOD:CANCEL" in cancelled.part("text/calendar")


def test_a_day_that_has_ended_cannot_be_cancelled(world):
    day = network_day(world)
    place = name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    with pytest.raises(DomainError, match="already taken place"):
        cancel_day(world.organiser, day, "", now=day.ends_at)
    assert day.status is EventStatus.PUBLISHED and place.is_confirmed


@pytest.mark.parametrize(("moment", "year"), [
    (date(2027, 3, 31), 2026),
    (date(2027, 4, 1), 2027),
    (datetime(2027, 3, 31, 22, 30, tzinfo=UTC), 2026),  # 11:30pm BST, still 31 March in the UK
    (datetime(2027, 3, 31, 23, 30, tzinfo=UTC), 2027),  # 12:30am BST on 1 April in the UK
    (date(2027, 1, 15), 2026),
])
def test_a_membership_year_runs_from_1_april_to_31_march(moment, year):
    assert membership_year_of(moment) == year


def test_a_membership_year_can_start_in_another_month():
    september = SimpleNamespace(membership_year_start_month=9, membership_year_start_day=1)
    assert membership_year_of(date(2027, 8, 31), september) == 2026
    assert membership_year_of(date(2027, 9, 1), september) == 2027
    assert membership_year_label(2026) == "1 April 2026 to 31 March 2027"


def test_a_membership_is_recorded_once_per_agency_and_year(world):
    again = add_membership(world.organiser, world.programme, world.agency, 2027)
    assert again.membership_year == 2027
    with pytest.raises(DomainError, match="between 2000 and 2100"):
        add_membership(world.organiser, world.programme, world.agency, 2101)
    with pytest.raises(NotAllowed):
        add_membership(world.admin, world.programme, world.agency, 2028)


def test_an_agency_names_one_ep_champion_from_its_own_people(world):
    name_champion(world.admin, world.programme, world.agency, world.alice)
    name_champion(world.admin, world.programme, world.agency, world.bola)
    [champion] = db.session.execute(select(EpChampion)).scalars()
    assert champion.user_id == world.bola.id
    with pytest.raises(DomainError, match="from Riverton City Council"):
        name_champion(world.admin, world.programme, world.agency, world.chen)
    with pytest.raises(NotAllowed):
        name_champion(world.other_admin, world.programme, world.agency, world.alice)
