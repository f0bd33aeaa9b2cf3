"""Network Days as a programme kind: what they offer My bookings, feeds, reminders, the API, account
deletion and "download my data" (the ProgrammeKindSpec of ep_events/bookings/kinds.py)."""

from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ep_events.bookings.kinds import ApiField
from ep_events.bookings.models import Event
from ep_events.core.urls import external_url
from ep_events.extensions import db
from ep_events.network_days import emails
from ep_events.network_days.capacity import free_places_query
from ep_events.network_days.models import PROGRAMME_KIND, EpChampion, NetworkDay, NetworkPlace
from ep_events.network_days.places import release_person

# Reminders go a day before (a setting on the programme once Network Days have settings).
REMINDER_HOURS = [24]


class NetworkDays:
    key = PROGRAMME_KIND
    label = "Network Days"
    cpd_type = "Network event"
    themes = ()
    event_identity = "network_day"
    place_identity = "network_place"
    waitlist_identity = None
    api_fields = (
        ApiField("topics", "string", "What the day covers"),
        ApiField("practice_standards", "array", "The EP National Practice Standards it addresses, e.g. S1"),
        ApiField("in_person", "boolean", "True at a venue, false online"),
    )

    def place_url(self, place_id: int) -> str:
        return url_for("network_days.place_detail", place_id=place_id)

    def event_url(self, event: NetworkDay, external: bool = False) -> str:
        build = external_url if external else url_for
        return build("network_days.programme_days", slug=event.programme.slug) + f"#day-{event.id}"

    def public_title(self, event: NetworkDay) -> str:
        return f"Network Day: {event.title}"

    def waitlist_url(self, entry_id: int) -> str:
        return ""

    def leave_waitlist_url(self, entry_id: int) -> str:
        return ""

    def calendar_events(self, place_ids: list[int]):
        places = db.session.execute(
            select(NetworkPlace).where(NetworkPlace.id.in_(place_ids))
            .options(selectinload(NetworkPlace.event).selectinload(Event.programme),
                     selectinload(NetworkPlace.user))).scalars()
        return [emails.calendar_event(place) for place in places]

    def reminder_hours(self, programme) -> list[int]:
        return list(REMINDER_HOURS)

    def send_reminder(self, place_id: int, hours: int) -> None:
        emails.send_reminder(db.session.get(NetworkPlace, place_id), hours)

    def places_left(self, events: list[NetworkDay], now: datetime):
        return free_places_query(events)

    def api_values(self, event: NetworkDay) -> dict:
        return {"topics": event.topics, "practice_standards": list(event.practice_standards),
                "in_person": bool(event.venue)}

    def release_person(self, user, now: datetime) -> int:
        return release_person(user, now)

    def personal_data(self, user) -> dict[str, list[dict]]:
        places = db.session.execute(
            select(NetworkPlace).where(NetworkPlace.user_id == user.id).order_by(NetworkPlace.starts_at)
            .options(selectinload(NetworkPlace.agency))).scalars()
        champions = db.session.execute(
            select(EpChampion).where(EpChampion.user_id == user.id).order_by(EpChampion.id)).scalars()
        return {
            "network_day_places": [{
                "place": place.id, "agency": place.agency.name, "place_type": place.place_type.value,
                "ep_champion": place.is_champion,
            } for place in places],
            "ep_champion_of": [{
                "programme": champion.programme.name, "agency": champion.organisation.name,
                "since": champion.created_at,
            } for champion in champions],
        }


KIND = NetworkDays()
