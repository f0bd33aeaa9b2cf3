"""The organiser's billing forms: invoice details, prices, VAT rates, payments and the finance export.

The forms check what was typed is there and of the right shape; the services (settings.py, payments.py,
export.py) own the rules and the wording of what they refuse.
"""

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

from ep_events.billing.models import BillingItem, PaymentMethod
from ep_events.core.forms import Form, GovDateField

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


class WholeNumberField(IntegerField):
    """A whole number whose every error says what is wanted."""

    def __init__(self, label, invalid_message: str, low: int, high: int, required_message: str, **kwargs):
        self.invalid_message = invalid_message
        super().__init__(label, widget=GovTextInput(), validators=[
            InputRequired(required_message), NumberRange(low, high, message=invalid_message)], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None


class MonthField(SelectField):
    """A month of the year; no `required` attribute (a select that has no empty first option may not carry it)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Choose the month the membership year starts") from None

    def pre_validate(self, form):
        if self.data not in range(1, 13):
            raise ValidationError("Choose the month the membership year starts")


class BillingSettingsForm(Form):
    legal_name = StringField("Legal name", widget=GovTextInput(), description="As it appears on invoices")
    address = TextAreaField("Address", widget=GovTextArea())
    charity_number = StringField("Charity number (optional)", widget=GovTextInput())
    company_number = StringField("Company number (optional)", widget=GovTextInput())
    vat_number = StringField("VAT registration number (optional)", widget=GovTextInput())
    payment_terms_days = WholeNumberField(
        "Payment terms in days", "Payment terms must be a whole number of days from 0 to 365", 0, 365,
        "Enter the payment terms in days", description="An invoice is due this many days after it is issued")
    how_to_pay = TextAreaField("How to pay", widget=GovTextArea(),
                               description="Printed on every invoice and payment reminder: bank details, who to ask")
    invoice_prefix = StringField("Invoice number prefix", widget=GovTextInput(), description="For example, INV-")
    credit_note_prefix = StringField("Credit note number prefix", widget=GovTextInput(),
                                     description="For example, CN-")
    membership_year_start_day = WholeNumberField(
        "Day the membership year starts", "Enter a real day for the start of the membership year, like 1 April",
        1, 31, "Enter the day the membership year starts")
    membership_year_start_month = MonthField("Month the membership year starts", widget=GovSelect(), coerce=int,
                                             choices=[SelectChoice(n, name) for n, name in enumerate(MONTHS, 1)])
    submit = SubmitField("Save invoice details", widget=GovSubmitInput())

    FIELDS = ("legal_name", "address", "charity_number", "company_number", "vat_number", "payment_terms_days",
              "how_to_pay", "invoice_prefix", "credit_note_prefix", "membership_year_start_day",
              "membership_year_start_month")

    @classmethod
    def for_settings(cls, settings) -> "BillingSettingsForm":
        return cls(data={name: getattr(settings, name) for name in cls.FIELDS})

    def values(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class PriceForm(Form):
    item = RadioField("What the price is for", widget=GovRadioInput(),
                      choices=[SelectChoice(item.value, item.label) for item in BillingItem],
                      validators=[InputRequired("Choose what the price is for")])
    amount = StringField("Price in pounds, before VAT", widget=GovTextInput(), description="For example, 150.00",
                         validators=[InputRequired("Enter the price in pounds, like 150.00")])
    applies_from = GovDateField("Applies to orders placed from", description="For example, 1 4 2027",
                                validators=[InputRequired("Enter the date the price applies from")])
    submit = SubmitField("Add price", widget=GovSubmitInput())


class VatRateForm(Form):
    rate = StringField("VAT rate (%)", widget=GovTextInput(), description="For example, 20 or 0",
                       validators=[InputRequired("Enter the VAT rate as a percentage, like 20")])
    applies_from = GovDateField("Applies to orders placed from", description="For example, 1 4 2027",
                                validators=[InputRequired("Enter the date the VAT rate applies from")])
    submit = SubmitField("Add VAT rate", widget=GovSubmitInput())


class PaymentForm(Form):
    amount = StringField("Amount received in pounds", widget=GovTextInput(), description="For example, 75.00",
                         validators=[InputRequired("Enter the amount received, like 75.00")])
    received_on = GovDateField("Date received", description="For example, 14 6 2026",
                               validators=[InputRequired("Enter the date the payment was received")])
    method = RadioField("How it was paid", widget=GovRadioInput(),
                        choices=[SelectChoice(method.value, method.label) for method in PaymentMethod],
                        validators=[InputRequired("Choose how it was paid")])
    reference = StringField("Payment reference (optional)", widget=GovTextInput(),
                            description="The reference the bank or the agency gave")
    overpayment = BooleanField("This is an overpayment", widget=GovCheckboxInput(), validators=[Optional()])
    submit = SubmitField("Record payment", widget=GovSubmitInput())

    @property
    def payment_method(self) -> PaymentMethod:
        return PaymentMethod(self.method.data)


class ReminderForm(Form):
    submit = SubmitField("Send a payment reminder", widget=GovSubmitInput())


class FinanceExportForm(Form):
    first = GovDateField("From", description="For example, 1 4 2026",
                         validators=[InputRequired("Enter the first date to include")])
    last = GovDateField("To", description="For example, 31 3 2027",
                        validators=[InputRequired("Enter the last date to include")])
    submit = SubmitField("Download CSV", widget=GovSubmitInput())
