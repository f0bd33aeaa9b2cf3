from datetime import time

from govuk_frontend_wtf.wtforms_widgets import (GovCharacterCount, GovDateInput, GovRadioInput, GovSubmitInput,
                                                GovTextArea, GovTextInput)
from wtforms import DateField, EmailField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from ep_events.core.forms import Form
from ep_events.surgeries.models import THEMES, Attendance, SessionKind
from ep_events.surgeries.services import OUTLINE_MAX

OUTLINE_HINT = ("Optional. A short, anonymised outline of what you would like to discuss. Do not include names, "
                "dates of birth, addresses or other identifying details of children or families.")
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"


class BookingForm(Form):
    theme = RadioField("What would you like to discuss?", widget=GovRadioInput(), choices=[SelectChoice(v, label) for v, label in THEMES],
                       validators=[InputRequired("Choose what you would like to discuss")])
    outline = TextAreaField("Outline (optional)", widget=GovCharacterCount(), description=OUTLINE_HINT,
                            validators=[Optional(), Length(max=OUTLINE_MAX,
                                                           message=f"Outline must be {OUTLINE_MAX} characters or fewer")])
    colleague1_name = StringField("Colleague 1: full name", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    colleague1_email = EmailField("Colleague 1: work email address", widget=GovTextInput(),
                                  validators=[Optional(), Email(EMAIL_FORMAT, check_deliverability=False)])
    colleague2_name = StringField("Colleague 2: full name", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
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
    theme = RadioField("What would you like to discuss?", widget=GovRadioInput(), choices=[SelectChoice(v, label) for v, label in THEMES],
                       default="general", validators=[InputRequired("Choose what you would like to discuss")])
    submit = SubmitField("Join the waiting list", widget=GovSubmitInput())


class ButtonForm(Form):
    submit = SubmitField("Confirm", widget=GovSubmitInput())


def _time(value: str, label: str) -> time:
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise ValidationError(f"Enter the {label} as a 24-hour time, like 09:30") from None


class SurgeryDateForm(Form):
    day = DateField("Date", widget=GovDateInput(), description="For example, 16 6 2027",
                    validators=[InputRequired("Enter the date of the surgery")],
                    format=["%d %m %Y", "%d %B %Y", "%d %b %Y"])
    session = RadioField("Session", widget=GovRadioInput(),
                         choices=[SelectChoice(SessionKind.AM.value, "AM"), SelectChoice(SessionKind.PM.value, "PM"),
                                  SelectChoice(SessionKind.CUSTOM.value, "Custom window")],
                         validators=[InputRequired("Choose AM, PM or a custom window")])
    custom_starts = StringField("Custom window starts (UK time)", widget=GovTextInput(),
                                description="Only for a custom window. 24-hour clock, like 10:00",
                                validators=[Optional()])
    custom_ends = StringField("Custom window ends (UK time)", widget=GovTextInput(),
                              description="Only for a custom window. 24-hour clock, like 12:00",
                              validators=[Optional()])
    submit = SubmitField("Generate slots", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.day.errors and self.day.raw_data and any(self.day.raw_data):
            self.day.errors = ["Enter a real date, like 16 6 2027"]
        if self.session.data == SessionKind.CUSTOM.value:
            for field, label in ((self.custom_starts, "starts"), (self.custom_ends, "ends")):
                if not (field.data or "").strip():
                    field.errors = list(field.errors) + [f"Enter when the custom window {label}"]
                    valid = False
                    continue
                try:
                    _time(field.data, "time")
                except ValidationError as error:
                    field.errors = list(field.errors) + [str(error)]
                    valid = False
        return valid

    def window(self) -> tuple[time | None, time | None]:
        if self.session.data != SessionKind.CUSTOM.value:
            return None, None
        return _time(self.custom_starts.data, "start time"), _time(self.custom_ends.data, "end time")


class TeamsLinkForm(Form):
    teams_url = StringField("Microsoft Teams joining link", widget=GovTextInput(),
                            description="Paste the meeting link from Teams, starting https://teams.microsoft.com/",
                            validators=[InputRequired("Enter the Microsoft Teams joining link")])
    submit = SubmitField("Save joining link", widget=GovSubmitInput())


class CancelWithMessageForm(Form):
    message = TextAreaField("Message to the people booked", widget=GovTextArea(),
                            description="Sent in the cancellation email. Do not include case details.",
                            validators=[InputRequired("Enter a message to the people booked"), Length(max=1000)])
    submit = SubmitField("Cancel and tell people", widget=GovSubmitInput())


class AttendanceForm(Form):
    attendance = RadioField("Attendance", widget=GovRadioInput(),
                            choices=[SelectChoice(Attendance.ATTENDED.value, "Attended"),
                                     SelectChoice(Attendance.DID_NOT_ATTEND.value, "Did not attend")],
                            validators=[InputRequired("Choose attended or did not attend")])
    submit = SubmitField("Save attendance", widget=GovSubmitInput())


def _hours_list(value: str) -> list[int]:
    try:
        hours = sorted({int(part) for part in value.replace(" ", "").split(",") if part}, reverse=True)
    except ValueError:
        raise ValidationError("Enter reminder times as whole hours separated by commas, like 24, 1") from None
    if any(h < 1 or h > 24 * 14 for h in hours):
        raise ValidationError("Each reminder must be between 1 hour and 14 days before")
    return hours


class SettingsForm(Form):
    slot_minutes = IntegerField("Slot length in minutes", widget=GovTextInput(),
                                validators=[InputRequired("Enter the slot length"), NumberRange(10, 240)])
    buffer_minutes = IntegerField("Buffer between slots in minutes", widget=GovTextInput(),
                                  validators=[InputRequired("Enter the buffer"), NumberRange(0, 120)])
    booking_close_hours = IntegerField("Booking closes this many hours before a slot", widget=GovTextInput(),
                                       validators=[InputRequired("Enter when booking closes"), NumberRange(0, 24 * 14)])
    max_upcoming_bookings = IntegerField("Most upcoming bookings one person can hold", widget=GovTextInput(),
                                         validators=[InputRequired("Enter the limit"), NumberRange(1, 20)])
    offer_hours = IntegerField("Hours a waiting-list offer stays open", widget=GovTextInput(),
                               validators=[InputRequired("Enter the offer time"), NumberRange(1, 24 * 7)])
    outline_retention_days = IntegerField("Days after a slot that outlines are erased", widget=GovTextInput(),
                                          validators=[InputRequired("Enter the retention time"), NumberRange(1, 365)])
    am_starts = StringField("AM session starts", widget=GovTextInput(), validators=[InputRequired("Enter a time")])
    am_ends = StringField("AM session ends", widget=GovTextInput(), validators=[InputRequired("Enter a time")])
    pm_starts = StringField("PM session starts", widget=GovTextInput(), validators=[InputRequired("Enter a time")])
    pm_ends = StringField("PM session ends", widget=GovTextInput(), validators=[InputRequired("Enter a time")])
    reminder_hours = StringField("Reminders, hours before", widget=GovTextInput(),
                                 description="Comma-separated, like 24, 1", validators=[InputRequired("Enter reminder times")])
    submit = SubmitField("Save settings", widget=GovSubmitInput())

    def validate_am_starts(self, field):
        _time(field.data, "time")

    validate_am_ends = validate_pm_starts = validate_pm_ends = validate_am_starts

    def validate_reminder_hours(self, field):
        _hours_list(field.data)

    def values(self) -> dict:
        return {
            "slot_minutes": self.slot_minutes.data, "buffer_minutes": self.buffer_minutes.data,
            "booking_close_hours": self.booking_close_hours.data,
            "max_upcoming_bookings": self.max_upcoming_bookings.data, "offer_hours": self.offer_hours.data,
            "outline_retention_days": self.outline_retention_days.data,
            "am_starts": _time(self.am_starts.data, "time"), "am_ends": _time(self.am_ends.data, "time"),
            "pm_starts": _time(self.pm_starts.data, "time"), "pm_ends": _time(self.pm_ends.data, "time"),
            "reminder_hours": _hours_list(self.reminder_hours.data),
        }


class FacilitatorForm(Form):
    email = EmailField("Email address of the facilitator", widget=GovTextInput(),
                       description="They need an EP Events account",
                       validators=[InputRequired("Enter the facilitator's email address"),
                                   Email(EMAIL_FORMAT, check_deliverability=False)])
    submit = SubmitField("Add facilitator", widget=GovSubmitInput())
