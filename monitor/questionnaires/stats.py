"""How big a questionnaire is: the counts that ``monitor questionnaire validate --stats``
prints, and the budgets above which it warns (issue 3: "a complexity report (--stats:
items, tables, cells, conditions) warns above a budget").

Counts are taken on the questionnaire as respondents get it: for a round, the
self-contained definition of each Party (with that Party's Part II, named periods and
dimension categories filled in) and of the NGO audience. Retired items are not counted:
they are no longer asked. Like the loader, this module imports no Flask and its text is
for the authors of the YAML files (not translated).
"""

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from monitor.questionnaires.loader import (
    DefinitionError,
    LoadedRound,
    _expand,
    _Loader,
    _rounds_near,
    detect_kind,
    load_questionnaire_file,
    load_round_file,
)
from monitor.questionnaires.schema import (
    ITEM_KINDS,
    GroupItem,
    ItemBase,
    QuestionnaireDef,
    StatisticsTableItem,
)

__all__ = [
    "Budget",
    "QuestionnaireStats",
    "Report",
    "over_budget",
    "questionnaire_stats",
    "reports_for_paths",
    "round_reports",
    "table_cells",
]


@dataclass(frozen=True)
class Budget:
    """Limits above which a questionnaire is reported as too complex for respondents
    (defaults: a GRETA questionnaire has about 100 items, 5 tables and few conditions)."""

    items: int = 400
    table_cells: int = 5000
    conditions: int = 200


@dataclass(frozen=True)
class QuestionnaireStats:
    """Counts for one questionnaire. ``items`` counts every item asked, members of
    repeatable groups included (a group counts once, whatever its entries);
    ``by_kind`` maps item kind to count in :data:`ITEM_KINDS` order; ``conditions`` is the
    number of items with a ``show_if``; ``table_cells`` is rows x columns summed over the
    statistics tables (a total column included)."""

    sections: int
    items: int
    by_kind: dict[str, int] = field(default_factory=dict)
    required: int = 0
    tables: int = 0
    table_cells: int = 0
    conditions: int = 0
    groups: int = 0


@dataclass(frozen=True)
class Report:
    """The stats of one questionnaire read from ``path``: a round file (``party`` is the
    ISO code of the Party whose Part II is included, None for the NGO questionnaire or a
    round without Parties) or a questionnaire file checked alone."""

    path: str
    questionnaire_id: str
    audience: str
    party: str | None
    stats: QuestionnaireStats

    @property
    def label(self) -> str:
        """``path: <questionnaire id>`` and, for a Party, ``for <code>``."""
        who = f" for {self.party}" if self.party else ""
        return f"{self.path}: {self.questionnaire_id}{who}"


def table_cells(table: StatisticsTableItem) -> int:
    """Rows x columns of a statistics table: rows are the period's years or the explicit
    rows; columns are the total column (when ``total``) and every column group's columns.
    Columns of a dimension count only once filled in (see
    :func:`monitor.questionnaires.loader.assemble`); a named period only once its years
    are."""
    if table.period is not None and table.period.years is not None:
        rows = len(table.period.years)
    else:
        rows = len(table.rows or [])
    columns = int(table.total) + sum(len(g.columns or []) for g in table.column_groups)
    return rows * columns


def _asked(items: Iterable[ItemBase]) -> Iterator[ItemBase]:
    """Every item that is not retired, and the members of repeatable groups after it."""
    for item in items:
        if item.retired:
            continue
        yield item
        if isinstance(item, GroupItem):
            yield from (m for m in item.items if not m.retired)


def questionnaire_stats(q: QuestionnaireDef) -> QuestionnaireStats:
    """Counts of ``q`` as given (assemble it first to count Part II and dimensions)."""
    asked = list(_asked(q.items()))
    kinds = Counter(getattr(item, "kind", "") for item in asked)
    tables = [i for i in asked if isinstance(i, StatisticsTableItem)]
    return QuestionnaireStats(
        sections=len(q.sections()),
        items=len(asked),
        by_kind={kind: kinds[kind] for kind in ITEM_KINDS if kinds[kind]},
        required=sum(1 for i in asked if i.required),
        tables=len(tables),
        table_cells=sum(table_cells(t) for t in tables),
        conditions=sum(1 for i in asked if i.show_if is not None),
        groups=sum(1 for i in asked if isinstance(i, GroupItem)),
    )


def over_budget(stats: QuestionnaireStats, budget: Budget) -> list[tuple[str, int, int]]:
    """The measures above ``budget``: ``(measure, value, limit)`` with measure one of
    ``items``, ``table cells``, ``conditions``; empty when within budget."""
    measures = [
        ("items", stats.items, budget.items),
        ("table cells", stats.table_cells, budget.table_cells),
        ("conditions", stats.conditions, budget.conditions),
    ]
    return [(name, value, limit) for name, value, limit in measures if value > limit]


def round_reports(path: str, loaded: LoadedRound) -> list[Report]:
    """One report per Party of the round (its Party questionnaire with its Part II) and
    one for the NGO questionnaire, each assembled as the round load stores it."""
    reports: list[Report] = []
    for audience in ("party", "ngo"):
        if audience not in loaded.questionnaires:
            continue
        codes: list[str | None] = [None]
        if audience == "party" and loaded.round.parties:
            codes = [p.code for p in loaded.round.parties]
        for code in codes:
            q = loaded.questionnaire_for(audience, code)
            reports.append(Report(path, q.id, audience, code, questionnaire_stats(q)))
    return reports


def reports_for_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Report], list[str]]:
    """Reports for the definitions in ``paths`` (directories are searched for ``*.yaml``
    and ``*.yml``, as :func:`monitor.questionnaires.loader.validate_paths` does).

    A round gives :func:`round_reports`. A questionnaire or Part II file is counted
    through the rounds in its folder or the parent folder that name it (as the validator
    checks it); a questionnaire without such a round is counted alone (dimension columns
    then count as none). Files of other kinds give nothing. Returns the reports and the
    paths that could not be counted because they have problems.
    """
    finder = _Loader()
    rounds: list[str] = []
    alone: list[str] = []
    for path in dict.fromkeys(_expand(paths)):
        kind = detect_kind(finder.doc(path).data)
        if kind == "round":
            rounds.append(path)
        elif kind in ("questionnaire", "sections"):
            near = _rounds_near(finder, path)
            rounds.extend(near)
            if not near and kind == "questionnaire":
                alone.append(path)
    reports: list[Report] = []
    failed: list[str] = []
    for path in dict.fromkeys(rounds):
        try:
            reports.extend(round_reports(path, load_round_file(path)))
        except DefinitionError:
            failed.append(path)
    for path in alone:
        try:
            q = load_questionnaire_file(path)
        except DefinitionError:
            failed.append(path)
            continue
        reports.append(Report(path, q.id, q.audience, None, questionnaire_stats(q)))
    return reports, failed
