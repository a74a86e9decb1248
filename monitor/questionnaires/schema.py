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
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- instrument --------------------------------------------------------------------------


class Article(Strict):
    number: StrictInt
    title: StrictStr
    chapter: StrictStr | None = None


class InstrumentDef(Strict):
    """A treaty: its articles and the verbs its panel uses in proposals, strongest first."""

    code: Code
    title: StrictStr
    short_title: StrictStr | None = None
    panel: StrictStr
    proposal_verbs: list[Id] = Field(min_length=1)
    articles: list[Article] = Field(min_length=1)


# --- dimensions (shared by statistics tables) ---------------------------------------------


class Option(Strict):
    """A choice option or a dimension category: a stable ``code`` and an English label."""

    code: Code
    label: StrictStr


class Dimension(Strict):
    label: StrictStr
    categories: list[Option] = Field(min_length=1)


class DimensionsDef(Strict):
    dimensions: dict[Id, Dimension]


# --- items --------------------------------------------------------------------------------


class ChoiceOption(Option):
    """An option of a choice item. ``specify`` asks for free text when chosen ("Other,
    please specify"); ``exclusive`` (multiple choice only) may not be combined with any
    other option ("None of the above")."""

    specify: StrictBool = False
    exclusive: StrictBool = False


class ItemBase(Strict):
    """What every item has. ``id`` is the stable key answers are stored under.

    ``show_if`` is a condition on other items' answers (see
    :mod:`monitor.questionnaires.conditions`); a hidden item is neither validated nor
    exported nor printed. ``renamed_from`` lists earlier ids of this item, so that answers
    given under them follow it into a new version. ``retired`` keeps an item that has
    answers in the definition while no longer asking it (it is never shown).
    """

    id: Id
    label: StrictStr
    guidance: StrictStr | None = None
    required: StrictBool = False
    articles: list[StrictInt] = Field(default_factory=list)
    themes: list[Id] = Field(default_factory=list)
    show_if: StrictStr | None = None
    renamed_from: list[Id] = Field(default_factory=list)
    retired: StrictBool = False


class InfoItem(ItemBase):
    """Information text; takes no answer."""

    kind: Literal["info"]


class TextItem(ItemBase):
    """Short text on one line; at most ``max_length`` characters."""

    kind: Literal["text"]
    max_length: StrictInt | None = Field(default=500, gt=0)


class LongTextItem(ItemBase):
    """Free text; ``max_chars`` counts characters after line breaks are normalised to one
    character each (``\r\n`` counts 1)."""

    kind: Literal["long_text"]
    max_chars: StrictInt | None = Field(default=None, gt=0)


class SingleChoiceItem(ItemBase):
    kind: Literal["single_choice"]
    options: list[ChoiceOption] = Field(min_length=1)


class MultipleChoiceItem(ItemBase):
    """Tick all that apply; an ``exclusive`` option stands alone, and ``min_choices`` /
    ``max_choices`` bound the number of ticks when the item is answered."""

    kind: Literal["multiple_choice"]
    options: list[ChoiceOption] = Field(min_length=1)
    min_choices: StrictInt | None = Field(default=None, ge=1)
    max_choices: StrictInt | None = Field(default=None, ge=1)


class YesNoItem(ItemBase):
    """Yes / no, with "partly" unless ``partly: false``."""

    kind: Literal["yes_no"]
    partly: StrictBool = True


class NumberItem(ItemBase):
    """A number: whole unless ``integer: false``, then with at most ``decimals`` decimal
    places (any when unset). Stored as an exact decimal string; ``min``/``max`` inclusive."""

    kind: Literal["number"]
    unit: StrictStr | None = None
    integer: StrictBool = True
    decimals: StrictInt | None = Field(default=None, ge=0, le=10)
    min: StrictInt | StrictFloat | None = 0
    max: StrictInt | StrictFloat | None = None


class MoneyItem(ItemBase):
    """An exact decimal amount with an ISO 4217 currency chosen from ``currencies``."""

    kind: Literal["money"]
    currencies: list[Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")]] = Field(
        default_factory=lambda: ["EUR"], min_length=1
    )


class DateItem(ItemBase):
    kind: Literal["date"]


class YearItem(ItemBase):
    kind: Literal["year"]
    min: StrictInt = 1950
    max: StrictInt = 2100


FileType = Literal["pdf", "docx", "odt", "xlsx", "ods", "csv", "png", "jpeg"]
FILE_TYPES: tuple[FileType, ...] = ("pdf", "docx", "odt", "xlsx", "ods", "csv", "png", "jpeg")


class FileItem(ItemBase):
    """File attachments (laws, plans, studies): at most ``max_files`` files of the
    ``accept``-ed types; the size limit per file comes from the configuration."""

    kind: Literal["file"]
    accept: list[FileType] = Field(default_factory=lambda: list(FILE_TYPES), min_length=1)
    max_files: StrictInt = Field(default=5, ge=1, le=50)


class ColumnGroup(Strict):
    """Columns of a statistics table: the categories of a shared ``dimension``, or an
    explicit list of ``columns`` (measures such as investigations, prosecutions)."""

    dimension: Id | None = None
    label: StrictStr | None = None
    columns: list[Option] | None = None


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
    group: Id | None = None
    column: Code | None = None
    row: Code | None = None
    other: Code | None = None
    level: Literal["error", "warning"] = "error"


class Period(Strict):
    """The years a table's rows cover: ``years``, or the ``name`` of a period the
    questionnaire declares under ``periods`` (the loader fills in its years)."""

    years: list[StrictInt] | None = Field(default=None, min_length=1)
    name: Id | None = None


class NamedPeriod(Strict):
    """A reporting period shared by tables, e.g. ``reference: {label: 2019-2023, years: [...]}``."""

    label: StrictStr
    years: list[StrictInt] = Field(min_length=1)


class StatisticsTableItem(ItemBase):
    """Aggregated statistics: rows are the ``period``'s years (or explicit ``rows``);
    columns are an optional ``total`` column then the ``column_groups``.

    Cell keys are ``"<row>|<column>"`` where a row is a year or row code, and a column is
    ``total``, ``<dimension>:<category>`` or an explicit column code.
    """

    kind: Literal["statistics_table"]
    period: Period | None = None
    rows: list[Option] | None = None
    total: StrictBool = True
    column_groups: list[ColumnGroup] = Field(min_length=1)
    rules: list[TableRule] = Field(default_factory=list)
    unit: StrictStr | None = None
    #: cells may be marked "not available" (with a reason) or "estimate"
    not_available: StrictBool = True
    estimates: StrictBool = True


#: Items a repeatable group may hold (no groups or tables inside a group).
GroupMember = Annotated[
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
    | FileItem,
    Field(discriminator="kind"),
]


class GroupItem(ItemBase):
    """A repeatable group of items, answered once per entry (e.g. one entry per
    co-ordinating body), between ``min_entries`` and ``max_entries`` entries. Member ids
    are unique in the whole questionnaire; a member's ``show_if`` may name its siblings
    (evaluated per entry) or items outside the group."""

    kind: Literal["group"]
    items: list[GroupMember] = Field(min_length=1)
    entry_label: StrictStr | None = None
    min_entries: StrictInt = Field(default=0, ge=0)
    max_entries: StrictInt = Field(default=20, ge=1, le=200)


Item = Annotated[
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
    | GroupItem
    | StatisticsTableItem,
    Field(discriminator="kind"),
]

ITEM_KINDS = (
    "info text long_text single_choice multiple_choice yes_no number money date year "
    "file group statistics_table"
).split()


class Section(Strict):
    """A page of the questionnaire: the unit of the task list."""

    id: Id
    title: StrictStr
    intro: StrictStr | None = None
    articles: list[StrictInt] = Field(default_factory=list)
    items: list[Item] = Field(min_length=1)
    #: In an NGO questionnaire: ids of the Party questionnaire's sections this section
    #: gives parallel input on (the panel reads them side by side).
    mirrors: list[Id] = Field(default_factory=list)


class Part(Strict):
    """Part I (thematic), Part II (country-specific, filled per Party by the round) or
    Part III (statistics). ``country_specific`` parts take their sections from the round."""

    id: Id
    title: StrictStr
    intro: StrictStr | None = None
    country_specific: StrictBool = False
    sections: list[Section] = Field(default_factory=list)


class QuestionnaireDef(Strict):
    id: Id
    title: StrictStr
    audience: Literal["party", "ngo"]
    #: an edition label such as "1.10" (text: write it in quotes in YAML)
    version: StrictStr | None = None
    intro: StrictStr | None = None
    #: named reporting periods that statistics tables refer to by ``period: {name: ...}``
    periods: dict[Id, NamedPeriod] = Field(default_factory=dict)
    parts: list[Part] = Field(min_length=1)

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
    comments_months: StrictInt = 2
    final_comments_months: StrictInt = 1
    implementation_report_months: StrictInt = 12


class PartyEntry(Strict):
    """A Party evaluated in the round. ``questionnaire_sent`` (procedure step 1) and
    ``reply_due`` (step 2; defaults to ``deadlines.reply_months`` after sending) are
    calendar dates, written unquoted (``2025-03-31``) or quoted."""

    code: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}$")]
    name: StrictStr
    questionnaire_sent: date | None = None
    reply_due: date | None = None


class Group(Strict):
    name: StrictStr
    parties: list[Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}$")]]


class Questionnaires(Strict):
    """Questionnaire file paths (relative to the round file) per audience."""

    party: StrictStr
    ngo: StrictStr | None = None


def _country_sections_kind(value: Any) -> str:
    return "file" if isinstance(value, str) else "inline"


#: Part II of one Party: inline sections or the path of a YAML list of sections. The
#: discriminator picks the branch from the input type so that errors name one branch only.
CountrySections = Annotated[
    Annotated[list[Section], Tag("inline")] | Annotated[StrictStr, Tag("file")],
    Discriminator(_country_sections_kind),
]


class RoundDef(Strict):
    instrument: StrictStr  # path of the instrument file, relative to the round file
    dimensions: StrictStr | None = None  # path of the shared dimension file
    number: StrictInt
    title: StrictStr
    provisions: list[StrictInt] = Field(min_length=1)
    deadlines: Deadlines = Field(default_factory=Deadlines)
    questionnaires: Questionnaires
    parties: list[PartyEntry] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    #: Part II per Party: ISO code -> sections (inline), or a path to a file of sections
    country_specific: dict[StrictStr, CountrySections] = Field(default_factory=dict)
