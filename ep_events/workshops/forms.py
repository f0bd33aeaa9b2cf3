"""The forms for workshops: a workshop's details, cancelling one, and the one-button forms (register, cancel
my place, join or leave the waiting list, accept or decline an offer) that carry the CSRF token."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import IntegerField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ep_events.core.forms import Form, GovDateField
from ep_events.core.time import clock, parse_clock, to_uk, uk_to_utc
from ep_events.standards import SubstandardsField, standard_choices
from ep_events.workshops.models import Workshop
from ep_events.workshops.rules import (
    AUDIENCE_MAX,
    CANCEL_MESSAGE_MAX,
    DESCRIPTION_MAX,
    MAX_CAPACITY,
    MIN_CAPACITY,
    TITLE_MAX,
    TOPIC_MAX,
)
from ep_events.workshops.workshops import WorkshopDetails

TIME_NAMES = {"starts": "start time", "ends": "end time", "registration_closes_time": "time registration closes"}
CAPACITY_MESSAGE = f"Enter a whole number of places between {MIN_CAPACITY} and {MAX_CAPACITY}"


class CapacityField(IntegerField):
    """A number of places; anything that is not a whole number gets the same message as one out of range."""

    def process_formdata(self, valuelist):
        if valuelist and len(valuelist[0]) > 12:
            self.data = None
            raise ValueError(CAPACITY_MESSAGE)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(CAPACITY_MESSAGE) from None


class WorkshopForm(Form):
    title = StringField("Title", widget=GovTextInput(), validators=[
        InputRequired("Enter a title for the workshop"),
        Length(max=TITLE_MAX, message=f"The title must be {TITLE_MAX} characters or fewer")])
    description = TextAreaField("Description (optional)", widget=GovCharacterCount(), validators=[
        Optional(), Length(max=DESCRIPTION_MAX, message=f"The description must be {DESCRIPTION_MAX} characters "
                                                        "or fewer")])
    day = GovDateField("Date", description="For example, 16 6 2027",
                       validators=[InputRequired("Enter the date of the workshop")])
    starts = StringField("Start time (UK time)", widget=GovTextInput(), description="For example, 10am",
                         validators=[InputRequired("Enter the start time")])
    ends = StringField("End time (UK time)", widget=GovTextInput(), description="For example, 11:30am",
                       validators=[InputRequired("Enter the end time")])
    online_url = StringField("Microsoft Teams joining link (optional)", widget=GovTextInput(),
                             description="Starting https://teams.microsoft.com/. Leave empty if the link will "
                                         "follow: registrants get an updated invite when you add it.",
                             validators=[Optional(), Length(max=2000, message="Enter a Microsoft Teams meeting "
                                                                              "link of 2000 characters or fewer")])
    capacity = CapacityField("Number of places", widget=GovTextInput(), validators=[
        InputRequired(CAPACITY_MESSAGE), NumberRange(MIN_CAPACITY, MAX_CAPACITY, message=CAPACITY_MESSAGE)])
    topic = StringField("Topic (optional)", widget=GovTextInput(), validators=[
        Optional(), Length(max=TOPIC_MAX, message=f"The topic must be {TOPIC_MAX} characters or fewer")])
    audience = StringField("Who it is for (optional)", widget=GovTextInput(),
                           description="For example, social workers, managers and panel members", validators=[
                               Optional(), Length(max=AUDIENCE_MAX, message=f"Who it is for must be {AUDIENCE_MAX} "
                                                                            "characters or fewer")])
    practice_standards = SelectMultipleField("Practice standards it addresses (optional)",
                                             widget=GovCheckboxesInput(),
                                             choices=[SelectChoice(c, label) for c, label in standard_choices()],
                                             validators=[Optional()])
    practice_substandards = SubstandardsField()
    registration_closes = GovDateField("Date registration closes (optional)",
                                       description="Leave empty to take registrations until the workshop starts.",
                                       validators=[Optional()])
    registration_closes_time = StringField("Time registration closes (optional, UK time)", widget=GovTextInput(),
                                           description="Leave empty for the workshop's start time.",
                                           validators=[Optional()])
    submit = SubmitField("Save workshop", widget=GovSubmitInput())

    @classmethod
    def for_workshop(cls, workshop: Workshop, **kwargs) -> "WorkshopForm":
        """The form filled in from a saved workshop; registration closing at the start is left empty."""
        starts, ends = to_uk(workshop.starts_at), to_uk(workshop.ends_at)
        data = {"title": workshop.title, "description": workshop.description, "day": starts.date(),
                "starts": clock(starts.time()), "ends": clock(ends.time()), "online_url": workshop.online_url,
                "capacity": workshop.capacity, "topic": workshop.topic, "audience": workshop.audience,
                "practice_standards": list(workshop.practice_standards or []),
                "practice_substandards": list(workshop.practice_standards or [])}
        if workshop.registration_closes_at != workshop.starts_at:
            closes = to_uk(workshop.registration_closes_at)
            data |= {"registration_closes": closes.date(), "registration_closes_time": clock(closes.time())}
        return cls(data=data, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        """Every field's problems at once: times that are not times, a closing time with no date."""
        valid = super().validate(extra_validators)
        for name, label in TIME_NAMES.items():
            field = self[name]
            if not field.errors and (field.data or "").strip() and parse_clock(field.data[:20]) is None:
                field.errors = list(field.errors) + [f"Enter the {label} as a time, like 9:30am or 2pm"]
                valid = False
        if (self.registration_closes_time.data or "").strip() and not self.registration_closes.data \
                and not self.registration_closes.errors:
            self.registration_closes.errors = list(self.registration_closes.errors) + [
                "Enter the date registration closes, or leave the time empty"]
            valid = False
        return valid

    def details(self) -> WorkshopDetails:
        """What was entered, for the service (which checks the rules: end after start, in the future, …)."""
        starts = parse_clock(self.starts.data)
        closes = None
        if self.registration_closes.data:
            at = parse_clock(self.registration_closes_time.data) \
                if (self.registration_closes_time.data or "").strip() else starts
            closes = uk_to_utc(self.registration_closes.data, at)
        return WorkshopDetails(
            title=self.title.data or "", day=self.day.data, starts=starts, ends=parse_clock(self.ends.data),
            capacity=self.capacity.data, description=self.description.data or "",
            online_url=self.online_url.data or "", topic=self.topic.data or "", audience=self.audience.data or "",
            practice_standards=(*(self.practice_standards.data or ()), *(self.practice_substandards.data or ())),
            registration_closes_at=closes)


class CancelWorkshopForm(Form):
    message = TextAreaField("Message to the people registered (optional)", widget=GovTextArea(),
                            description="Sent in the cancellation email to everyone registered.",
                            validators=[Optional(), Length(max=CANCEL_MESSAGE_MAX,
                                                           message=f"The message must be {CANCEL_MESSAGE_MAX} "
                                                                   "characters or fewer")])
    submit = SubmitField("Cancel this workshop", widget=GovSubmitInput())


class ButtonForm(Form):
    """A form that is only a button: it carries the CSRF token."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
