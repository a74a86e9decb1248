"""Access to stored questionnaire versions as pydantic definitions."""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from monitor.core.i18n import N_
from monitor.questionnaires.schema import ItemBase, QuestionnaireDef, Section, StatisticsTableItem
from monitor.rounds.models import QuestionnaireVersion


@lru_cache(maxsize=64)
def _parse(content_hash: str, version_id: int, raw: str) -> QuestionnaireDef:
    return QuestionnaireDef.model_validate_json(raw)


def definition_of(session: Session, version_id: int) -> QuestionnaireDef:
    """The :class:`QuestionnaireDef` of a stored version (parsed once per process: versions
    are immutable, keyed by content hash). Raises LookupError for an unknown id."""
    import json

    version = session.get(QuestionnaireVersion, version_id)
    if version is None:
        raise LookupError(f"questionnaire version {version_id} does not exist")
    return _parse(version.content_hash, version_id, json.dumps(version.definition))


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
