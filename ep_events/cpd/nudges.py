"""Renewal reminders: from 1 September, anyone short of Social Work England's requirement for the current
registration year (two complete records, one with a peer reflection) gets one email; on 1 November, one
more if still short. Only people who use their CPD log (they have a record, drafted or written) are asked,
never someone who opted out. `flask send-cpd-nudges` runs it; twice sends once (one `cpd_nudge` row per
person, year and round, unique in the database).
"""

from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from ep_events.accounts.models import User
from ep_events.core.time import utcnow
from ep_events.cpd import emails
from ep_events.cpd.models import CpdNudge, CpdRecord
from ep_events.cpd.records import progress_of, records_in_year
from ep_events.cpd.years import RegistrationYear, current_year, uk_day
from ep_events.extensions import db

ROUNDS = (("november", (11, 1)), ("september", (9, 1)))  # latest first


def due_round(year: RegistrationYear, today: date) -> str | None:
    """The round due on `today`: 'november' from 1 November, 'september' from 1 September, else None."""
    for name, (month, day) in ROUNDS:
        if today >= date(year.ends_in, month, day):
            return name
    return None


def send_cpd_nudges(now: datetime | None = None) -> int:
    """Queue the due round's reminder to everyone short of the requirement who has not had it. Returns how
    many were queued; commits each one with its row, so a second run (or a crash half-way) sends none twice."""
    now = now or utcnow()
    year = current_year(now)
    round_ = due_round(year, uk_day(now))
    if round_ is None:
        return 0
    already = exists().where(CpdNudge.user_id == User.id, CpdNudge.registration_year == year.ends_in,
                             CpdNudge.round == round_)
    uses_cpd = exists().where(CpdRecord.user_id == User.id)
    people = list(db.session.execute(
        select(User).where(User.cpd_emails.is_(True), User.confirmed_at.is_not(None), uses_cpd, ~already)
        .order_by(User.id)).scalars())
    sent = 0
    for user in people:
        progress = progress_of(records_in_year(user, year))
        if progress.ready:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(CpdNudge(user_id=user.id, registration_year=year.ends_in, round=round_))
        except IntegrityError:
            continue  # another run took this one
        emails.send_nudge(user, year, progress, round_)
        db.session.commit()
        sent += 1
    return sent
