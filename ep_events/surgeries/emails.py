"""Surgery emails: one function per kind, each queued in the outbox with its calendar invite."""

from ep_events.core.time import uk_date, uk_time
from ep_events.core.urls import external_url
from ep_events.notifications.calendar import CalendarEvent, build_cancellation, build_invite
from ep_events.notifications.outbox import queue_email


def calendar_event(booking) -> CalendarEvent:
    """The booking as a calendar meeting. Never carries the theme's detail or the outline."""
    slot = booking.slot
    surgery_date = slot.surgery_date
    programme = surgery_date.programme
    url = external_url("surgeries.booking_detail", booking_id=booking.id)
    link = surgery_date.teams_url
    lines = [
        f"Join on Microsoft Teams: {link}" if link else
        "The Microsoft Teams joining link will be sent to you before the surgery.",
        "",
        f"A {int((slot.ends_at - slot.starts_at).total_seconds() // 60)}-minute informal, interactive practice "
        "surgery with the Early Permanence facilitators. You do not need to bring a case.",
        "",
        f"Your booking, to move or cancel it: {url}",
    ]
    attendees = [(booking.user.name, booking.user.email)] + [(c["name"], c["email"]) for c in booking.colleagues]
    return CalendarEvent(
        uid=booking.uid, sequence=booking.sequence, starts_at=slot.starts_at, ends_at=slot.ends_at,
        summary=f"EP practice surgery – {programme.name}", description="\n".join(lines),
        location=f"Microsoft Teams{': ' + link if link else ''}", url=url,
        organizer_email=programme.contact_email, organizer_name=programme.name, attendees=tuple(attendees),
        status="CONFIRMED" if booking.is_confirmed else "CANCELLED",
    )


def colleague_calendar_event(booking, email: str) -> CalendarEvent:
    """The meeting as sent to a colleague the booker named: the same UID and SEQUENCE as the booker's,
    but only who booked and when. No link and nothing the booker typed, not even the name they gave."""
    slot = booking.slot
    programme = slot.surgery_date.programme
    return CalendarEvent(
        uid=booking.uid, sequence=booking.sequence, starts_at=slot.starts_at, ends_at=slot.ends_at,
        summary="EP practice surgery",
        description=f"An Early Permanence practice surgery booked by {booking.user.name}, who named you as "
                    "joining them. Ask them for the joining details.",
        location="Microsoft Teams", url=None, organizer_email=programme.contact_email,
        organizer_name=programme.name, attendees=((booking.user.name, booking.user.email), ("", email)),
        status="CONFIRMED" if booking.is_confirmed else "CANCELLED",
    )


def _tell_colleagues(booking, change: str) -> None:
    """Each colleague the booker named hears who booked and when, nothing else: no URL and no text the
    booker typed, so the booking form cannot be used to send someone a message or a link (issue 10)."""
    slot = booking.slot
    cancelled = change == "cancelled"
    for email in (c["email"] for c in booking.colleagues):
        calendar = None
        if change != "reminder":
            event = colleague_calendar_event(booking, email)
            calendar = build_cancellation(event) if cancelled else build_invite(event)
        queue_email(email, "surgeries/colleague_notice", calendar=calendar,
                    calendar_method=None if calendar is None else ("CANCEL" if cancelled else "REQUEST"),
                    change=change, booker_name=booking.user.name, day=uk_date(slot.starts_at),
                    starts=uk_time(slot.starts_at), ends=uk_time(slot.ends_at))


def _context(booking, **extra) -> dict:
    slot = booking.slot
    return {
        "booking": booking, "programme": slot.surgery_date.programme, "teams_url": slot.surgery_date.teams_url,
        "day": uk_date(slot.starts_at), "starts": uk_time(slot.starts_at), "ends": uk_time(slot.ends_at),
        "booking_url": external_url("surgeries.booking_detail", booking_id=booking.id),
        "booker_name": booking.user.name, **extra,
    }


def send_booking_confirmation(booking) -> None:
    queue_email(booking.user.email, "surgeries/booking_confirmed", calendar=build_invite(calendar_event(booking)),
                calendar_method="REQUEST", recipient_name=booking.user.name, is_booker=True, **_context(booking))
    _tell_colleagues(booking, "booked")


def send_booking_updated(booking, what_changed: str) -> None:
    queue_email(booking.user.email, "surgeries/booking_updated", calendar=build_invite(calendar_event(booking)),
                calendar_method="REQUEST", recipient_name=booking.user.name, is_booker=True,
                what_changed=what_changed, **_context(booking))
    _tell_colleagues(booking, "updated")


def send_booking_cancelled(booking, by_facilitator: bool, message: str = "") -> None:
    queue_email(booking.user.email, "surgeries/booking_cancelled",
                calendar=build_cancellation(calendar_event(booking)), calendar_method="CANCEL",
                recipient_name=booking.user.name, is_booker=True, by_facilitator=by_facilitator,
                message=message, dates_url=external_url("surgeries.programme_slots",
                                                        slug=booking.slot.surgery_date.programme.slug),
                **_context(booking))
    _tell_colleagues(booking, "cancelled")


def send_offer(offer) -> None:
    slot = offer.slot
    user = offer.entry.user
    queue_email(user.email, "surgeries/slot_offered", recipient_name=user.name, programme=slot.surgery_date.programme,
                day=uk_date(slot.starts_at), starts=uk_time(slot.starts_at), ends=uk_time(slot.ends_at),
                expires=f"{uk_date(offer.expires_at)} at {uk_time(offer.expires_at)}",
                offer_url=external_url("surgeries.offer", offer_id=offer.id))


def send_waitlist_joined(entry, terms) -> None:
    """Confirm a place on a date's waiting list, with the programme's real offer time."""
    surgery_date = entry.surgery_date
    programme = surgery_date.programme
    queue_email(entry.user.email, "surgeries/waitlist_joined", recipient_name=entry.user.name, programme=programme,
                label=surgery_date.label, offer_hours=terms.offer_hours, close_hours=terms.booking_close_hours,
                bookings_url=external_url("people.my_bookings"),
                dates_url=external_url("surgeries.programme_slots", slug=programme.slug))


def send_reminder(booking, hours_before: int) -> None:
    when = "tomorrow" if hours_before >= 24 else ("in an hour" if hours_before == 1 else f"in {hours_before} hours")
    queue_email(booking.user.email, "surgeries/reminder", recipient_name=booking.user.name, when=when,
                is_booker=True, **_context(booking))
    _tell_colleagues(booking, "reminder")


def send_teams_problem(surgery_date, problem: str) -> None:
    """Tell the programme's organisers (its mailbox) that the Teams link must be set by hand."""
    programme = surgery_date.programme
    queue_email(programme.contact_email, "surgeries/teams_problem", programme=programme, problem=problem,
                label=surgery_date.label,
                manage_url=external_url("surgeries.manage_date", date_id=surgery_date.id))
