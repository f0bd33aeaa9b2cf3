"""Demo data: the three programmes of the source documents, agencies, and one user per role.

Idempotent: everything is looked up by a natural key before it is created.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ep_events.accounts.models import Grant, Role, User
from ep_events.assessments.demo import load_assessments_demo
from ep_events.billing.demo import load_billing_demo
from ep_events.bookings.models import Attendance
from ep_events.core.time import utcnow
from ep_events.cpd.demo import load_cpd_demo
from ep_events.extensions import db
from ep_events.invitations.demo import load_invitation_list_demo
from ep_events.network_days.demo import load_network_days_demo
from ep_events.network_orders.demo import link_network_demo_orders
from ep_events.organisations.models import Organisation, OrganisationKind
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.surgeries.attendance import mark_attendance
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import create_surgery_date
from ep_events.surgeries.demo import load_surgery_demo
from ep_events.surgeries.models import SessionKind, SurgeryBooking, SurgeryDate, SurgeryDateStatus
from ep_events.workshops.demo import load_workshops_demo

PROGRAMMES = [
    ("mtc-surgeries", "MTC Early Permanence practice surgeries", "practice_surgeries",
     "mtc-surgeries@example.org",
     "40-minute informal, interactive sessions on Microsoft Teams with the Midlands Together Collaboration's "
     "Early Permanence facilitators. Discuss any aspect of the MTC EP guidance or the regulations; you do not "
     "need to bring a case."),
    ("coram-network", "Coram Early Permanence Network Days", "network_days",
     "ep-network@example.org",
     "Three Network Days a year for member agencies: legal updates, preparing and assessing dually approved "
     "and FFA carers, managing contact, and systemic EP planning including pre-birth planning."),
    ("pds-workshops", "Adoption England P&SD workshops", "workshops",
     "ep-workshops@example.org",
     "Free virtual workshops on set dates for practitioners, managers and wider agencies, on topics such as "
     "managing family time in early permanence and Hope Boxes."),
]

ORGANISATIONS = [
    ("Adoption Central Midlands", OrganisationKind.REGIONAL_ADOPTION_AGENCY, "West Midlands"),
    ("Adoption East Midlands Partnership", OrganisationKind.REGIONAL_ADOPTION_AGENCY, "East Midlands"),
    ("Heart of England Adoption", OrganisationKind.REGIONAL_ADOPTION_AGENCY, "West Midlands"),
    ("Marches Together Adoption", OrganisationKind.REGIONAL_ADOPTION_AGENCY, "West Midlands"),
    ("Trent Valley Adoption", OrganisationKind.REGIONAL_ADOPTION_AGENCY, "East Midlands"),
    ("Midlands Family Adoption Society", OrganisationKind.VOLUNTARY_ADOPTION_AGENCY, "West Midlands"),
    ("Forest and Peaks Adoption Charity", OrganisationKind.VOLUNTARY_ADOPTION_AGENCY, "East Midlands"),
    ("Northshire County Council", OrganisationKind.LOCAL_AUTHORITY, "East Midlands"),
    ("Riverton City Council", OrganisationKind.LOCAL_AUTHORITY, "West Midlands"),
    ("Southvale Borough Council", OrganisationKind.LOCAL_AUTHORITY, "South East"),
]

AGENCY = "Adoption Central Midlands"

USERS = [
    # email, name, job title, organisation, grants
    ("admin@example.org", "Alex Admin", "Service administrator", None, [(Role.ADMIN, None, None)]),
    ("organiser@example.org", "Olu Organiser", "Programme lead", "Heart of England Adoption",
     [(Role.ORGANISER, slug, None) for slug, *_ in PROGRAMMES]),
    ("facilitator@example.org", "Fran Facilitator", "EP practice development lead", "Trent Valley Adoption",
     [(Role.FACILITATOR, "mtc-surgeries", None)]),
    ("agency-admin@example.org", "Ash Agency-Admin", "Adoption team manager", AGENCY,
     [(Role.AGENCY_ADMIN, None, AGENCY)]),
    ("practitioner@example.org", "Pat Practitioner", "Adoption social worker", "Riverton City Council", []),
]


def _get_or_create(model, defaults: dict, **key):
    obj = db.session.execute(select(model).filter_by(**key)).scalar_one_or_none()
    if obj is None:
        obj = model(**key, **defaults)
        db.session.add(obj)
        db.session.flush()
    return obj


def load_demo_data() -> list[tuple[str, str]]:
    """Create the demo programmes, organisations and users; returns (email, roles) per demo login."""
    programmes = {}
    for slug, name, kind, contact, description in PROGRAMMES:
        programmes[slug] = _get_or_create(Programme, {"name": name, "kind": kind, "contact_email": contact,
                                                      "description": description,
                                                      "status": ProgrammeStatus.PUBLISHED}, slug=slug)
    organisations = {}
    for name, kind, region in ORGANISATIONS:
        organisations[name] = _get_or_create(Organisation, {"kind": kind, "region": region}, name=name)

    password_hash = generate_password_hash(current_app.config["DEMO_PASSWORD"])
    logins = []
    for email, name, job, org_name, grants in USERS:
        user = _get_or_create(User, {"name": name, "job_title": job, "password_hash": password_hash,
                                     "organisation": organisations.get(org_name), "confirmed_at": utcnow()},
                              email=email)
        for role, slug, org in grants:
            _get_or_create(Grant, {}, user_id=user.id, role=role,
                           programme_id=programmes[slug].id if slug else None,
                           organisation_id=organisations[org].id if org else None)
        roles = ", ".join(sorted({r.label for r, *_ in grants})) or "Practitioner"
        logins.append((email, roles))

    for extension in _demo_extensions():
        extension(programmes, organisations)
    db.session.commit()
    return logins


def _demo_extensions():
    """Each domain's demo events (surgery dates, Network Days and their invoices, workshops), CPD, and the demo
    agency's practice standards self-assessments (last, as they tag some of the events to come)."""
    return [load_surgery_demo, load_network_days_demo, load_billing_demo, link_network_demo_orders,
            load_workshops_demo, load_invitation_list_demo, _cpd_demo, load_assessments_demo]


def _cpd_demo(programmes: dict, organisations: dict) -> None:
    """The demo practitioner attended a surgery last week (the other session of the latest past surgery day, its
    slots being taken), so a CPD draft waits for them; then the rest of their CPD (cpd/demo.py)."""
    practitioner = db.session.execute(select(User).where(User.email == "practitioner@example.org")).scalar_one()
    now = utcnow()
    attended = db.session.execute(select(SurgeryBooking.id).where(SurgeryBooking.user_id == practitioner.id,
                                                                  SurgeryBooking.starts_at < now)).first()
    past = db.session.execute(select(SurgeryDate).where(SurgeryDate.programme_id == programmes["mtc-surgeries"].id,
                                                        SurgeryDate.ends_at < now)
                              .order_by(SurgeryDate.starts_at.desc())).scalars().first()
    if attended is None and past is not None:
        back_then = past.starts_at - timedelta(days=21)
        other = SessionKind.PM if past.session is SessionKind.AM else SessionKind.AM
        held = create_surgery_date(None, past.programme, past.day, other, now=back_then, allow_non_working_day=True)
        held.status = SurgeryDateStatus.PUBLISHED
        db.session.flush()
        booking, _ = book_slot(held.slots[0], practitioner, "reflect", now=back_then)
        if booking.starts_at < now:
            mark_attendance(None, booking, Attendance.ATTENDED, now=now)
    load_cpd_demo(practitioner, now)
