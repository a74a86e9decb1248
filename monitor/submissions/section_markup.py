"""The fields of a section page, from markup compiled once per section and language.

A section page renders every item of a section through the ``field_item`` macro of
``submissions/_items.html``: labels, guidance, hints, conditions and about 480 WTForms
controls for a section of 150 items. Nearly all of that markup depends only on the
questionnaire version and the language; per request only the answers change. So each
section is rendered once per (section, language, translations) by the same macro, with
*slots* in place of what a request fills in:

- ``v``: a text control's value (escaped as WTForms escapes it);
- ``c``: ``checked`` on a radio button or checkbox;
- ``h``: ``hidden`` on a question whose ``show_if`` hides it for the stored answers;
- ``n``: the note under an answer ("Last changed by ..." or "Carried over ...",
  :func:`answer_note`).

A request then joins the static pieces with its values (:func:`render_fields`), which
takes about a tenth of the time of the macro (``benchmarks/section_page.py``).

Items whose markup depends on more than those slots are rendered by the macro on every
request: repeatable groups (their entries), file items (their attachments), money (a
``<select>``), a statistics table with a figure marked not available (its reasons are
asked for under the table), and every item of a page showing errors (after "check
answers" or a refused file). The macro stays the single source of the markup; a test
renders whole sections both ways, in three languages, and compares them byte for byte.

Compiled sections are kept per process (at most :data:`CACHE_SIZE`, least recently used
dropped). They hold only what the questionnaire version and the catalogs determine, both
immutable, so app servers stay stateless.
"""

import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import format_datetime, get_locale, get_translations
from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms import Field, RadioField, SelectField, SelectMultipleField

from monitor.core.memo import IdentityCache
from monitor.questionnaires.schema import (
    FileItem,
    GroupItem,
    ItemBase,
    MoneyItem,
    Section,
    StatisticsTableItem,
)

#: Set while a section is being compiled: choice widgets then write a ``c`` slot where
#: ``checked`` would go (see :func:`checked_slot`).
COMPILING: ContextVar[bool] = ContextVar("section_markup_compiling", default=False)

#: How many compiled sections a process keeps.
CACHE_SIZE = 64

_MARK = "\x00"  # never in questionnaire text: the loader refuses control characters
_SEP = "\x01"
_SLOT = re.compile("\x00([vchn])([^\x00]*)\x00")


class _Slot:
    """A stand-in passed to the macro while compiling (for ``answer`` and
    ``hidden_keys``)."""

    def __repr__(self) -> str:
        return "<slot>"


#: Passed as the macro's ``answer`` while compiling: :func:`answer_note` writes an ``n``
#: slot.
NOTE_SLOT: Any = _Slot()
#: Passed as the macro's ``hidden_keys`` while compiling: :func:`hidden_attribute` writes
#: an ``h`` slot.
HIDDEN_SLOT: Any = _Slot()


def hidden_attribute(name: str, hidden_keys: Any) -> Markup:
    """`` hidden`` when the question answered under field name ``name`` is hidden for the
    stored answers (``name in hidden_keys``), else nothing (a Jinja global)."""
    if hidden_keys is HIDDEN_SLOT:
        return Markup(f"{_MARK}h{name}{_MARK}")
    return Markup(" hidden") if name in hidden_keys else Markup("")


def checked_slot(field: Field, html: str) -> Markup:
    """A choice control rendered while compiling, with a ``c`` slot for ``checked`` right
    after ``<input `` (where WTForms puts it: attributes are sorted, and the options of a
    choice field are rendered without ``aria-*`` or ``class``)."""
    name, _sep, rest = html.partition(" ")
    slot = f"{_MARK}c{field.name}{_SEP}{field.data}{_MARK}"
    return Markup(f"{name} {slot}{rest}")


class AnswerNotes:
    """The notes under the questions of one page (see :func:`answer_note`), with the
    translated texts looked up once and each note made once per author and time of
    change (answers saved together share one)."""

    def __init__(self, authors: Mapping[int, str]) -> None:
        from monitor.submissions.carryover_views import carried_round

        self.authors = authors
        self._carried_round = carried_round
        self._notes: dict[tuple[int | None, datetime], Markup] = {}  # (author, time) -> note
        self._by: Markup | None = None
        self._anonymous: Markup | None = None

    def __call__(self, item: ItemBase, answer: Any) -> Markup:
        if answer is NOTE_SLOT:
            return Markup(f"{_MARK}n{item.id}{_MARK}")
        if not answer:
            return Markup("")
        if answer.carried_over_from_reply_id is not None:
            carried = self._carried_round(answer)
            if carried:
                return _carried_note(item, carried)
        if not answer.updated_at:
            return Markup("")
        key = (answer.updated_by_id, answer.updated_at)
        note = self._notes.get(key)
        if note is None:
            note = self._notes[key] = self._changed(answer.updated_by_id, answer.updated_at)
        return note

    def _changed(self, author_id: int | None, updated_at: datetime) -> Markup:
        when = format_datetime(updated_at, "short")
        if author_id is not None and author_id in self.authors:
            if self._by is None:
                self._by = Markup(_("Last changed by %(name)s, %(when)s"))
            text = self._by % {"name": self.authors[author_id], "when": when}
        else:
            if self._anonymous is None:
                self._anonymous = Markup(_("Last changed %(when)s"))
            text = self._anonymous % {"when": when}
        return Markup(f'<p class="answer-meta">{text}</p>')


def _carried_note(item: ItemBase, carried: int) -> Markup:
    item_id = escape(item.id)
    text = Markup(_("Carried over from round %(number)d — confirm or update")) % {"number": carried}
    confirm = escape(_("Confirm"))
    return Markup(
        f'\n<p class="carried-over notice" id="carried-{item_id}"><strong>{text}</strong>\n'
        f'  <button type="submit" form="carried-form" name="item" value="{item_id}" '
        f'class="button secondary" aria-describedby="carried-{item_id}">{confirm}</button>'
        "</p>\n"
    )


def answer_note(item: ItemBase, answer: Any, authors: Mapping[int, str]) -> Markup:
    """The note under a question of a section page (a Jinja global): "Carried over from
    round N — confirm or update" with a Confirm button while a carried-over answer awaits
    confirmation (:mod:`monitor.submissions.carryover`), else "Last changed by <name>,
    <time>" (time in the user's timezone, short format) for an answer saved by a known
    author (``authors``: user id -> name), "Last changed <time>" otherwise, nothing for no
    answer (``answer``: an :class:`~monitor.submissions.models.Answer` or None)."""
    return AnswerNotes(authors)(item, answer)


# --- compiling -----------------------------------------------------------------------------

#: One piece of a compiled item: static markup, then the slot after it (kind and argument;
#: kind "" for none). For ``c``, the argument is (field name, option value, multiple).
Piece = tuple[str, str, Any]


@dataclass(frozen=True)
class CompiledSection:
    """A section's compiled items: item id -> pieces, for the items that can be compiled;
    and, per statistics table, the names of its fields (a figure marked not available
    there sends the table to the macro)."""

    items: dict[str, list[Piece]]
    table_fields: dict[str, list[str]]


def compilable(item: ItemBase) -> bool:
    """Whether ``item``'s markup is the same for every reply but for the slots."""
    return not isinstance(item, GroupItem | FileItem | MoneyItem)


def _macro() -> Callable[..., Markup]:
    template = current_app.jinja_env.get_template("submissions/_items.html")
    return template.module.field_item  # type: ignore[attr-defined, no-any-return]


def _split(html: str, kinds: Mapping[str, bool]) -> list[Piece]:
    pieces: list[Piece] = []
    pos = 0
    for m in _SLOT.finditer(html):
        kind, arg = m.group(1), m.group(2)
        slot: Any = arg
        if kind == "c":
            name, _sep, value = arg.partition(_SEP)
            slot = (name, value, kinds[name])
        pieces.append((html[pos : m.start()], kind, slot))
        pos = m.end()
    pieces.append((html[pos:], "", None))
    return pieces


def _compile(section: Section) -> CompiledSection:
    from monitor.submissions.forms import build_form_class, section_part

    ids = {i.id for i in section.items if compilable(i)}
    part = section_part(section, ids)
    form_class = build_form_class(part, cache=False)
    probe_form = form_class()
    data: dict[str, Any] = {}
    multiple: dict[str, bool] = {}
    for name, field in probe_form._fields.items():
        if isinstance(field, RadioField | SelectMultipleField):
            multiple[name] = isinstance(field, SelectMultipleField)
        elif not isinstance(field, SelectField) and name != "csrf_token":
            data[name] = f"{_MARK}v{name}{_MARK}"
    form = form_class(data=data)
    macro = _macro()
    items: dict[str, list[Piece]] = {}
    tables: dict[str, list[str]] = {}
    token = COMPILING.set(True)
    try:
        for item in part.items:
            html = str(macro(item, form, NOTE_SLOT, {}, {}, hidden_keys=HIDDEN_SLOT))
            items[item.id] = _split(html, multiple)
            if isinstance(item, StatisticsTableItem):
                tables[item.id] = [p[2] for p in items[item.id] if p[1] == "v"]
    finally:
        COMPILING.reset(token)
    return CompiledSection(items, tables)


_CACHE: IdentityCache[CompiledSection] = IdentityCache(CACHE_SIZE)


def compiled_section(section: Section) -> CompiledSection:
    """``section`` compiled for the current language (inside a request). Kept per
    section object (definitions are cached per questionnaire version, see
    :func:`~monitor.submissions.definitions.definition_of`), language and catalogs."""
    translations = get_translations()
    return _CACHE.get((section, translations), (str(get_locale()),), lambda: _compile(section))


# --- rendering -----------------------------------------------------------------------------


def _checked(data: Any, value: str, multiple: bool) -> bool:
    """Whether the option ``value`` shows as chosen, as WTForms decides it for a field
    given ``data`` (values compared as strings, its ``coerce``)."""
    if data is None:
        return False
    if not multiple:
        return str(data) == value
    try:
        return value in [str(x) for x in data]
    except TypeError:
        return False


def render_fields(
    section: Section,
    data: Mapping[str, Any],
    answers: Mapping[str, Any],
    authors: Mapping[int, str],
    hidden_keys: set[str] | frozenset[str],
    make_form: Callable[[], Any],
    errors: Mapping[str, Any],
    file_fields: Mapping[str, Any],
    *,
    compiled: bool = True,
) -> Markup:
    """The markup of every item of ``section`` for a section page.

    ``data``: field name -> display value (:func:`~monitor.submissions.forms.form_data`);
    ``answers``: item id -> :class:`~monitor.submissions.models.Answer`; ``authors``:
    user id -> name; ``hidden_keys``: field names of hidden questions; ``make_form``
    builds the WTForms form for the items the macro renders (called at most once, and
    only if one is); ``errors``: HTML id -> notes (when any, every item goes to the
    macro); ``file_fields``: see :func:`~monitor.submissions.attachments.section_file_fields`.
    ``compiled=False`` renders every item with the macro (what the compiled markup is
    tested against)."""
    from monitor.submissions.forms import is_not_available  # (forms imports this module)

    pieces = compiled_section(section) if compiled and not errors else None
    out: list[str] = []
    form = None
    notes = AnswerNotes(authors)
    for item in section.items:
        parts = pieces.items.get(item.id) if pieces is not None else None
        if parts is not None and item.id in pieces.table_fields:  # type: ignore[union-attr]
            # a figure not available: its reason is asked under the table, by the macro
            if any(is_not_available(data.get(n)) for n in pieces.table_fields[item.id]):  # type: ignore[union-attr]
                parts = None
        if parts is None:
            if form is None:
                form = make_form()
            out.append(
                _macro()(
                    item,
                    form,
                    answers.get(item.id),
                    errors,
                    authors,
                    hidden_keys=hidden_keys,
                    file_fields=file_fields,
                )
            )
            continue
        for static, kind, arg in parts:
            out.append(static)
            if kind == "v":
                v = data.get(arg)
                if v is not None:
                    out.append(escape(str(v)))
            elif kind == "c":
                if _checked(data.get(arg[0]), arg[1], arg[2]):
                    out.append("checked ")
            elif kind == "h":
                if arg in hidden_keys:
                    out.append(" hidden")
            elif kind == "n":
                out.append(notes(item, answers.get(arg)))
    return Markup("".join(out))
