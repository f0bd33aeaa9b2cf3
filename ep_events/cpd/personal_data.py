"""A person's CPD in "download my data": their records (every field they wrote) and their certificates."""

from sqlalchemy import select

from ep_events.cpd.models import CpdCertificate, CpdRecord
from ep_events.extensions import db

RECORD_FIELDS = ("cpd_type", "title", "programme_name", "activity_date", "duration_minutes", "description",
                 "learning", "impact", "has_peer_reflection", "peer_role", "peer_learning", "practice_standards",
                 "created_at", "updated_at", "completed_at", "emailed_at")


def cpd_personal_data(user) -> dict[str, tuple[str, list[dict]]]:
    """Sections for the personal data download: name -> (what it is, records)."""
    records = db.session.execute(select(CpdRecord).where(CpdRecord.user_id == user.id)
                                 .order_by(CpdRecord.activity_date, CpdRecord.id)).scalars()
    certificates = db.session.execute(select(CpdCertificate).where(CpdCertificate.user_id == user.id)
                                      .order_by(CpdCertificate.id)).scalars()
    return {
        "cpd_records": ("Your CPD records and reflections: every box you wrote, whether each is complete, and "
                        "when it was saved.",
                        [{"record": record.id, "status": record.status.value,
                          **{name: getattr(record, name) for name in RECORD_FIELDS}} for record in records]),
        "cpd_certificates": ("Attendance certificates you downloaded, with the code anyone can check them by.",
                             [{"certificate": c.id, "place": c.place_id, "code": c.code, "issued_at": c.created_at}
                              for c in certificates]),
    }
