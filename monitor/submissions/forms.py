"""WTForms generated from a questionnaire section.

One field per answerable item, named after the item id; a money item has
``<id>__amount`` and ``<id>__currency``; a statistics table one text field per cell,
named ``<id>__<row index>__<column index>``. Fields never validate on a draft save:
everything typed is kept as typed, and numbers are stored canonically only when they
parse in the user's locale (:func:`monitor.core.i18n.parse_number`).
"""

from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from monitor.core.forms import Choice
from monitor.core.i18n import (
    canonical_number,
    current_translation,
    display_number,
    parse_number,
    qtext,
)
from monitor.questionnaires.schema import (
    DateItem,
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
from monitor.submissions.definitions import answerable, table_columns, table_rows


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:  # drafts keep whatever was ticked
        pass


class LenientRadioField(RadioField):
    def pre_validate(self, form: Any) -> None:
        pass


def cell_field_name(item_id: str, r: int, c: int) -> str:
    return f"{item_id}__{r}__{c}"


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


def build_form_class(section: Section) -> type[FlaskForm]:
    """A FlaskForm subclass with a field per answerable item of ``section``. Labels and
    choices are translated when the class is built, so build it inside the request."""
    attrs: dict[str, Field] = {}
    for item in answerable(section.items):
        iid = item.id
        label = _(item.label)
        if isinstance(item, TextItem):
            attrs[iid] = StringField(label)
        elif isinstance(item, LongTextItem):
            attrs[iid] = TextAreaField(label)
        elif isinstance(item, SingleChoiceItem):
            attrs[iid] = LenientRadioField(
                label,
                choices=option_choices(item),
                validate_choice=False,
            )
        elif isinstance(item, YesNoItem):
            attrs[iid] = LenientRadioField(
                label,
                choices=[Choice(k, v) for k, v in yes_no_labels(item).items()],
                validate_choice=False,
            )
        elif isinstance(item, MultipleChoiceItem):
            attrs[iid] = MultiCheckboxField(
                label,
                choices=option_choices(item),
                validate_choice=False,
            )
        elif isinstance(item, NumberItem | YearItem | DateItem):
            attrs[iid] = StringField(label)
        elif isinstance(item, MoneyItem):
            attrs[iid + "__amount"] = StringField(label)
            attrs[iid + "__currency"] = SelectField(
                _("Currency"),
                choices=[Choice(c, c) for c in item.currencies],
                validate_choice=False,
            )
        elif isinstance(item, StatisticsTableItem):
            rows = table_rows(item)
            cols = table_columns(item)
            for r, (_row, row_label) in enumerate(rows):
                for c, (_col, col_label, _g) in enumerate(cols):
                    attrs[cell_field_name(iid, r, c)] = StringField(
                        f"{_(row_label)}, {_(col_label)}"
                    )
    return type("SectionForm", (FlaskForm,), attrs)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip() else None


def _number(value: Any, locale: str) -> str | None:
    text = _text(value)
    if text is None:
        return None
    parsed = parse_number(text, locale)
    return canonical_number(parsed) if parsed is not None else text.strip()


def values_from_form(form: FlaskForm, section: Section, locale: str) -> dict[str, Any]:
    """Item id -> stored value, from a posted section form (see the Answer docstring).
    A blank answer is None."""
    out: dict[str, Any] = {}
    for item in answerable(section.items):
        iid = item.id
        if isinstance(item, MultipleChoiceItem):
            out[iid] = list(form[iid].data or []) or None
        elif isinstance(item, NumberItem):
            out[iid] = _number(form[iid].data, locale)
        elif isinstance(item, MoneyItem):
            amount = _number(form[iid + "__amount"].data, locale)
            out[iid] = (
                {"amount": amount, "currency": form[iid + "__currency"].data}
                if amount is not None
                else None
            )
        elif isinstance(item, StatisticsTableItem):
            cells: dict[str, str] = {}
            for r, (row, _rl) in enumerate(table_rows(item)):
                for c, (col, _cl, _g) in enumerate(table_columns(item)):
                    v = _number(form[cell_field_name(iid, r, c)].data, locale)
                    if v is not None:
                        cells[f"{row}|{col}"] = v
            out[iid] = cells or None
        elif isinstance(item, YearItem | DateItem):
            t = _text(form[iid].data)
            out[iid] = t.strip() if t else None
        else:
            out[iid] = _text(form[iid].data)
    return out


def form_data(section: Section, answers: dict[str, Any], locale: str) -> dict[str, Any]:
    """Field name -> display value for showing stored answers in a section form."""
    data: dict[str, Any] = {}
    for item in answerable(section.items):
        iid = item.id
        value = answers.get(iid)
        if value is None:
            continue
        if isinstance(item, NumberItem):
            data[iid] = display_number(value, locale)
        elif isinstance(item, MoneyItem) and isinstance(value, dict):
            data[iid + "__amount"] = display_number(value.get("amount"), locale)
            data[iid + "__currency"] = value.get("currency")
        elif isinstance(item, StatisticsTableItem) and isinstance(value, dict):
            for r, (row, _rl) in enumerate(table_rows(item)):
                for c, (col, _cl, _g) in enumerate(table_columns(item)):
                    cell = value.get(f"{row}|{col}")
                    if cell is not None:
                        data[cell_field_name(iid, r, c)] = display_number(cell, locale)
        else:
            data[iid] = value
    return data


def display_answer(item: ItemBase, value: Any, locale: str) -> Any:
    """A stored answer made readable for ``locale``: option labels translated (as HTML,
    by :func:`~monitor.core.i18n.qtext`: marked English when untranslated), numbers
    formatted. Tables are returned as the stored cell mapping (templates lay them out)."""
    if value is None:
        return None
    if isinstance(item, SingleChoiceItem):
        labels = {o.code: qtext(o.label, notice=False) for o in item.options}
        return labels.get(value, value)
    if isinstance(item, YesNoItem):
        return yes_no_labels(item).get(value, value)
    if isinstance(item, MultipleChoiceItem):
        labels = {o.code: qtext(o.label, notice=False) for o in item.options}
        return [labels.get(v, v) for v in value] if isinstance(value, list) else value
    if isinstance(item, NumberItem):
        unit = (" " + _(item.unit)) if item.unit else ""
        return display_number(value, locale) + unit
    if isinstance(item, MoneyItem) and isinstance(value, dict):
        return f"{display_number(value.get('amount'), locale)} {value.get('currency', '')}"
    if isinstance(item, StatisticsTableItem) and isinstance(value, dict):
        return {k: display_number(v, locale) for k, v in value.items()}
    return value
