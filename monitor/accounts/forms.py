from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()


class RegistrationForm(FlaskForm):
    """An NGO registers itself (issue 4, point 8); ``party`` choices are set by the view."""

    organisation = StringField(
        _l("Name of the organisation"), validators=[DataRequired(), Length(max=300)]
    )
    party = SelectField(_l("Country it reports on"), coerce=int, validators=[DataRequired()])
    website = URLField(
        _l("Website (optional)"), validators=[Optional(), URL(require_tld=False), Length(max=300)]
    )
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=12, message=_l("Use at least 12 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class RejectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the rejection (sent to the applicant)"),
        validators=[DataRequired(), Length(max=2000)],
    )
