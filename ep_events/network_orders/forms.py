"""Forms for the Network orders pages."""

from email_validator import EmailNotValidError, validate_email
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from ep_events.billing.money import clean_text
from ep_events.core.errors import DomainError
from ep_events.core.forms import Form
from ep_events.network_days.memberships import membership_year_label
from ep_events.network_orders.purchases import BillingDetails

# --- Buying a membership or extra places (buy_views.py) -------------------------------------------------
# The fields check what billing's place_order checks (it is called again on confirm, and has the last word):
# the same lengths and control characters, through the same clean_text, so the review page never shows
# details the order would refuse.

CONTACT_NAME_MAX, CONTACT_EMAIL_MAX, ADDRESS_MAX, PO_MAX = 200, 320, 2000, 50


def _billing_check(field_name: str, name: str, max_length: int, multiline: bool = False, required: bool = True):
    def check(form, field):
        try:
            clean_text(field.data, field_name, name, max_length, required=required, multiline=multiline)
        except DomainError as error:
            raise ValidationError(str(error)) from None
    return check


def _email_check(form, field):
    _billing_check("billing_contact_email", "billing contact’s email address", CONTACT_EMAIL_MAX)(form, field)
    try:
        validate_email(field.data.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError("Enter an email address in the correct format, like name@example.org") from None


class BillingForm(Form):
    """Who the invoice goes to: shared by the membership and the extra-places forms."""

    billing_contact_name = StringField(
        "Billing contact name", widget=GovTextInput(), description="The person in your finance team the invoice "
                                                                   "is for",
        validators=[InputRequired("Enter the billing contact’s name"),
                    _billing_check("billing_contact_name", "billing contact’s name", CONTACT_NAME_MAX)])
    billing_contact_email = StringField(
        "Billing contact email address", widget=GovTextInput(), description="We email the invoice here",
        validators=[InputRequired("Enter the billing contact’s email address"), _email_check])
    billing_address = TextAreaField(
        "Billing address", widget=GovTextArea(),
        validators=[InputRequired("Enter the billing address"),
                    _billing_check("billing_address", "billing address", ADDRESS_MAX, multiline=True)])
    po_number = StringField(
        "Purchase order (PO) number", widget=GovTextInput(),
        description="Leave empty only if you tick “We do not use purchase orders”",
        validators=[_billing_check("po_number", "purchase order number", PO_MAX, required=False)])
    no_po = BooleanField("We do not use purchase orders", widget=GovCheckboxInput(),
                         description="Tick this if your agency pays invoices without a purchase order",
                         validators=[Optional()])

    BILLING_FIELDS = ("billing_contact_name", "billing_contact_email", "billing_address", "po_number", "no_po")

    def validate_po_number(self, field):
        if not self.no_po.data and not (field.data or "").strip():
            raise ValidationError("Enter the purchase order number, or tick “We do not use purchase orders”")

    @classmethod
    def prefilled_from(cls, last_order, **kwargs):
        """A new form, billing details copied from the agency's last order (if it has one)."""
        form = cls(formdata=None, **kwargs)
        if last_order is not None:
            form.billing_contact_name.data = last_order.billing_contact_name
            form.billing_contact_email.data = last_order.billing_contact_email
            form.billing_address.data = last_order.billing_address
        return form

    def billing(self) -> BillingDetails:
        no_po = bool(self.no_po.data)
        return BillingDetails(contact_name=self.billing_contact_name.data.strip(),
                              contact_email=self.billing_contact_email.data.strip(),
                              address=self.billing_address.data.strip(),
                              po_number="" if no_po else (self.po_number.data or "").strip(), no_po=no_po)


class MembershipYearField(RadioField):
    """A membership year offered on the page; anything else (another year, 2^63, 'abc') gets one message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Choose the membership year") from None

    def pre_validate(self, form):
        if self.data not in [choice.value for choice in self.choices or []]:
            raise ValidationError("Choose the membership year")


class BuyMembershipForm(BillingForm):
    membership_year = MembershipYearField("Membership year", widget=GovRadioInput(), coerce=int,
                                          description="The Network Days in that year are the ones your place "
                                                      "covers",
                                          validators=[InputRequired("Choose the membership year")])
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def offer_years(self, years: list[int], programme=None) -> "BuyMembershipForm":
        self.membership_year.choices = [SelectChoice(year, membership_year_label(year, programme)) for year in years]
        return self


class QuantityField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Enter a whole number of places") from None


class BuyExtraPlacesForm(BillingForm):
    quantity = QuantityField("Number of extra places", widget=GovTextInput(),
                             validators=[InputRequired("Enter the number of extra places")])
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def add_domain_error(self, error) -> None:
        """The service's refusals about room on the day (no field of ours) belong to the quantity."""
        if getattr(error, "field", None) not in self._fields:
            error.field = "quantity"
        super().add_domain_error(error)

    def up_to(self, free: int) -> "BuyExtraPlacesForm":
        """Allow 1 to `free` places (what the day has room for when the page is shown)."""
        message = (f"Enter a number of places from 1 to {free}" if free > 1
                   else "Only 1 place is left: enter 1")
        if self.quantity.process_errors:  # not a whole number (read before the bounds were known)
            self.quantity.process_errors = [message]
        self.quantity.validators = [InputRequired("Enter the number of extra places"),
                                    NumberRange(1, max(free, 1), message=message)]
        return self



class JoinWaitlistForm(Form):
    """How many extra places the agency waits for on a full day (the service bounds the number)."""

    quantity = QuantityField("Number of places you need", widget=GovTextInput(),
                             validators=[InputRequired("Enter the number of places you need")])
    submit = SubmitField("Join the waiting list", widget=GovSubmitInput())


class LeaveWaitlistForm(Form):
    submit = SubmitField("Leave the waiting list", widget=GovSubmitInput())

# --- end of buying forms -----------------------------------------------------------------------------------


# --- The agency's account page: EP Champion, naming, changing and cancelling places (account_views.py) -------

SOMEONE_ELSE = "someone-else"
OFFER_EMAIL_MAX = 320
CANCEL_REASON_MAX = 500
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"


class ColleagueChoiceField(SelectField):
    """A person from the agency, by id; anything not offered (another agency's person, 2^63, 'abc') gets the
    same message as choosing nobody."""

    def __init__(self, *args, message: str = "Choose who takes the place", **kwargs):
        kwargs.setdefault("coerce", str)
        super().__init__(*args, **kwargs)
        self.message = message

    def pre_validate(self, form):
        if not self.data or self.data not in [choice.value for choice in self.choices or []]:
            raise ValidationError(self.message)


class ChampionForm(Form):
    champion = ColleagueChoiceField("EP Champion", widget=GovSelect(), message="Choose your EP Champion",
                                    description="Someone from your agency with an EP Events account",
                                    validators=[InputRequired("Choose your EP Champion")])
    submit = SubmitField("Save EP Champion", widget=GovSubmitInput())

    def offer(self, colleagues, current_id: int | None = None) -> "ChampionForm":
        self.champion.choices = [SelectChoice("", "Choose a person")] + [
            SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in colleagues]
        if current_id is not None and not self.is_submitted():
            self.champion.data = str(current_id)
        return self


def _offer_email(form, field):
    if form.person.data != SOMEONE_ELSE:
        return
    value = (field.data or "").strip()
    if not value:
        raise ValidationError("Enter the email address of the person to offer the place to")
    if len(value) > OFFER_EMAIL_MAX:
        raise ValidationError(f"The email address must be {OFFER_EMAIL_MAX} characters or fewer")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(EMAIL_FORMAT) from None


class NamePlaceForm(Form):
    """A colleague with an account, or someone else by email (they are sent a link to sign in and accept)."""

    person = ColleagueChoiceField("Who will take the place?", widget=GovRadioInput(),
                                  validators=[InputRequired("Choose who takes the place")])
    email = StringField("Their email address", widget=GovTextInput(),
                        description="We email them a link to sign in, or create an account, and accept the place",
                        validators=[_offer_email])
    submit = SubmitField("Name the place", widget=GovSubmitInput())

    def offer(self, colleagues) -> "NamePlaceForm":
        self.person.choices = [SelectChoice(str(u.id), u.name) for u in colleagues] + [
            SelectChoice(SOMEONE_ELSE, "Someone else")]
        return self

    def chosen_person_id(self) -> int | None:
        return None if self.person.data == SOMEONE_ELSE else int(self.person.data)

    def offered_email(self) -> str:
        return (self.email.data or "").strip()


class CancelPlaceForm(Form):
    reason = TextAreaField("Reason (optional)", widget=GovTextArea(),
                           description="Sent to the person named on the place",
                           validators=[Optional()])
    submit = SubmitField("Cancel the place", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if len(self.reason.data or "") > CANCEL_REASON_MAX:
            self.reason.errors = list(self.reason.errors) + [
                f"The reason must be {CANCEL_REASON_MAX} characters or fewer"]
            valid = False
        return valid

# --- end of account page forms ------------------------------------------------------------------------------
