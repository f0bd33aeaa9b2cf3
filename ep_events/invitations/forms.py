"""Forms for the invitation list: joining, confirming, and the organiser's import."""

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from ep_events.core.forms import Form


class JoinListForm(Form):
    """Lengths, control characters (CR/LF) and the address are checked by the service (entries.py), so a
    hand-made request meets the same rules."""

    name = StringField("Your name", widget=GovTextInput(), validators=[InputRequired("Enter your name")])
    # Named `email` so the site-wide email budget (core/limits.py) counts per address typed here too.
    email = StringField("Your email address", widget=GovTextInput(),
                        description="We will email you a link to confirm",
                        validators=[InputRequired("Enter your email address")])
    organisation_name = StringField("Organisation (optional)", widget=GovTextInput(),
                                    description="For example, the local authority or adoption agency you work for")
    role = StringField("Role (optional)", widget=GovTextInput(), description="For example, ‘Adoption social worker’")
    submit = SubmitField("Join the invitation list", widget=GovSubmitInput())

    def details(self) -> dict:
        return {"name": self.name.data or "", "email": self.email.data or "",
                "organisation_name": self.organisation_name.data or "", "role": self.role.data or ""}


class ConfirmForm(Form):
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ImportUploadForm(Form):
    file = FileField("Upload a CSV file", widget=GovFileInput(),
                     description="The first row names the columns: name, email, and if you have them "
                                 "organisation and role. At most 10,000 people and 2 MB.")
    submit = SubmitField("Upload and preview", widget=GovSubmitInput())


class ImportConfirmForm(Form):
    upload = HiddenField()
    has_lawful_basis = BooleanField("We have a lawful basis to add them without confirmation",
                                    widget=GovCheckboxInput(),
                                    description="Only if you can show it. Otherwise each person is emailed a "
                                                "link and added only when they confirm.")
    lawful_basis = TextAreaField("Lawful basis (only with the box ticked)", widget=GovTextArea(),
                                 description="For example, ‘Legitimate interest: members of the regional EP "
                                             "practice group who asked to hear about training (minutes of "
                                             "3 November 2026)’")
    submit = SubmitField("Import", widget=GovSubmitInput())

    def validate_lawful_basis(self, field):
        if (field.data or "").strip() and not self.has_lawful_basis.data:
            raise ValidationError("Tick ‘We have a lawful basis to add them without confirmation’, or delete the "
                                  "lawful basis to ask each person to confirm")
