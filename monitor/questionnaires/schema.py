"""The questionnaire language: pydantic models for instrument, dimension, round and
questionnaire YAML files.

Unknown fields are forbidden everywhere; text fields are strict strings, so YAML that
reads as a boolean, a number or a date where text is expected is an error, not a
silent conversion. Item ids are stable keys: answers are stored under them.
"""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
)

#: Lower-case letters, digits and single underscores (``__`` separates parts of form
#: field names, so ids never contain it).
Id = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$", max_length=80)]
Code = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-/.]*$", max_length=40)]


class Strict(BaseModel):
    # use_attribute_docstrings: the docstring under a field is its description in the
    # JSON Schema for editors (monitor questionnaire schema) and in docs/questionnaires.md.
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


# --- instrument --------------------------------------------------------------------------


class Article(Strict):
    """An article of the instrument."""

    number: StrictInt
    """The article's number, as cited in ``articles`` and ``provisions`` lists."""
    title: StrictStr
    """The article's title in the official English text."""
    chapter: StrictStr | None = None
    """The chapter the article belongs to, e.g. ``III`` (text)."""


class InstrumentDef(Strict):
    """A treaty: its articles and the verbs its panel uses in proposals, strongest first."""

    code: Code
    """Short code of the treaty, e.g. ``CETS-197``."""
    title: StrictStr
    """Full title of the treaty."""
    short_title: StrictStr | None = None
    """Short title for headings, e.g. ``Anti-Trafficking Convention``."""
    panel: StrictStr
    """Name of the monitoring panel, e.g. ``GRETA``."""
    proposal_verbs: list[Id] = Field(min_length=1)
    """Verbs of the panel's proposals for action, strongest first (``urges``, ``considers``,
    ``invites``); unique."""
    articles: list[Article] = Field(min_length=1)
    """Every article of the treaty, numbers unique; rounds, sections and items can cite only
    these."""


# --- dimensions (shared by statistics tables) ---------------------------------------------


class Option(Strict):
    """A choice option or a dimension category: a stable ``code`` and an English label."""

    code: Code
    """Stable code stored in answers and table cell keys: never change it once answered."""
    label: StrictStr
    """English label (translated through the message catalogs)."""


class Dimension(Strict):
    """A dimension of statistics tables (sex, age group, ...): its categories become columns."""

    label: StrictStr
    """Heading of the column group, e.g. ``Sex``."""
    categories: list[Option] = Field(min_length=1)
    """The categories in column order; codes unique within the dimension."""


class DimensionsDef(Strict):
    """The shared dimensions file, read by the round's statistics tables."""

    dimensions: dict[Id, Dimension]
    """Dimensions keyed by id (``sex``, ``age_group``); tables name them in
    ``column_groups``."""


# --- items --------------------------------------------------------------------------------


class ChoiceOption(Option):
    """An option of a choice item. ``specify`` asks for free text when chosen ("Other,
    please specify"); ``exclusive`` (multiple choice only) may not be combined with any
    other option ("None of the above")."""

    specify: StrictBool = False
    """Ask for free text when this option is chosen ("Other, please specify")."""
    exclusive: StrictBool = False
    """Multiple choice only: this option may not be combined with any other ("None of the
    above")."""


class ItemBase(Strict):
    """What every item has. ``id`` is the stable key answers are stored under.

    ``show_if`` is a condition on other items' answers (see
    :mod:`monitor.questionnaires.conditions`); a hidden item is neither validated nor
    exported nor printed. ``renamed_from`` lists earlier ids of this item, so that answers
    given under them follow it into a new version. ``retired`` keeps an item that has
    answers in the definition while no longer asking it (it is never shown).
    """

    id: Id
    """Stable key the answers are stored under; unique across the questionnaire including every
    Party's Part II. Never change an answered id: give the new id ``renamed_from``."""
    label: StrictStr
    """The question as the respondent reads it (plain text, English; translated through the
    catalogs)."""
    guidance: StrictStr | None = None
    """Help shown with the question (Markdown)."""
    required: StrictBool = False
    """The item must be answered, when shown, before the reply can be submitted."""
    articles: list[StrictInt] = Field(default_factory=list)
    """Numbers of the instrument articles the item concerns; each must exist in the
    instrument."""
    themes: list[Id] = Field(default_factory=list)
    """Theme tags (ids) grouping items across sections."""
    show_if: StrictStr | None = None
    """Condition on other items' answers, e.g. ``has_nrm = 'yes'``: the item is shown only while
    it holds."""
    renamed_from: list[Id] = Field(default_factory=list)
    """Earlier ids of this item: answers given under them follow it into a new version."""
    retired: StrictBool = False
    """No longer asked (never shown, cannot be required), but kept so that its answers stay
    readable."""


class InfoItem(ItemBase):
    """Information text; takes no answer."""

    kind: Literal["info"]


class TextItem(ItemBase):
    """Short text on one line; at most ``max_length`` characters."""

    kind: Literal["text"]
    max_length: StrictInt | None = Field(default=500, gt=0)
    """At most this many characters; ``null`` for no limit."""


class LongTextItem(ItemBase):
    """Free text; ``max_chars`` counts characters after line breaks are normalised to one
    character each (``\r\n`` counts 1)."""

    kind: Literal["long_text"]
    max_chars: StrictInt | None = Field(default=None, gt=0)
    """At most this many characters (a line break counts 1); unset for no limit."""


class SingleChoiceItem(ItemBase):
    """Choose one option."""

    kind: Literal["single_choice"]
    options: list[ChoiceOption] = Field(min_length=1)
    """The options in display order; codes unique within the item."""


class MultipleChoiceItem(ItemBase):
    """Tick all that apply; an ``exclusive`` option stands alone, and ``min_choices`` /
    ``max_choices`` bound the number of ticks when the item is answered."""

    kind: Literal["multiple_choice"]
    options: list[ChoiceOption] = Field(min_length=1)
    """The options in display order; codes unique within the item."""
    min_choices: StrictInt | None = Field(default=None, ge=1)
    """When answered, at least this many options ticked."""
    max_choices: StrictInt | None = Field(default=None, ge=1)
    """At most this many options ticked; not below ``min_choices``, not above the number of
    options."""


class YesNoItem(ItemBase):
    """Yes / no, with "partly" unless ``partly: false``."""

    kind: Literal["yes_no"]
    partly: StrictBool = True
    """Offer "partly" besides yes and no (answer codes ``yes``, ``no``, ``partly``)."""


class NumberItem(ItemBase):
    """A number: whole unless ``integer: false``, then with at most ``decimals`` decimal
    places (any when unset). Stored as an exact decimal string; ``min``/``max`` inclusive."""

    kind: Literal["number"]
    unit: StrictStr | None = None
    """Unit shown with the field, e.g. ``persons``, ``days`` (translated)."""
    integer: StrictBool = True
    """Whole numbers only; ``false`` allows decimals."""
    decimals: StrictInt | None = Field(default=None, ge=0, le=10)
    """With ``integer: false``: at most this many decimal places (0-10); unset for any."""
    min: StrictInt | StrictFloat | None = 0
    """Smallest accepted value, inclusive (``null``: no minimum; the default 0 refuses negative
    counts)."""
    max: StrictInt | StrictFloat | None = None
    """Largest accepted value, inclusive; unset for no maximum."""


class MoneyItem(ItemBase):
    """An exact decimal amount with an ISO 4217 currency chosen from ``currencies``."""

    kind: Literal["money"]
    currencies: list[Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")]] = Field(
        default_factory=lambda: ["EUR"], min_length=1
    )
    """ISO 4217 codes the respondent chooses the currency from, e.g. ``[EUR, UAH]``."""


class DateItem(ItemBase):
    """A calendar date, entered as ``YYYY-MM-DD``."""

    kind: Literal["date"]


class YearItem(ItemBase):
    """A calendar year between ``min`` and ``max``."""

    kind: Literal["year"]
    min: StrictInt = 1950
    """Earliest accepted year, inclusive."""
    max: StrictInt = 2100
    """Latest accepted year, inclusive."""


FileType = Literal["pdf", "docx", "odt", "xlsx", "ods", "csv", "png", "jpeg"]
FILE_TYPES: tuple[FileType, ...] = ("pdf", "docx", "odt", "xlsx", "ods", "csv", "png", "jpeg")


class FileItem(ItemBase):
    """File attachments (laws, plans, studies): at most ``max_files`` files of the
    ``accept``-ed types; the size limit per file comes from the configuration."""

    kind: Literal["file"]
    accept: list[FileType] = Field(default_factory=lambda: list(FILE_TYPES), min_length=1)
    """Allowed file types (by file name extension); all of them when unset."""
    max_files: StrictInt = Field(default=5, ge=1, le=50)
    """At most this many files (1-50)."""


class ColumnGroup(Strict):
    """Columns of a statistics table: the categories of a shared ``dimension``, or an
    explicit list of ``columns`` (measures such as investigations, prosecutions)."""

    dimension: Id | None = None
    """Id of a dimension in the round's dimensions file: its categories become the columns."""
    label: StrictStr | None = None
    """Heading over the group's columns (default: the dimension's label)."""
    columns: list[Option] | None = None
    """Explicit columns (code and label each), instead of a ``dimension``."""


class TableRule(Strict):
    """A consistency rule, declared per table (never assumed: a victim may be counted under
    several forms of exploitation, so those parts may exceed the total).

    - ``parts_not_above_total``: each cell of ``group`` (a dimension id) <= the row total.
    - ``parts_sum_to_total``: the cells of ``group`` add up to the row total.
    - ``column_not_above``: column ``column`` <= column ``other`` in each row.
    - ``row_not_above``: row ``row`` <= row ``other`` in each column (convictions may not
      exceed prosecutions).

    ``level`` ``error`` blocks submission; ``warning`` is shown, and the respondent may
    submit with an explanation. Cells that are empty or not available are skipped.
    """

    rule: Literal[
        "parts_not_above_total", "parts_sum_to_total", "column_not_above", "row_not_above"
    ]
    """Which check: ``parts_not_above_total``, ``parts_sum_to_total``, ``column_not_above`` or
    ``row_not_above``."""
    group: Id | None = None
    """``parts_*`` rules: the dimension id of the column group whose cells are the parts."""
    column: Code | None = None
    """``column_not_above``: the column (an explicit column code, or ``total``) that may not
    exceed ``other``."""
    row: Code | None = None
    """``row_not_above``: the row (a year or a row code) that may not exceed ``other``."""
    other: Code | None = None
    """``column_not_above`` / ``row_not_above``: the column or row that bounds ``column`` /
    ``row``."""
    level: Literal["error", "warning"] = "error"
    """``error`` blocks submission; ``warning`` is shown, and the respondent may submit with an
    explanation."""


class Period(Strict):
    """The years a table's rows cover: ``years``, or the ``name`` of a period the
    questionnaire declares under ``periods`` (the loader fills in its years)."""

    years: list[StrictInt] | None = Field(default=None, min_length=1)
    """The years, one row each, in order; no year twice."""
    name: Id | None = None
    """Id of a period declared under the questionnaire's ``periods``."""


class NamedPeriod(Strict):
    """A reporting period shared by tables, e.g. ``reference: {label: 2019-2023, years: [...]}``."""

    label: StrictStr
    """How the period is named to respondents, e.g. ``2019-2023``."""
    years: list[StrictInt] = Field(min_length=1)
    """The period's years, one table row each."""


class StatisticsTableItem(ItemBase):
    """Aggregated statistics: rows are the ``period``'s years (or explicit ``rows``);
    columns are an optional ``total`` column then the ``column_groups``.

    Cell keys are ``"<row>|<column>"`` where a row is a year or row code, and a column is
    ``total``, ``<dimension>:<category>`` or an explicit column code.
    """

    kind: Literal["statistics_table"]
    period: Period | None = None
    """The years the rows cover: ``{years: [...]}`` or ``{name: ...}``. Give ``period`` or
    ``rows``, not both."""
    rows: list[Option] | None = None
    """Explicit rows (code and label each), e.g. the steps of a funnel, instead of a
    ``period``."""
    total: StrictBool = True
    """Start with a ``total`` column."""
    column_groups: list[ColumnGroup] = Field(min_length=1)
    """The columns after the total, group by group; column codes unique in the table."""
    rules: list[TableRule] = Field(default_factory=list)
    """Consistency rules; none apply unless declared here."""
    unit: StrictStr | None = None
    """What the cells count, e.g. ``persons``, ``cases``."""
    not_available: StrictBool = True
    """Cells may be marked *not available* with a reason (not available is not zero)."""
    estimates: StrictBool = True
    """Cell values may be marked as an *estimate*."""


#: The kinds a repeatable group may hold (no groups or tables inside a group).
_MemberKinds = (
    InfoItem
    | TextItem
    | LongTextItem
    | SingleChoiceItem
    | MultipleChoiceItem
    | YesNoItem
    | NumberItem
    | MoneyItem
    | DateItem
    | YearItem
    | FileItem
)
GroupMember = Annotated[_MemberKinds, Field(discriminator="kind")]


class GroupItem(ItemBase):
    """A repeatable group of items, answered once per entry (e.g. one entry per
    co-ordinating body), between ``min_entries`` and ``max_entries`` entries. Member ids
    are unique in the whole questionnaire; a member's ``show_if`` may name its siblings
    (evaluated per entry) or items outside the group."""

    kind: Literal["group"]
    items: list[GroupMember] = Field(min_length=1)
    """The items of each entry, in order (any kind but ``group`` and ``statistics_table``)."""
    entry_label: StrictStr | None = None
    """Heading of each entry, e.g. ``Co-ordinating body``."""
    min_entries: StrictInt = Field(default=0, ge=0)
    """Fewest entries."""
    max_entries: StrictInt = Field(default=20, ge=1, le=200)
    """Most entries (1-200)."""


Item = Annotated[_MemberKinds | GroupItem | StatisticsTableItem, Field(discriminator="kind")]

ITEM_KINDS = (
    "info text long_text single_choice multiple_choice yes_no number money date year "
    "file group statistics_table"
).split()


class Section(Strict):
    """A page of the questionnaire: the unit of the task list."""

    id: Id
    """Stable section id, unique across the questionnaire including every Party's Part II."""
    title: StrictStr
    """Heading of the page and its line on the task list."""
    intro: StrictStr | None = None
    """Text shown above the items (Markdown)."""
    articles: list[StrictInt] = Field(default_factory=list)
    """Articles the section covers; each must exist in the instrument."""
    items: list[Item] = Field(min_length=1)
    """The items of the page, in order."""
    mirrors: list[Id] = Field(default_factory=list)
    """In an NGO questionnaire: ids of the Party questionnaire's sections this section gives
    parallel input on (the panel reads them side by side)."""


class Part(Strict):
    """Part I (thematic), Part II (country-specific, filled per Party by the round) or
    Part III (statistics). ``country_specific`` parts take their sections from the round."""

    id: Id
    """Stable part id."""
    title: StrictStr
    """Heading of the part on the task list."""
    intro: StrictStr | None = None
    """Text shown under the heading on the task list (Markdown)."""
    country_specific: StrictBool = False
    """This part receives each Party's Part II sections from the round's ``country_specific``;
    at most one part may say so."""
    sections: list[Section] = Field(default_factory=list)
    """The sections in order (the country-specific part may have none of its own)."""


class QuestionnaireDef(Strict):
    """A questionnaire file: for one audience, parts of sections of items."""

    id: Id
    """Stable id of the questionnaire."""
    title: StrictStr
    """Title shown on the task list and in exports."""
    audience: Literal["party", "ngo"]
    """Who answers it: ``party`` (the Party's authorities) or ``ngo`` (civil society); must
    match the round's ``questionnaires`` entry naming the file."""
    version: StrictStr | None = None
    """An edition label such as ``"1.10"`` (text: write it in quotes in YAML)."""
    intro: StrictStr | None = None
    """Text shown above the task list (Markdown)."""
    periods: dict[Id, NamedPeriod] = Field(default_factory=dict)
    """Named reporting periods, keyed by id, that statistics tables refer to by
    ``period: {name: ...}``."""
    parts: list[Part] = Field(min_length=1)
    """The parts in order (Part I thematic, Part II country-specific, Part III statistics)."""

    def sections(self) -> list[Section]:
        """All sections in order, across parts."""
        return [s for p in self.parts for s in p.sections]

    def items(self) -> list[ItemBase]:
        """All items in order, across sections."""
        return [i for s in self.sections() for i in s.items]


# --- round --------------------------------------------------------------------------------


class Deadlines(Strict):
    """Default deadlines in months (procedure steps 2, 8, 11 and 13)."""

    reply_months: StrictInt = 5
    """Months from sending the questionnaire to the Party's reply (step 2)."""
    comments_months: StrictInt = 2
    """Months for the Party's comments on the draft report (step 8)."""
    final_comments_months: StrictInt = 1
    """Months for the Party's final comments on the adopted report (step 11)."""
    implementation_report_months: StrictInt = 12
    """Months from the Committee of the Parties' recommendation to the implementation report
    (step 13)."""


class PartyEntry(Strict):
    """A Party evaluated in the round. ``questionnaire_sent`` (procedure step 2) and
    ``reply_due`` (defaults to ``deadlines.reply_months`` after sending) are
    calendar dates, written unquoted (``2025-03-31``) or quoted."""

    code: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}$")]
    """ISO 3166-1 alpha-2 code of the Party, in capitals, e.g. ``AM``."""
    name: StrictStr
    """The Party's name in English."""
    questionnaire_sent: date | None = None
    """Date the questionnaire was sent (step 2), e.g. ``2026-03-02``."""
    reply_due: date | None = None
    """Date the reply is due; default: ``deadlines.reply_months`` after
    ``questionnaire_sent``."""


class Group(Strict):
    """A group of Parties evaluated together within the round."""

    name: StrictStr
    """Name of the group, e.g. ``Third round, first group``."""
    parties: list[Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}$")]]
    """ISO codes of its Parties; each must be listed under the round's ``parties``."""


class Questionnaires(Strict):
    """Questionnaire file paths (relative to the round file) per audience."""

    party: StrictStr
    """Path of the Party questionnaire (``audience: party``)."""
    ngo: StrictStr | None = None
    """Path of the NGO questionnaire (``audience: ngo``), if NGOs give parallel input."""


def _country_sections_kind(value: Any) -> str:
    return "file" if isinstance(value, str) else "inline"


#: Part II of one Party: inline sections or the path of a YAML list of sections. The
#: discriminator picks the branch from the input type so that errors name one branch only.
CountrySections = Annotated[
    Annotated[list[Section], Tag("inline")] | Annotated[StrictStr, Tag("file")],
    Discriminator(_country_sections_kind),
]


class RoundDef(Strict):
    """A round file: an evaluation round, its instrument, questionnaires and Parties."""

    instrument: StrictStr  # path of the instrument file, relative to the round file
    """Path of the instrument file, relative to the round file."""
    dimensions: StrictStr | None = None  # path of the shared dimension file
    """Path of the shared dimensions file, relative to the round file; needed when a table names
    a ``dimension``."""
    number: StrictInt
    """Number of the evaluation round, e.g. ``3``."""
    title: StrictStr
    """Title of the round."""
    provisions: list[StrictInt] = Field(min_length=1)
    """Articles of the instrument selected for monitoring in this round (step 1); each must
    exist."""
    deadlines: Deadlines = Field(default_factory=Deadlines)
    """Default deadlines of the round's evaluations, in months."""
    questionnaires: Questionnaires
    """Questionnaire files per audience."""
    parties: list[PartyEntry] = Field(default_factory=list)
    """The Parties evaluated in the round; codes unique."""
    groups: list[Group] = Field(default_factory=list)
    """Batches of Parties evaluated together."""
    country_specific: dict[StrictStr, CountrySections] = Field(default_factory=dict)
    """Part II per Party: ISO code -> a list of sections written inline, or the path of a file
    holding such a list (relative to the round file)."""
