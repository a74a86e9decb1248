"""Attachments: files given as the answer to a ``file`` item (laws, plans, studies),
also inside a repeatable group entry.

An upload is checked before anything is stored (:func:`store_attachment`): its name must
declare a type the item accepts, its bytes must be of that type
(:func:`monitor.submissions.files.sniff`), and it must be at most ``MAX_UPLOAD_BYTES``
long (issue 4, point 4). The bytes then go to the content-addressed storage
(:mod:`monitor.core.storage`) and an :class:`Attachment` row records the name as given.

The answer to a file item is a list of attachment ids (see
:class:`monitor.submissions.models.Answer`). On the section page a file field is named
like any other answer field (the item id, or ``<group>__<entry>__<member>`` in a group
entry, see :mod:`monitor.submissions.forms`): the file input carries that name,
``<name>__remove`` the ids ticked for removal and ``<name>__reuse`` the ids of files
already attached elsewhere in the reply. :class:`FileFieldReader` applies a post to every
such field; :func:`section_file_fields` says what to show in each.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import SEEK_END
from tempfile import SpooledTemporaryFile
from typing import Any, BinaryIO, cast

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import Session, col, select

from monitor.accounts.models import User
from monitor.core.audit import record
from monitor.core.i18n import format_size
from monitor.core.storage import CHUNK, Storage, UploadTooLarge
from monitor.core.web import current_language
from monitor.questionnaires.schema import (
    FileItem,
    GroupItem,
    QuestionnaireDef,
    Section,
)
from monitor.questionnaires.visibility import hidden_items, hidden_members
from monitor.submissions.files import (
    FILE_TYPE_OF_MIME,
    MIME_TYPES,
    TYPE_LABELS,
    accept_attribute,
    attachment_ids,
    clean_filename,
    declared_type,
    sniff,
)
from monitor.submissions.forms import member_name
from monitor.submissions.models import Attachment, Reply


class AttachmentError(Exception):
    """An upload refused before anything was stored; ``str()`` is the localised message
    for the respondent, naming the file."""


def file_hint(item: FileItem, max_bytes: int, locale: str) -> str:
    """The hint under a file input: accepted types, number of files, size limit."""
    return ngettext(
        "Accepted types: %(types)s. You can attach %(num)d file of at most %(size)s.",
        "Accepted types: %(types)s. You can attach up to %(num)d files, each at most %(size)s.",
        item.max_files,
        types=", ".join(TYPE_LABELS[k] for k in item.accept),
        size=format_size(max_bytes, locale),
    )


# --- which attachments the answers list -----------------------------------------------


def file_items(definition: QuestionnaireDef) -> list[tuple[FileItem, GroupItem | None]]:
    """Every file item of a questionnaire with the group holding it (None at the top
    level of a section)."""
    out: list[tuple[FileItem, GroupItem | None]] = []
    for item in definition.items():
        if isinstance(item, FileItem):
            out.append((item, None))
        elif isinstance(item, GroupItem):
            out += [(m, item) for m in item.items if isinstance(m, FileItem)]
    return out


def referenced_ids(
    definition: QuestionnaireDef, values: Mapping[str, Any], shown_only: bool = False
) -> set[int]:
    """Ids of the attachments that the reply's answers list (``values`` maps answer key
    to the stored value; a group's value is its list of entries, each mapping member id
    to value). With ``shown_only``, answers to hidden items and hidden group members
    (:mod:`monitor.questionnaires.visibility`) list nothing: what the panel may read."""
    hidden = hidden_items(definition, values) if shown_only else set()
    outer = {k: v for k, v in values.items() if k not in hidden}
    ids: set[int] = set()
    for item, group in file_items(definition):
        if group is None:
            if item.id not in hidden:
                ids.update(attachment_ids(values.get(item.id)))
            continue
        entries = values.get(group.id) if group.id not in hidden else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, Mapping):
                continue
            if shown_only and item.id in hidden_members(group, entry, outer):
                continue
            ids.update(attachment_ids(entry.get(item.id)))
    return ids


def attachments_by_id(session: Session, reply: Reply, ids: Iterable[int]) -> dict[int, Attachment]:
    """The reply's attachments with these ids, keyed by id (one query; ids of other
    replies' attachments are left out)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(Attachment).where(
            Attachment.reply_id == reply.id, col(Attachment.id).in_(sorted(wanted))
        )
    ).all()
    return {a.id: a for a in rows if a.id is not None}


def attachments_of_replies(
    session: Session, reply_ids: Iterable[int | None]
) -> dict[int, Attachment]:
    """Every attachment of these replies, keyed by id (one query), for pages that show
    several replies' file answers."""
    wanted = sorted({r for r in reply_ids if r is not None})
    if not wanted:
        return {}
    rows = session.exec(select(Attachment).where(col(Attachment.reply_id).in_(wanted))).all()
    return {a.id: a for a in rows if a.id is not None}


def visible_attachment(
    session: Session,
    reply: Reply,
    definition: QuestionnaireDef,
    values: Mapping[str, Any],
    attachment_id: int,
    respondent: bool,
) -> Attachment | None:
    """The attachment if it belongs to ``reply`` and an answer of the reply lists it;
    None otherwise. ``values`` are the reply's stored answers. A file removed from every
    answer is no longer served, to anyone: a respondent who removes a wrongly attached
    file has withdrawn it. For others than the ``respondent`` (the panel), a file listed
    only by an answer to a hidden item is not served either: hidden answers are neither
    shown nor exported. The caller checks that the user may see the reply
    (:mod:`monitor.submissions.access`)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.reply_id != reply.id:
        return None
    if attachment_id not in referenced_ids(definition, values, shown_only=not respondent):
        return None
    return attachment


# --- uploading ------------------------------------------------------------------------


def _seekable(stream: BinaryIO, max_bytes: int, name: str) -> BinaryIO:
    """``stream`` itself when it can seek (Werkzeug's uploads can), else a spooled copy
    made chunk by chunk, stopping as soon as it passes ``max_bytes``."""
    try:
        if stream.seekable():
            return stream
    except (AttributeError, OSError):
        pass
    copy = SpooledTemporaryFile(max_size=1024 * 1024)
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            copy.close()
            raise AttachmentError(_too_large(name, max_bytes))
        copy.write(chunk)
    return cast(BinaryIO, copy)


def _too_large(name: str, max_bytes: int) -> str:
    return _(
        "“%(name)s” is larger than %(size)s: attach a smaller file, or split it.",
        name=name,
        size=format_size(max_bytes, current_language()),
    )


def store_attachment(
    session: Session,
    storage: Storage,
    reply: Reply,
    actor: User,
    item: FileItem,
    stream: BinaryIO,
    filename: str,
    max_bytes: int,
) -> Attachment:
    """Check an upload for ``item`` and store it: the blob in ``storage`` (once per
    content), an :class:`Attachment` row in ``session`` (flushed, not committed), and an
    ``attachment.uploaded`` audit event.

    ``stream`` is the uploaded bytes (read from its start), ``filename`` the name the
    browser sent, ``max_bytes`` the size limit of one file in bytes.

    Raises AttachmentError with a localised message, storing nothing, when the name has
    no extension of a type the item accepts, the file is empty or larger than
    ``max_bytes``, or its content is not of the type its extension declares.
    """
    name = clean_filename(filename or "")
    accepted = ", ".join(TYPE_LABELS[k] for k in item.accept)
    declared = declared_type(name)
    if declared is None or declared not in item.accept:
        raise AttachmentError(
            _(
                "“%(name)s” is not a type this question accepts. Attach a file of type %(types)s.",
                name=name or "?",
                types=accepted,
            )
        )
    stream = _seekable(stream, max_bytes, name)
    stream.seek(0, SEEK_END)
    size = stream.tell()
    if size == 0:
        raise AttachmentError(_("“%(name)s” is empty.", name=name))
    if size > max_bytes:
        raise AttachmentError(_too_large(name, max_bytes))
    sniffed = sniff(stream)
    if sniffed != declared:
        if sniffed is None:
            message = _(
                "The content of “%(name)s” is not a %(type)s file. Check that the file is "
                "not damaged, or save it again as %(type)s.",
                name=name,
                type=TYPE_LABELS[declared],
            )
        else:
            message = _(
                "“%(name)s” is named as a %(type)s file but its content is %(actual)s. "
                "Rename it or save it again as %(type)s.",
                name=name,
                type=TYPE_LABELS[declared],
                actual=_("text") if sniffed == "csv" else TYPE_LABELS[sniffed],
            )
        raise AttachmentError(message)
    stream.seek(0)
    try:
        sha256 = storage.put(stream, max_bytes=max_bytes)
    except UploadTooLarge as exc:  # grew since it was measured
        raise AttachmentError(_too_large(name, max_bytes)) from exc
    attachment = Attachment(
        reply_id=reply.id,  # type: ignore[arg-type]
        sha256=sha256,
        size=size,
        content_type=MIME_TYPES[declared],
        filename=name,
        uploaded_by_id=actor.id,
    )
    session.add(attachment)
    record(
        session,
        actor.id,
        "attachment.uploaded",
        attachment,
        reply.evaluation_id,
        reply_id=reply.id,
        item_id=item.id,
        sha256=sha256,
        size=size,
    )
    return attachment


@dataclass
class FilePost:
    """What a form posted for one file field named ``name``: the new ``uploads``
    (``(stream, file name)`` pairs, empty file inputs left out), the attachment ids ticked
    under ``<name>__remove``, and those ticked under ``<name>__reuse`` (files already
    attached elsewhere in the reply)."""

    uploads: list[tuple[BinaryIO, str]] = field(default_factory=list)
    remove: set[int] = field(default_factory=set)
    reuse: list[int] = field(default_factory=list)


def _ints(texts: Iterable[str]) -> list[int]:
    return [int(t) for t in texts if t.isdigit()]


def read_file_post(files: Any, form: Any, name: str) -> FilePost:
    """The :class:`FilePost` of field ``name`` from ``request.files`` and
    ``request.form`` (Werkzeug MultiDicts)."""
    uploads = [
        (cast(BinaryIO, f.stream), f.filename or "") for f in files.getlist(name) if f.filename
    ]
    return FilePost(
        uploads=uploads,
        remove=set(_ints(form.getlist(name + "__remove"))),
        reuse=_ints(form.getlist(name + "__reuse")),
    )


def fits(item: FileItem, attachment: Attachment) -> bool:
    """True if the attachment is of a type ``item`` accepts (for reusing a file attached
    elsewhere in the reply)."""
    return FILE_TYPE_OF_MIME.get(attachment.content_type) in item.accept


def _full(item: FileItem, name: str) -> str:
    return ngettext(
        "“%(name)s” was not attached: this question takes at most %(num)d file. Remove one first.",
        "“%(name)s” was not attached: this question takes at most %(num)d files. Remove one first.",
        item.max_files,
        name=name or "?",
    )


def update_file_answer(
    session: Session,
    storage: Storage,
    reply: Reply,
    actor: User,
    item: FileItem,
    current: Any,
    post: FilePost,
    reusable: Mapping[int, Attachment],
    max_bytes: int,
) -> tuple[list[int] | None, list[str]]:
    """The new answer of a file item after a post, and the problems met.

    ``current`` is the stored answer. Ticked removals are dropped first, then files ticked
    for reuse are added (only those in ``reusable``, attachment id -> attachment: the
    reply's own attachments listed by its answers, and only of a type the item accepts),
    then uploads are stored (:func:`store_attachment`). The item never holds more than
    ``item.max_files``: a file beyond is refused. A refused file stores nothing and gives
    a localised message; the others still go through. Returns ``(ids, or None when none
    is left; messages)``.
    """
    ids = [i for i in attachment_ids(current) if i not in post.remove]
    errors: list[str] = []
    for rid in post.reuse:
        attachment = reusable.get(rid)
        if attachment is None or rid in ids or not fits(item, attachment):
            continue
        if len(ids) >= item.max_files:
            errors.append(_full(item, attachment.filename))
            continue
        ids.append(rid)
    for stream, filename in post.uploads:
        if len(ids) >= item.max_files:
            errors.append(_full(item, clean_filename(filename)))
            continue
        try:
            attachment = store_attachment(
                session, storage, reply, actor, item, stream, filename, max_bytes
            )
        except AttachmentError as exc:
            errors.append(str(exc))
            continue
        ids.append(cast(int, attachment.id))
    return (ids or None), errors


# --- the file fields of a section page ---------------------------------------------------


def file_fields(
    section: Section, stored: Mapping[str, Any], entries: Mapping[str, int] | None = None
) -> dict[str, tuple[FileItem, Any]]:
    """The file fields of a section page: field name -> (item, stored answer). Top-level
    file items are named by their id; a group's file members once per entry shown
    (``entries``: group id -> number of entries, as given to
    :func:`monitor.submissions.forms.build_form_class`; default the stored entries), named
    ``<group>__<entry index>__<member id>``, their stored answer taken from that entry."""
    out: dict[str, tuple[FileItem, Any]] = {}
    for item in section.items:
        if isinstance(item, FileItem):
            out[item.id] = (item, stored.get(item.id))
        elif isinstance(item, GroupItem):
            members = [m for m in item.items if isinstance(m, FileItem)]
            if not members:
                continue
            rows = stored.get(item.id)
            rows = rows if isinstance(rows, list) else []
            count = (entries or {}).get(item.id, len(rows))
            for e in range(count):
                entry = rows[e] if e < len(rows) and isinstance(rows[e], Mapping) else {}
                for m in members:
                    out[member_name(item.id, e, m.id)] = (m, entry.get(m.id))
    return out


def problem_target(name: str) -> tuple[str, str | None]:
    """``(item id, cell)`` of a :class:`monitor.submissions.validation.Problem` about the
    file field ``name``: ``("laws", None)``, or ``("bodies", "0|statute")`` for a group
    member, so that its anchor is the field's input."""
    parts = name.split("__")
    if len(parts) == 3:
        return parts[0], f"{parts[1]}|{parts[2]}"
    return name, None


def first_problems(problems: Mapping[str, list[str]], limit: int = 8) -> dict[str, list[str]]:
    """At most ``limit`` messages of ``problems`` (field name -> messages), in order:
    enough to show why files were refused, small enough to carry in a session cookie."""
    out: dict[str, list[str]] = {}
    left = limit
    for name, messages in problems.items():
        if left <= 0:
            break
        out[name] = list(messages[:left])
        left -= len(out[name])
    return out


class FileFieldReader:
    """Applies a posted section form to its file fields, as
    :func:`monitor.submissions.forms.values_from_form` reads them: called with
    ``(item, field name)``, it stores the accepted uploads, applies removals and reuse
    (:func:`update_file_answer`) and returns the field's new answer. The refusals are
    collected in ``problems`` (field name -> localised messages).

    ``stored`` is the reply's stored answers (answer key -> value); ``files`` and ``form``
    are ``request.files`` and ``request.form``; ``max_bytes`` is the size limit of one
    file. The caller saves the answers and commits.
    """

    def __init__(
        self,
        session: Session,
        storage: Storage,
        reply: Reply,
        actor: User,
        definition: QuestionnaireDef,
        section: Section,
        stored: Mapping[str, Any],
        files: Any,
        form: Any,
        max_bytes: int,
    ) -> None:
        self.session, self.storage, self.reply, self.actor = session, storage, reply, actor
        self.definition, self.stored = definition, stored
        self.files, self.form, self.max_bytes = files, form, max_bytes
        self.current = {name: value for name, (_i, value) in file_fields(section, stored).items()}
        self.problems: dict[str, list[str]] = {}
        self._reusable: dict[int, Attachment] | None = None

    def __call__(self, item: FileItem, name: str) -> list[int] | None:
        if self._reusable is None:  # one query, and only for pages with file fields
            self._reusable = attachments_by_id(
                self.session, self.reply, referenced_ids(self.definition, self.stored)
            )
        value, errors = update_file_answer(
            self.session,
            self.storage,
            self.reply,
            self.actor,
            item,
            self.current.get(name),
            read_file_post(self.files, self.form, name),
            self._reusable,
            self.max_bytes,
        )
        if errors:
            self.problems[name] = errors
        return value


@dataclass(frozen=True)
class FileField:
    """What the section page shows for one file field: its ``attached`` attachments in
    order, the reply's other attachments of an accepted type it may reuse, the ``hint``,
    the input's ``accept`` attribute, and whether it takes ``multiple`` files."""

    attached: list[Attachment]
    reusable: list[Attachment]
    hint: str
    accept: str
    multiple: bool


def blank_file_field(item: FileItem, max_bytes: int, locale: str) -> FileField:
    """The :class:`FileField` of a file item with nothing attached (a questionnaire
    preview, which has no reply)."""
    return FileField(
        attached=[],
        reusable=[],
        hint=file_hint(item, max_bytes, locale),
        accept=accept_attribute(item),
        multiple=item.max_files > 1,
    )


def section_file_fields(
    session: Session,
    reply: Reply,
    definition: QuestionnaireDef,
    section: Section,
    stored: Mapping[str, Any],
    entries: Mapping[str, int] | None,
    max_bytes: int,
    locale: str,
) -> dict[str, FileField]:
    """Field name -> :class:`FileField` for every file field of the section page (see
    :func:`file_fields`; one query for all of them). ``stored`` is the reply's stored
    answers."""
    fields = file_fields(section, stored, entries)
    if not fields:
        return {}
    known = attachments_by_id(session, reply, referenced_ids(definition, stored))
    out: dict[str, FileField] = {}
    for name, (item, value) in fields.items():
        ids = attachment_ids(value)
        out[name] = FileField(
            attached=[known[i] for i in ids if i in known],
            reusable=[known[i] for i in sorted(known) if i not in ids and fits(item, known[i])],
            hint=file_hint(item, max_bytes, locale),
            accept=accept_attribute(item),
            multiple=item.max_files > 1,
        )
    return out
