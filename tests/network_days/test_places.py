"""Naming, renaming and cancelling places: membership places, extra places, the rename deadline, emails."""

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from ep_events.bookings.models import PlaceStatus
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.extensions import db
from ep_events.network_days.memberships import name_champion
from ep_events.network_days.models import NetworkPlace, PlaceType
from ep_events.network_days.places import add_bought_places, cancel_place, name_place, rename_place
from ep_events.network_days.rules import NoPlacesLeft, RenameDeadlinePassed
from tests.network_days.conftest import NOW, network_day

BEFORE_DEADLINE = datetime(2027, 6, 14, 8, 59, tzinfo=UTC)  # a minute before Monday 10am UK
AFTER_DEADLINE = datetime(2027, 6, 14, 9, 1, tzinfo=UTC)


def _vevent(message):
    return Calendar.from_ical(message.part("text/calendar")).walk("VEVENT")[0]


def test_a_member_agency_names_its_membership_place_and_the_person_gets_an_invite(world, deliver):
    day = network_day(world)
    place = name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    assert (place.agency_id, place.organisation_id, place.place_type) == (
        world.agency.id, world.agency.id, PlaceType.MEMBERSHIP)
    assert (place.starts_at, place.ends_at) == (day.starts_at, day.ends_at)
    [invite] = deliver()
    assert invite.recipients == ["alice@example.org"]
    assert invite.subject == "Network Day place: Wednesday 16 June 2027, 10:00am (UK time)"
    assert "Riverton City Council has given you its membership place" in invite.text
    assert "Coram, 41 Brunswick Square" in invite.text
    event = _vevent(invite)
    assert str(event["UID"]) == place.uid and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == datetime(2027, 6, 16, 9, 0, tzinfo=UTC)


def test_a_membership_place_goes_once_per_agency_per_day(world):
    day = network_day(world)
    name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    with pytest.raises(DomainError, match="membership place on this Network Day is already named"):
        name_place(world.admin, day, world.agency, world.bola, PlaceType.MEMBERSHIP, now=NOW)
    # The other member agency still has its own.
    name_place(world.other_admin, day, world.other_agency, world.chen, PlaceType.MEMBERSHIP, now=NOW)


def test_a_day_outside_the_agencys_membership_year_has_no_membership_place(world):
    # 24 March 2027 is in the 2026 membership year; the agencies are members for 2027 only.
    day = network_day(world, day=date(2027, 3, 24))
    with pytest.raises(DomainError, match="is not a member for 1 April 2026 to 31 March 2027"):
        name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    assert db.session.execute(select(NetworkPlace)).first() is None


def test_extra_places_go_only_while_the_day_has_room(world):
    # Three places: Riverton's membership place, Southvale's (held for it while not named), one more.
    day = network_day(world, capacity=3)
    name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    name_place(world.organiser, day, world.agency, world.bola, PlaceType.EXTRA, now=NOW)
    with pytest.raises(NoPlacesLeft, match="no places left"):
        name_place(world.organiser, day, world.other_agency, world.chen, PlaceType.EXTRA, now=NOW)


def test_an_agency_admin_names_only_extra_places_the_agency_has_bought(world):
    day = network_day(world, capacity=10)
    with pytest.raises(DomainError, match="has no extra place on this Network Day waiting for a name. Buy"):
        name_place(world.admin, day, world.agency, world.bola, PlaceType.EXTRA, now=NOW)
    [held] = add_bought_places(world.admin, day, world.agency, 1, None)
    place = name_place(world.admin, day, world.agency, world.bola, PlaceType.EXTRA, now=NOW)
    assert place is held and place.user_id == world.bola.id and place.organisation_id == world.agency.id


def test_one_person_holds_one_place_on_a_day(world):
    day = network_day(world)
    name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    with pytest.raises(DomainError, match="Alice Adams already has a place"):
        name_place(world.admin, day, world.agency, world.alice, PlaceType.EXTRA, now=NOW)


def test_an_agency_admin_cannot_name_another_agencys_places(world):
    day = network_day(world)
    with pytest.raises(NotAllowed):
        name_place(world.other_admin, day, world.agency, world.chen, PlaceType.EXTRA, now=NOW)
    with pytest.raises(NotAllowed):
        name_place(world.alice, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)


def test_draft_cancelled_and_started_days_take_no_places(world):
    draft = network_day(world, publish=False)
    with pytest.raises(DomainError, match="not open for places"):
        name_place(world.organiser, draft, world.agency, world.alice, PlaceType.EXTRA, now=NOW)
    day = network_day(world, day=date(2027, 6, 23))
    with pytest.raises(DomainError, match="already started"):
        name_place(world.organiser, day, world.agency, world.alice, PlaceType.EXTRA,
                   now=day.starts_at + timedelta(minutes=1))


def test_the_agencys_ep_champion_is_marked_on_their_place(world):
    name_champion(world.admin, world.programme, world.agency, world.alice)
    day = network_day(world)
    assert name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW).is_champion
    assert not name_place(world.organiser, day, world.agency, world.bola, PlaceType.EXTRA, now=NOW).is_champion


def test_renaming_before_the_deadline_cancels_the_old_invite_and_invites_the_new_person(world, deliver):
    day = network_day(world)
    old = name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    deliver()
    new = rename_place(world.admin, old, world.bola, now=BEFORE_DEADLINE)
    db.session.commit()
    assert old.status is PlaceStatus.CANCELLED and old.sequence == 1 and old.cancelled_by_id == world.admin.id
    assert new.is_confirmed and new.user_id == world.bola.id and new.place_type is PlaceType.MEMBERSHIP
    assert new.uid != old.uid
    messages = deliver()
    [cancelled] = [m for m in messages if m.recipients == ["alice@example.org"] and "cancelled" in m.subject]
    assert "has given the place to a colleague" in cancelled.text
    assert "METHOD:CANCEL" in cancelled.part("text/calendar")
    assert str(_vevent(cancelled)["UID"]) == old.uid and int(_vevent(cancelled)["SEQUENCE"]) == 1
    [invited] = [m for m in messages if m.recipients == ["bola@example.org"]]
    assert "METHOD:REQUEST" in invited.part("text/calendar") and str(_vevent(invited)["UID"]) == new.uid


def test_after_the_deadline_only_the_organiser_renames(world, deliver):
    day = network_day(world)
    old = name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    deliver()
    with pytest.raises(RenameDeadlinePassed, match="could be changed until Monday 14 June 2027, 10:00am"):
        rename_place(world.admin, old, world.bola, now=AFTER_DEADLINE)
    db.session.rollback()
    assert [m for m in deliver() if "bola" in m.recipients[0]] == []
    new = rename_place(world.organiser, old, world.bola, now=AFTER_DEADLINE)
    db.session.commit()
    assert new.user_id == world.bola.id and not old.is_confirmed
    assert [m.recipients for m in deliver() if m.recipients == ["bola@example.org"]] == [["bola@example.org"]]


def test_renaming_to_someone_who_already_has_a_place_is_refused_and_nothing_changes(world):
    day = network_day(world)
    place = name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    name_place(world.organiser, day, world.agency, world.bola, PlaceType.EXTRA, now=NOW)
    with pytest.raises(DomainError, match="Bola Bello already has a place"):
        rename_place(world.admin, place, world.bola, now=NOW)
    assert place.is_confirmed


def test_cancelling_a_place_tells_the_person_and_frees_it(world, deliver):
    day = network_day(world, capacity=3)  # two held for the member agencies' membership places, one extra
    place = name_place(world.organiser, day, world.agency, world.alice, PlaceType.EXTRA, now=NOW)
    db.session.commit()
    deliver()
    cancel_place(world.admin, place, "Alice is on leave that week.", now=NOW)
    db.session.commit()
    [cancelled] = [m for m in deliver() if "cancelled" in m.subject]
    assert cancelled.recipients == ["alice@example.org"] and "Alice is on leave that week." in cancelled.text
    name_place(world.organiser, day, world.other_agency, world.chen, PlaceType.EXTRA, now=NOW)
    with pytest.raises(DomainError, match="already cancelled"):
        cancel_place(world.organiser, place, now=NOW)
