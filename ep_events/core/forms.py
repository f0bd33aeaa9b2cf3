"""Form helpers shared by every domain."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ep_events.core.errors import DomainError
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
