"""Forms for after a workshop: sharing resources, feedback and attendance (by hand or from a Teams report).
Lengths, file contents and dates are checked by the services, so a hand-made request meets the same rules."""

from flask import request
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from ep_events.bookings.models import Attendance
from ep_events.core.forms import Form, MinutesField
from ep_events.workshops.attendance import AttendanceMark, workshop_minutes
from ep_events.workshops.feedback import TEXT_MAX, FeedbackAnswers
from ep_events.workshops.models import Workshop


class ResourceFileForm(Form):
    title = StringField("Title", widget=GovTextInput(), description="For example, Slides: Managing family time",
                        validators=[InputRequired("Enter a title for the resource")])
    file = FileField("File", widget=GovFileInput(),
                     description="A PDF, PowerPoint (.pptx), Word (.docx) or Excel (.xlsx) file, 20 MB or smaller",
                     validators=[InputRequired("Choose a file to upload")])
    submit = SubmitField("Upload the file", widget=GovSubmitInput())

    def file_content(self) -> tuple[str, object]:
        """The uploaded file's name and stream (the service reads it with a cap)."""
        storage = self.file.data
        return (getattr(storage, "filename", "") or ""), storage


class ResourceLinkForm(Form):
    title = StringField("Title", widget=GovTextInput(), description="For example, Recording of the workshop",
                        validators=[InputRequired("Enter a title for the link")])
    url = StringField("Web address", widget=GovTextInput(), description="Starting https://",
                      validators=[InputRequired("Enter the web address of the link")])
    submit = SubmitField("Add the link", widget=GovSubmitInput())


class RatingField(RadioField):
    """A rating from 1 to 5; anything else gets the field's own message."""

    def __init__(self, label, message: str, low: str, high: str, **kwargs):
        self.message = message
        choices = [SelectChoice(str(n), f"{n}" + (f" – {low}" if n == 1 else f" – {high}" if n == 5 else ""))
                   for n in range(1, 6)]
        super().__init__(label, choices=choices, widget=GovRadioInput(), validators=[InputRequired(message)],
                         **kwargs)

    def pre_validate(self, form):
        # Nothing chosen is InputRequired's message; only a value that is not a choice is refused here.
        if self.data and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.message)


CHILDREN_HINT = ("Do not include names or details that could identify children, families or carers. "
                 f"{TEXT_MAX} characters or fewer.")


class FeedbackForm(Form):
    usefulness = RatingField("How useful was the workshop?", "Choose how useful the workshop was, from 1 to 5",
                             "not useful", "very useful")
    relevance = RatingField("How relevant was it to your practice?",
                            "Choose how relevant the workshop was to your practice, from 1 to 5",
                            "not relevant", "very relevant")
    do_differently = TextAreaField("What will you do differently? (optional)", widget=GovCharacterCount(),
                                   description=CHILDREN_HINT, validators=[Optional()])
    comments = TextAreaField("Anything else? (optional)", widget=GovCharacterCount(), description=CHILDREN_HINT,
                             validators=[Optional()])
    submit = SubmitField("Send feedback", widget=GovSubmitInput())

    def answers(self) -> FeedbackAnswers:
        return FeedbackAnswers(usefulness=int(self.usefulness.data), relevance=int(self.relevance.data),
                               do_differently=self.do_differently.data or "", comments=self.comments.data or "")


class WorkshopAttendanceForm(Form):
    """Per confirmed registration: attended or not, and for how many minutes (the whole workshop unless changed)."""

    submit = SubmitField("Save attendance", widget=GovSubmitInput())

    @classmethod
    def for_registrations(cls, workshop: Workshop, registrations, **kwargs) -> "WorkshopAttendanceForm":
        longest = workshop_minutes(workshop)
        fields = {}
        for registration in registrations:
            name = registration.user.name
            fields[f"place_{registration.id}"] = RadioField(
                name, widget=GovRadioInput(), description=registration.user.email,
                choices=[SelectChoice(Attendance.ATTENDED.value, "Attended"),
                         SelectChoice(Attendance.DID_NOT_ATTEND.value, "Did not attend")],
                default=registration.attendance.value if registration.attendance is not Attendance.UNKNOWN else None,
                validators=[Optional()])
            fields[f"minutes_{registration.id}"] = MinutesField(
                f"Minutes attended by {name}", name, longest, widget=GovTextInput(),
                description=f"If they attended. The whole workshop is {longest} minutes.",
                default=registration.attended_minutes or longest, validators=[Optional()])
        form_class = type("WorkshopAttendanceFormFor", (cls,), fields)
        return form_class(**kwargs)

    @property
    def people(self) -> list[tuple]:
        return [(field, self._fields[name.replace("place_", "minutes_", 1)])
                for name, field in self._fields.items() if name.startswith("place_")]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for _radios, minutes in self.people:
            if minutes.data is not None and not 1 <= minutes.data <= minutes.longest and not minutes.errors:
                minutes.errors = list(minutes.errors) + [minutes.message()]
                valid = False
        unknown = [key for key in request.form if key.startswith(("place_", "minutes_")) and key not in self._fields]
        if unknown and self.people:
            target = self.people[0][0]
            target.errors = list(target.errors) + ["The form included someone who is not registered for this "
                                                   "workshop. Nothing was saved: reload the page and try again."]
            valid = False
        return valid

    def marks(self) -> dict[int, AttendanceMark]:
        return {int(radios.name.removeprefix("place_")): AttendanceMark(Attendance(radios.data), minutes.data)
                for radios, minutes in self.people if radios.data}


class TeamsReportForm(Form):
    report = FileField("Teams attendance report", widget=GovFileInput(),
                       description="The file you downloaded from the meeting in Teams (Attendance, then "
                                   "Download). Matched to registrations by email address.",
                       validators=[InputRequired("Choose the attendance report file")])
    submit = SubmitField("Import attendance", widget=GovSubmitInput())
