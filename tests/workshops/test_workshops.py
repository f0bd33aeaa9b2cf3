"""Organisers create, edit, publish and cancel workshops: UK times in, UTC stored; registrants get updated
invites (same UID, higher SEQUENCE) and cancellations (METHOD:CANCEL) by email."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from ep_events.bookings.models import EventStatus, PlaceStatus, WaitlistStatus
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.extensions import db
from ep_events.workshops.models import Workshop
from ep_events.workshops.registrations import register
from ep_events.workshops.waitlist import join_waitlist
from ep_events.workshops.workshops import cancel_workshop, create_workshop, publish_workshop, update_workshop
from tests.workshops.conftest import NOW, OTHER_TEAMS_URL, details, workshop


def _vevent(message):
    calendar = Calendar.from_ical(message.part("text/calendar"))
    return calendar, calendar.walk("VEVENT")[0]


def test_an_organiser_creates_a_draft_in_uk_time_stored_in_utc(world):
    made = workshop(world, publish=False)
    assert made.status is EventStatus.DRAFT
    # 10am on 16 June 2027 is British Summer Time: 9am UTC.
    assert made.starts_at == datetime(2027, 6, 16, 9, 0, tzinfo=UTC)
    assert made.ends_at == datetime(2027, 6, 16, 10, 30, tzinfo=UTC)
    assert made.registration_closes_at == made.starts_at  # by default, registration closes at the start
    assert made.practice_standards == ["S3", "S5"]
    assert made.online_url.startswith("https://teams.microsoft.com/")


def test_a_workshop_in_winter_is_stored_at_the_same_utc_time_as_the_uk_clock(world):
    made = workshop(world, day=date(2027, 11, 17))
    assert made.starts_at == datetime(2027, 11, 17, 10, 0, tzinfo=UTC)


def test_the_teams_link_may_follow_later_but_must_be_a_teams_link(world):
    assert workshop(world, online_url="").online_url == ""
    with pytest.raises(DomainError) as error:
        workshop(world, online_url="https://example.org/meeting")
    assert error.value.field == "online_url"


@pytest.mark.parametrize("changes, field", [
    ({"title": "  "}, "title"),
    ({"title": "x" * 1_000_000}, "title"),
    ({"title": "Nul\x00byte"}, "title"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": 2**63}, "capacity"),
    ({"capacity": True}, "capacity"),
    ({"day": date(9999, 12, 31)}, "day"),
    ({"day": date(2029, 6, 1)}, "day"),  # more than two years ahead
    ({"day": date(2027, 2, 1)}, "day"),  # in the past
    ({"ends": time(9, 0)}, "ends"),
    ({"starts": time(0, 0), "ends": time(23, 0)}, "ends"),
    ({"practice_standards": ("S9",)}, "practice_standards"),
    ({"description": "x" * 5001}, "description"),
    ({"registration_closes_at": datetime(2027, 6, 16, 12, 0, tzinfo=UTC)}, "registration_closes"),
])
def test_bad_details_are_refused_with_the_field_and_save_nothing(world, changes, field):
    with pytest.raises(DomainError) as error:
        create_workshop(world.organiser, world.programme, details(**changes), now=NOW)
    assert error.value.field == field
    db.session.rollback()
    assert db.session.query(Workshop).count() == 0


def test_only_organisers_create_publish_and_cancel_and_facilitators_may_edit(world):
    with pytest.raises(NotAllowed):
        create_workshop(world.facilitator, world.programme, details(), now=NOW)
    with pytest.raises(NotAllowed):
        create_workshop(world.alice, world.programme, details(), now=NOW)
    made = workshop(world, publish=False)
    with pytest.raises(NotAllowed):
        publish_workshop(world.facilitator, made, now=NOW)
    with pytest.raises(NotAllowed):
        cancel_workshop(world.facilitator, made, "", now=NOW)
    with pytest.raises(NotAllowed):
        update_workshop(world.alice, made, details(title="Renamed"), now=NOW)
    update_workshop(world.facilitator, made, details(title="Renamed by the facilitator"), now=NOW)
    assert made.title == "Renamed by the facilitator"


def test_moving_a_published_workshop_sends_each_registrant_the_same_uid_with_a_higher_sequence(world, mail):
    made = workshop(world)
    alice = register(made, world.alice, now=NOW)
    db.session.commit()
    [first] = mail()
    _, invite = _vevent(first)
    assert (str(invite["UID"]), int(invite["SEQUENCE"])) == (alice.uid, 0)

    saved = update_workshop(world.organiser, made, details(starts=time(14, 0), ends=time(15, 30)), now=NOW)
    db.session.commit()
    assert saved.told == 1
    [updated] = [m for m in mail() if m.subject.startswith("Workshop changed")]
    calendar, event = _vevent(updated)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (alice.uid, 1)
    assert event.decoded("DTSTART") == datetime(2027, 6, 16, 13, 0, tzinfo=UTC)
    assert "Wednesday 16 June 2027, 2:00pm" in updated.text
    assert (alice.starts_at, alice.sequence) == (made.starts_at, 1)


def test_a_new_teams_link_sends_the_updated_invite_and_other_changes_do_not(world, mail):
    made = workshop(world, online_url="")
    register(made, world.alice, now=NOW)
    db.session.commit()
    mail()
    assert update_workshop(world.organiser, made, details(online_url="", topic="Another topic"), now=NOW).told == 0
    saved = update_workshop(world.organiser, made, details(online_url=OTHER_TEAMS_URL), now=NOW)
    db.session.commit()
    assert saved.told == 1
    [updated] = mail()
    assert OTHER_TEAMS_URL in updated.text and "joining link has changed" in updated.text


def test_capacity_cannot_go_below_the_registrations_and_more_capacity_goes_to_the_waiting_list(world, mail):
    made = workshop(world, capacity=2)
    register(made, world.alice, now=NOW)
    register(made, world.bola, now=NOW)
    entry = join_waitlist(made, world.chen, now=NOW)
    db.session.commit()
    mail()
    with pytest.raises(DomainError, match="2 people have registered") as error:
        update_workshop(world.organiser, made, details(capacity=1), now=NOW)
    assert error.value.field == "capacity"
    db.session.rollback()
    saved = update_workshop(world.organiser, made, details(capacity=3), now=NOW)
    db.session.commit()
    assert saved.offers == 1 and entry.status is WaitlistStatus.OFFERED
    assert [m.recipients for m in mail()] == [["chen@example.org"]]


def test_cancelling_sends_every_registrant_a_cancel_with_the_organisers_message(world, mail):
    made = workshop(world)
    alice, bola = register(made, world.alice, now=NOW), register(made, world.bola, now=NOW)
    chen = join_waitlist(made, world.chen, now=NOW)
    db.session.commit()
    mail()
    told = cancel_workshop(world.organiser, made, "The speaker is unwell; we will set a new date.", now=NOW)
    db.session.commit()
    assert told == 2 and made.status is EventStatus.CANCELLED
    assert (alice.status, bola.status, chen.status) == (PlaceStatus.CANCELLED, PlaceStatus.CANCELLED,
                                                        WaitlistStatus.EXPIRED)
    messages = mail()
    cancels = [m for m in messages if m.part("text/calendar")]
    assert sorted(m.recipients[0] for m in cancels) == ["alice@example.org", "bola@example.org"]
    for message in cancels:
        calendar, event = _vevent(message)
        assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) == 1
        assert "The speaker is unwell" in message.text
    assert [m.recipients for m in messages if not m.part("text/calendar")] == [["chen@example.org"]]
    with pytest.raises(DomainError, match="already cancelled"):
        cancel_workshop(world.organiser, made, "", now=NOW)


def test_a_workshop_that_has_ended_cannot_be_cancelled(world, mail):
    made = workshop(world)
    with pytest.raises(DomainError, match="already taken place"):
        cancel_workshop(world.organiser, made, "", now=made.ends_at)
    assert made.status is EventStatus.PUBLISHED
    assert cancel_workshop(world.organiser, made, "", now=made.ends_at - timedelta(minutes=1)) == 0


def test_a_cancelled_or_ended_workshop_cannot_be_edited(world):
    made = workshop(world)
    with pytest.raises(DomainError, match="ended"):
        update_workshop(world.organiser, made, details(), now=made.ends_at + timedelta(minutes=1))
    cancel_workshop(world.organiser, made, "", now=NOW)
    with pytest.raises(DomainError, match="cancelled"):
        update_workshop(world.organiser, made, details(), now=NOW)
