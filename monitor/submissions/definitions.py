"""Access to stored questionnaire versions as pydantic definitions."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from monitor.core.i18n import N_
from monitor.core.memo import IdentityCache
from monitor.questionnaires.conditions import references
from monitor.questionnaires.schema import (
    FileItem,
    GroupItem,
    ItemBase,
    QuestionnaireDef,
    Section,
    StatisticsTableItem,
)
from monitor.questionnaires.visibility import parsed
from monitor.rounds.models import QuestionnaireVersion

#: Parsed definitions, per engine, version id and content hash (at most 64). The engine
#: is part of the key: another database (a test's) may hold another version under the
#: same id and hash.
_DEFINITIONS_MAX = 64
_DEFINITIONS: IdentityCache[QuestionnaireDef] = IdentityCache(_DEFINITIONS_MAX)


#: Key of ``Session.info`` holding the content hashes of the versions the session has
#: read (version id -> hash; see :func:`remember_content_hash`).
_HASHES = "monitor.questionnaire_version_hashes"


def remember_content_hash(session: Session, version_id: int, content_hash: str) -> None:
    """Note a version's content hash read by another query of ``session`` (such as the
    reply loaded with it, :func:`monitor.submissions.access.reply_or_404`), so that
    :func:`definition_of` in the same session needs no query of its own. A version never
    changes once stored, so the note cannot go stale; it lives as long as the session
    (one request)."""
    session.info.setdefault(_HASHES, {})[version_id] = content_hash


def definition_of(session: Session, version_id: int) -> QuestionnaireDef:
    """The :class:`QuestionnaireDef` of a stored version (parsed once per process: versions
    are immutable, keyed by id and content hash). Only the hash is read on each call (and
    not even that when the session has read it already, :func:`remember_content_hash`):
    the definition's JSON (a few hundred kilobytes for a large questionnaire) is loaded
    and validated on the first call only. Raises LookupError for an unknown id."""
    content_hash = session.info.get(_HASHES, {}).get(version_id)
    if content_hash is None:
        content_hash = session.exec(
            select(QuestionnaireVersion.content_hash).where(QuestionnaireVersion.id == version_id)
        ).first()
    if content_hash is None:
        raise LookupError(f"questionnaire version {version_id} does not exist")
    remember_content_hash(session, version_id, content_hash)
    engine = session.get_bind()
    return _DEFINITIONS.get(
        (engine,), (version_id, content_hash), lambda: _load_definition(session, version_id)
    )


def _load_definition(session: Session, version_id: int) -> QuestionnaireDef:
    version = session.get(QuestionnaireVersion, version_id)
    if version is None:  # deleted meanwhile
        raise LookupError(f"questionnaire version {version_id} does not exist")
    # through JSON, as stored: strict validation reads dates and enums from JSON strings
    return QuestionnaireDef.model_validate_json(json.dumps(version.definition))


#: Key of a statistics table's answer that holds the respondent's explanation of the
#: figures a warning flags (cell keys always contain ``|``, so it cannot collide).
EXPLANATION = "explanation"


def answerable(items: Sequence[ItemBase]) -> list[Any]:
    """Items that take an answer (information texts do not)."""
    return [i for i in items if getattr(i, "kind", None) != "info"]


def other_key(key: str) -> str:
    """The answer key of the "please specify" text of the choice item answered under
    ``key`` (item ids never contain ``__``)."""
    return key + "__other"


def answer_keys(definition: QuestionnaireDef) -> set[str]:
    """Every key an answer of this questionnaire may be stored under: the answerable
    section-level items' ids, and ``<id>__other`` for choice items with a ``specify``
    option (group members live inside their group's value)."""
    keys: set[str] = set()
    for item in answerable(definition.items()):
        keys.add(item.id)
        if any(getattr(o, "specify", False) for o in getattr(item, "options", None) or []):
            keys.add(other_key(item.id))
    return keys


@dataclass(frozen=True)
class DefinitionFacts:
    """What saving answers derives from a questionnaire definition, worked out once per
    definition (:func:`facts_of`) rather than on every save.

    ``answer_keys``: as :func:`answer_keys`. ``condition_keys``: every name a ``show_if``
    condition of a section-level item reads (what :func:`monitor.questionnaires.
    visibility.hidden_items` looks up; the visibility of every item follows from the
    answers under these keys alone). ``conditional_items``: ids of the section-level
    items that can be hidden (retired, or with a condition; the others are always shown).
    ``file_items``: ids of the section-level items that are file items or groups with a
    file member (their answers list attachments)."""

    answer_keys: frozenset[str]
    condition_keys: frozenset[str]
    conditional_items: frozenset[str]
    file_items: frozenset[str]


_FACTS: IdentityCache[DefinitionFacts] = IdentityCache(_DEFINITIONS_MAX)


def facts_of(definition: QuestionnaireDef) -> DefinitionFacts:
    """The :class:`DefinitionFacts` of ``definition`` (kept for as many definitions as
    :func:`definition_of` keeps, least recently used dropped)."""
    return _FACTS.get((definition,), (), lambda: _facts(definition))


def _facts(definition: QuestionnaireDef) -> DefinitionFacts:
    condition_keys: set[str] = set()
    conditional: set[str] = set()
    file_item_ids: set[str] = set()
    for item in definition.items():
        if item.retired or item.show_if is not None:
            conditional.add(item.id)
        tree = parsed(item.show_if) if item.show_if else None
        if tree is not None:
            condition_keys.update(ref.name for ref in references(tree))
        if isinstance(item, FileItem) or (
            isinstance(item, GroupItem) and any(isinstance(m, FileItem) for m in item.items)
        ):
            file_item_ids.add(item.id)
    return DefinitionFacts(
        frozenset(answer_keys(definition)),
        frozenset(condition_keys),
        frozenset(conditional),
        frozenset(file_item_ids),
    )


def find_section(definition: QuestionnaireDef, section_id: str) -> Section | None:
    for section in definition.sections():
        if section.id == section_id:
            return section
    return None


def table_rows(item: StatisticsTableItem) -> list[tuple[str, str]]:
    """Rows of a statistics table as ``(row key, English label)``: the period's years,
    or the explicit rows."""
    if item.rows:
        return [(r.code, r.label) for r in item.rows]
    years = (item.period.years or []) if item.period else []
    return [(str(y), str(y)) for y in years]


def table_columns(item: StatisticsTableItem) -> list[tuple[str, str, str | None]]:
    """Columns of a statistics table as ``(column key, English label, group id)``.

    The key is ``total``, ``<dimension>:<category>`` for a dimension's categories, or the
    explicit column code. ``group id`` is the dimension id (None for total and explicit
    columns).
    """
    cols: list[tuple[str, str, str | None]] = []
    if item.total:
        cols.append(("total", N_("Total"), None))
    for group in item.column_groups:
        for c in group.columns or []:
            if group.dimension:
                cols.append((f"{group.dimension}:{c.code}", c.label, group.dimension))
            else:
                cols.append((c.code, c.label, None))
    return cols


def column_groups(item: StatisticsTableItem) -> list[tuple[str, str, int]]:
    """Header groups as ``(English label, group id or "", number of columns)``."""
    out: list[tuple[str, str, int]] = []
    if item.total:
        out.append(("", "", 1))
    for group in item.column_groups:
        out.append((group.label or "", group.dimension or "", len(group.columns or [])))
    return out
