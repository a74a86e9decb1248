"""Section status for the task list."""

from collections.abc import Iterable
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
    definition: QuestionnaireDef, values: dict[str, Any], carried: Iterable[str] = ()
) -> dict[str, SectionProgress]:
    """Section id -> its progress, from the stored answer values keyed by answer key.
    Hidden items (see :mod:`monitor.questionnaires.visibility`) are not counted.
    ``carried``: the answer keys carried over from an earlier round and not yet confirmed
    (:func:`monitor.submissions.carryover.carried_answers`); they count as not answered
    (issue 4, point 7), and a section holding any is at most in progress."""
    out: dict[str, SectionProgress] = {}
    hidden = hidden_items(definition, values)
    shown = visible_answers(definition, values)
    waiting = {k.split("__", 1)[0] for k in carried}
    for section in definition.sections():
        items = [i for i in answerable(section.items) if i.id not in hidden]
        answered = sum(1 for i in items if i.id not in waiting and not is_blank(shown.get(i.id)))
        to_confirm = any(i.id in waiting for i in items)
        if answered == 0 and not to_confirm:
            status = "not_started"
        elif to_confirm or any(
            lvl == "error" for i in items for _m, _c, lvl in check_item(i, shown.get(i.id), shown)
        ):
            status = "in_progress"
        else:
            status = "completed"
        out[section.id] = SectionProgress(answered, len(items), status)
    return out
