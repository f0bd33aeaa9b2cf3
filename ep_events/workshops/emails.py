"""Workshop emails: one function per kind, each queued in the outbox, with its calendar invite where it has one."""

from ep_events.core.time import uk_date, uk_time
from ep_events.core.urls import external_url
from ep_events.notifications.calendar import CalendarEvent, build_cancellation, build_invite
from ep_events.notifications.outbox import queue_email


def calendar_event(registration) -> CalendarEvent:
    """The registration as a calendar meeting: the workshop's times, its Teams link (or that it will follow)
    and the person's page."""
    workshop = registration.event
    programme = workshop.programme
    url = external_url("workshops.registration_detail", registration_id=registration.id)
    lines = [f"Join on Microsoft Teams: {workshop.online_url}" if workshop.online_url else
             "The Microsoft Teams joining link will be sent to you before the workshop."]
    if workshop.topic:
        lines += ["", f"Topic: {workshop.topic}"]
    lines += ["", f"Your place, to cancel it: {url}"]
    return CalendarEvent(
        uid=registration.uid, sequence=registration.sequence, starts_at=registration.starts_at,
        ends_at=registration.ends_at, summary=f"{workshop.title} – {programme.name}", description="\n".join(lines),
        location=f"Microsoft Teams: {workshop.online_url}" if workshop.online_url else "Microsoft Teams",
        url=url, organizer_email=programme.contact_email, organizer_name=programme.name,
        attendees=((registration.user.name, registration.user.email),) if registration.user else (),
        status="CONFIRMED" if registration.is_confirmed else "CANCELLED",
    )


def _workshop_context(workshop, **extra) -> dict:
    return {"workshop": workshop, "programme": workshop.programme, "date": uk_date(workshop.starts_at),
            "starts": uk_time(workshop.starts_at), "ends": uk_time(workshop.ends_at),
            "teams_url": workshop.online_url,
            "workshop_url": external_url("workshops.workshop_page", slug=workshop.programme.slug,
                                         workshop_id=workshop.id), **extra}


def _context(registration, **extra) -> dict:
    return _workshop_context(
        registration.event, registration=registration, recipient_name=registration.user.name,
        registration_url=external_url("workshops.registration_detail", registration_id=registration.id), **extra)


def send_registered(registration) -> None:
    queue_email(registration.user.email, "workshops/registered",
                calendar=build_invite(calendar_event(registration)), calendar_method="REQUEST",
                **_context(registration))


def send_registration_updated(registration, what_changed: str) -> None:
    """The same UID with a higher SEQUENCE: the person's calendar entry moves rather than doubling."""
    queue_email(registration.user.email, "workshops/registration_updated",
                calendar=build_invite(calendar_event(registration)), calendar_method="REQUEST",
                what_changed=what_changed, **_context(registration))


def send_registration_cancelled(registration, why: str, message: str = "") -> None:
    """`why` is one sentence (you cancelled it, the organisers cancelled the workshop); `message` is the
    organisers' own words, if they wrote any."""
    queue_email(registration.user.email, "workshops/registration_cancelled",
                calendar=build_cancellation(calendar_event(registration)), calendar_method="CANCEL", why=why,
                message=message, **_context(registration))


def send_reminder(registration, hours_before: int) -> None:
    when = "tomorrow" if hours_before >= 24 else ("in an hour" if hours_before == 1 else f"in {hours_before} hours")
    queue_email(registration.user.email, "workshops/reminder", when=when, **_context(registration))


def _entry_context(entry, **extra) -> dict:
    return _workshop_context(entry.event, entry=entry, recipient_name=entry.user.name, **extra)


def send_waitlist_joined(entry) -> None:
    queue_email(entry.user.email, "workshops/waitlist_joined", **_entry_context(entry))


def send_waitlist_offer(entry) -> None:
    """A place has freed up: it is held for them until the offer ends."""
    queue_email(entry.user.email, "workshops/waitlist_offer",
                until=f"{uk_date(entry.offer_expires_at)}, {uk_time(entry.offer_expires_at)}",
                offer_url=external_url("workshops.offer", entry_id=entry.id), **_entry_context(entry))


def send_waitlist_offer_expired(entry) -> None:
    queue_email(entry.user.email, "workshops/waitlist_offer_expired", **_entry_context(entry))


def send_waitlist_workshop_cancelled(entry, message: str) -> None:
    queue_email(entry.user.email, "workshops/waitlist_workshop_cancelled", message=message,
                **_entry_context(entry))
