"""NGO parallel input answers all or some questions (``shared/domain.md``: civil society
"submit parallel input on all or some questions"; issue 4, point 8).

Rule chosen: an NGO submission need not answer every section. A section it leaves
wholly blank is skipped, so its required items do not block submission; in a section it
has started, the questionnaire's required items must be answered (they are what makes
the section's input usable to the panel), and every answer given is checked as for any
reply. A submission with no answer at all is refused.
"""

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from monitor.questionnaires.schema import QuestionnaireDef
from monitor.submissions.definitions import answerable
from monitor.submissions.validation import Problem, is_blank, visible_answers


def started_sections(definition: QuestionnaireDef, values: Mapping[str, Any]) -> set[str]:
    """Ids of the sections with at least one non-blank answer to a shown item (answer
    keys include ``<item>__other`` texts)."""
    shown = visible_answers(definition, values)
    started: set[str] = set()
    for section in definition.sections():
        ids = {i.id for i in answerable(section.items)}
        if any(k.split("__", 1)[0] in ids and not is_blank(v) for k, v in shown.items()):
            started.add(section.id)
    return started


def partial_input_problems(
    definition: QuestionnaireDef, values: Mapping[str, Any], problems: list[Problem]
) -> list[Problem]:
    """``problems`` of an NGO submission (from :func:`validate_reply` on ``values``,
    answer key -> value) without those of sections left wholly blank; one error when no
    section has any answer."""
    started = started_sections(definition, values)
    if not started:
        first = next(
            ((s.id, i.id) for s in definition.sections() for i in answerable(s.items)), None
        )
        if first is None:
            return []
        return [Problem(first[0], first[1], _("Answer at least one question before you submit."))]
    return [p for p in problems if p.section_id in started]
