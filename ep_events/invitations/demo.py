"""Demo invitation list for the P&SD workshops programme: subscribers who joined through the form (consent
recorded), one imported with a lawful basis, one waiting to confirm and one who unsubscribed (suppressed).
No email is sent. Safe to run twice."""

from datetime import timedelta

from sqlalchemy import func, select

from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.invitations.consent import WORDING_VERSION
from ep_events.invitations.entries import CONFIRM_FOR, hash_token
from ep_events.invitations.models import ConsentSource, InvitationListEntry, ListEntryStatus
from ep_events.invitations.unsubscribe import unsubscribe

PROGRAMME = "pds-workshops"
# (name, email, organisation, role, status)
SUBSCRIBERS = [
    ("Amara Osei", "amara.osei@example.org", "Adopt North East", "Adoption social worker", "confirmed"),
    ("Ben Hughes", "ben.hughes@example.org", "Riverton City Council", "Fostering team manager", "confirmed"),
    ("Chloe Martin", "chloe.martin@example.org", "Riverton City Council", "Family finder", "confirmed"),
    ("Dev Patel", "dev.patel@example.org", "Southvale Borough Council", "Supervising social worker", "confirmed"),
    ("Ella Thompson", "ella.thompson@example.org", "Adoption Counts", "Panel adviser", "confirmed"),
    ("Femi Adeyemi", "femi.adeyemi@example.org", "Adopt North East", "Team manager", "imported"),
    ("Grace Lee", "grace.lee@example.org", "Southvale Borough Council", "Social worker", "pending"),
    ("Harry Wood", "harry.wood@example.org", "Adoption Counts", "Family support worker", "unsubscribed"),
]
LAWFUL_BASIS = "Legitimate interest: members of the regional EP practice development group (demo)"


def load_invitation_list_demo(programmes: dict, organisations: dict) -> None:
    programme = programmes.get(PROGRAMME)
    if programme is None or db.session.execute(select(func.count(InvitationListEntry.id)).where(
            InvitationListEntry.programme_id == programme.id)).scalar_one():
        return
    now = utcnow()
    for n, (name, email, organisation, role, status) in enumerate(SUBSCRIBERS):
        joined = now - timedelta(days=60 - n)
        entry = InvitationListEntry(programme=programme, email=email, name=name, organisation_name=organisation,
                                    role=role, token_version=1, created_at=joined)
        if status == "imported":
            entry.status, entry.confirmed_at = ListEntryStatus.CONFIRMED, joined
            entry.consent_source, entry.lawful_basis = ConsentSource.IMPORT, LAWFUL_BASIS
        elif status == "pending":
            entry.status, entry.token_version = ListEntryStatus.PENDING, 0
            entry.confirm_token_hash = hash_token(f"demo-never-sent-{email}")
            entry.confirm_expires_at, entry.created_at = now + CONFIRM_FOR - timedelta(days=1), now
        else:
            entry.status, entry.confirmed_at = ListEntryStatus.CONFIRMED, joined
            entry.consent_at, entry.consent_source = joined, ConsentSource.JOIN_FORM
            entry.consent_wording_version = WORDING_VERSION
        db.session.add(entry)
        db.session.flush()
        if status == "unsubscribed":
            unsubscribe(entry, now=now - timedelta(days=3))
    db.session.flush()
