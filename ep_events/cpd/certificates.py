"""Attendance certificates: a PDF for any event the person attended, with a code anyone can check.

The code is random (12 characters from 31 that cannot be confused, about 60 bits), stored with the place
it certifies: checking it shows only the event, its date and the person's initials. A certificate exists
only for a place marked attended; it goes with the account.
"""

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ep_events.bookings.models import Attendance, Place
from ep_events.core.errors import DomainError
from ep_events.core.time import uk_date, uk_time
from ep_events.core.urls import external_url
from ep_events.cpd.drafts import event_title, minutes_of
from ep_events.cpd.log import duration_text
from ep_events.cpd.models import CpdCertificate
from ep_events.cpd.pdf import Document
from ep_events.extensions import db

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
CODE_LENGTH = 12
_CODE = re.compile(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def own_attended_place(user, place_id: int) -> Place | None:
    """The person's own place, if they attended it; None otherwise (whoever else asks)."""
    place = db.session.get(Place, place_id)
    if place is None or user is None or not user.is_authenticated or place.user_id != user.id:
        return None
    if place.attendance is not Attendance.ATTENDED or not place.is_confirmed:
        return None
    return place


def certificate_for(user, place: Place) -> CpdCertificate:
    """The place's certificate, issued the first time it is asked for (and the same one after)."""
    if place.user_id != user.id or place.attendance is not Attendance.ATTENDED:
        raise DomainError("A certificate is only for an event you attended")
    found = db.session.execute(select(CpdCertificate).where(CpdCertificate.place_id == place.id)).scalar_one_or_none()
    if found is not None:
        return found
    certificate = CpdCertificate(user_id=user.id, place_id=place.id, code=new_code())
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # issued by a second request at the same moment
        return db.session.execute(select(CpdCertificate).where(CpdCertificate.place_id == place.id)).scalar_one()
    return certificate


def initials(name: str) -> str:
    """'Pat Practitioner' -> 'P. P.'."""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part[:1].isalpha()) or "—"


@dataclass(frozen=True)
class Verified:
    """All that checking a code shows: the event, its date and the attendee's initials."""

    event: str
    date: str
    initials: str


def verify_code(code: str) -> Verified | None:
    """The certificate's public facts, or None for a code that is not one (any length, any characters)."""
    code = (code or "").strip().upper()
    if len(code) != CODE_LENGTH + 2 or not _CODE.fullmatch(code):
        return None
    certificate = db.session.execute(select(CpdCertificate).where(CpdCertificate.code == code)).scalar_one_or_none()
    if certificate is None or certificate.place.attendance is not Attendance.ATTENDED:
        return None
    place = certificate.place
    return Verified(event=event_title(place.event), date=uk_date(place.starts_at),
                    initials=initials(certificate.user.name))


def certificate_pdf(certificate: CpdCertificate) -> bytes:
    """The certificate: who attended, the event, its date and time, how long, the programme and who ran it,
    and the code with the address to check it at."""
    place, user = certificate.place, certificate.user
    event, programme = place.event, place.event.programme
    title = event_title(event)
    verify_url = external_url("cpd.verify", code=certificate.code)
    texts = [user.name, title, programme.name, programme.contact_email]
    document = Document(f"Certificate of attendance: {title}", programme.name,
                        f"Certificate {certificate.code}", texts)
    pdf = document.pdf
    pdf.add_page()
    pdf.ln(18)
    document.paragraph("Certificate of attendance", size=26, style="B", align="C", height=13)
    pdf.ln(10)
    document.paragraph("This is to certify that", size=12, align="C", height=7)
    pdf.ln(3)
    document.paragraph(user.name, size=22, style="B", align="C", height=11)
    pdf.ln(3)
    document.paragraph("attended", size=12, align="C", height=7)
    pdf.ln(3)
    document.paragraph(title, size=16, style="B", align="C", height=8)
    pdf.ln(12)
    document.rule()
    facts = [("Date", uk_date(place.starts_at)),
             ("Time", f"{uk_time(place.starts_at)} to {uk_time(place.ends_at)} (UK time)"),
             ("Duration", duration_text(minutes_of(place))),
             ("Programme", programme.name),
             ("Organised by", f"{programme.name} ({programme.contact_email})")]
    for label, value in facts:
        document.label(label)
        document.paragraph(value, size=11, height=6)
    pdf.ln(6)
    document.rule()
    document.label("Verification")
    document.paragraph(f"Certificate code {certificate.code}. Anyone can check this certificate at {verify_url}",
                       size=10)
    return document.output(certificate.created_at)

