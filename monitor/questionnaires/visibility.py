"""Which items a respondent is asked, given the answers so far.

An item is shown unless it is ``retired`` or its ``show_if`` condition is false (see
:mod:`monitor.questionnaires.conditions`). A condition that names a hidden item sees no
answer there, so hiding cascades (``a`` hides ``b``, and ``c`` that depends on ``b`` is
hidden too). Hidden items are neither validated nor exported nor printed; their answers
are kept (issue 3: "answers to items hidden later are kept but marked inactive").

Members of a repeatable group are decided per entry: a member's condition reads its
siblings in the same entry first, then items outside the group.
"""

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from monitor.questionnaires import conditions
from monitor.questionnaires.schema import GroupItem, ItemBase, QuestionnaireDef

__all__ = ["hidden_items", "hidden_members", "parsed"]


@lru_cache(maxsize=4096)
def parsed(expression: str) -> conditions.Condition | None:
    """The parsed condition, or None when it does not parse (the loader refuses such
    files, so this only guards definitions stored by older code)."""
    try:
        return conditions.parse(expression)
    except conditions.ConditionSyntaxError:
        return None


def _decide(items: Mapping[str, ItemBase], lookup: Callable[[str], Any]) -> Callable[[str], bool]:
    """A memoised ``shown(item_id)`` over ``items``; unknown ids count as shown."""
    memo: dict[str, bool] = {}
    busy: set[str] = set()

    def shown(item_id: str) -> bool:
        if item_id in memo:
            return memo[item_id]
        item = items.get(item_id)
        if item is None:
            return True
        if item.retired:
            memo[item_id] = False
            return False
        if item.show_if is None:
            memo[item_id] = True
            return True
        if item_id in busy:  # a cycle (refused by the loader): hide rather than loop
            return False
        busy.add(item_id)
        tree = parsed(item.show_if)
        result = tree is not None and conditions.evaluate(
            tree, lambda name: lookup(name) if shown(name) else None
        )
        busy.discard(item_id)
        memo[item_id] = result
        return result

    return shown


def hidden_items(definition: QuestionnaireDef, answers: Mapping[str, Any]) -> set[str]:
    """Ids of the section-level items not shown for ``answers`` (item id -> stored value;
    see :class:`monitor.submissions.models.Answer`): retired items, and items whose
    condition is false. Group members are decided per entry by :func:`hidden_members`."""
    items = {i.id: i for i in definition.items()}
    shown = _decide(items, answers.get)
    return {item_id for item_id in items if not shown(item_id)}


def hidden_members(
    group: GroupItem, entry: Mapping[str, Any], outer: Mapping[str, Any]
) -> set[str]:
    """Ids of the members of ``group`` not shown in one ``entry`` (member id -> value);
    names a member's condition cannot find in the entry are looked up in ``outer``
    (item id -> value, already restricted to shown items by the caller)."""
    members = {m.id: m for m in group.items}

    def lookup(name: str) -> Any:
        return entry.get(name) if name in members else outer.get(name)

    shown = _decide(members, lookup)
    return {member_id for member_id in members if not shown(member_id)}
