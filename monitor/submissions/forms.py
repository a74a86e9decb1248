"""WTForms generated from a questionnaire section.

Field names, for an item answered under the name ``n`` (the item id at section level,
``<group id>__<entry index>__<member id>`` inside a repeatable group):

- ``n`` for text, choice, number, date and year items;
- ``n__other`` for the "please specify" text of a choice item with a ``specify`` option;
- ``n__amount`` and ``n__currency`` for money;
- ``n__<row index>__<column index>`` for each cell of a statistics table, plus
  ``...__reason`` (why a figure is not available) and ``n__explanation`` (the
  respondent's explanation of figures a warning flags);
- ``n__count`` (hidden) for the number of entries shown of a repeatable group;
- for a file item no WTForms field: the file input ``n``, and ``n__remove`` /
  ``n__reuse`` checkboxes, read by :mod:`monitor.submissions.attachments`.

Item ids never contain ``__`` (the loader refuses them), so these names cannot collide.
Fields never validate on a draft save: everything typed is kept as typed, and numbers
are stored canonically only when they parse in the user's locale
(:func:`monitor.core.i18n.parse_number`).
"""

import re
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, RadioInput, TextInput
from wtforms.widgets.core import clean_key

from monitor.core.forms import Choice
from monitor.core.i18n import (
    canonical_number,
    current_translation,
    display_number,
    parse_number,
    qtext,
)
from monitor.core.memo import IdentityCache
from monitor.questionnaires.schema import (
    DateItem,
    FileItem,
    GroupItem,
    ItemBase,
    LongTextItem,
    MoneyItem,
    MultipleChoiceItem,
    NumberItem,
    Section,
    SingleChoiceItem,
    StatisticsTableItem,
    TextItem,
    YearItem,
    YesNoItem,
)
from monitor.submissions.definitions import (
    EXPLANATION,
    answerable,
    other_key,
    table_columns,
    table_rows,
)
from monitor.submissions.files import attachment_ids
from monitor.submissions.section_markup import COMPILING, checked_slot

#: Reads a file field: ``(item, field name) -> new answer`` (see
#: :class:`monitor.submissions.attachments.FileFieldReader`).
FileReader = Callable[[FileItem, str], Any]


_QUOTE, _QUOTE_ENTITY = Markup('"'), Markup("&quot;")


def html_params(**kwargs: Any) -> Markup:
    """The attributes of an HTML element, as :func:`wtforms.widgets.html_params` writes
    them (same output: sorted, ``class_`` and ``data_``/``aria_`` keys cleaned, ``True``
    bare, ``False`` left out, values escaped with ``"`` as ``&quot;``), without
    ``Markup.format``, which took a third of the time of a large section page (one call
    per attribute of ~480 controls)."""
    params = []
    for key, value in sorted(kwargs.items()):
        name = escape(clean_key(key))
        if value is True:
            params.append(str(name))
        elif value is not False:
            text = escape(value).replace(_QUOTE, _QUOTE_ENTITY)  # a Markup value's own "
            params.append(f'{name}="{text}"')
    return Markup(" ".join(params))


# The widgets of section forms: WTForms' own, with the html_params above.
class _TextInput(TextInput):
    html_params = staticmethod(html_params)


class _HiddenInput(HiddenInput):
    html_params = staticmethod(html_params)


class _RadioInput(RadioInput):
    html_params = staticmethod(html_params)

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        if COMPILING.get():  # a slot where "checked" goes (see section_markup)
            return checked_slot(field, super().__call__(field, **kwargs))
        return super().__call__(field, **kwargs)


class _CheckboxInput(CheckboxInput):
    html_params = staticmethod(html_params)

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        if COMPILING.get():
            return checked_slot(field, super().__call__(field, **kwargs))
        return super().__call__(field, **kwargs)


class TextField(StringField):
    widget = _TextInput()


class CountField(HiddenField):
    widget = _HiddenInput()


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = _CheckboxInput()

    def pre_validate(self, form: Any) -> None:  # drafts keep whatever was ticked
        pass


class LenientRadioField(RadioField):
    option_widget = _RadioInput()

    def pre_validate(self, form: Any) -> None:
        pass


class SectionFormBase(FlaskForm):
    """The base of section forms: fields refer to their form through a weak proxy.

    WTForms binds each field to its form (``field._form``), so every form instance is a
    reference cycle: with the 400-odd fields of a large section, each request left
    thousands of objects to the cyclic garbage collector, whose full collections made
    about one request in ten twice as slow (``benchmarks/section_page.py``). With a weak
    reference the form and its fields are freed as soon as the request drops the form."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: Any) -> Any:
            return super().bind_field(weakref.proxy(form), unbound_field, options)


def cell_field_name(name: str, r: int, c: int) -> str:
    return f"{name}__{r}__{c}"


def member_name(group_id: str, entry: int, member_id: str) -> str:
    """The field name prefix of a group member in one entry (entries count from 0)."""
    return f"{group_id}__{entry}__{member_id}"


def yes_no_labels(item: YesNoItem) -> dict[str, str]:
    """Answer code -> translated label for a yes / no / partly item."""
    labels = {"yes": _("Yes"), "no": _("No")}
    if item.partly:
        labels["partly"] = _("Partly")
    return labels


def option_choices(item: SingleChoiceItem | MultipleChoiceItem) -> list[Choice]:
    """The options of a choice item as WTForms choices, labels as HTML in the reader's
    language (:func:`~monitor.core.i18n.qtext`). An untranslated option carries the
    notice only when the item's label is translated: one notice per question."""
    notice = current_translation(item.label) is not None
    return [Choice(o.code, qtext(o.label, notice=notice)) for o in item.options]


# --- statistics table cells ----------------------------------------------------------------

#: What a respondent may type in a cell for "not available", in any UI language.
NOT_AVAILABLE_MARKS = frozenset({"n/a", "na", "n.a.", "..", "n.d.", "nd", "н/д", "нд", "н.д."})
_ESTIMATE = re.compile(r"^[~≈]\s*")


def is_not_available(text: Any) -> bool:
    """Whether a cell's text, as shown or typed, marks the figure as not available."""
    return isinstance(text, str) and text.strip().casefold() in NOT_AVAILABLE_MARKS


def parse_cell(text: str | None, locale: str, reason: str | None = None) -> Any:
    """A typed table cell as stored: None when blank, a canonical number string for a
    figure, ``{"state": "estimate", "value": <number string>}`` for ``~120``,
    ``{"state": "not_available", "reason": <text or None>}`` for ``n/a`` (any mark of
    :data:`NOT_AVAILABLE_MARKS`), or the text as typed when it does not parse (checked at
    submission; nothing typed is lost)."""
    if text is None or not text.strip():
        return None
    raw = text.strip()
    if raw.casefold() in NOT_AVAILABLE_MARKS:
        return {"state": "not_available", "reason": (reason or "").strip() or None}
    m = _ESTIMATE.match(raw)
    if m:
        rest = raw[m.end() :]
        return {"state": "estimate", "value": number_or_typed(rest, locale)}
    return number_or_typed(raw, locale)


def number_or_typed(text: str, locale: str) -> str | dict[str, str]:
    """``text`` typed in ``locale`` as stored: the canonical number string when it parses
    (``"1 234,5"`` in French -> ``"1234.5"``), else ``{"typed": text}``, so that text
    that did not parse is kept as typed but can never be read as a number later (``1.000``
    is refused as ambiguous in French; stored bare it would read as 1)."""
    parsed = parse_number(text, locale)
    return canonical_number(parsed) if parsed is not None else {"typed": text.strip()}


def shown_number(stored: Any, locale: str) -> str:
    """A stored number for ``locale``: formatted, or the text as typed when it did not
    parse (see :func:`number_or_typed`)."""
    if isinstance(stored, dict):
        return str(stored.get("typed", ""))
    return display_number(stored, locale)


def cell_text(cell: Any, locale: str) -> str:
    """A stored cell as the respondent would type it in ``locale`` (inverse of
    :func:`parse_cell`); for display too: ``~1 234`` for an estimate, ``n/a`` (localised)
    for a figure not available."""
    if cell is None:
        return ""
    if isinstance(cell, dict):
        if cell.get("state") == "not_available":
            return _("n/a")
        if cell.get("state") == "estimate":
            return "~" + shown_number(cell.get("value"), locale)
        return shown_number(cell, locale)
    return display_number(str(cell), locale)


# --- building the form ---------------------------------------------------------------------


def _add_fields(attrs: dict[str, Field], item: ItemBase, name: str) -> None:
    """The fields answering ``item`` under the name ``name`` (see the module docstring)."""
    label = _(item.label)
    if isinstance(item, TextItem):
        attrs[name] = TextField(label)
    elif isinstance(item, LongTextItem):
        attrs[name] = TextAreaField(label)
    elif isinstance(item, SingleChoiceItem | MultipleChoiceItem):
        cls = LenientRadioField if isinstance(item, SingleChoiceItem) else MultiCheckboxField
        attrs[name] = cls(
            label,
            choices=option_choices(item),
            validate_choice=False,
        )
        if any(o.specify for o in item.options):
            attrs[other_key(name)] = TextField(_("Please specify"))
    elif isinstance(item, YesNoItem):
        attrs[name] = LenientRadioField(
            label,
            choices=[Choice(k, v) for k, v in yes_no_labels(item).items()],
            validate_choice=False,
        )
    elif isinstance(item, NumberItem | YearItem | DateItem):
        attrs[name] = TextField(label)
    elif isinstance(item, MoneyItem):
        attrs[name + "__amount"] = TextField(_("Amount"))
        # With several currencies the respondent picks one: no silent default.
        choices = [Choice(c, c) for c in item.currencies]
        if len(item.currencies) > 1:
            choices.insert(0, Choice("", _("Choose a currency")))
        attrs[name + "__currency"] = SelectField(
            _("Currency"), choices=choices, validate_choice=False
        )
    elif isinstance(item, StatisticsTableItem):
        rows = table_rows(item)
        cols = table_columns(item)
        for r, (_row, row_label) in enumerate(rows):
            for c, (_col, col_label, _g) in enumerate(cols):
                cell = cell_field_name(name, r, c)
                attrs[cell] = TextField(f"{_(row_label)}, {_(col_label)}")
                attrs[cell + "__reason"] = TextField(_("Why is this figure not available?"))
        attrs[name + "__" + EXPLANATION] = TextAreaField(_("Explain the figures flagged"))


#: Built form classes: per section object, entries, locale and translations.
_FORM_CLASSES: IdentityCache[type[FlaskForm]] = IdentityCache(128)


def build_form_class(
    section: Section, entries: Mapping[str, int] | None = None, *, cache: bool = True
) -> type[FlaskForm]:
    """A FlaskForm subclass with the fields of every answerable item of ``section``.
    ``entries`` maps a repeatable group's id to the number of entries to show (default 1).
    Labels and choices are translated when the class is built, so build it inside the
    request.

    Classes are kept per section, entries and language (at most 128, least recently used
    dropped): building one per request cost a few milliseconds, and a class is a
    reference cycle, so each request left thousands of objects (fields, labels, choices)
    to the cyclic garbage collector, whose full collections made one page in ten about
    twice as slow as the others (``benchmarks/section_page.py``). ``cache=False`` for a
    section made for one request (see :func:`section_part`)."""
    if not cache:
        return _new_form_class(section, entries)
    extra = (tuple(sorted((entries or {}).items())), str(get_locale()))
    return _FORM_CLASSES.get(
        (section, get_translations()), extra, lambda: _new_form_class(section, entries)
    )


def _new_form_class(section: Section, entries: Mapping[str, int] | None) -> type[FlaskForm]:
    attrs: dict[str, Field] = {}
    for item in answerable(section.items):
        if isinstance(item, GroupItem):
            count = (entries or {}).get(item.id, 1)
            attrs[item.id + "__count"] = CountField()
            for e in range(count):
                for member in answerable(item.items):
                    _add_fields(attrs, member, member_name(item.id, e, member.id))
        else:
            _add_fields(attrs, item, item.id)
    return type("SectionForm", (SectionFormBase,), attrs)


#: Name of the field of a partial post (the autosave) listing, comma-separated, the ids
#: of the items it answers.
ITEMS_FIELD = "_items"


def posted_items(section: Section, posted: Mapping[str, Any]) -> set[str] | None:
    """The ids of the section's items a partial post answers (:data:`ITEMS_FIELD`,
    sent by ``static/autosave.js`` with the fields of the questions changed), or None for
    a post of the whole form. Unknown ids are ignored."""
    raw = posted.get(ITEMS_FIELD)
    if raw is None:
        return None
    own = {i.id for i in section.items}
    return {i for i in str(raw).split(",") if i in own}


def section_part(section: Section, items: set[str]) -> Section:
    """``section`` with only the items of ids ``items``, in order: what a partial post is
    read against, so that the items it does not answer are not read as cleared."""
    return section.model_copy(update={"items": [i for i in section.items if i.id in items]})


def entry_counts(
    section: Section, answers: Mapping[str, Any], posted: Mapping[str, Any]
) -> dict[str, int]:
    """Group id -> entries to show: as posted (``<group>__count``), else the stored
    entries, at least ``min_entries`` and 1, at most ``max_entries``."""
    out: dict[str, int] = {}
    for item in section.items:
        if not isinstance(item, GroupItem):
            continue
        raw = posted.get(item.id + "__count")
        stored = answers.get(item.id)
        n = len(stored) if isinstance(stored, list) else 0
        if isinstance(raw, str) and raw.isdigit():
            n = int(raw)
        out[item.id] = max(1, item.min_entries, min(n, item.max_entries))
    return out


def removed_entry(action: str) -> tuple[str, int] | None:
    """``(group id, entry index)`` for a section form's ``remove:<group>:<index>``
    button, else None."""
    if not action.startswith("remove:"):
        return None
    group_id, _sep, index = action[7:].rpartition(":")
    return (group_id, int(index)) if group_id and index.isdigit() else None


def with_added_entry(
    section: Section, entries: dict[str, int], values: Mapping[str, Any], group_id: str | None
) -> dict[str, int]:
    """``entries`` (see :func:`entry_counts`) with one blank entry more for ``group_id``
    after the non-blank ones kept in ``values``, within ``max_entries``."""
    for item in section.items:
        if isinstance(item, GroupItem) and item.id == group_id:
            kept = values.get(item.id)
            n = len(kept) if isinstance(kept, list) else 0
            entries[item.id] = min(max(n + 1, item.min_entries, 1), item.max_entries)
    return entries


# --- reading a posted form -----------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip() else None


def _number(value: Any, locale: str) -> str | dict[str, str] | None:
    text = _text(value)
    if text is None:
        return None
    return number_or_typed(text, locale)


def _field(form: FlaskForm, name: str) -> Any:
    field = form._fields.get(name)
    return field.data if field is not None else None


class _Fields:
    """The data of a section form's fields, read from a built form
    (:func:`values_from_form`) or straight from the posted data (:func:`values_from_post`).
    ``text`` reads a text, hidden or text area field; ``choice`` a radio button or
    select field; ``choices`` a set of checkboxes."""

    def __init__(self, form: FlaskForm | None = None, formdata: Any = None) -> None:
        self.form, self.formdata = form, formdata

    def text(self, name: str) -> Any:
        if self.form is not None:
            return _field(self.form, name)
        # StringField: the first value posted, else its default, None
        values = self.formdata.getlist(name) if self.formdata is not None else []
        return values[0] if values else None

    def choice(self, name: str) -> Any:
        if self.form is not None:
            return _field(self.form, name)
        # SelectField (coerce=str): the first value posted, else None
        values = self.formdata.getlist(name) if self.formdata is not None else []
        return str(values[0]) if values else None

    def choices(self, name: str) -> Any:
        if self.form is not None:
            return _field(self.form, name)
        # SelectMultipleField: every value posted; with no form data at all, None
        if self.formdata is None:
            return None
        return [str(v) for v in self.formdata.getlist(name)]


def _read(
    form: _Fields,
    item: ItemBase,
    name: str,
    locale: str,
    out: dict[str, Any],
    key: str,
    files: FileReader | None = None,
) -> None:
    """Store the answer to ``item`` read from fields named ``name`` into ``out[key]``
    (and ``out[key + "__other"]`` for a specify text). A file item's answer comes from
    ``files``; without it, the key is left out (the stored answer is kept)."""
    # --- file items
    if isinstance(item, FileItem):
        if files is not None:
            out[key] = files(item, name)
        return
    # --- end file items
    if isinstance(item, SingleChoiceItem | MultipleChoiceItem):
        if isinstance(item, MultipleChoiceItem):
            out[key] = list(form.choices(name) or []) or None
        else:
            out[key] = _text(form.choice(name))
        if any(o.specify for o in item.options):
            out[other_key(key)] = _text(form.text(other_key(name)))
    elif isinstance(item, NumberItem):
        out[key] = _number(form.text(name), locale)
    elif isinstance(item, MoneyItem):
        amount = _number(form.text(name + "__amount"), locale)
        out[key] = (
            {"amount": amount, "currency": form.choice(name + "__currency")}
            if amount is not None
            else None
        )
    elif isinstance(item, StatisticsTableItem):
        cells: dict[str, Any] = {}
        columns = table_columns(item)
        for r, (row, _rl) in enumerate(table_rows(item)):
            for c, (col, _cl, _g) in enumerate(columns):
                field = cell_field_name(name, r, c)
                v = parse_cell(form.text(field), locale, _text(form.text(field + "__reason")))
                if v is not None:
                    cells[f"{row}|{col}"] = v
        explanation = _text(form.text(name + "__" + EXPLANATION))
        if explanation:
            cells[EXPLANATION] = explanation
        out[key] = cells or None
    elif isinstance(item, YesNoItem):
        out[key] = _text(form.choice(name))
    elif isinstance(item, YearItem | DateItem):
        t = _text(form.text(name))
        out[key] = t.strip() if t else None
    else:
        out[key] = _text(form.text(name))


def values_from_form(
    form: FlaskForm,
    section: Section,
    locale: str,
    remove: tuple[str, int] | None = None,
    files: FileReader | None = None,
) -> dict[str, Any]:
    """Answer key -> stored value, from a posted section form (see the Answer docstring).
    A blank answer is None. A repeatable group's value is the list of its non-blank
    entries, each mapping member id to value; ``remove`` = (group id, entry index) drops
    that entry. File fields are read by ``files`` (which stores their uploads)."""
    return _values(_Fields(form=form), section, locale, remove, files)


def values_from_post(
    formdata: Any,
    section: Section,
    locale: str,
    remove: tuple[str, int] | None = None,
    files: FileReader | None = None,
) -> dict[str, Any]:
    """As :func:`values_from_form` on the section's form (:func:`build_form_class`, with
    the entries of :func:`entry_counts`) filled from ``formdata`` (a werkzeug MultiDict,
    what a FlaskForm reads: ``request.form``, with ``request.files`` when files were
    posted; None for a post without data), without building the form: the same answers,
    read the way WTForms reads each kind of field. A large section's form has hundreds of
    fields; building one for every save cost more than the rest of the save."""
    return _values(_Fields(formdata=formdata), section, locale, remove, files)


def _values(
    form: _Fields,
    section: Section,
    locale: str,
    remove: tuple[str, int] | None,
    files: FileReader | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in answerable(section.items):
        if isinstance(item, GroupItem):
            raw = form.text(item.id + "__count")
            count = int(raw) if isinstance(raw, str) and raw.isdigit() else 0
            count = min(count, item.max_entries)
            entries: list[dict[str, Any]] = []
            for e in range(count):
                if remove == (item.id, e):
                    continue
                entry: dict[str, Any] = {}
                for member in answerable(item.items):
                    _read(
                        form,
                        member,
                        member_name(item.id, e, member.id),
                        locale,
                        entry,
                        member.id,
                        files,
                    )
                entry = {k: v for k, v in entry.items() if v is not None}
                if entry:
                    entries.append(entry)
            out[item.id] = entries or None
        else:
            _read(form, item, item.id, locale, out, item.id, files)
    return out


# --- showing stored answers in a form ------------------------------------------------------


def _fill(
    item: ItemBase,
    name: str,
    value: Any,
    siblings: Mapping[str, Any],
    key: str,
    locale: str,
    data: dict[str, Any],
) -> None:
    if isinstance(item, SingleChoiceItem | MultipleChoiceItem):
        if value is not None:
            data[name] = value
        other = siblings.get(other_key(key))
        if other is not None:
            data[other_key(name)] = other
    elif value is None:
        return
    elif isinstance(item, NumberItem):
        data[name] = shown_number(value, locale)
    elif isinstance(item, MoneyItem) and isinstance(value, dict):
        data[name + "__amount"] = shown_number(value.get("amount"), locale)
        data[name + "__currency"] = value.get("currency")
    elif isinstance(item, StatisticsTableItem) and isinstance(value, dict):
        for r, (row, _rl) in enumerate(table_rows(item)):
            for c, (col, _cl, _g) in enumerate(table_columns(item)):
                cell = value.get(f"{row}|{col}")
                if cell is not None:
                    field = cell_field_name(name, r, c)
                    data[field] = cell_text(cell, locale)
                    if isinstance(cell, dict) and cell.get("reason"):
                        data[field + "__reason"] = cell["reason"]
        if value.get(EXPLANATION):
            data[name + "__" + EXPLANATION] = value[EXPLANATION]
    else:
        data[name] = value


def form_data(
    section: Section,
    answers: Mapping[str, Any],
    locale: str,
    entries: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Field name -> display value for showing stored answers (answer key -> value) in a
    section form; ``entries`` as given to :func:`build_form_class`."""
    data: dict[str, Any] = {}
    for item in answerable(section.items):
        if isinstance(item, GroupItem):
            stored = answers.get(item.id)
            rows = stored if isinstance(stored, list) else []
            data[item.id + "__count"] = str((entries or {}).get(item.id, max(1, len(rows))))
            for e, entry in enumerate(rows):
                if not isinstance(entry, dict):
                    continue
                for member in answerable(item.items):
                    _fill(
                        member,
                        member_name(item.id, e, member.id),
                        entry.get(member.id),
                        entry,
                        member.id,
                        locale,
                        data,
                    )
        else:
            _fill(item, item.id, answers.get(item.id), answers, item.id, locale, data)
    return data


# --- reading stored answers --------------------------------------------------------------


def table_display(
    item: StatisticsTableItem, value: Mapping[str, Any], locale: str
) -> dict[str, Any]:
    """A stored table for reading: ``"row|column"`` -> cell text (``~120``, ``n/a``),
    ``"explanation"`` -> the respondent's explanation, and ``"notes"`` -> a list of
    ``(cell name, note)`` saying which figures are estimates and why others are not
    available."""
    out: dict[str, Any] = {}
    notes: list[tuple[str, str]] = []
    rows = dict(table_rows(item))
    cols = {key: label for key, label, _g in table_columns(item)}
    for key, cell in value.items():
        if key == EXPLANATION:
            out[key] = cell
            continue
        out[key] = cell_text(cell, locale)
        if isinstance(cell, dict):
            row, _sep, col = key.partition("|")
            where = f"{_(rows.get(row, row))}, {_(cols.get(col, col))}"
            if cell.get("state") == "not_available":
                reason = cell.get("reason")
                notes.append(
                    (
                        where,
                        _("not available: %(reason)s", reason=reason)
                        if reason
                        else _("not available"),
                    )
                )
            elif cell.get("state") == "estimate":
                notes.append((where, _("estimate")))
    if notes:
        out["notes"] = notes
    return out


def display_answer(
    item: ItemBase, value: Any, locale: str, siblings: Mapping[str, Any] | None = None
) -> Any:
    """A stored answer made readable for ``locale``: option labels translated (with the
    "please specify" text, taken from ``siblings``, the answers beside it), numbers
    formatted. A table is returned as a mapping of cell key to cell text (templates lay
    it out); a group as a list of entries, each a list of ``(member, display value)``; a
    file answer as its list of attachment ids (templates look them up and link them)."""
    if value is None:
        return None
    siblings = siblings or {}
    if isinstance(item, SingleChoiceItem | MultipleChoiceItem):
        labels = {o.code: qtext(o.label, notice=False) for o in item.options}
        other = siblings.get(other_key(item.id))
        specify = {o.code for o in item.options if o.specify}

        def shown(code: Any) -> Any:
            label = labels.get(code, code)
            return Markup("{}: {}").format(label, other) if code in specify and other else label

        if isinstance(item, SingleChoiceItem):
            return shown(value)
        return [shown(v) for v in value] if isinstance(value, list) else value
    if isinstance(item, YesNoItem):
        return yes_no_labels(item).get(value, value)
    if isinstance(item, NumberItem):
        unit = (" " + _(item.unit)) if item.unit else ""
        return shown_number(value, locale) + unit
    if isinstance(item, MoneyItem) and isinstance(value, dict):
        return f"{shown_number(value.get('amount'), locale)} {value.get('currency', '')}"
    if isinstance(item, StatisticsTableItem) and isinstance(value, dict):
        return table_display(item, value, locale)
    if isinstance(item, FileItem):  # --- file items
        return attachment_ids(value)
    if isinstance(item, GroupItem) and isinstance(value, list):
        from monitor.questionnaires.visibility import hidden_members

        entries = []
        for entry in value:
            if not isinstance(entry, dict):
                continue
            hidden = hidden_members(item, entry, siblings)
            entries.append(
                [
                    (m, display_answer(m, entry.get(m.id), locale, entry))
                    for m in answerable(item.items)
                    if m.id not in hidden and entry.get(m.id) is not None
                ]
            )
        return entries
    return value
