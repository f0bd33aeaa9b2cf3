"""Nothing leaks (issue 18): every route of the URL map, as every role, answers what the table below says.

One database is seeded once for the module (the demo data of the three programmes, plus a second programme of
each kind with its own facilitator and organiser, a second agency admin, and a second practitioner); every
address is built from objects of the first programmes, of the first agency and of the practitioner who owns
them. "Own or someone else's object" is the pair of roles owner / other (the same agency), this programme /
another programme, this agency / another agency: each sees the same address.

Each role is tried with each method of the route. A refused request must leave the database file untouched;
an accepted POST (an empty form: a form error or a redirect) may change it, and the next request then starts
from the seeded file again. A route missing from the table fails with its name.
"""

import hashlib
import shutil
import sqlite3
from datetime import time, timedelta
from urllib.parse import urlsplit

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from ep_events import create_app
from ep_events.accounts.models import Grant, Role, User
from ep_events.assessments.assessments import delegate_colleague
from ep_events.assessments.models import SelfAssessment
from ep_events.billing.models import CreditNote, Invoice, Order
from ep_events.bookings.models import Attendance, Place
from ep_events.core.time import utcnow
from ep_events.cpd.certificates import certificate_for
from ep_events.cpd.models import CpdRecord
from ep_events.extensions import db
from ep_events.network_days.models import NetworkDay, PlaceType, TrainingEnquiry
from ep_events.network_days.places import name_place, offer_membership_place
from ep_events.network_orders.purchases import BillingDetails, buy_extra_places, cancel_network_order
from ep_events.notifications.mailings import Recipient, start_mailing
from ep_events.notifications.models import MailingKind, OutboxMessage
from ep_events.organisations.models import Organisation
from ep_events.programmes.models import Programme
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.models import SlotOffer, SurgeryBooking, SurgerySlot, SurgeryWaitlistEntry
from ep_events.workshops.models import (
    Workshop,
    WorkshopFeedback,
    WorkshopRegistration,
    WorkshopResource,
    WorkshopWaitlistEntry,
)
from ep_events.workshops.registrations import register
from ep_events.workshops.waitlist import join_waitlist, offer_freed_places
from ep_events.workshops.workshops import WorkshopDetails, create_workshop
from tests import factories
from tests.conftest import make_app
from tests.crawl import DEMO_NOW, demo_dataset

ROLES = ("anonymous", "owner", "other", "facilitator", "facilitator_elsewhere", "organiser", "organiser_elsewhere",
         "agency_admin", "agency_admin_elsewhere", "admin")

# Words planted in private texts, and the roles who may be sent them: the booker and the programme's facilitators
# and organisers read a booking's outline (not a site admin: PRODUCT.md); a CPD reflection is its author's alone;
# an agency's self-assessment is its agency admin's and their delegates'; workshop feedback text is its author's
# (who may change it) and the programme's organisers' (it may describe real cases).
OUTLINE = "outline-words-only-the-booker-and-their-facilitators-read"
REFLECTION = "reflection-words-only-their-author-reads"
ASSESSMENT_COMMENT = "assessment-words-only-the-agency-reads"
FEEDBACK = "feedback-words-only-the-organisers-read"
SECRETS = {
    OUTLINE: {"owner", "facilitator", "organiser"},
    REFLECTION: {"owner"},
    ASSESSMENT_COMMENT: {"owner", "agency_admin"},
    FEEDBACK: {"owner", "organiser"},
}

# --- The seeded world -----------------------------------------------------------------------------

def _first(query):
    found = db.session.execute(query.limit(1)).scalars().first()
    assert found is not None, f"the seed has no row for {query}"
    return found


def _person(email: str, organisation=None, roles=()) -> User:
    return factories.user(email=email, organisation=organisation, roles=roles)


def _build_world(app) -> dict:
    """The demo data (three programmes, agencies, one user per role, their bookings, places, CPD and
    self-assessments), then a second programme of each kind and the people of the other side."""
    demo_dataset(app)
    by_email = {u.email: u for u in db.session.execute(select(User)).scalars()}
    by_slug = {p.slug: p for p in db.session.execute(select(Programme)).scalars()}
    agency = db.session.execute(select(Organisation).where(Organisation.name == "Adoption Central Midlands")
                                ).scalar_one()
    elsewhere = db.session.execute(select(Organisation).where(Organisation.name == "Marches Together Adoption")
                                   ).scalar_one()
    here = [by_slug["mtc-surgeries"], by_slug["coram-network"], by_slug["pds-workshops"]]
    there = [factories.programme(kind=kind, slug=f"other-{kind}".replace("_", "-"))
             for kind in ("practice_surgeries", "network_days", "workshops")]
    owner, organiser, admin = (by_email[e] for e in ("practitioner@example.org", "organiser@example.org",
                                                     "admin@example.org"))
    facilitator = by_email["facilitator@example.org"]
    for programme in here[1:]:
        db.session.add(Grant(user=facilitator, role=Role.FACILITATOR, programme=programme))
    # The owner works at the demo agency: their agency's self-assessments and Network Day places are theirs too.
    owner.organisation = agency
    people = {
        "owner": owner,
        "other": _person("other-practitioner@example.org", agency),
        "facilitator": facilitator,
        "facilitator_elsewhere": _person("facilitator-elsewhere@example.org",
                                         roles=[(Role.FACILITATOR, p) for p in there]),
        "organiser": organiser,
        "organiser_elsewhere": _person("organiser-elsewhere@example.org", roles=[(Role.ORGANISER, p) for p in there]),
        "agency_admin": by_email["agency-admin@example.org"],
        "agency_admin_elsewhere": _person("agency-admin-elsewhere@example.org", elsewhere,
                                          roles=[(Role.AGENCY_ADMIN, elsewhere)]),
        "admin": admin,
    }
    db.session.flush()
    now = utcnow()
    surgery_booking = _first(select(SurgeryBooking).where(SurgeryBooking.user_id == owner.id,
                                                          SurgeryBooking.starts_at > now))
    surgery_date = surgery_booking.slot.surgery_date
    free_slot = next(s for s in surgery_date.slots if s.id != surgery_booking.slot_id)
    network_day = _first(select(NetworkDay).where(NetworkDay.programme_id == here[1].id).order_by(NetworkDay.starts_at))
    second_day = _first(select(NetworkDay).where(NetworkDay.programme_id == here[1].id,
                                                 NetworkDay.id != network_day.id).order_by(NetworkDay.starts_at))
    network_place = name_place(organiser, second_day, agency, owner, PlaceType.MEMBERSHIP, now=now)
    workshop = _first(select(Workshop).join(WorkshopRegistration, WorkshopRegistration.event_id == Workshop.id)
                      .where(WorkshopRegistration.user_id == owner.id, Workshop.starts_at > now))
    registration = _first(select(WorkshopRegistration).where(WorkshopRegistration.event_id == workshop.id,
                                                             WorkshopRegistration.user_id == owner.id))
    resource = _first(select(WorkshopResource))
    attended = _first(select(Place).where(Place.user_id == owner.id, Place.attendance == Attendance.ATTENDED))
    certificate = certificate_for(owner, attended)
    record = _first(select(CpdRecord).where(CpdRecord.user_id == owner.id))
    assessment = _first(select(SelfAssessment).where(SelfAssessment.organisation_id == agency.id)
                        .order_by(SelfAssessment.id.desc()))
    delegate = delegate_colleague(people["agency_admin"], agency, owner)
    order = _first(select(Order).where(Order.organisation_id == agency.id))
    invoice = _first(select(Invoice).where(Invoice.order_id == order.id))
    event_mailing = start_mailing(organiser, MailingKind.EVENT_MESSAGE, here[0], surgery_date, "A change of room",
                                  "The session moves to another Teams meeting.",
                                  [Recipient(email=owner.email, name=owner.name)], "authz-event-message")
    announcement = start_mailing(organiser, MailingKind.ANNOUNCEMENT, here[2], workshop, "A new workshop",
                                 "Places are open.", [Recipient(email=owner.email, name=owner.name)],
                                 "authz-announcement")
    owner.feed_token = "authz-feed-token-" + "0" * 40
    slot_offer = _slot_offer_for(owner, now)
    workshop_offer = _workshop_offer_for(owner, people["other"], here[2], now)
    place_offer = offer_membership_place(organiser, _first(select(NetworkDay).where(
        NetworkDay.programme_id == here[1].id).order_by(NetworkDay.starts_at.desc())), agency,
        "not-yet-signed-up@example.org", now=now)
    place_offer.invited_email = owner.email  # who has signed up since, with the address the offer went to
    credit_note = _credit_note_for(people["agency_admin"], organiser, second_day, agency, now)
    compared = _first(select(SelfAssessment).where(SelfAssessment.organisation_id == agency.id,
                                                   SelfAssessment.id != assessment.id))
    # Private words, each in one private text, that only some roles may ever be sent (see SECRETS).
    surgery_booking.outline = OUTLINE
    record.learning = REFLECTION
    next(e for e in assessment.entries if e.number == "1.1").comments = ASSESSMENT_COMMENT
    _first(select(WorkshopFeedback).where(WorkshopFeedback.user_id == owner.id)).comments = FEEDBACK
    # The other side's own things, for addresses that pair their programme with this side's objects.
    their_date = factories.surgery_date(there[0], days_ahead=30)
    their_workshop = create_workshop(people["organiser_elsewhere"], there[2], WorkshopDetails(
        title="Their workshop", day=(now + timedelta(days=30)).date(), starts=time(10), ends=time(11), capacity=10),
        now=now)
    db.session.commit()
    ids = {
        "user_id": owner.id, "organisation_id": agency.id, "programme_id": here[0].id,
        "grant_id": _first(select(Grant).where(Grant.user_id == facilitator.id)).id,
        "message_id": _first(select(OutboxMessage).order_by(OutboxMessage.id)).id,
        "booking_id": surgery_booking.id, "slot_id": free_slot.id, "date_id": surgery_date.id,
        "surgeries.entry_id": _first(select(SurgeryWaitlistEntry).where(SurgeryWaitlistEntry.user_id == owner.id)).id,
        "offer_id": slot_offer.id, "workshops.entry_id": workshop_offer.id,
        "day_id": network_day.id, "org_id": agency.id, "place_id": network_place.id, "order_id": order.id,
        "invoice_id": invoice.id, "credit_note_id": credit_note.id,
        "enquiry_id": _first(select(TrainingEnquiry)).id,
        "workshop_id": workshop.id, "registration_id": registration.id, "resource_id": resource.id,
        "workshop_after.workshop_id": resource.workshop_id, "workshop_announce.mailing_id": announcement.id,
        "mailing_id": event_mailing.id, "event_id": surgery_date.id,
        "cpd.place_id": attended.id, "record_id": record.id, "year": "2027", "code": certificate.code,
        "assessment_id": assessment.id, "assessments.compare?": f"with={compared.id}", "number": 1,
        "delegate_id": delegate.id,
        "surgeries.slug": "mtc-surgeries", "network_days.slug": "coram-network",
        "network_account.slug": "coram-network",
        "network_buy.slug": "coram-network", "network_cancel.slug": "coram-network", "billing.slug": "coram-network",
        "workshops.slug": "pds-workshops", "invitations.slug": "pds-workshops", "dashboards.slug": "mtc-surgeries",
        "api.slug": "mtc-surgeries", "name": "summary", "theme": "general",
        "api.event_id": f"surgery-date-{surgery_date.id}",
        "network_days.place_offer.place_id": place_offer.id,
        "token": "not-a-real-token", "people.token": owner.feed_token, "filename": "dist/main.css",
    }
    # The same names, on the other side: their programmes, their agency, their workshop and date.
    theirs = {"slug": there[0].slug, "network_days.slug": there[1].slug, "network_account.slug": there[1].slug,
              "network_buy.slug": there[1].slug, "network_cancel.slug": there[1].slug, "billing.slug": there[1].slug,
              "workshops.slug": there[2].slug, "invitations.slug": there[2].slug, "org_id": elsewhere.id,
              "workshop_after.workshop_id": their_workshop.id, "workshop_announce.workshop_id": their_workshop.id,
              "event_id": their_date.id}
    return {"people": {role: person.get_id() for role, person in people.items()}, "ids": ids, "theirs": theirs}


def _slot_offer_for(owner, now) -> SlotOffer:
    """The owner waits for the demo's full date; bookings on it are cancelled until a freed slot is offered to them
    (others were waiting before them)."""
    entry = _first(select(SurgeryWaitlistEntry).where(SurgeryWaitlistEntry.user_id == owner.id))
    bookings = db.session.execute(select(SurgeryBooking).join(SurgerySlot, SurgeryBooking.slot_id == SurgerySlot.id)
                                  .where(SurgerySlot.surgery_date_id == entry.surgery_date_id,
                                         SurgeryBooking.held_slot_id.is_not(None))).scalars().all()
    for booking in bookings:
        cancel_booking(booking, booking.user, "Unwell", now=now)
        offer = db.session.execute(select(SlotOffer).where(SlotOffer.entry_id == entry.id)).scalar_one_or_none()
        if offer is not None:
            return offer
    raise AssertionError("the owner was never offered a slot")


def _workshop_offer_for(owner, other, programme, now) -> WorkshopWaitlistEntry:
    """A workshop the owner is not registered for fills up (one place, the other practitioner's); the owner waits,
    a place is added and offered to them."""
    workshop = _first(select(Workshop).where(Workshop.programme_id == programme.id, Workshop.starts_at > now,
                                             ~Workshop.id.in_(select(WorkshopRegistration.event_id).where(
                                                 WorkshopRegistration.user_id == owner.id))))
    workshop.capacity = 1
    register(workshop, other, now=now)
    entry = join_waitlist(workshop, owner, now=now)
    workshop.capacity = 2
    offer_freed_places(workshop, now=now)
    return entry


def _credit_note_for(agency_admin, organiser, network_day, agency, now) -> CreditNote:
    """The agency bought an extra place and the organiser cancelled the order: a credit note for the agency."""
    order = buy_extra_places(agency_admin, network_day, agency, 1, BillingDetails(
        contact_name="Ash", contact_email="accounts@example.org", address="1 Example Street", no_po=True), now=now)
    cancel_network_order(organiser, order, "Bought by mistake", now=now)
    return _first(select(CreditNote).join(Invoice, CreditNote.invoice_id == Invoice.id)
                  .where(Invoice.order_id == order.id))


# --- The table ----------------------------------------------------------------------------------------

OK = "served"  # the page, a form error (400 to an empty POST) or a redirect other than to sign in
SIGN_IN = "sent to sign in"


def policy(**refusals) -> dict:
    """Every role is served except those named, which get the refusal given."""
    unknown = set(refusals) - set(ROLES)
    assert not unknown, unknown
    return {role: refusals.get(role, OK) for role in ROLES}


def only(refusal, *allowed: str) -> dict:
    """Anonymous visitors are sent to sign in; the roles named are served; everyone else gets `refusal`."""
    return policy(anonymous=SIGN_IN, **{role: refusal for role in ROLES[1:] if role not in allowed})


def everyone(status) -> dict:
    return policy(**{role: status for role in ROLES})


PUBLIC = policy()
SIGNED_IN = policy(anonymous=SIGN_IN)
# Someone's own booking, place, registration, waiting-list entry, offer or CPD record: not found for anyone else,
# staff and site admins included (PRODUCT.md: reflections are private; a booking's outline is the booker's).
OWNER_ONLY = only(404, "owner")
ADMIN_ONLY = only(403, "admin")
PROGRAMME_ORGANISER = only(403, "organiser", "admin")
PROGRAMME_STAFF = only(403, "facilitator", "organiser", "admin")
# Whoever organises or facilitates any programme has the Manage page (listing their own programmes).
RUNS_A_PROGRAMME = only(403, "facilitator", "facilitator_elsewhere", "organiser", "organiser_elsewhere", "admin")
# An agency's Network account (places, orders, invoices): its agency admins, the programme's organisers, admins.
AGENCY_ACCOUNT = only(403, "agency_admin", "organiser", "admin")
# An agency's self-assessments: its agency admins and the colleagues they delegated (the owner); nobody else, not
# even a site admin, learns they exist (404).
SELF_ASSESSMENT = only(404, "owner", "agency_admin")
AGENCY_ADMIN_ONLY = only(404, "agency_admin")
# Counts only, for the programme's organisers: 404 rather than 403 to everyone else.
NOT_FOUND_TO_OTHERS = {role: 404 for role in ("owner", "other", "facilitator", "facilitator_elsewhere",
                                             "organiser_elsewhere", "agency_admin", "agency_admin_elsewhere")}
# A workshop's shared resources and feedback form: its registrants (the owner), its staff and admins.
REGISTRANTS_AND_STAFF = only(404, "owner", "facilitator", "organiser", "admin")
# A secret link (its token is the authority; tests/core/test_secret_urls.py): a made-up token is refused the same
# way whoever follows it, and an empty form to it changes nothing.
TOKEN = {"GET": everyone(400), "POST": PUBLIC}

# Endpoint: one policy for every method, or one per method.
ROUTES = {
    "accounts.change_email": SIGNED_IN,
    "accounts.change_password": SIGNED_IN,
    "accounts.check_email": PUBLIC,
    "accounts.confirm_email": TOKEN,
    "accounts.confirm_email_change": TOKEN,
    "accounts.forgot_password": PUBLIC,
    "accounts.profile": SIGNED_IN,
    "accounts.resend_confirmation": PUBLIC,
    "accounts.reset_password": TOKEN,
    "accounts.sign_in": PUBLIC,
    "accounts.sign_out": PUBLIC,
    "accounts.sign_up": PUBLIC,
    "admin.audit_log": ADMIN_ONLY,
    "admin.grant_add": ADMIN_ONLY,
    "admin.grant_remove": ADMIN_ONLY,
    "admin.index": ADMIN_ONLY,
    "admin.job_list": ADMIN_ONLY,
    "admin.organisation_edit": ADMIN_ONLY,
    "admin.organisation_list": ADMIN_ONLY,
    "admin.outbox_list": ADMIN_ONLY,
    "admin.outbox_resend": ADMIN_ONLY,
    "admin.programme_edit": ADMIN_ONLY,
    "admin.programme_list": ADMIN_ONLY,
    "admin.user_edit": ADMIN_ONLY,
    "admin.user_list": ADMIN_ONLY,
    "api.event": PUBLIC,
    "api.events": PUBLIC,
    "api.openapi": PUBLIC,
    "api.programme_feed": PUBLIC,
    "assessments.aggregate_csv": PROGRAMME_ORGANISER | NOT_FOUND_TO_OTHERS,
    "assessments.aggregate_page": PROGRAMME_ORGANISER | NOT_FOUND_TO_OTHERS,
    "assessments.colleagues": AGENCY_ADMIN_ONLY,
    "assessments.compare": SELF_ASSESSMENT,
    "assessments.complete": SELF_ASSESSMENT,
    "assessments.copy": SELF_ASSESSMENT,
    "assessments.export_pdf": SELF_ASSESSMENT,
    "assessments.export_xlsx": SELF_ASSESSMENT,
    "assessments.import_confirm": SELF_ASSESSMENT,
    "assessments.import_upload": SELF_ASSESSMENT,
    "assessments.index": SIGNED_IN,
    "assessments.remove_colleague": AGENCY_ADMIN_ONLY,
    "assessments.sharing": SELF_ASSESSMENT,
    "assessments.standard_page": SELF_ASSESSMENT,
    "assessments.start": SELF_ASSESSMENT,
    "assessments.summary_page": SELF_ASSESSMENT,
    "assessments.task_list": SELF_ASSESSMENT,
    "billing.add_price": PROGRAMME_ORGANISER,
    "billing.add_vat_rate": PROGRAMME_ORGANISER,
    "billing.credit_note_pdf": AGENCY_ACCOUNT,
    "billing.export": PROGRAMME_ORGANISER,
    "billing.invoice": PROGRAMME_ORGANISER,
    "billing.invoice_pdf": AGENCY_ACCOUNT,
    "billing.invoices": PROGRAMME_ORGANISER,
    "billing.send_reminder": PROGRAMME_ORGANISER,
    "billing.settings": PROGRAMME_ORGANISER,
    "cpd.certificate": OWNER_ONLY,
    "cpd.delete_record": OWNER_ONLY,
    "cpd.edit_record": OWNER_ONLY,
    "cpd.log": SIGNED_IN,
    "cpd.log_download_csv": SIGNED_IN,
    "cpd.log_download_pdf": SIGNED_IN,
    "cpd.new_record": SIGNED_IN,
    "cpd.reflection_counts": PROGRAMME_ORGANISER | NOT_FOUND_TO_OTHERS,
    "cpd.verify": PUBLIC,
    "dashboards.index": PROGRAMME_ORGANISER | {"organiser_elsewhere": OK},
    "dashboards.programme_dashboard": PROGRAMME_ORGANISER,
    "dashboards.table_csv": PROGRAMME_ORGANISER,
    "finder.events": PUBLIC,
    "finder.events_feed": PUBLIC,
    "invitations.check_email": PUBLIC,
    "invitations.confirm": everyone(404),
    "invitations.export": PROGRAMME_ORGANISER,
    "invitations.import_confirm": PROGRAMME_ORGANISER,
    "invitations.import_upload": PROGRAMME_ORGANISER,
    "invitations.join": PUBLIC,
    "invitations.joined": PUBLIC,
    "invitations.manage": PROGRAMME_ORGANISER,
    "invitations.unsubscribe": everyone(404),
    "manage.index": RUNS_A_PROGRAMME,
    "messages.compose": PROGRAMME_STAFF,
    "messages.progress": PROGRAMME_STAFF,
    "messages.send": PROGRAMME_STAFF,
    "messages.send_test": PROGRAMME_STAFF,
    "network_account.agency_account": AGENCY_ACCOUNT,
    "network_account.cancel": AGENCY_ACCOUNT,
    "network_account.champion": AGENCY_ACCOUNT,
    "network_account.change_place": AGENCY_ACCOUNT,
    "network_account.name_membership_place": AGENCY_ACCOUNT,
    "network_buy.buy_membership_page": AGENCY_ACCOUNT,
    "network_buy.buy_places_page": AGENCY_ACCOUNT,
    "network_buy.confirm_membership": AGENCY_ACCOUNT,
    "network_buy.confirm_places": AGENCY_ACCOUNT,
    "network_buy.join": PUBLIC,
    "network_buy.join_day_waitlist": AGENCY_ACCOUNT,
    "network_buy.leave_day_waitlist": AGENCY_ACCOUNT | {"organiser": 404, "agency_admin": 404, "admin": 404},
    "network_buy.order_confirmed": AGENCY_ACCOUNT,
    "network_cancel.cancel_order": PROGRAMME_ORGANISER,
    "network_days.attendees": PROGRAMME_ORGANISER,
    "network_days.cancel": PROGRAMME_ORGANISER,
    "network_days.day_places": PROGRAMME_ORGANISER,
    "network_days.edit_day": PROGRAMME_ORGANISER,
    "network_days.enquiry_detail": PROGRAMME_ORGANISER,
    "network_days.enquiry_form": PUBLIC,
    "network_days.enquiry_list": PROGRAMME_ORGANISER,
    "network_days.enquiry_sent": PUBLIC,
    "network_days.manage": PROGRAMME_ORGANISER,
    "network_days.mark_enquiry_answered": PROGRAMME_ORGANISER,
    "network_days.new_day": PROGRAMME_ORGANISER,
    "network_days.place_detail": OWNER_ONLY,
    "network_days.place_invite": OWNER_ONLY,
    "network_days.place_offer": OWNER_ONLY,
    "network_days.programme_days": PUBLIC,
    "network_days.publish": PROGRAMME_ORGANISER,
    "network_days.save_attendance": PROGRAMME_ORGANISER,
    "pages.accessibility": PUBLIC,
    "pages.cookies": PUBLIC,
    "pages.dev_mail_attachment": everyone(404),
    "pages.dev_mail_html": everyone(404),
    "pages.dev_mail_message": everyone(404),
    "pages.dev_mailbox": PUBLIC,
    "pages.healthz": PUBLIC,
    "pages.home": PUBLIC,
    "pages.privacy": PUBLIC,
    "pages.readyz": PUBLIC,
    "people.change_calendar_feed": SIGNED_IN,
    "people.delete_account": SIGNED_IN,
    "people.download_my_data": SIGNED_IN,
    "people.my_bookings": SIGNED_IN,
    "people.my_data": SIGNED_IN,
    "people.personal_calendar": PUBLIC,
    "people.regenerate_calendar_feed": SIGNED_IN,
    "static": PUBLIC,
    "surgeries.add_facilitator": PROGRAMME_ORGANISER,
    "surgeries.book": SIGNED_IN,
    "surgeries.booking_confirmed": OWNER_ONLY,
    "surgeries.booking_detail": OWNER_ONLY,
    "surgeries.booking_invite": OWNER_ONLY,
    "surgeries.bookings_csv": PROGRAMME_STAFF,
    "surgeries.cancel_booking": OWNER_ONLY,
    "surgeries.cancel_date": PROGRAMME_STAFF,
    "surgeries.cancel_slot": PROGRAMME_STAFF,
    "surgeries.date_standards": PROGRAMME_STAFF,
    "surgeries.decline_offer": OWNER_ONLY,
    "surgeries.delete_date": PROGRAMME_STAFF,
    "surgeries.join_waitlist": SIGNED_IN,
    "surgeries.leave_waitlist": OWNER_ONLY,
    "surgeries.manage": PROGRAMME_STAFF,
    "surgeries.manage_date": PROGRAMME_STAFF,
    "surgeries.move_booking": OWNER_ONLY,
    "surgeries.new_date": PROGRAMME_STAFF,
    "surgeries.offer": OWNER_ONLY,
    "surgeries.programme_slots": PUBLIC,
    "surgeries.publish_date": PROGRAMME_STAFF,
    "surgeries.remove_facilitator": PROGRAMME_ORGANISER,
    "surgeries.remove_slot": PROGRAMME_STAFF,
    "surgeries.reopen_slot": PROGRAMME_STAFF,
    "surgeries.save_attendance": PROGRAMME_STAFF,
    "surgeries.set_teams_link": PROGRAMME_STAFF,
    "surgeries.settings": PROGRAMME_ORGANISER,
    "surgeries.theme_standards": PROGRAMME_ORGANISER,
    "surgeries.waitlist_entry": OWNER_ONLY,
    "workshop_after.add_link": PROGRAMME_STAFF,
    "workshop_after.attendance": PROGRAMME_STAFF,
    "workshop_after.delete_resource": PROGRAMME_STAFF,
    "workshop_after.download_resource": REGISTRANTS_AND_STAFF,
    "workshop_after.feedback": REGISTRANTS_AND_STAFF,
    "workshop_after.feedback_csv": PROGRAMME_ORGANISER | {"admin": 403},
    "workshop_after.feedback_summary": PROGRAMME_STAFF,
    "workshop_after.import_attendance": PROGRAMME_STAFF,
    "workshop_after.resources": REGISTRANTS_AND_STAFF,
    "workshop_after.save_attendance": PROGRAMME_STAFF,
    "workshop_after.upload_resource": PROGRAMME_STAFF,
    "workshop_announce.compose": PROGRAMME_ORGANISER,
    "workshop_announce.progress": PROGRAMME_ORGANISER,
    "workshop_announce.send": PROGRAMME_ORGANISER,
    "workshop_announce.send_test": PROGRAMME_ORGANISER,
    "workshops.cancel": PROGRAMME_ORGANISER,
    "workshops.cancel_registration": OWNER_ONLY,
    "workshops.decline_offer": OWNER_ONLY,
    "workshops.edit_workshop": PROGRAMME_STAFF,
    "workshops.join_waitlist": SIGNED_IN,
    "workshops.leave_waitlist": OWNER_ONLY,
    "workshops.manage": PROGRAMME_STAFF,
    "workshops.new_workshop": PROGRAMME_ORGANISER,
    "workshops.offer": OWNER_ONLY,
    "workshops.programme_workshops": PUBLIC,
    "workshops.publish": PROGRAMME_ORGANISER,
    "workshops.register": SIGNED_IN,
    "workshops.registration_detail": OWNER_ONLY,
    "workshops.registration_invite": OWNER_ONLY,
    "workshops.waitlist_entry": OWNER_ONLY,
    "workshops.workshop_page": PUBLIC,
}


# GET routes that record who read personal data in the audit log (a download of the invitation list): the audit
# log is the only table they may change.
AUDITED_READS = {"invitations.export"}


# --- Requests ---------------------------------------------------------------------------------------

def _rules():
    app = create_app("testing")
    return sorted((r for r in app.url_map.iter_rules()), key=lambda r: (r.endpoint, r.rule))


RULES = _rules()


class Matrix:
    """The app on a working copy of the seeded file, put back whenever a request changed it."""

    def __init__(self, app, world: dict, seeded, working):
        self.app, self.world, self.seeded, self.working = app, world, seeded, working
        self.seeded_digest = _digest(seeded)

    def url(self, rule) -> str:
        blueprint = rule.endpoint.split(".")[0]
        ids = self.world["ids"]
        values = {}
        for name in rule.arguments:
            for key in (f"{rule.endpoint}.{name}", f"{blueprint}.{name}", name):
                if key in ids:
                    values[name] = ids[key]
                    break
            else:
                raise AssertionError(f"no seeded value for <{name}> in {rule.rule}")
        query = ids.get(f"{rule.endpoint}?")
        return rule.build(values, append_unknown=False)[1] + (f"?{query}" if query else "")

    def send(self, role: str, method: str, url: str):
        client = self.app.test_client()
        if role != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = self.world["people"][role]
                session["_fresh"] = True
        response = client.open(url, method=method, data={} if method == "POST" else None)
        db.session.remove()
        return response

    def changed(self) -> bool:
        return _digest(self.working) != self.seeded_digest

    def tables_changed(self) -> set[str]:
        """The tables whose rows differ between the working copy and the seeded file."""
        with sqlite3.connect(self.seeded) as seeded, sqlite3.connect(self.working) as working:
            names = [n for (n,) in seeded.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {name for name in names
                    if sorted(map(repr, seeded.execute(f'SELECT * FROM "{name}"')))
                    != sorted(map(repr, working.execute(f'SELECT * FROM "{name}"')))}

    def restore(self) -> None:
        db.session.remove()
        db.engine.dispose()
        shutil.copyfile(self.seeded, self.working)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, smtp_server):
    folder = tmp_path_factory.mktemp("authorization")
    seeded, working = folder / "seeded.db", folder / "working.db"
    overrides = {"DEV_MAIL_DIR": str(folder / "mail"), "RATELIMIT_ENABLED": False}
    freezer = freeze_time(DEMO_NOW)
    freezer.start()
    try:
        seeding = make_app(f"sqlite:///{seeded}", smtp_server.port, **overrides)
        with seeding.app_context():
            db.create_all()
            world = _build_world(seeding)
            db.session.remove()
            db.engine.dispose()
        shutil.copyfile(seeded, working)
        app = make_app(f"sqlite:///{working}", smtp_server.port, **overrides)
        with app.app_context():
            yield Matrix(app, world, seeded, working)
            db.session.remove()
            db.engine.dispose()
    finally:
        freezer.stop()


def _outcome(method: str, response) -> str | int:
    status = response.status_code
    if 300 <= status < 400:
        return SIGN_IN if urlsplit(response.headers.get("Location", "")).path == "/sign-in" else OK
    if status < 300 or (status == 400 and method == "POST"):
        return OK
    return status


def _expected(endpoint: str, method: str) -> dict:
    row = ROUTES.get(endpoint)
    assert row is not None, (f"{endpoint} has no row in ROUTES (tests/core/test_authorization_matrix.py): say who "
                             "may use it")
    return row[method] if method in row else row


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.endpoint}:{r.rule}" for r in RULES])
def test_each_role_gets_what_the_table_says_and_a_refusal_or_a_get_changes_nothing(matrix, rule):
    url = matrix.url(rule)
    wrong = []
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        expected = _expected(rule.endpoint, method)
        for role in ROLES:
            response = matrix.send(role, method, url)
            got = _outcome(method, response)
            body = response.get_data()
            wrong.extend(f"{method} {url} as {role} shows {secret!r}" for secret, readers in SECRETS.items()
                         if role not in readers and secret.encode() in body)
            if got != expected[role]:
                wrong.append(f"{method} {url} as {role}: expected {expected[role]}, got {got} "
                             f"({response.status_code} {response.headers.get('Location', '')})")
            if matrix.changed():
                if method == "GET" and rule.endpoint in AUDITED_READS:
                    tables = matrix.tables_changed()
                    if tables != {"audit_entry"}:
                        wrong.append(f"GET {url} as {role} changed {sorted(tables)}: it may only add to the audit log")
                elif method == "GET":
                    wrong.append(f"GET {url} as {role} changed the database: a GET must only read")
                elif got not in (OK,):
                    wrong.append(f"{method} {url} as {role} was refused ({got}) but changed the database")
                matrix.restore()
    assert not wrong, "\n".join(wrong)


def test_every_row_of_the_table_names_a_route():
    assert sorted(set(ROUTES) - {r.endpoint for r in RULES}) == []
