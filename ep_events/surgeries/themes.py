"""The practice standards of a programme's surgery themes: tagged by its organisers on the settings pages, shown
where a person picks a theme, added to the CPD draft of a booking, and found by the event finder's standard filter."""

from sqlalchemy import and_, exists, select

from ep_events.bookings.models import Event
from ep_events.bookings.public import standard_tagged
from ep_events.core.audit import record_audit
from ep_events.extensions import db
from ep_events.programmes.models import Programme
from ep_events.standards import validate_codes
from ep_events.surgeries.models import THEME_LABELS, SurgeryBooking, SurgeryThemeStandard


def theme_standards(programme) -> dict[str, tuple[str, ...]]:
    """Each tagged theme's codes (sorted as `validate_codes` keeps them), in one query; untagged themes are absent."""
    rows = db.session.execute(
        select(SurgeryThemeStandard.theme, SurgeryThemeStandard.practice_standards)
        .where(SurgeryThemeStandard.programme_id == programme.id)).all()
    return {theme: tuple(codes) for theme, codes in rows if codes and theme in THEME_LABELS}


def theme_hints(programme) -> dict[str, str]:
    """What a person picking a theme reads under it: "Relates to S2, 3.4"."""
    return {theme: "Relates to " + ", ".join(codes) for theme, codes in theme_standards(programme).items()}


def set_theme_standards(actor, programme, theme: str, codes) -> tuple[str, ...]:
    """Tag one of the programme's themes with practice standards (none clears them), audited; DomainError naming
    a code the current edition lacks, with nothing changed."""
    if theme not in THEME_LABELS:
        raise ValueError(f"unknown theme {theme!r}")  # the view answers 404 first: a programming error here
    standards = validate_codes(codes)
    row = db.session.execute(select(SurgeryThemeStandard).where(
        SurgeryThemeStandard.programme_id == programme.id, SurgeryThemeStandard.theme == theme)).scalar_one_or_none()
    before = list(row.practice_standards) if row is not None else []
    if row is None:
        row = SurgeryThemeStandard(programme_id=programme.id, theme=theme)
        db.session.add(row)
    row.practice_standards = list(standards)
    db.session.flush()
    record_audit(actor, "surgery.theme.standards", programme,
                 f"{programme.name}: practice standards of the theme “{THEME_LABELS[theme]}”",
                 before={"theme": theme, "practice_standards": before},
                 after={"theme": theme, "practice_standards": list(standards)})
    return standards


def booked_theme_standards(booking_ids: list[int]) -> dict[int, list[str]]:
    """Per booking id, the practice standards of the theme it booked as its programme tagged them (one query;
    bookings of an untagged theme are absent)."""
    if not booking_ids:
        return {}
    rows = db.session.execute(
        select(SurgeryBooking.id, SurgeryThemeStandard.practice_standards)
        .join(Event, Event.id == SurgeryBooking.event_id)
        .join(SurgeryThemeStandard, and_(SurgeryThemeStandard.programme_id == Event.programme_id,
                                         SurgeryThemeStandard.theme == SurgeryBooking.theme))
        .where(SurgeryBooking.id.in_(booking_ids))).all()
    return {booking_id: list(codes) for booking_id, codes in rows if codes}


def programme_themes_tagged(code: str):
    """SQL, correlated to the enclosing query's `programme`: one of its themes is tagged with `code` (or, for a
    standard, one of its sub-standards). Every date of a programme offers all its themes."""
    return exists().where(SurgeryThemeStandard.programme_id == Programme.id,
                          standard_tagged(SurgeryThemeStandard.practice_standards, code))
