"""The audit log in plain words: each action code as a sentence, each recorded field as a label.

The codes stay in the database and the filters' addresses; people read the words.
"""

ACTION_LABELS = {
    "assessment.complete": "Completed a practice standards self-assessment",
    "assessment.copy": "Started a self-assessment as a copy of the last one",
    "assessment.delegate": "Let a colleague work on self-assessments",
    "assessment.share": "Shared a self-assessment's ratings with the organisers",
    "assessment.start": "Started a practice standards self-assessment",
    "assessment.undelegate": "Stopped a colleague working on self-assessments",
    "assessment.unshare": "Stopped sharing a self-assessment's ratings",
    "billing.credit_note": "Issued a credit note",
    "billing.invoice": "Issued an invoice",
    "billing.order": "Placed an order",
    "billing.order_cancelled": "Cancelled an order",
    "billing.order_lines_cancelled": "Cancelled part of an order",
    "billing.payment": "Recorded a payment",
    "billing.price": "Set a price",
    "billing.settings": "Changed the invoice details",
    "billing.vat_rate": "Set a VAT rate",
    "grant.add": "Gave a role",
    "grant.remove": "Took away a role",
    "invitations.entry.unsubscribed": "Took an address off the invitation list",
    "invitations.list.exported": "Downloaded the invitation list",
    "invitations.list.imported": "Imported addresses to the invitation list",
    "mailing.started": "Started sending an email to many people",
    "network.attendance": "Marked attendance at a Network Day",
    "network.champion.name": "Named an agency's EP Champion",
    "network.day.cancel": "Cancelled a Network Day",
    "network.day.create": "Created a Network Day",
    "network.day.publish": "Published a Network Day",
    "network.day.update": "Changed a Network Day",
    "network.enquiry.answered": "Answered a training enquiry",
    "network.membership.add": "Recorded an agency's membership",
    "network.membership.bought": "An agency bought a membership",
    "network.membership.end": "Ended an agency's membership",
    "network.order.cancel": "Cancelled a Network Days order",
    "network.place.accept": "Took a Network Day place offered by email",
    "network.place.bought": "An agency bought extra places",
    "network.place.cancel": "Cancelled a Network Day place",
    "network.place.name": "Named a person for a Network Day place",
    "network.place.offer": "Offered a Network Day place by email",
    "network.place.rename": "Gave a Network Day place to someone else",
    "network.waitlist.join": "An agency joined a Network Day waiting list",
    "network.waitlist.leave": "An agency left a Network Day waiting list",
    "network.waitlist.offer": "Offered places from a Network Day waiting list",
    "organisation.create": "Added an organisation",
    "organisation.update": "Changed an organisation",
    "outbox.resend": "Sent an email again",
    "programme.create": "Added a programme",
    "programme.publish": "Published a programme",
    "programme.unpublish": "Made a programme a draft again",
    "programme.update": "Changed a programme",
    "surgery.attendance": "Marked attendance",
    "surgery.date.cancel": "Cancelled a surgery date",
    "surgery.date.create": "Created a surgery date",
    "surgery.date.delete": "Deleted a draft surgery date",
    "surgery.date.publish": "Published a surgery date",
    "surgery.date.standards": "Changed a surgery date's practice standards",
    "surgery.date.teams_link": "Changed a Teams joining link",
    "surgery.offer.accept": "Took a waiting-list offer",
    "surgery.offer.decline": "Turned down a waiting-list offer",
    "surgery.offer.expire": "A waiting-list offer ran out",
    "surgery.offer.make": "Offered a freed slot",
    "surgery.settings": "Changed surgery settings",
    "surgery.slot.cancel": "Cancelled a slot",
    "surgery.slot.remove": "Removed a slot",
    "surgery.slot.reopen": "Reopened a slot",
    "surgery.theme.standards": "Changed a surgery theme's practice standards",
    "surgery.waitlist.join": "Joined a waiting list",
    "user.change_email": "Changed an email address",
    "user.data_download": "Downloaded their own data",
    "user.delete_self": "Deleted their own account",
    "user.delete_unconfirmed": "Deleted an account whose address was never confirmed",
    "user.update": "Changed a person's details",
    "workshop.attendance": "Marked attendance at a workshop",
    "workshop.cancel": "Cancelled a workshop",
    "workshop.create": "Created a workshop",
    "workshop.feedback_saved": "Gave feedback on a workshop",
    "workshop.offer.accept": "Took a workshop place offered from the waiting list",
    "workshop.offer.decline": "Turned down a workshop place offered from the waiting list",
    "workshop.offer.expire": "A workshop waiting-list offer ran out",
    "workshop.offer.make": "Offered a freed workshop place",
    "workshop.publish": "Published a workshop",
    "workshop.register": "Registered for a workshop",
    "workshop.registration.cancel": "Cancelled a workshop registration",
    "workshop.resource_added": "Added a workshop resource",
    "workshop.resource_removed": "Removed a workshop resource",
    "workshop.update": "Changed a workshop",
    "workshop.waitlist.join": "Joined a workshop waiting list",
    "workshop.waitlist.leave": "Left a workshop waiting list",
}

TARGET_LABELS = {
    "Organisation": "Organisation", "Programme": "Programme", "User": "Person", "OutboxMessage": "Email",
    "Grant": "Role", "SurgeryDate": "Surgery date", "SurgerySlot": "Surgery slot", "SurgeryBooking": "Booking",
    "SlotOffer": "Waiting-list offer", "SurgeryWaitlistEntry": "Waiting-list place",
    "WaitlistEntry": "Waiting-list place", "NetworkDay": "Network Day", "NetworkPlace": "Network Day place",
    "Membership": "Membership", "EpChampion": "EP Champion", "NetworkWaitlistEntry": "Network Day waiting-list place",
    "Workshop": "Workshop", "WorkshopRegistration": "Workshop registration", "WorkshopResource": "Workshop resource",
    "WorkshopFeedback": "Workshop feedback", "WorkshopWaitlistEntry": "Workshop waiting-list place",
    "Order": "Order", "Invoice": "Invoice", "CreditNote": "Credit note", "Payment": "Payment", "Price": "Price",
    "VatRate": "VAT rate", "BillingSettings": "Invoice details", "Mailing": "Email to many",
    "InvitationListEntry": "Invitation list address", "TrainingEnquiry": "Training enquiry",
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
