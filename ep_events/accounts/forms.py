from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from ep_events.accounts.passwords import MIN_PASSWORD_LENGTH, check_password_strength
from ep_events.core.errors import DomainError
from ep_events.core.forms import Form, OrganisationSelectField

PASSWORD_HINT = f"Must be {MIN_PASSWORD_LENGTH} characters or more, and not a common password"


def strong_password(form, field) -> None:
    """The password rules of `accounts.passwords`, as a form validator (the service checks them again)."""
    try:
        check_password_strength(field.data or "")
    except DomainError as error:
        raise ValidationError(str(error)) from error


def _other_required(form, field):
    if field.data == OrganisationSelectField.OTHER and not (form.organisation_other.data or "").strip():
        form.organisation_other.errors = list(form.organisation_other.errors) + ["Enter the name of your organisation"]
        raise ValidationError("Enter the name of your organisation, or choose it from the list")


class ProfileFields:
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired("Enter your full name"), Length(max=200)])
    job_title = StringField("Job title", widget=GovTextInput(),
                            validators=[InputRequired("Enter your job title"), Length(max=200)])
    organisation = OrganisationSelectField(
        "Organisation", validators=[InputRequired("Choose your organisation"), _other_required])
    organisation_other = StringField(
        "If your organisation is not listed, its name", widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Organisation name must be 200 characters or fewer")])


class SignUpForm(ProfileFields, Form):
    email = EmailField("Work email address", widget=GovTextInput(),
                       description="We will send a link to this address to confirm it",
                       validators=[InputRequired("Enter your work email address"),
                                   Email("Enter an email address in the correct format, like name@example.org",
                                         check_deliverability=False),
                                   Length(max=320)])
    password = PasswordField("Create a password", widget=GovPasswordInput(),
                             description=PASSWORD_HINT,
                             validators=[InputRequired("Enter a password"), strong_password])
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignInForm(Form):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired("Enter your email address"), Length(max=320)])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ConfirmForm(Form):
    submit = SubmitField("Confirm my email address", widget=GovSubmitInput())


class ForgotPasswordForm(Form):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired("Enter your email address"),
                                   Email("Enter an email address in the correct format, like name@example.org",
                                         check_deliverability=False)])
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ResetPasswordForm(Form):
    password = PasswordField("New password", widget=GovPasswordInput(), description=PASSWORD_HINT,
                             validators=[InputRequired("Enter a new password"), strong_password])
    confirm = PasswordField("Confirm new password", widget=GovPasswordInput(),
                            validators=[InputRequired("Confirm your new password"),
                                        EqualTo("password", "Passwords must match")])
    submit = SubmitField("Set new password", widget=GovSubmitInput())


class ProfileForm(ProfileFields, Form):
    cpd_emails = BooleanField("Email me about CPD reflections", widget=GovCheckboxInput(), validators=[Optional()],
                              description="When a reflection is waiting after an event you attended, and "
                                          "reminders before your Social Work England renewal.")
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password", widget=GovPasswordInput(),
                                     validators=[InputRequired("Enter your current password")])
    new_password = PasswordField("New password", widget=GovPasswordInput(), description=PASSWORD_HINT,
                                 validators=[InputRequired("Enter a new password"), strong_password])
    submit = SubmitField("Change password", widget=GovSubmitInput())


class DeleteAccountForm(Form):
    password = PasswordField("Enter your password to confirm", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password to confirm")])
    understood = BooleanField("I understand my account and bookings will be deleted", widget=GovCheckboxInput(),
                              validators=[InputRequired("Confirm you understand your account will be deleted")])
    submit = SubmitField("Delete my account", widget=GovSubmitInput())



class ResendConfirmationForm(Form):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired("Enter your email address"),
                                   Email("Enter an email address in the correct format, like name@example.org",
                                         check_deliverability=False),
                                   Length(max=320)])
    submit = SubmitField("Send the email again", widget=GovSubmitInput())


class ChangeEmailForm(Form):
    email = EmailField("New email address", widget=GovTextInput(),
                       description="We will send a link to this address. Your address changes when you open it.",
                       validators=[InputRequired("Enter your new email address"),
                                   Email("Enter an email address in the correct format, like name@example.org",
                                         check_deliverability=False),
                                   Length(max=320, message="Email address must be 320 characters or fewer")])
    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password")])
    submit = SubmitField("Send confirmation link", widget=GovSubmitInput())
