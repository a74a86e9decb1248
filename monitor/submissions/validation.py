"""Checking a reply before submission.

Drafts are saved without validation (nothing typed is lost); submission validates every
answer against its item: required items, numbers, years and dates, choice codes, and the
consistency rules each statistics table declares (a part may not exceed its total, parts
add up to the total, one column may not exceed another). Rules are skipped for empty
cells; a rule's ``level`` decides whether it blocks submission (``error``) or is shown
(``warning``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from monitor.questionnaires.schema import (
    DateItem,
    ItemBase,
    LongTextItem,
    MoneyItem,
    MultipleChoiceItem,
    NumberItem,
    QuestionnaireDef,
    SingleChoiceItem,
    StatisticsTableItem,
    TextItem,
    YearItem,
    YesNoItem,
)
from monitor.submissions.definitions import answerable, table_columns, table_rows


@dataclass(frozen=True)
class Problem:
    """A problem with one answer: ``item_id`` of the item, its ``section_id``, an
    optional table ``cell`` key (``"row|column"``), a localised ``message``, and
    ``level`` ``error`` (blocks submission) or ``warning``."""

    section_id: str
    item_id: str
    message: str
    level: str = "error"
    cell: str | None = None

    @property
    def anchor(self) -> str:
        """The HTML id of the input to link to from an error summary."""
        if self.cell:
            return "cell-" + self.item_id + "-" + self.cell.replace("|", "-").replace(":", "-")
        return "item-" + self.item_id


def is_blank(value: Any) -> bool:
    """True for no answer: None, a whitespace-only string, an empty list or table, or a
    money answer without an amount."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not any(isinstance(v, str) and v.strip() for v in value)
    if isinstance(value, dict):
        if "amount" in value:
            return is_blank(value.get("amount"))
        return not any(not is_blank(v) for v in value.values())
    return False


def _decimal(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        d = Decimal(value)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f")


def check_item(item: ItemBase, value: Any) -> list[tuple[str, str | None, str]]:
    """Problems with one answer as ``(message, cell key or None, level)``; empty list if
    the answer is acceptable. A blank answer is a problem only for required items."""
    if is_blank(value):
        if item.required:
            if isinstance(item, StatisticsTableItem):
                return [(_("Fill in the table: it is required."), None, "error")]
            return [(_("Answer this question: it is required."), None, "error")]
        return []
    out: list[tuple[str, str | None, str]] = []
    if isinstance(item, TextItem | LongTextItem):
        text = value if isinstance(value, str) else ""
        limit = item.max_length if isinstance(item, TextItem) else item.max_chars
        length = len(text.replace("\r\n", "\n"))
        if limit and length > limit:
            out.append(
                (
                    _("Shorten the answer to %(limit)d characters or fewer.", limit=limit),
                    None,
                    "error",
                )
            )
    elif isinstance(item, SingleChoiceItem | YesNoItem):
        codes = (
            [o.code for o in item.options]
            if isinstance(item, SingleChoiceItem)
            else (["yes", "no", "partly"] if item.partly else ["yes", "no"])
        )
        if value not in codes:
            out.append((_("Choose one of the options."), None, "error"))
    elif isinstance(item, MultipleChoiceItem):
        allowed = {o.code for o in item.options}
        if not isinstance(value, list) or any(v not in allowed for v in value):
            out.append((_("Choose among the options given."), None, "error"))
    elif isinstance(item, NumberItem):
        out.extend(_check_number(item, value))
    elif isinstance(item, MoneyItem):
        amount = _decimal(value.get("amount")) if isinstance(value, dict) else None
        if amount is None:
            out.append((_("Enter the amount as a number, for example 1250.50."), None, "error"))
        elif amount < 0:
            out.append((_("The amount cannot be negative."), None, "error"))
        currency = value.get("currency") if isinstance(value, dict) else None
        if currency not in item.currencies:
            out.append((_("Choose the currency."), None, "error"))
    elif isinstance(item, YearItem):
        if not (isinstance(value, str) and value.strip().isdigit()) or not (
            item.min <= int(value) <= item.max
        ):
            out.append(
                (
                    _("Enter a year between %(min)d and %(max)d.", min=item.min, max=item.max),
                    None,
                    "error",
                )
            )
    elif isinstance(item, DateItem):
        try:
            date.fromisoformat(str(value))
        except ValueError:
            out.append((_("Enter a real date, for example 2023-03-31."), None, "error"))
    elif isinstance(item, StatisticsTableItem):
        out.extend(check_table(item, value if isinstance(value, dict) else {}))
    return out


def _check_number(item: NumberItem, value: Any) -> list[tuple[str, str | None, str]]:
    d = _decimal(value)
    if d is None:
        return [(_("Enter a number."), None, "error")]
    if item.integer and d != d.to_integral_value():
        return [(_("Enter a whole number."), None, "error")]
    if item.min is not None and d < item.min:
        return [(_("Enter a number of at least %(min)d.", min=item.min), None, "error")]
    if item.max is not None and d > item.max:
        return [(_("Enter a number of at most %(max)d.", max=item.max), None, "error")]
    return []


def check_table(
    item: StatisticsTableItem, cells: dict[str, Any]
) -> list[tuple[str, str | None, str]]:
    """Check a statistics table: every filled cell a whole, non-negative number, then the
    table's own rules (see :class:`monitor.questionnaires.schema.TableRule`). ``cells``
    maps ``"row|column"`` to the stored cell string."""
    out: list[tuple[str, str | None, str]] = []
    rows = table_rows(item)
    cols = table_columns(item)
    col_label = {key: label for key, label, _g in cols}
    values: dict[str, Decimal] = {}
    for row, _row_label in rows:
        for key, _label, _group in cols:
            cell = f"{row}|{key}"
            raw = cells.get(cell)
            if is_blank(raw):
                continue
            d = _decimal(raw)
            if d is None or d < 0 or d != d.to_integral_value():
                out.append(
                    (
                        _(
                            "%(row)s, %(column)s: enter a whole number of 0 or more.",
                            row=row,
                            column=_(col_label[key]),
                        ),
                        cell,
                        "error",
                    )
                )
                continue
            values[cell] = d
    for rule in item.rules:
        for row, _row_label in rows:
            total = values.get(f"{row}|total")
            if rule.rule in ("parts_not_above_total", "parts_sum_to_total"):
                parts = [(k, lbl) for k, lbl, g in cols if g == rule.group]
                if total is None:
                    continue
                if rule.rule == "parts_not_above_total":
                    for key, label in parts:
                        v = values.get(f"{row}|{key}")
                        if v is not None and v > total:
                            out.append(
                                (
                                    _(
                                        "%(row)s: %(part)s (%(value)s) is more than the total "
                                        "(%(total)s).",
                                        row=row,
                                        part=_(label),
                                        value=_fmt(v),
                                        total=_fmt(total),
                                    ),
                                    f"{row}|{key}",
                                    rule.level,
                                )
                            )
                else:
                    filled = [values.get(f"{row}|{k}") for k, _l in parts]
                    if parts and all(v is not None for v in filled):
                        s = sum((v for v in filled if v is not None), Decimal(0))
                        if s != total:
                            out.append(
                                (
                                    _(
                                        "%(row)s: the parts add up to %(sum)s, not to the total "
                                        "(%(total)s).",
                                        row=row,
                                        sum=_fmt(s),
                                        total=_fmt(total),
                                    ),
                                    f"{row}|total",
                                    rule.level,
                                )
                            )
            elif rule.rule == "column_not_above" and rule.column and rule.other:
                a = values.get(f"{row}|{rule.column}")
                b = values.get(f"{row}|{rule.other}")
                if a is not None and b is not None and a > b:
                    out.append(
                        (
                            _(
                                "%(row)s: %(column)s (%(a)s) is more than %(other)s (%(b)s).",
                                row=row,
                                column=_(col_label.get(rule.column, rule.column)),
                                a=_fmt(a),
                                other=_(col_label.get(rule.other, rule.other)),
                                b=_fmt(b),
                            ),
                            f"{row}|{rule.column}",
                            rule.level,
                        )
                    )
    return out


def validate_reply(definition: QuestionnaireDef, answers: dict[str, Any]) -> list[Problem]:
    """Every problem of a reply, in questionnaire order. ``answers`` maps item id to the
    stored value. Returns errors and warnings; only errors block submission."""
    problems: list[Problem] = []
    for section in definition.sections():
        for item in answerable(section.items):
            for message, cell, level in check_item(item, answers.get(item.id)):
                problems.append(Problem(section.id, item.id, message, level, cell))
    return problems
