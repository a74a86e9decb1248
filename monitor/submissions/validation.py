"""Checking a reply before submission.

Drafts are saved without validation (nothing typed is lost); submission validates every
answer against its item: required items, numbers, years and dates, choice codes, and the
consistency rules each statistics table declares (a part may not exceed its total, parts
add up to the total, one column may not exceed another). Rules are skipped for empty
cells; a rule's ``level`` decides whether it blocks submission (``error``) or is shown
(``warning``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from monitor.core.i18n import qt
from monitor.questionnaires.schema import (
    DateItem,
    FileItem,
    GroupItem,
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
from monitor.questionnaires.visibility import hidden_items, hidden_members
from monitor.submissions.definitions import (
    EXPLANATION,
    answerable,
    other_key,
    table_columns,
    table_rows,
)
from monitor.submissions.files import attachment_ids


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
        """The HTML id of the input to link to from an error summary: a table cell or
        explanation, a group entry's member (``cell`` ``"<entry>|<member id>"``), or the
        item."""
        return anchor_of(self.item_id, self.cell)


@dataclass(frozen=True)
class Note:
    """A message shown beside a field: ``level`` ``error`` or ``warning``."""

    message: str
    level: str = "error"

    def __str__(self) -> str:
        return self.message


def anchor_of(item_id: str, cell: str | None = None) -> str:
    """The HTML id of an item's input, or of one of its cells (see :class:`Problem`)."""
    if cell:
        return "cell-" + item_id + "-" + cell.replace("|", "-").replace(":", "-")
    return "item-" + item_id


def is_blank(value: Any) -> bool:
    """True for no answer: None, a whitespace-only string, an empty list or table, or a
    money answer without an amount. A list is blank when all its entries are: option
    codes, group entries, or the attachment ids of a file answer (ids are never blank)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):  # ticked options, a group's entries, attachment ids
        return all(
            is_blank(v) if isinstance(v, str | dict) else not isinstance(v, int) for v in value
        )
    if isinstance(value, dict):
        if "amount" in value:
            return is_blank(value.get("amount"))
        if "state" in value:  # a table cell marked estimate or not available
            return False
        return not any(not is_blank(v) for k, v in value.items() if k != EXPLANATION)
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


Found = list[tuple[str, str | None, str]]


def check_item(item: ItemBase, value: Any, siblings: Mapping[str, Any] | None = None) -> Found:
    """Problems with one answer as ``(message, cell key or None, level)``; empty list if
    the answer is acceptable. A blank answer is a problem only for required items.
    ``siblings`` are the answers beside it (answer key -> value), for a choice item's
    "please specify" text and for the members' conditions of a repeatable group."""
    siblings = siblings or {}
    if is_blank(value):
        if item.required:
            if isinstance(item, StatisticsTableItem):
                return [(_("Fill in the table: it is required."), None, "error")]
            if isinstance(item, GroupItem):
                return [(_("Add at least one entry: it is required."), None, "error")]
            if isinstance(item, FileItem):  # --- file items
                return [(_("Attach at least one file: it is required."), None, "error")]
            return [(_("Answer this question: it is required."), None, "error")]
        if isinstance(item, GroupItem) and item.min_entries:
            return _entries_count(item, 0)
        return []
    out: Found = []
    if isinstance(item, TextItem | LongTextItem):
        text = value if isinstance(value, str) else ""
        limit = item.max_length if isinstance(item, TextItem) else item.max_chars
        length = len(text.replace("\r\n", "\n").replace("\r", "\n"))
        if limit and length > limit:
            out.append(
                (
                    _(
                        "Shorten the answer to %(limit)d characters or fewer (it has %(length)d).",
                        limit=limit,
                        length=length,
                    ),
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
        elif isinstance(item, SingleChoiceItem):
            out.extend(_check_specify(item, [value], siblings))
    elif isinstance(item, MultipleChoiceItem):
        out.extend(_check_multiple(item, value, siblings))
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
    elif isinstance(item, GroupItem):
        out.extend(check_group(item, value if isinstance(value, list) else [], siblings))
    # --- file items: at least one file when required (the blank check above), at most
    # max_files (a newer questionnaire version may have lowered it)
    elif isinstance(item, FileItem):
        count = len(attachment_ids(value))
        if count > item.max_files:
            out.append(
                (
                    ngettext(
                        "Attach at most %(num)d file: remove %(extra)d.",
                        "Attach at most %(num)d files: remove %(extra)d.",
                        item.max_files,
                        extra=count - item.max_files,
                    ),
                    None,
                    "error",
                )
            )
    # --- end file items
    return out


def _check_specify(
    item: SingleChoiceItem | MultipleChoiceItem, chosen: list[Any], siblings: Mapping[str, Any]
) -> Found:
    for option in item.options:
        if option.specify and option.code in chosen and is_blank(siblings.get(other_key(item.id))):
            return [
                (
                    _("Say what “%(option)s” is.", option=_(option.label)),
                    "other",
                    "error",
                )
            ]
    return []


def _check_multiple(item: MultipleChoiceItem, value: Any, siblings: Mapping[str, Any]) -> Found:
    allowed = {o.code for o in item.options}
    if not isinstance(value, list) or any(v not in allowed for v in value):
        return [(_("Choose among the options given."), None, "error")]
    out: Found = []
    for option in item.options:
        if option.exclusive and option.code in value and len(value) > 1:
            out.append(
                (
                    _(
                        "“%(option)s” cannot be combined with other answers: untick it or "
                        "the others.",
                        option=_(option.label),
                    ),
                    None,
                    "error",
                )
            )
    if item.min_choices is not None and len(value) < item.min_choices:
        out.append(
            (
                ngettext(
                    "Choose at least %(num)d option.",
                    "Choose at least %(num)d options.",
                    item.min_choices,
                ),
                None,
                "error",
            )
        )
    if item.max_choices is not None and len(value) > item.max_choices:
        out.append(
            (
                ngettext(
                    "Choose at most %(num)d option.",
                    "Choose at most %(num)d options.",
                    item.max_choices,
                ),
                None,
                "error",
            )
        )
    out.extend(_check_specify(item, value, siblings))
    return out


def _entries_count(item: GroupItem, n: int) -> Found:
    if n < item.min_entries:
        return [
            (
                ngettext(
                    "Add at least %(num)d entry.", "Add at least %(num)d entries.", item.min_entries
                ),
                None,
                "error",
            )
        ]
    if n > item.max_entries:
        return [
            (
                ngettext(
                    "Give at most %(num)d entry.", "Give at most %(num)d entries.", item.max_entries
                ),
                None,
                "error",
            )
        ]
    return []


def check_group(item: GroupItem, entries: list[Any], outer: Mapping[str, Any]) -> Found:
    """Problems of a repeatable group: the number of entries, then each shown member of
    each entry; a member's problem has cell ``"<entry index>|<member id>"`` (entries
    count from 0; messages name the entry from 1). ``outer`` holds the answers outside
    the group (item id -> value) that members' conditions may read."""
    out = _entries_count(item, len(entries))
    for e, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        hidden = hidden_members(item, entry, outer)
        for member in answerable(item.items):
            if member.id in hidden:
                continue
            for message, cell, level in check_item(member, entry.get(member.id), entry):
                where = f"{e}|{member.id}" + (f"|{cell}" if cell else "")
                out.append(
                    (
                        _(
                            "%(entry)s %(n)d, %(question)s: %(message)s",
                            entry=qt(item.entry_label) if item.entry_label else _("Entry"),
                            n=e + 1,
                            question=qt(member.label),
                            message=message,
                        ),
                        where,
                        level,
                    )
                )
    return out


def _bound(value: int | float) -> Decimal:
    return Decimal(str(value))


def _check_number(item: NumberItem, value: Any) -> Found:
    d = _decimal(value)
    if d is None:
        return [(_("Enter a number."), None, "error")]
    if item.integer and d != d.to_integral_value():
        return [(_("Enter a whole number."), None, "error")]
    if item.decimals is not None and -d.normalize().as_tuple().exponent > item.decimals:  # type: ignore[operator]
        return [
            (
                ngettext(
                    "Enter the number with at most %(num)d decimal place.",
                    "Enter the number with at most %(num)d decimal places.",
                    item.decimals,
                ),
                None,
                "error",
            )
        ]
    if item.min is not None and d < _bound(item.min):
        shown = format_decimal(_bound(item.min))
        return [(_("Enter a number of at least %(min)s.", min=shown), None, "error")]
    if item.max is not None and d > _bound(item.max):
        shown = format_decimal(_bound(item.max))
        return [(_("Enter a number of at most %(max)s.", max=shown), None, "error")]
    return []


def _figure(raw: Any) -> tuple[Decimal | None, bool, bool]:
    """A stored table cell as ``(figure, is_estimate, is_not_available)``; the figure is
    None for a blank, not-available or malformed cell."""
    if isinstance(raw, dict):
        if raw.get("state") == "not_available":
            return None, False, True
        if raw.get("state") == "estimate":
            return _decimal(raw.get("value")), True, False
        return None, False, False
    return _decimal(raw), False, False


def check_table(item: StatisticsTableItem, cells: Mapping[str, Any]) -> Found:
    """Check a statistics table: every filled cell a whole number of 0 or more (or marked
    "not available" with a reason, or an estimate), then the table's own rules (see
    :class:`monitor.questionnaires.schema.TableRule`), which skip empty and unavailable
    cells and name the cells they compare. When a rule of level ``warning`` fires, the
    respondent must either correct the figures or explain them (``cells["explanation"]``)
    before submitting. ``cells`` maps ``"row|column"`` to the stored cell (see
    :func:`monitor.submissions.forms.parse_cell`)."""
    out: Found = []
    rows = table_rows(item)
    cols = table_columns(item)
    col_label = {key: _(label) for key, label, _g in cols}
    row_label = {key: _(label) for key, label in rows}
    values: dict[str, Decimal] = {}

    def name(cell: str) -> str:
        row, col = cell.split("|", 1)
        return f"{row_label.get(row, row)}, {col_label.get(col, col)}"

    for row, _rl in rows:
        for key, _label, _group in cols:
            cell = f"{row}|{key}"
            raw = cells.get(cell)
            if is_blank(raw):
                continue
            figure, estimate, unavailable = _figure(raw)
            if unavailable:
                if not item.not_available:
                    out.append(
                        (_("%(cell)s: this table needs a figure.", cell=name(cell)), cell, "error")
                    )
                elif isinstance(raw, dict) and is_blank(raw.get("reason")):
                    out.append(
                        (
                            _("%(cell)s: say why the figure is not available.", cell=name(cell)),
                            cell + "|reason",  # links to the reason field below the table
                            "error",
                        )
                    )
                continue
            if estimate and not item.estimates:
                out.append(
                    (
                        _("%(cell)s: give an exact figure, not an estimate.", cell=name(cell)),
                        cell,
                        "error",
                    )
                )
            if figure is None or figure < 0 or figure != figure.to_integral_value():
                out.append(
                    (
                        _("%(cell)s: enter a whole number of 0 or more.", cell=name(cell)),
                        cell,
                        "error",
                    )
                )
                continue
            values[cell] = figure
    flagged: Found = []
    for rule in item.rules:
        found: Found = []
        if rule.rule in ("parts_not_above_total", "parts_sum_to_total"):
            parts = [k for k, _l, g in cols if g == rule.group]
            for row, _rl in rows:
                total = values.get(f"{row}|total")
                if total is None:
                    continue
                if rule.rule == "parts_not_above_total":
                    for key in parts:
                        v = values.get(f"{row}|{key}")
                        if v is not None and v > total:
                            found.append(
                                (
                                    _(
                                        "%(cell)s (%(value)s) is more than the total of %(row)s "
                                        "(%(total)s).",
                                        cell=name(f"{row}|{key}"),
                                        row=row_label.get(row, row),
                                        value=_fmt(v),
                                        total=_fmt(total),
                                    ),
                                    f"{row}|{key}",
                                    rule.level,
                                )
                            )
                else:
                    filled = [values.get(f"{row}|{k}") for k in parts]
                    if parts and all(v is not None for v in filled):
                        sum_ = sum((v for v in filled if v is not None), Decimal(0))
                        if sum_ != total:
                            found.append(
                                (
                                    _(
                                        "%(row)s: the parts add up to %(sum)s, not to the total "
                                        "(%(total)s).",
                                        row=row_label.get(row, row),
                                        sum=_fmt(sum_),
                                        total=_fmt(total),
                                    ),
                                    f"{row}|total",
                                    rule.level,
                                )
                            )
        elif rule.rule in ("column_not_above", "row_not_above") and rule.other:
            # (cell, cell it may not exceed): per row for columns, per column for rows
            pairs = (
                [(f"{row}|{rule.column}", f"{row}|{rule.other}") for row, _rl in rows]
                if rule.rule == "column_not_above" and rule.column
                else [(f"{rule.row}|{key}", f"{rule.other}|{key}") for key, _l, _g in cols]
                if rule.rule == "row_not_above" and rule.row
                else []
            )
            for cell, other in pairs:
                a, b = values.get(cell), values.get(other)
                if a is not None and b is not None and a > b:
                    found.append(
                        (
                            _(
                                "%(cell)s (%(a)s) is more than %(other)s (%(b)s).",
                                cell=name(cell),
                                a=_fmt(a),
                                other=name(other),
                                b=_fmt(b),
                            ),
                            cell,
                            rule.level,
                        )
                    )
        out.extend(found)
        flagged.extend(f for f in found if f[2] == "warning")
    if flagged and is_blank(cells.get(EXPLANATION)):
        out.append(
            (
                _(
                    "Some figures look inconsistent (see the warnings): correct them, or "
                    "explain them below the table."
                ),
                EXPLANATION,
                "error",
            )
        )
    return out


def visible_answers(definition: QuestionnaireDef, answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` (answer key -> value) without the answers to hidden items (see
    :mod:`monitor.questionnaires.visibility`): what is validated, exported and printed."""
    hidden = hidden_items(definition, answers)
    return {
        k: v for k, v in answers.items() if k not in hidden and k.split("__", 1)[0] not in hidden
    }


def validate_reply(definition: QuestionnaireDef, answers: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a reply, in questionnaire order. ``answers`` maps answer key to
    the stored value. Hidden items (retired, or their ``show_if`` false) are skipped.
    Returns errors and warnings; only errors block submission."""
    problems: list[Problem] = []
    shown = visible_answers(definition, answers)
    hidden = hidden_items(definition, answers)
    for section in definition.sections():
        for item in answerable(section.items):
            if item.id in hidden:
                continue
            for message, cell, level in check_item(item, shown.get(item.id), shown):
                problems.append(Problem(section.id, item.id, message, level, cell))
    return problems
