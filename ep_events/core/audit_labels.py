"""The audit log in plain words: each action code as a sentence, each recorded field as a label.

The codes stay in the database and the filters' addresses; people read the words.
"""

ACTION_LABELS = {
    "grant.add": "Gave a role",
    "grant.remove": "Took away a role",
    "organisation.create": "Added an organisation",
    "organisation.update": "Changed an organisation",
    "outbox.resend": "Sent an email again",
    "programme.create": "Added a programme",
    "programme.update": "Changed a programme",
    "programme.publish": "Published a programme",
    "programme.unpublish": "Made a programme a draft again",
    "surgery.attendance": "Marked attendance",
    "surgery.date.cancel": "Cancelled a surgery date",
    "surgery.date.create": "Created a surgery date",
    "surgery.date.delete": "Deleted a draft surgery date",
    "surgery.date.publish": "Published a surgery date",
    "surgery.date.teams_link": "Changed a Teams joining link",
    "surgery.offer.accept": "Took a waiting-list offer",
    "surgery.offer.decline": "Turned down a waiting-list offer",
    "surgery.offer.expire": "A waiting-list offer ran out",
    "surgery.offer.make": "Offered a freed slot",
    "surgery.settings": "Changed surgery settings",
    "surgery.slot.cancel": "Cancelled a slot",
    "surgery.slot.remove": "Removed a slot",
    "surgery.slot.reopen": "Reopened a slot",
    "surgery.waitlist.join": "Joined a waiting list",
    "user.change_email": "Changed an email address",
    "user.delete_self": "Deleted their own account",
    "user.update": "Changed a person's details",
}

TARGET_LABELS = {
    "Organisation": "Organisation", "Programme": "Programme", "User": "Person", "OutboxMessage": "Email",
    "Grant": "Role", "SurgeryDate": "Surgery date", "SurgerySlot": "Surgery slot", "SurgeryBooking": "Booking",
    "SlotOffer": "Waiting-list offer", "SurgeryWaitlistEntry": "Waiting-list place",
    "WaitlistEntry": "Waiting-list place",
}

FIELD_LABELS = {
    "teams_url": "Teams joining link", "teams_problem": "Teams problem", "teams_provider": "Teams links",
    "contact_email": "Contact email address", "slot_minutes": "Slot length (minutes)",
    "buffer_minutes": "Buffer (minutes)", "booking_close_hours": "Booking closes (hours before)",
    "max_upcoming_bookings": "Most upcoming bookings", "offer_hours": "Offer time (hours)",
    "outline_retention_days": "Outlines erased after (days)", "am_starts": "AM starts", "am_ends": "AM ends",
    "pm_starts": "PM starts", "pm_ends": "PM ends", "reminder_hours": "Reminders (hours before)",
    "bookings_cancelled": "Bookings cancelled", "organisation_id": "Organisation", "programme_id": "Programme",
}


def _words(code: str) -> str:
    text = code.replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def action_label(code: str) -> str:
    """'surgery.slot.cancel' reads 'Cancelled a slot'; a code with no words yet reads as its parts."""
    return ACTION_LABELS.get(code, _words(code))


def target_label(name: str) -> str:
    return TARGET_LABELS.get(name, _words(name))


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, _words(key))


def value_text(value) -> str:
    """A recorded value as words: nothing recorded reads 'none', true and false read 'yes' and 'no'."""
    if value is None or value == "":
        return "none"
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)
