"""The organiser's forms for Network Days: a day's details, publishing, cancelling and attendance."""

from datetime import datetime

from flask import request
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import IntegerField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ep_events.bookings.models import Attendance
from ep_events.core.forms import Form, GovDateField, MinutesField
from ep_events.core.time import clock, parse_clock, to_uk, uk_to_utc
from ep_events.network_days.attendance import AttendanceMark, day_minutes
from ep_events.network_days.days import DayDetails
from ep_events.network_days.models import NetworkDay
from ep_events.network_days.rules import MAX_CAPACITY, MIN_CAPACITY, TITLE_MAX, TOPICS_MAX, default_rename_deadline
from ep_events.standards import SubstandardsField, standard_choices

TIME_NAMES = {"starts": "start time", "ends": "end time", "rename_deadline_time": "time renaming closes"}


class CapacityField(IntegerField):
    """A number of places; anything that is not a whole number gets the same message as one out of range."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"Enter a whole number of places between {MIN_CAPACITY} and {MAX_CAPACITY}") from None


class NetworkDayForm(Form):
    title = StringField("Title", widget=GovTextInput(),
                        validators=[InputRequired("Enter a title for the Network Day"),
                                    Length(max=TITLE_MAX,
                                           message=f"The title must be {TITLE_MAX} characters or fewer")])
    day = GovDateField("Date", description="For example, 16 6 2027",
                       validators=[InputRequired("Enter the date of the Network Day")])
    starts = StringField("Start time (UK time)", widget=GovTextInput(), description="For example, 10am",
                         validators=[InputRequired("Enter the start time")])
    ends = StringField("End time (UK time)", widget=GovTextInput(), description="For example, 3:30pm",
                       validators=[InputRequired("Enter the end time")])
    venue = TextAreaField("Venue name and address (in person)", widget=GovTextArea(),
                          description="Leave empty for an online day.",
                          validators=[Optional(), Length(max=500, message="The venue must be 500 characters or fewer")])
    online_url = StringField("Microsoft Teams joining link (online)", widget=GovTextInput(),
                             description="For an online day, starting https://teams.microsoft.com/. You can add it "
                                         "later. Leave empty for an in-person day.",
                             validators=[Optional()])
    topics = TextAreaField("Topics (optional)", widget=GovCharacterCount(),
                           validators=[Optional(), Length(max=TOPICS_MAX,
                                                          message=f"The topics must be {TOPICS_MAX} characters "
                                                                  "or fewer")])
    practice_standards = SelectMultipleField("Practice standards it addresses (optional)",
                                             widget=GovCheckboxesInput(),
                                             choices=[SelectChoice(c, label) for c, label in standard_choices()],
                                             validators=[Optional()])
    practice_substandards = SubstandardsField()
    capacity = CapacityField("Number of places", widget=GovTextInput(), validators=[
        InputRequired("Enter the number of places"),
        NumberRange(MIN_CAPACITY, MAX_CAPACITY,
                    message=f"Enter a number of places between {MIN_CAPACITY} and {MAX_CAPACITY}")])
    rename_deadline = GovDateField("Date renaming closes (optional)",
                                   description="After this only organisers can rename places. Leave empty for "
                                               "two working days before the day.",
                                   validators=[Optional()])
    rename_deadline_time = StringField("Time renaming closes (optional, UK time)", widget=GovTextInput(),
                                       description="Leave empty for the day's start time.", validators=[Optional()])
    submit = SubmitField("Save Network Day", widget=GovSubmitInput())

    @classmethod
    def for_day(cls, network_day: NetworkDay, **kwargs) -> "NetworkDayForm":
        """The form filled in from a saved day; a default rename deadline is left empty, so it follows the day."""
        data = {"title": network_day.title, "day": to_uk(network_day.starts_at).date(),
                "starts": clock(to_uk(network_day.starts_at).time()), "ends": clock(to_uk(network_day.ends_at).time()),
                "venue": network_day.venue, "online_url": network_day.online_url, "topics": network_day.topics,
                "practice_standards": list(network_day.practice_standards or []),
                "practice_substandards": list(network_day.practice_standards or []),
                "capacity": network_day.capacity}
        if network_day.rename_deadline != default_rename_deadline(network_day.starts_at):
            deadline = to_uk(network_day.rename_deadline)
            data |= {"rename_deadline": deadline.date(), "rename_deadline_time": clock(deadline.time())}
        return cls(data=data, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        """Every field's problems at once: times that are not times, and a time for renaming with no date."""
        valid = super().validate(extra_validators)
        for name, label in TIME_NAMES.items():
            field = self[name]
            if not field.errors and (field.data or "").strip() and parse_clock(field.data) is None:
                field.errors = list(field.errors) + [f"Enter the {label} as a time, like 9:30am or 2pm"]
                valid = False
        if (self.rename_deadline_time.data or "").strip() and not self.rename_deadline.data \
                and not self.rename_deadline.errors:
            self.rename_deadline.errors = list(self.rename_deadline.errors) + [
                "Enter the date renaming closes, or leave the time empty"]
            valid = False
        return valid

    def details(self) -> DayDetails:
        """What was entered, for the service (which checks the rules: end after start, in the future, …)."""
        starts = parse_clock(self.starts.data)
        deadline: datetime | None = None
        if self.rename_deadline.data:
            at = parse_clock(self.rename_deadline_time.data) if (self.rename_deadline_time.data or "").strip() \
                else starts
            deadline = uk_to_utc(self.rename_deadline.data, at)
        return DayDetails(title=self.title.data or "", day=self.day.data, starts=starts,
                          ends=parse_clock(self.ends.data), capacity=self.capacity.data,
                          venue=self.venue.data or "", online_url=self.online_url.data or "",
                          topics=self.topics.data or "",
                          practice_standards=(*(self.practice_standards.data or ()),
                                              *(self.practice_substandards.data or ())),
                          rename_deadline=deadline)


class PublishDayForm(Form):
    submit = SubmitField("Publish", widget=GovSubmitInput())


class CancelDayForm(Form):
    message = TextAreaField("Message to the people named (optional)", widget=GovTextArea(),
                            description="Sent in the cancellation email to everyone named on a place.",
                            validators=[Optional(), Length(max=1000, message="The message must be 1000 characters "
                                                                             "or fewer")])
    submit = SubmitField("Cancel this Network Day", widget=GovSubmitInput())


class AcceptPlaceForm(Form):
    submit = SubmitField("Accept the place", widget=GovSubmitInput())


class DayAttendanceForm(Form):
    """One form for a whole Network Day: per named place, attended or not and for how many minutes (the
    whole day unless changed), and one Save."""

    submit = SubmitField("Save attendance", widget=GovSubmitInput())

    @classmethod
    def for_places(cls, network_day: NetworkDay, places, **kwargs) -> "DayAttendanceForm":
        longest = day_minutes(network_day)
        fields = {}
        for place in places:
            name = place.user.name
            fields[f"place_{place.id}"] = RadioField(
                name, widget=GovRadioInput(),
                description=f"{place.agency.name}, {place.place_type.label.lower()}",
                choices=[SelectChoice(Attendance.ATTENDED.value, "Attended"),
                         SelectChoice(Attendance.DID_NOT_ATTEND.value, "Did not attend")],
                default=place.attendance.value if place.attendance is not Attendance.UNKNOWN else None,
                validators=[Optional()])
            fields[f"minutes_{place.id}"] = MinutesField(
                f"Minutes attended by {name}", name, longest, widget=GovTextInput(),
                description=f"If they attended. The whole day is {longest} minutes.",
                default=place.attended_minutes or longest,
                validators=[Optional()])
        form_class = type("NetworkDayAttendanceForm", (cls,), fields)
        return form_class(**kwargs)

    @property
    def people(self) -> list[tuple]:
        """(attendance radios, minutes box) per named place."""
        return [(field, self._fields[name.replace("place_", "minutes_", 1)])
                for name, field in self._fields.items() if name.startswith("place_")]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for radios, minutes in self.people:
            if minutes.data is not None and not 1 <= minutes.data <= minutes.longest and not minutes.errors:
                minutes.errors = list(minutes.errors) + [minutes.message()]
                valid = False
        # A place sent that the form does not show (another day's, a cancelled one, a made-up id) is
        # refused rather than ignored: nothing is saved. (With no places shown, before the day starts, the
        # service says why none can be marked.)
        unknown = [key for key in request.form if key.startswith(("place_", "minutes_"))
                   and key not in self._fields]
        if unknown and self.people:
            target = self.people[0][0]
            target.errors = list(target.errors) + ["The form included a place that is not a named place on this "
                                                   "Network Day. Nothing was saved: reload the page and try again."]
            valid = False
        return valid

    def marks(self) -> dict[int, AttendanceMark]:
        """Place id to what was chosen, for the places someone chose for."""
        return {int(radios.name.removeprefix("place_")): AttendanceMark(Attendance(radios.data), minutes.data)
                for radios, minutes in self.people if radios.data}


class TrainingEnquiryForm(Form):
    """The public bespoke-training enquiry. Lengths, control characters and the email address are checked by
    the service (network_days/enquiries.py), so a hand-made request meets the same rules."""

    organisation_name = StringField("Organisation", widget=GovTextInput(),
                                    description="For example, the local authority or voluntary adoption agency",
                                    validators=[InputRequired("Enter the name of your organisation")])
    contact_name = StringField("Your name", widget=GovTextInput(),
                               validators=[InputRequired("Enter your name")])
    # Named `email` so the site-wide email budget (core/limits.py) counts per address typed here too.
    email = StringField("Your email address", widget=GovTextInput(),
                        description="The organisers will reply to this address",
                        validators=[InputRequired("Enter your email address")])
    phone = StringField("Telephone number (optional)", widget=GovTextInput(), validators=[Optional()])
    training = TextAreaField("What training would you like?", widget=GovCharacterCount(),
                             description="The topics, and anything you would like it to cover",
                             validators=[InputRequired("Enter what training you would like")])
    audience = TextAreaField("Who is it for?", widget=GovCharacterCount(),
                             description="Roles and numbers, for example ‘12 adoption social workers and 2 team "
                                         "managers’. Do not include names or details of children or families.",
                             validators=[InputRequired("Enter who the training is for")])
    preferred_dates = TextAreaField("Preferred dates (optional)", widget=GovTextArea(),
                                    description="For example, ‘a weekday in March or April 2027’",
                                    validators=[Optional()])
    submit = SubmitField("Send enquiry", widget=GovSubmitInput())

    def details(self) -> dict:
        """What was typed, by the service's names."""
        return {"organisation_name": self.organisation_name.data or "", "contact_name": self.contact_name.data or "",
                "contact_email": self.email.data or "", "phone": self.phone.data or "",
                "training": self.training.data or "", "audience": self.audience.data or "",
                "preferred_dates": self.preferred_dates.data or ""}


class MarkEnquiryAnsweredForm(Form):
    submit = SubmitField("Mark as answered", widget=GovSubmitInput())
