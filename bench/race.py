"""Many people booking the same slot at the same moment: exactly one must get it."""

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, insert, select

from bench.seed import bump_sequences, user_rows
from ep_events.accounts.models import User
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.programmes.models import Programme
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import create_surgery_date
from ep_events.surgeries.models import BookingStatus, SessionKind, SurgeryBooking, SurgeryDateStatus, SurgerySlot
from ep_events.surgeries.rules import SlotTaken


def prepare_race(app, programme_id: int, password_hash: str, people: int = 50) -> tuple[int, list[int]]:
    """One fresh published slot (on a day after every seeded date) and `people` new users who all want it:
    (the slot's id, the users' ids); their password is the one `password_hash` was made from."""
    with app.app_context():
        programme = db.session.get(Programme, programme_id)
        day = (utcnow() + timedelta(days=250)).date()  # after every seeded date
        surgery_date = create_surgery_date(None, programme, day, SessionKind.AM, allow_non_working_day=True)
        surgery_date.status = SurgeryDateStatus.PUBLISHED
        slot_id = surgery_date.slots[0].id
        first = db.session.execute(select(func.max(User.id))).scalar_one() + 1
        db.session.execute(insert(User), user_rows(first, people, password_hash, utcnow()))
        bump_sequences()
        db.session.commit()
    return slot_id, list(range(first, first + people))


def confirmed_on(app, slot_id: int) -> int:
    """Confirmed bookings of one slot (more than one is a double booking)."""
    with app.app_context():
        return db.session.execute(
            select(func.count(SurgeryBooking.id)).where(SurgeryBooking.slot_id == slot_id,
                                                         SurgeryBooking.status == BookingStatus.CONFIRMED)
        ).scalar_one()


def race_for_one_slot(app, programme_id: int, password_hash: str, people: int = 50) -> tuple[int, Counter]:
    """`people` threads, each with its own app context and session, book one fresh slot at once.

    Returns (confirmed bookings on the slot, outcomes by kind).
    """
    slot_id, user_ids = prepare_race(app, programme_id, password_hash, people)
    start_line = threading.Barrier(people)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def attempt(user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            slot = db.session.get(SurgerySlot, slot_id)
            db.session.commit()  # give the connection back to the pool before the start line
            try:
                start_line.wait(timeout=120)
                book_slot(slot, user, "general")
                db.session.commit()
                outcome = "booked"
            except SlotTaken:
                db.session.rollback()
                outcome = "slot_taken"
            except DomainError as error:
                db.session.rollback()
                outcome = f"refused: {error}"
            except Exception as error:  # counted and reported: a crash is a result here
                db.session.rollback()
                outcome = f"error: {type(error).__name__}: {error}"[:200]
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=attempt, args=(u,), daemon=True) for u in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return confirmed_on(app, slot_id), outcomes
