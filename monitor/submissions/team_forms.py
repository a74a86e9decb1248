"""Forms of the team page and of the invitation link (WTForms, CSRF-protected)."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from monitor.core.forms import Choice

#: Shortest password accepted when an invitee creates their account.
MIN_PASSWORD = 10


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=320)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(
        _l("Language of the invitation"),
        choices=[Choice("en", "English"), Choice("fr", "Français"), Choice("ru", "Русский")],
    )


class AcceptForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, message=_l("Use at least 10 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class ButtonForm(FlaskForm):
    """A form that is only a button (revoke, resend, deactivate, change a status)."""


def assignment_form_class(sections: list[tuple[str, str]], people: list[tuple[int, str]]) -> Any:
    """A form with one group of checkboxes per section (field ``section__<id>``),
    one checkbox per contributor. ``sections`` are (id, title) pairs, ``people`` (user
    id, label) pairs."""

    class AssignmentForm(FlaskForm):
        pass

    for section_id, title in sections:
        setattr(
            AssignmentForm,
            f"section__{section_id}",
            SelectMultipleField(
                title,
                choices=[Choice(uid, label) for uid, label in people],
                coerce=int,
                widget=ListWidget(prefix_label=False),
                option_widget=CheckboxInput(),
                validate_choice=True,
            ),
        )
    return AssignmentForm
