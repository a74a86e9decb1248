"""Forms of the country report pages (Flask-WTF: every POST carries a CSRF token)."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from monitor.core.forms import Choice
from monitor.reports.models import CommentResponse, FindingGrade, ParagraphKind, PlenaryItemKind

_Choice = Choice

_ARTICLES = re.compile(r"^\s*\d+\s*(,\s*\d+\s*)*,?\s*$")


def parse_articles(value: str | None) -> list[int]:
    """``"15, 23"`` -> ``[15, 23]`` (order kept, duplicates dropped). Raises ValueError
    when ``value`` is not a comma-separated list of whole numbers; empty gives ``[]``."""
    if not value or not value.strip():
        return []
    if not _ARTICLES.match(value):
        raise ValueError(value)
    out: list[int] = []
    for part in value.split(","):
        if part.strip():
            number = int(part)
            if number not in out:
                out.append(number)
    return out


def parse_footnotes(value: str | None) -> list[str]:
    """One footnote per non-empty line."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class ChapterForm(FlaskForm):
    title = StringField(_l("Chapter title"), validators=[DataRequired(), Length(max=300)])


class ParagraphForm(FlaskForm):
    """A paragraph of the report. ``chapter`` choices and ``verb`` choices are set by the
    view (the report's chapters; the instrument's proposal verbs)."""

    chapter = SelectField(_l("Chapter"), coerce=int)
    after = HiddenField()
    version = HiddenField()
    kind = RadioField(
        _l("Kind of paragraph"),
        choices=[
            _Choice(ParagraphKind.NARRATIVE.value, _l("Narrative")),
            _Choice(ParagraphKind.FINDING.value, _l("Finding")),
            _Choice(ParagraphKind.PROPOSAL.value, _l("Proposal for action")),
        ],
        default=ParagraphKind.NARRATIVE.value,
    )
    grade = SelectField(
        _l("Grade of the finding"),
        choices=[
            _Choice("", _l("(none)")),
            _Choice(FindingGrade.GOOD_PRACTICE.value, _l("Good practice")),
            _Choice(FindingGrade.GAP.value, _l("Gap")),
            _Choice(FindingGrade.CONCERN.value, _l("Concern")),
        ],
        validators=[Optional()],
    )
    verb = SelectField(_l("Verb of the proposal"), validators=[Optional()])
    # Themes and the repeated proposal are checked by the service (the round's themes,
    # the previous report's proposals), so the fields accept any posted value.
    themes = SelectMultipleField(_l("Themes"), validators=[Optional()], validate_choice=False)
    priority = BooleanField(_l("Priority proposal"))
    repeats = SelectField(
        _l("Repeats a proposal of the previous round"),
        validators=[Optional()],
        validate_choice=False,
    )
    #: Answers the paragraph cites, as ``"<reply id>:<item id>"`` (hidden inputs; the
    #: evidence panel's Cite buttons add to them).
    cited = SelectMultipleField(validate_choice=False)
    articles = StringField(_l("Articles concerned"), validators=[Optional(), Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[DataRequired()])
    footnotes = TextAreaField(_l("Footnotes"), validators=[Optional()])

    def validate_articles(self, field: StringField) -> None:
        try:
            parse_articles(field.data)
        except ValueError:
            raise ValidationError(
                _l("Type article numbers separated by commas, for example 15, 23.")
            ) from None

    def set_verbs(self, verbs: list[str]) -> None:
        self.verb.choices = [_Choice("", _l("(none)"))] + [_Choice(v, v) for v in verbs]

    def set_themes(self, themes: list[tuple[str, str]]) -> None:
        """``themes``: ``(theme id, label)`` of the round."""
        self.themes.choices = [_Choice(t, label) for t, label in themes]

    def set_repeatable(self, proposals: list[tuple[int, str]]) -> None:
        """``proposals``: ``(paragraph id, label)`` of the previous round report's
        proposals."""
        self.repeats.choices = [_Choice("", _l("(none)"))] + [
            _Choice(str(pid), label) for pid, label in proposals
        ]

    def set_chapters(self, chapters: list[tuple[int, str]]) -> None:
        """``chapters``: ``(chapter id, title)`` in report order."""
        self.chapter.choices = [_Choice(cid, title) for cid, title in chapters]


class CommentForm(FlaskForm):
    paragraph = HiddenField()
    text = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=20000)])


class DealtWithForm(FlaskForm):
    note = TextAreaField(
        _l("How the panel dealt with it (optional)"), validators=[Optional(), Length(max=5000)]
    )


class TransitionForm(FlaskForm):
    """A cycle action; ``plenary`` is the plenary's id for decisions taken in plenary."""

    plenary = HiddenField()


class AnswerForm(FlaskForm):
    """The panel's answer to a Party comment (procedure step 9)."""

    response = RadioField(
        _l("How the panel dealt with the comment"),
        choices=[
            _Choice(CommentResponse.TAKEN_INTO_ACCOUNT.value, _l("Taken into account")),
            _Choice(CommentResponse.PARTLY.value, _l("Partly taken into account")),
            _Choice(CommentResponse.NOT_TAKEN.value, _l("Not taken into account")),
        ],
        validators=[DataRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])


class PlenaryForm(FlaskForm):
    name = StringField(_l("Number or name"), validators=[DataRequired(), Length(max=200)])
    start_date = DateField(_l("First day"), validators=[DataRequired()])
    end_date = DateField(_l("Last day"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])


class AgendaItemForm(FlaskForm):
    """``report`` choices are set by the view: reports that can go on the agenda."""

    report = SelectField(_l("Report"), coerce=int)
    kind = RadioField(
        _l("Decision"),
        choices=[
            _Choice(PlenaryItemKind.APPROVE_DRAFT.value, _l("Approve the draft")),
            _Choice(PlenaryItemKind.ADOPT.value, _l("Adopt the final report")),
        ],
        validators=[DataRequired()],
    )


class DeadlineForm(FlaskForm):
    """A new due date for the Party's current deadline (the secretariat)."""

    due = DateField(_l("New deadline"), validators=[DataRequired()])
