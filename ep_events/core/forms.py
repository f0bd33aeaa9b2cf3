"""Form helpers shared by every domain."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect
from wtforms import DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice

from ep_events.core.errors import DomainError
from ep_events.core.inputs import EARLIEST_YEAR, LATEST_YEAR
from ep_events.extensions import db


class Form(FlaskForm):
    """A FlaskForm that can take a DomainError onto the field it names."""

    def add_domain_error(self, error) -> None:
        field_name = getattr(error, "field", None)
        field = self._fields.get(field_name) if field_name else None
        if field is None:
            # Put it on the first field so it appears in the error summary with a link.
            field = next(iter(self._fields.values()))
        field.errors = list(field.errors) + [str(error)]

    def apply(self, action):
        """Run the one service call behind a submitted form.

        Commits and returns (True, result); on a DomainError rolls back, shows its message on the
        form (so the page re-renders with the error summary) and returns (False, None).
        """
        try:
            result = action()
        except DomainError as error:
            db.session.rollback()
            self.add_domain_error(error)
            return False, None
        db.session.commit()
        return True, result


class GovDateField(DateField):
    """A date typed as day, month and year in GOV.UK's three boxes, in the years EARLIEST_YEAR to LATEST_YEAR.

    The three boxes share one name, so a hand-made request can send it any number of times: anything but
    three values is not a real date (and the widget, which unpacks exactly three, can still re-render).
    Whatever was typed, one message: 'enter a real date', or the years allowed.
    """

    def __init__(self, label=None, validators=None, invalid_message="Enter a real date, like 16 6 2027", **kwargs):
        kwargs.setdefault("widget", GovDateInput())
        kwargs.setdefault("format", ["%d %m %Y", "%d %B %Y", "%d %b %Y"])
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        if not any(value.strip() for value in valuelist):
            return  # nothing typed: the field's InputRequired or Optional decides
        if len(valuelist) != 3 or any(len(value) > 20 for value in valuelist):
            raise ValueError(self.invalid_message)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None
        if not EARLIEST_YEAR <= self.data.year <= LATEST_YEAR:
            self.data = None
            raise ValueError(f"Enter a date in the years {EARLIEST_YEAR} to {LATEST_YEAR}")

    def post_validate(self, form, validation_stopped):
        if self.process_errors:
            self.errors = list(self.process_errors)  # something was typed: not 'enter the date' as well


class OrganisationSelectField(SelectField):
    """An organisation chosen from the list, or "other" with free text in another field."""

    OTHER = "other"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", GovSelect())
        kwargs.setdefault("coerce", str)
        super().__init__(*args, **kwargs)

    def set_organisations(self, organisations) -> None:
        self.choices = [SelectChoice("", "Choose your organisation")] + [
            SelectChoice(str(o.id), o.name) for o in organisations] + [SelectChoice(self.OTHER, "Other (not listed)")]


def form_status(*forms) -> int:
    """The status of a page showing forms: 400 when one failed validation (its error summary shows), else 200."""
    return 400 if any(form.errors for form in forms) else 200


class MinutesField(IntegerField):
    """Minutes attended, in ASCII digits ('١' and '²' are not numbers here); one message for anything else."""

    def __init__(self, label, person: str, longest: int, **kwargs):
        self.person, self.longest = person, longest
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 5):
            self.data = None
            raise ValueError(self.message())
        self.data = int(text)

    def message(self) -> str:
        return f"Enter the minutes {self.person} attended, a whole number between 1 and {self.longest}"
