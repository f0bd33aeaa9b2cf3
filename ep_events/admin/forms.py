from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional

from ep_events.accounts.forms import ProfileFields
from ep_events.accounts.models import Role
from ep_events.bookings.kinds import all_kinds, kind_label
from ep_events.core.forms import Form
from ep_events.organisations.models import REGIONS, OrganisationKind
from ep_events.programmes.models import ProgrammeStatus


class OrganisationForm(Form):
    name = StringField("Name", widget=GovTextInput(),
                       validators=[InputRequired("Enter the organisation's name"), Length(max=200)])
    kind = RadioField("Kind of organisation", widget=GovRadioInput(),
                      choices=[SelectChoice(k.value, k.label) for k in OrganisationKind],
                      validators=[InputRequired("Choose the kind of organisation")])
    region = SelectField("Region of England", widget=GovSelect(),
                         choices=[SelectChoice("", "Choose a region")] + [SelectChoice(r) for r in REGIONS],
                         validators=[InputRequired("Choose the region")])
    submit = SubmitField("Save organisation", widget=GovSubmitInput())


class ProgrammeForm(Form):
    name = StringField("Name", widget=GovTextInput(),
                       validators=[InputRequired("Enter the programme's name"), Length(max=200)])
    slug = StringField("Slug", widget=GovTextInput(), description="Used in web addresses, like mtc-surgeries",
                       validators=[InputRequired("Enter a slug"), Length(max=80)])
    kind = RadioField("Kind of programme", widget=GovRadioInput(),
                      validators=[InputRequired("Choose the kind of programme")])
    contact_email = EmailField("Contact email address", widget=GovTextInput(),
                               validators=[InputRequired("Enter the programme's contact email address"),
                                           Email("Enter an email address in the correct format, like "
                                                 "name@example.org", check_deliverability=False)])
    description = TextAreaField("Description", widget=GovTextArea(),
                                validators=[Optional(), Length(max=4000)])
    teams_provider = RadioField("Teams joining links", widget=GovRadioInput(), default="manual",
                                choices=[SelectChoice("manual", "A facilitator pastes the link"),
                                         SelectChoice("graph", "Created by Microsoft Graph when a date is published")],
                                validators=[Optional()])
    # Shown only when editing: a new programme is always a draft until an admin publishes it.
    status = RadioField("Who can see it", widget=GovRadioInput(),
                        choices=[SelectChoice(ProgrammeStatus.DRAFT.value,
                                              "Draft: only site admins and its organisers"),
                                 SelectChoice(ProgrammeStatus.PUBLISHED.value, "Published: everyone")],
                        validators=[Optional()])
    submit = SubmitField("Save programme", widget=GovSubmitInput())

    def __init__(self, *args, current_kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The kinds this site runs (ep_events/kinds.py), and the programme's own if it is not one of them.
        self.kind.choices = [SelectChoice(kind.key, kind.label) for kind in all_kinds()]
        if current_kind and current_kind not in {choice.value for choice in self.kind.choices}:
            self.kind.choices.append(SelectChoice(current_kind, kind_label(current_kind)))


class UserForm(ProfileFields, Form):
    confirmed = BooleanField("Email address confirmed", widget=GovCheckboxInput())
    submit = SubmitField("Save user", widget=GovSubmitInput())


class GrantForm(Form):
    role = RadioField("Role", widget=GovRadioInput(), choices=[SelectChoice(r.value, r.label) for r in Role],
                      validators=[InputRequired("Choose a role")])
    programme = SelectField("Programme (for organisers and facilitators)", widget=GovSelect(),
                            validators=[Optional()])
    organisation = SelectField("Organisation (for agency admins)", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Add role", widget=GovSubmitInput())


class ButtonForm(Form):
    """A form that is only a button (remove, resend): it carries the CSRF token."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
