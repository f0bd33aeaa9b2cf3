from datetime import time

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from ep_events.core.forms import Form, GovDateField
from ep_events.core.time import clock, parse_clock, uk_time
from ep_events.standards import SubstandardsField, standard_choices
from ep_events.surgeries.models import THEMES, Attendance, SessionKind
from ep_events.surgeries.rules import COLLEAGUE_NAME_MAX, COLLEAGUE_NAME_RULE, OUTLINE_MAX

OUTLINE_HINT = ("A short, anonymised outline of what you would like to discuss. Do not include names, "
                "dates of birth, addresses or other identifying details of children or families.")
COLLEAGUE_NAME_HINT = f"Their name only, on one line: {COLLEAGUE_NAME_RULE}."
COLLEAGUE_NAME_LENGTH = f"Enter a name of {COLLEAGUE_NAME_MAX} characters or fewer"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"


class BookingForm(Form):
    theme = RadioField("What would you like to discuss?", widget=GovRadioInput(),
                       choices=[SelectChoice(v, label) for v, label in THEMES],
                       validators=[InputRequired("Choose what you would like to discuss")])
    outline = TextAreaField("Outline (optional)", widget=GovCharacterCount(), description=OUTLINE_HINT,
                            validators=[Optional(), Length(max=OUTLINE_MAX,
                                                           message=f"Outline must be {OUTLINE_MAX} characters "
                                                                   "or fewer")])
    colleague1_name = StringField("Colleague 1: full name", widget=GovTextInput(), description=COLLEAGUE_NAME_HINT,
                                  validators=[Optional(),
                                              Length(max=COLLEAGUE_NAME_MAX, message=COLLEAGUE_NAME_LENGTH)])
    colleague1_email = EmailField("Colleague 1: work email address", widget=GovTextInput(),
                                  validators=[Optional(), Email(EMAIL_FORMAT, check_deliverability=False)])
    colleague2_name = StringField("Colleague 2: full name", widget=GovTextInput(), description=COLLEAGUE_NAME_HINT,
                                  validators=[Optional(),
                                              Length(max=COLLEAGUE_NAME_MAX, message=COLLEAGUE_NAME_LENGTH)])
    colleague2_email = EmailField("Colleague 2: work email address", widget=GovTextInput(),
                                  validators=[Optional(), Email(EMAIL_FORMAT, check_deliverability=False)])
    submit = SubmitField("Confirm booking", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for n in (1, 2):
            name, email = getattr(self, f"colleague{n}_name"), getattr(self, f"colleague{n}_email")
            if bool((name.data or "").strip()) != bool((email.data or "").strip()):
                missing = email if name.data else name
                missing.errors = list(missing.errors) + [
                    f"Enter both the name and the email address of colleague {n}"]
                valid = False
        return valid

    @property
    def colleagues(self) -> list[dict]:
        return [{"name": self.colleague1_name.data or "", "email": self.colleague1_email.data or ""},
                {"name": self.colleague2_name.data or "", "email": self.colleague2_email.data or ""}]


class CancelBookingForm(Form):
    reason = TextAreaField("Reason (optional)", widget=GovTextArea(),
                           description="Do not include identifying details of children or families.",
                           validators=[Optional(), Length(max=500, message="Reason must be 500 characters or fewer")])
    submit = SubmitField("Cancel booking", widget=GovSubmitInput())


class MoveBookingForm(Form):
    slot = RadioField("Choose a new slot", widget=GovRadioInput(), coerce=int,
                      validators=[InputRequired("Choose a new slot")])
    submit = SubmitField("Move booking", widget=GovSubmitInput())


class WaitlistForm(Form):
    theme = RadioField("What would you like to discuss?", widget=GovRadioInput(),
                       choices=[SelectChoice(v, label) for v, label in THEMES],
                       default="general", validators=[InputRequired("Choose what you would like to discuss")])
    submit = SubmitField("Join the waiting list", widget=GovSubmitInput())


class ButtonForm(Form):
    submit = SubmitField("Confirm", widget=GovSubmitInput())


def _clock(value: str | None, name: str):
    """A typed time, or a ValidationError that names the field ('Enter the AM session start as a time ...')."""
    found = parse_clock(value)
    if found is None:
        raise ValidationError(f"Enter the {name} as a time, like 9:30am or 2pm")
    return found


class SurgeryDateForm(Form):
    day = GovDateField("Date", description="For example, 16 6 2027",
                       validators=[InputRequired("Enter the date of the surgery")])
    session = RadioField("Session", widget=GovRadioInput(),
                         choices=[SelectChoice(SessionKind.AM.value, "AM"), SelectChoice(SessionKind.PM.value, "PM"),
                                  SelectChoice(SessionKind.CUSTOM.value, "Custom window")],
                         validators=[InputRequired("Choose AM, PM or a custom window")])
    custom_starts = StringField("Start time (UK time)", widget=GovTextInput(), description="For example, 10am",
                                validators=[Optional()])
    custom_ends = StringField("End time (UK time)", widget=GovTextInput(), description="For example, 12:30pm",
                              validators=[Optional()])
    practice_standards = SelectMultipleField("Practice standards it addresses (optional)", widget=GovCheckboxesInput(),
                                             choices=[SelectChoice(c, label) for c, label in standard_choices()],
                                             validators=[Optional()])
    practice_substandards = SubstandardsField()
    # Shown once the date turns out to be a weekend or bank holiday (the service asks for it).
    confirm_day = BooleanField("Yes, hold the surgery on this day", widget=GovCheckboxInput())
    submit = SubmitField("Generate slots", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.session.data == SessionKind.CUSTOM.value:
            times = {}
            for field, name in ((self.custom_starts, "start time"), (self.custom_ends, "end time")):
                if not (field.data or "").strip():
                    field.errors = list(field.errors) + [f"Enter the custom window's {name}"]
                    valid = False
                    continue
                try:
                    times[name] = _clock(field.data, f"custom window's {name}")
                except ValidationError as error:
                    field.errors = list(field.errors) + [str(error)]
                    valid = False
            if len(times) == 2 and times["end time"] <= times["start time"]:
                self.custom_ends.errors = list(self.custom_ends.errors) + [
                    "The custom window's end time must be after its start time"]
                valid = False
        return valid

    def window(self) -> tuple[time | None, time | None]:
        if self.session.data != SessionKind.CUSTOM.value:
            return None, None
        return parse_clock(self.custom_starts.data), parse_clock(self.custom_ends.data)


class PracticeStandardsForm(Form):
    """The practice standards something addresses (a surgery date, a theme): the eight standards' checkboxes and
    the sub-standards' numbers typed beside them."""

    practice_standards = SelectMultipleField("Practice standards", widget=GovCheckboxesInput(),
                                             choices=[SelectChoice(c, label) for c, label in standard_choices()],
                                             validators=[Optional()])
    practice_substandards = SubstandardsField()
    submit = SubmitField("Save practice standards", widget=GovSubmitInput())

    @classmethod
    def showing(cls, codes) -> "PracticeStandardsForm":
        """The form filled with saved codes (the standards tick their boxes; the sub-standards are typed)."""
        return cls(formdata=None, data={"practice_standards": list(codes), "practice_substandards": list(codes)})

    def codes(self) -> tuple[str, ...]:
        return (*(self.practice_standards.data or ()), *(self.practice_substandards.data or ()))


class TeamsLinkForm(Form):
    teams_url = StringField("Microsoft Teams joining link", widget=GovTextInput(),
                            description="Paste the meeting link from Teams, starting https://teams.microsoft.com/",
                            validators=[InputRequired("Enter the Microsoft Teams joining link")])
    submit = SubmitField("Save joining link", widget=GovSubmitInput())


class CancelDateForm(Form):
    """Cancelling a date nobody has booked: nobody to write to, so no message."""

    submit = SubmitField("Cancel this date", widget=GovSubmitInput())


class CancelWithMessageForm(Form):
    message = TextAreaField("Message to the people booked", widget=GovTextArea(),
                            description="Sent in the cancellation email. Do not include case details.",
                            validators=[InputRequired("Enter a message to the people booked"), Length(max=1000)])
    submit = SubmitField("Cancel and tell people", widget=GovSubmitInput())


class AttendanceForm(Form):
    """One form for a whole date: a pair of radios per person whose slot has started, and one Save."""

    submit = SubmitField("Save attendance", widget=GovSubmitInput())

    @classmethod
    def for_bookings(cls, bookings, **kwargs) -> "AttendanceForm":
        fields = {}
        for booking in bookings:
            fields[f"booking_{booking.id}"] = RadioField(
                booking.user.name, widget=GovRadioInput(),
                description=f"Slot {uk_time(booking.slot.starts_at)} to {uk_time(booking.slot.ends_at)}",
                choices=[SelectChoice(Attendance.ATTENDED.value, "Attended"),
                         SelectChoice(Attendance.DID_NOT_ATTEND.value, "Did not attend")],
                default=booking.attendance.value if booking.attendance is not Attendance.UNKNOWN else None,
                validators=[Optional()])
        form_class = type("DateAttendanceForm", (cls,), fields)
        return form_class(**kwargs)

    @property
    def people(self) -> list:
        """One radio field per person whose slot has started."""
        return [field for name, field in self._fields.items() if name.startswith("booking_")]

    def marks(self) -> dict[int, Attendance]:
        """Booking id to attendance, for the people someone chose for."""
        return {int(name.removeprefix("booking_")): Attendance(field.data) for name, field in self._fields.items()
                if name.startswith("booking_") and field.data}


def _hours_list(value: str) -> list[int]:
    try:
        hours = sorted({int(part) for part in value.replace(" ", "").split(",") if part}, reverse=True)
    except ValueError:
        raise ValidationError("Enter reminder times as whole hours separated by commas, like 24, 1") from None
    if any(h < 1 or h > 24 * 14 for h in hours):
        raise ValidationError("Each reminder must be between 1 hour and 14 days before")
    return hours


class SettingNumberField(IntegerField):
    """A whole-number setting whose every error names it: 'Slot length must be between 10 and 240 minutes'."""

    def __init__(self, label, setting: str, low: int, high: int, unit: str, **kwargs):
        self.invalid_message = f"{setting} must be a whole number of {unit}, like {low if low else high // 2}"
        super().__init__(label, widget=GovTextInput(), validators=[
            InputRequired(f"Enter the {setting[0].lower()}{setting[1:]}"),
            NumberRange(low, high, message=f"{setting} must be between {low} and {high} {unit}")], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None


SESSION_TIMES = {"am_starts": "AM session start time", "am_ends": "AM session end time",
                 "pm_starts": "PM session start time", "pm_ends": "PM session end time"}


class SettingsForm(Form):
    slot_minutes = SettingNumberField("Slot length in minutes", "Slot length", 10, 240, "minutes")
    buffer_minutes = SettingNumberField("Buffer between slots in minutes", "Buffer", 0, 120, "minutes")
    booking_close_hours = SettingNumberField("Booking closes this many hours before a slot", "Booking close",
                                             0, 24 * 14, "hours")
    max_upcoming_bookings = SettingNumberField("Most upcoming bookings one person can hold",
                                               "Most upcoming bookings", 1, 20, "bookings")
    offer_hours = SettingNumberField("Hours a waiting-list offer stays open", "Offer time", 1, 24 * 7, "hours")
    outline_retention_days = SettingNumberField("Days after a slot that outlines are erased", "Retention time",
                                                1, 365, "days")
    am_starts = StringField("AM session starts", widget=GovTextInput(), description="For example, 9:30am",
                            validators=[InputRequired("Enter the AM session start time")])
    am_ends = StringField("AM session ends", widget=GovTextInput(), description="For example, 12:30pm",
                          validators=[InputRequired("Enter the AM session end time")])
    pm_starts = StringField("PM session starts", widget=GovTextInput(), description="For example, 1:30pm",
                            validators=[InputRequired("Enter the PM session start time")])
    pm_ends = StringField("PM session ends", widget=GovTextInput(), description="For example, 4:30pm",
                          validators=[InputRequired("Enter the PM session end time")])
    reminder_hours = StringField("Reminders, hours before", widget=GovTextInput(),
                                 description="Comma-separated, like 24, 1",
                                 validators=[InputRequired("Enter reminder times")])
    submit = SubmitField("Save settings", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        """Every field's problems at once, the end-after-start check included."""
        valid = super().validate(extra_validators)
        times = {}
        for name, label in SESSION_TIMES.items():
            field = self[name]
            if field.errors:
                continue
            try:
                times[name] = _clock(field.data, label)
            except ValidationError as error:
                field.errors = list(field.errors) + [str(error)]
                valid = False
        for session in ("am", "pm"):
            starts, ends = times.get(f"{session}_starts"), times.get(f"{session}_ends")
            if starts and ends and ends <= starts:
                self[f"{session}_ends"].errors = list(self[f"{session}_ends"].errors) + [
                    f"{session.upper()} session must end after it starts"]
                valid = False
        return valid

    @staticmethod
    def shown_time(value) -> str:
        return clock(value)

    def validate_reminder_hours(self, field):
        _hours_list(field.data)

    def values(self) -> dict:
        return {
            "slot_minutes": self.slot_minutes.data, "buffer_minutes": self.buffer_minutes.data,
            "booking_close_hours": self.booking_close_hours.data,
            "max_upcoming_bookings": self.max_upcoming_bookings.data, "offer_hours": self.offer_hours.data,
            "outline_retention_days": self.outline_retention_days.data,
            "am_starts": parse_clock(self.am_starts.data), "am_ends": parse_clock(self.am_ends.data),
            "pm_starts": parse_clock(self.pm_starts.data), "pm_ends": parse_clock(self.pm_ends.data),
            "reminder_hours": _hours_list(self.reminder_hours.data),
        }


class FacilitatorForm(Form):
    email = EmailField("Email address of the facilitator", widget=GovTextInput(),
                       description="They need an EP Events account",
                       validators=[InputRequired("Enter the facilitator's email address"),
                                   Email(EMAIL_FORMAT, check_deliverability=False)])
    submit = SubmitField("Add facilitator", widget=GovSubmitInput())
