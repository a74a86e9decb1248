"""Section status for the task list."""

from dataclasses import dataclass
from typing import Any

from monitor.questionnaires.schema import QuestionnaireDef
from monitor.questionnaires.visibility import hidden_items
from monitor.submissions.definitions import answerable
from monitor.submissions.validation import check_item, is_blank, visible_answers


@dataclass(frozen=True)
class SectionProgress:
    """``answered`` of ``total`` answerable items; ``status`` is ``not_started`` (nothing
    answered), ``completed`` (every required item answered, no error) or ``in_progress``."""

    answered: int
    total: int
    status: str


def section_progress(
    definition: QuestionnaireDef, values: dict[str, Any]
) -> dict[str, SectionProgress]:
    """Section id -> its progress, from the stored answer values keyed by answer key.
    Hidden items (see :mod:`monitor.questionnaires.visibility`) are not counted."""
    out: dict[str, SectionProgress] = {}
    hidden = hidden_items(definition, values)
    shown = visible_answers(definition, values)
    for section in definition.sections():
        items = [i for i in answerable(section.items) if i.id not in hidden]
        answered = sum(1 for i in items if not is_blank(shown.get(i.id)))
        if answered == 0:
            status = "not_started"
        elif any(
            lvl == "error" for i in items for _m, _c, lvl in check_item(i, shown.get(i.id), shown)
        ):
            status = "in_progress"
        else:
            status = "completed"
        out[section.id] = SectionProgress(answered, len(items), status)
    return out
