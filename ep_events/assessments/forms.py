"""The self-assessment forms: start, a standard's page (built per standard), complete, delegate, import."""

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ep_events.assessments.assessments import EntryInput, field_prefix
from ep_events.assessments.models import Rating
from ep_events.core.forms import Form, GovDateField
from ep_events.standards import Standard


class StartForm(Form):
    local_authority = SelectField("Local authority (optional)", widget=GovSelect(), validators=[Optional()],
                                  validate_choice=False,
                                  description="Where your practice differs between local authorities, complete a "
                                              "self-assessment for each")
    submit = SubmitField("Start a self-assessment", widget=GovSubmitInput())

    def set_local_authorities(self, organisations) -> None:
        self.local_authority.choices = [SelectChoice("", "All the local authorities we work with")] + [
            SelectChoice(str(o.id), o.name) for o in organisations]


RATING_CHOICES = [SelectChoice(r.value, f"{r.label} – {r.meaning}") for r in Rating]


class StandardForm(Form):
    """Built per standard by `for_standard`: for each sub-standard a rating, comments and an action."""

    save = SubmitField("Save and return to the task list", widget=GovSubmitInput())
    save_and_stay = SubmitField("Save and stay on this page", widget=GovSubmitInput())

    @classmethod
    def for_standard(cls, standard: Standard, entries: dict, **kwargs) -> "StandardForm":
        fields = {}
        data = {}
        for sub in standard.substandards:
            p = field_prefix(sub.number)
            fields[f"{p}rating"] = RadioField(f"Rating for {sub.number}", widget=GovRadioInput(),
                                             choices=RATING_CHOICES, validators=[Optional()])
            fields[f"{p}comments"] = TextAreaField(f"Comments on {sub.number} (optional)", widget=GovTextArea(),
                                                   description="How your agency meets it, or not; you may link to "
                                                               "agency documents")
            fields[f"{p}action"] = TextAreaField(f"Action for {sub.number} (optional)", widget=GovTextArea())
            fields[f"{p}owner"] = StringField(f"Role that owns the action for {sub.number} (optional)",
                                              widget=GovTextInput(), description="A role, for example Team manager")
            fields[f"{p}due"] = GovDateField(f"Action due date for {sub.number} (optional)", validators=[Optional()],
                                             description="For example, 16 6 2027")
            entry = entries.get(sub.number)
            if entry is not None:
                data.update({f"{p}rating": entry.rating.value if entry.rating else None,
                             f"{p}comments": entry.comments, f"{p}action": entry.action,
                             f"{p}owner": entry.action_owner_role, f"{p}due": entry.action_due_on})
        form_class = type(f"Standard{standard.number}Form", (cls,), fields)
        form = form_class(data=data, **kwargs)
        form.standard = standard
        return form

    def fields_for(self, number: str) -> dict:
        p = field_prefix(number)
        return {name: self[f"{p}{name}"] for name in ("rating", "comments", "action", "owner", "due")}

    def entered(self) -> dict[str, EntryInput]:
        given = {}
        for sub in self.standard.substandards:
            f = self.fields_for(sub.number)
            given[sub.number] = EntryInput(rating=f["rating"].data or "", comments=f["comments"].data or "",
                                           action=f["action"].data or "", action_owner_role=f["owner"].data or "",
                                           action_due_on=f["due"].data)
        return given


class CompleteForm(Form):
    completer_name = StringField("Name of the person completing it", widget=GovTextInput())
    completer_job_title = StringField("Their job title", widget=GovTextInput())
    shared = BooleanField("Share the ratings with Adoption England", widget=GovCheckboxInput(),
                          description="Only the red, amber and green ratings, counted with other agencies' by "
                                      "region. Never your comments or actions. You can stop sharing later.")
    submit = SubmitField("Complete the self-assessment", widget=GovSubmitInput())


class DelegateForm(Form):
    colleague = SelectField("Colleague", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    submit = SubmitField("Let them work on our self-assessments", widget=GovSubmitInput())

    def set_colleagues(self, colleagues) -> None:
        self.colleague.choices = [SelectChoice("", "Choose a colleague")] + [
            SelectChoice(str(u.id), f"{u.name} ({u.job_title})" if u.job_title else u.name) for u in colleagues]


class ImportUploadForm(Form):
    file = FileField("Upload the toolkit spreadsheet (.xlsx)", widget=GovFileInput(),
                     description="In the layout this service exports: a sheet per standard, S1 to S8. At most 5 MB.")
    submit = SubmitField("Upload and preview", widget=GovSubmitInput())


class ImportConfirmForm(Form):
    upload = HiddenField()
    submit = SubmitField("Import these ratings, comments and actions", widget=GovSubmitInput())
