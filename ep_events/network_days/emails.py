"""Network Day emails: one function per kind, each queued in the outbox with its calendar invite."""

from ep_events.core.time import uk_date, uk_time
from ep_events.core.urls import external_url
from ep_events.notifications.calendar import CalendarEvent, build_cancellation, build_invite
from ep_events.notifications.outbox import queue_email


def where(day) -> str:
    """'Online (Microsoft Teams)' or the venue, as one line."""
    return " ".join(day.venue.split()) if day.venue else "Online"


def calendar_event(place) -> CalendarEvent:
    """The named person's place as a calendar meeting: the day's times, link or venue, and their page."""
    day = place.event
    programme = day.programme
    url = external_url("network_days.place_detail", place_id=place.id)
    lines = []
    if day.venue:
        lines.append(f"Venue: {where(day)}")
    elif day.online_url:
        lines.append(f"Join online: {day.online_url}")
    else:
        lines.append("The joining link will be sent to you before the day.")
    if day.topics:
        lines += ["", f"Topics: {' '.join(day.topics.split())}"]
    lines += ["", f"Your place: {url}"]
    return CalendarEvent(
        uid=place.uid, sequence=place.sequence, starts_at=place.starts_at, ends_at=place.ends_at,
        summary=f"{day.title} – {programme.name}", description="\n".join(lines),
        location=where(day) if day.venue else (f"Online: {day.online_url}" if day.online_url else "Online"),
        url=url, organizer_email=programme.contact_email, organizer_name=programme.name,
        attendees=((place.user.name, place.user.email),) if place.user else (),
        status="CONFIRMED" if place.is_confirmed else "CANCELLED",
    )


def _context(place, **extra) -> dict:
    day = place.event
    return {
        "place": place, "day": day, "programme": day.programme, "agency": place.agency,
        "date": uk_date(day.starts_at), "starts": uk_time(day.starts_at), "ends": uk_time(day.ends_at),
        "where": where(day), "online_url": day.online_url,
        "place_url": external_url("network_days.place_detail", place_id=place.id),
        "recipient_name": place.user.name if place.user else "", **extra,
    }


def send_place_confirmed(place) -> None:
    queue_email(place.user.email, "network_days/place_confirmed", calendar=build_invite(calendar_event(place)),
                calendar_method="REQUEST", **_context(place))


def send_place_offered(place, email: str) -> None:
    """To someone without an account yet: a link to sign in (or create an account) and accept the place."""
    queue_email(email, "network_days/place_offered", email=email,
                offer_url=external_url("network_days.place_offer", place_id=place.id), **_context(place))


def send_place_updated(place, what_changed: str) -> None:
    queue_email(place.user.email, "network_days/place_updated", calendar=build_invite(calendar_event(place)),
                calendar_method="REQUEST", what_changed=what_changed, **_context(place))


def send_place_cancelled(place, why: str) -> None:
    """`why` is one sentence: the place was given to someone else, the day was cancelled, ..."""
    queue_email(place.user.email, "network_days/place_cancelled",
                calendar=build_cancellation(calendar_event(place)), calendar_method="CANCEL", why=why,
                **_context(place))


def send_reminder(place, hours_before: int) -> None:
    when = "tomorrow" if hours_before >= 24 else ("in an hour" if hours_before == 1 else f"in {hours_before} hours")
    queue_email(place.user.email, "network_days/reminder", when=when, **_context(place))


# --- Bespoke-training enquiries ----------------------------------------------------------------

def _enquiry_context(enquiry) -> dict:
    return {"enquiry": enquiry, "programme": enquiry.programme, "sent": f"{uk_date(enquiry.created_at)}, "
            f"{uk_time(enquiry.created_at)} (UK time)", "reference": enquiry.reference}


def send_enquiry_to_organiser(enquiry) -> None:
    """The whole enquiry to the programme's contact address, which is the organisers' inbox."""
    queue_email(enquiry.programme.contact_email, "network_days/enquiry_received",
                enquiry_url=external_url("network_days.enquiry_detail", enquiry_id=enquiry.id),
                **_enquiry_context(enquiry))


def send_enquiry_acknowledgement(enquiry) -> None:
    """To the sender: received, and who will reply. It does not repeat what they wrote about the training."""
    queue_email(enquiry.contact_email, "network_days/enquiry_acknowledgement", **_enquiry_context(enquiry))


def _waitlist_context(entry, **extra) -> dict:
    day = entry.event
    programme = day.programme
    return {"entry": entry, "day": day, "programme": programme, "agency": entry.agency, "quantity": entry.quantity,
            "places": "1 place" if entry.quantity == 1 else f"{entry.quantity} places",
            "date": uk_date(day.starts_at), "starts": uk_time(day.starts_at), "ends": uk_time(day.ends_at),
            "where": where(day), "recipient_name": entry.user.name if entry.user else "",
            "buy_url": external_url("network_buy.buy_places_page", slug=programme.slug, day_id=day.id,
                                    org_id=entry.agency_id, quantity=entry.quantity), **extra}


def send_waitlist_joined(entry) -> None:
    queue_email(entry.user.email, "network_days/waitlist_joined", **_waitlist_context(entry))


def send_waitlist_offer(entry) -> None:
    """Places have freed up: they are held for the agency until the offer ends."""
    queue_email(entry.user.email, "network_days/waitlist_offer",
                until=f"{uk_date(entry.offer_expires_at)}, {uk_time(entry.offer_expires_at)}",
                **_waitlist_context(entry))


def send_waitlist_offer_expired(entry) -> None:
    queue_email(entry.user.email, "network_days/waitlist_offer_expired", **_waitlist_context(entry))
