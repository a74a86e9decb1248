"""What changed between two questionnaire definitions (issue 3, point 7 "Versions").

:func:`diff` compares two :class:`QuestionnaireDef` and returns a
:class:`QuestionnaireDiff`; :func:`format_diff` turns it into English lines for YAML
authors (like the loader's problems, not translated). Both are pure: no Flask, no
database, so ``monitor questionnaire diff`` runs without the application and the round
load (:mod:`monitor.rounds.services`) uses the same rules to move draft answers.

Items are matched by their stable ``id`` (answers are stored under it, never under label
text: known failure B08). An old item whose id is gone is matched to the new item that
lists it in ``renamed_from``; a ``renamed_from`` entry naming no item of the old
definition is history from an earlier version and is not a change here. Group members
are items like any other (their ids are unique in the whole questionnaire).

Two definitions are :attr:`~QuestionnaireDiff.identical` exactly when their JSON is equal,
that is when they would be stored under the same content hash; any other difference
shows up in at least one list.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from monitor.questionnaires.schema import (
    GroupItem,
    ItemBase,
    MultipleChoiceItem,
    QuestionnaireDef,
    SingleChoiceItem,
)

__all__ = [
    "FieldsChanged",
    "ItemInfo",
    "ItemPair",
    "QuestionnaireDiff",
    "Reordered",
    "Reworded",
    "TextChange",
    "diff",
    "format_diff",
    "item_ids",
]

#: Item fields compared as wording (:class:`Reworded`) rather than as other changes.
_WORDING = ("label", "guidance")
#: Item fields never compared generically: matched (id), reported on their own (kind,
#: wording, retired, options), or compared as items themselves (a group's members).
_SPECIAL = {"id", "kind", "label", "guidance", "retired", "options", "items", "renamed_from"}


@dataclass(frozen=True)
class ItemInfo:
    """Where an item sits: ``section`` id and, for a group member, the ``group`` id."""

    id: str
    kind: str
    label: str
    section: str
    group: str | None = None
    retired: bool = False


@dataclass(frozen=True)
class ItemPair:
    """The same item in the old and the new definition."""

    old: ItemInfo
    new: ItemInfo


@dataclass(frozen=True)
class TextChange:
    """A changed text: ``field`` is ``label``, ``guidance`` or ``options.<code>.label``;
    ``old``/``new`` are None where the text is absent."""

    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Reworded:
    old: ItemInfo
    new: ItemInfo
    texts: tuple[TextChange, ...]


@dataclass(frozen=True)
class Reordered:
    """Items of a section (or members of a group) that are in both versions but in a
    different order; ids are the new ids."""

    container: str
    old_order: tuple[str, ...]
    new_order: tuple[str, ...]


@dataclass(frozen=True)
class FieldsChanged:
    """Other changes. ``where`` is ``item <id>``, ``section <id>``, ``part <id>`` or
    ``questionnaire``; ``fields`` names what changed (``required``, ``options added: x``,
    ``added``, ``removed``, ...)."""

    where: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class QuestionnaireDiff:
    """The changes from an old to a new definition, each list in the new definition's
    order (removed items in the old one's).

    - ``added``: new items that are neither in the old definition nor renamed from it.
    - ``removed``: old items gone from the new definition and not renamed; answers to them
      would have no item (the round load refuses that: mark them ``retired`` instead).
    - ``retired``: items still defined but newly marked ``retired`` (no longer asked).
    - ``renamed``: old id -> new id, declared by the new item's ``renamed_from``.
    - ``reworded``: label, guidance or option labels changed.
    - ``moved``: the item is in another section (or group).
    - ``kind_changed``: the item's kind changed (stored answers may no longer fit).
    - ``reordered``: same items, other order, per section or group.
    - ``changed``: everything else, per item, section, part or the questionnaire.
    - ``notes``: declarations that look wrong (a ``renamed_from`` that names an item still
      present, or an old id claimed by several new items).
    """

    identical: bool
    added: tuple[ItemInfo, ...] = ()
    removed: tuple[ItemInfo, ...] = ()
    retired: tuple[ItemPair, ...] = ()
    renamed: tuple[ItemPair, ...] = ()
    reworded: tuple[Reworded, ...] = ()
    moved: tuple[ItemPair, ...] = ()
    kind_changed: tuple[ItemPair, ...] = ()
    reordered: tuple[Reordered, ...] = ()
    changed: tuple[FieldsChanged, ...] = ()
    notes: tuple[str, ...] = ()
    #: old ids claimed by several new items' ``renamed_from``: old id -> the new ids
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def renames(self) -> dict[str, str]:
        """Old item id -> new item id, for every declared rename."""
        return {pair.old.id: pair.new.id for pair in self.renamed}

    def count(self) -> int:
        """How many changes are listed (each re-worded text counts; notes do not)."""
        return (
            len(self.added)
            + len(self.removed)
            + len(self.retired)
            + len(self.renamed)
            + sum(len(r.texts) for r in self.reworded)
            + len(self.moved)
            + len(self.kind_changed)
            + len(self.reordered)
            + len(self.changed)
        )


def _walk(definition: QuestionnaireDef) -> Iterator[tuple[ItemBase, ItemInfo]]:
    for section in definition.sections():
        for item in section.items:
            yield item, ItemInfo(item.id, _kind(item), item.label, section.id, None, item.retired)
            if isinstance(item, GroupItem):
                for member in item.items:
                    info = ItemInfo(
                        member.id, member.kind, member.label, section.id, item.id, member.retired
                    )
                    yield member, info


def _kind(item: ItemBase) -> str:
    return str(getattr(item, "kind", ""))


def item_ids(definition: QuestionnaireDef) -> set[str]:
    """Ids of every item of ``definition``, group members and retired items included."""
    return {info.id for _item, info in _walk(definition)}


def _options(item: ItemBase) -> dict[str, dict[str, Any]]:
    if isinstance(item, SingleChoiceItem | MultipleChoiceItem):
        return {o.code: o.model_dump(mode="json") for o in item.options}
    return {}


def _wording(old: ItemBase, new: ItemBase) -> tuple[TextChange, ...]:
    texts = [
        TextChange(name, getattr(old, name), getattr(new, name))
        for name in _WORDING
        if getattr(old, name) != getattr(new, name)
    ]
    old_options, new_options = _options(old), _options(new)
    for code, option in new_options.items():
        before = old_options.get(code)
        if before is not None and before["label"] != option["label"]:
            texts.append(TextChange(f"options.{code}.label", before["label"], option["label"]))
    return tuple(texts)


def _other_fields(old: ItemBase, new: ItemBase, renamed: bool) -> tuple[str, ...]:
    """Changed fields of a matched pair of the same kind other than wording."""
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    fields = [
        name for name in sorted((a.keys() | b.keys()) - _SPECIAL) if a.get(name) != b.get(name)
    ]
    if not renamed and a.get("renamed_from") != b.get("renamed_from"):
        fields.append("renamed_from")
    if old.retired and not new.retired:
        fields.append("retired: asked again")
    old_options, new_options = _options(old), _options(new)
    if old_options or new_options:
        added = [c for c in new_options if c not in old_options]
        removed = [c for c in old_options if c not in new_options]
        if added:
            fields.append("options added: " + ", ".join(added))
        if removed:
            fields.append("options removed: " + ", ".join(removed))
        for code in new_options:
            if code in old_options:
                before = {k: v for k, v in old_options[code].items() if k != "label"}
                after = {k: v for k, v in new_options[code].items() if k != "label"}
                for name in sorted(before.keys() | after.keys()):
                    if before.get(name) != after.get(name):
                        fields.append(f"options.{code}.{name}")
        common_old = [c for c in old_options if c in new_options]
        common_new = [c for c in new_options if c in old_options]
        if common_old != common_new:
            fields.append("options order")
    return tuple(fields)


def _containers(definition: QuestionnaireDef) -> dict[str, list[str]]:
    """Section id or group id -> ids of the items (members) it holds, in order."""
    out: dict[str, list[str]] = {}
    for section in definition.sections():
        out[section.id] = [i.id for i in section.items]
        for item in section.items:
            if isinstance(item, GroupItem):
                out[item.id] = [m.id for m in item.items]
    return out


def _fields(a: dict[str, Any], b: dict[str, Any], skip: set[str]) -> list[str]:
    return [k for k in sorted((a.keys() | b.keys()) - skip) if a.get(k) != b.get(k)]


def _structure(old: QuestionnaireDef, new: QuestionnaireDef) -> list[FieldsChanged]:
    """Changes to the questionnaire's own fields, its parts and its sections."""
    out: list[FieldsChanged] = []
    top = _fields(old.model_dump(mode="json"), new.model_dump(mode="json"), {"parts"})
    old_parts = [p.id for p in old.parts]
    new_parts = [p.id for p in new.parts]
    if [p for p in old_parts if p in new_parts] != [p for p in new_parts if p in old_parts]:
        top.append("order of parts")
    if top:
        out.append(FieldsChanged("questionnaire", tuple(top)))
    before = {p.id: p for p in old.parts}
    after = {p.id: p for p in new.parts}
    for pid in old_parts:
        if pid not in after:
            out.append(FieldsChanged(f"part {pid}", ("removed",)))
    for pid in new_parts:
        if pid not in before:
            out.append(FieldsChanged(f"part {pid}", ("added",)))
            continue
        a, b = before[pid].model_dump(mode="json"), after[pid].model_dump(mode="json")
        changed = _fields(a, b, {"sections"})
        in_old = [s.id for s in before[pid].sections]
        in_new = [s.id for s in after[pid].sections]
        if [s for s in in_old if s in in_new] != [s for s in in_new if s in in_old]:
            changed.append("order of sections")
        if changed:
            out.append(FieldsChanged(f"part {pid}", tuple(changed)))
    old_sections = {s.id: (p.id, s) for p in old.parts for s in p.sections}
    new_sections = {s.id: (p.id, s) for p in new.parts for s in p.sections}
    for sid in old_sections:
        if sid not in new_sections:
            out.append(FieldsChanged(f"section {sid}", ("removed",)))
    for sid, (part, section) in new_sections.items():
        if sid not in old_sections:
            out.append(FieldsChanged(f"section {sid}", ("added",)))
            continue
        old_part, old_section = old_sections[sid]
        changed = _fields(
            old_section.model_dump(mode="json"), section.model_dump(mode="json"), {"items"}
        )
        if old_part != part:
            changed.append(f"part: {old_part} -> {part}")
        if changed:
            out.append(FieldsChanged(f"section {sid}", tuple(changed)))
    return out


def diff(old: QuestionnaireDef, new: QuestionnaireDef) -> QuestionnaireDiff:
    """Compare two definitions of a questionnaire (see :class:`QuestionnaireDiff`).

    ``old`` is typically a stored version replies were given against, ``new`` the file
    being loaded. Raises nothing for valid definitions; ids are assumed unique within each
    definition (the loader guarantees it).
    """
    identical = old.model_dump(mode="json") == new.model_dump(mode="json")
    if identical:
        return QuestionnaireDiff(identical=True)
    old_items = {info.id: (item, info) for item, info in _walk(old)}
    new_items = {info.id: (item, info) for item, info in _walk(new)}

    notes: list[str] = []
    claims: dict[str, list[str]] = {}
    for new_id, (item, _info) in new_items.items():
        for earlier in item.renamed_from:
            if earlier in new_items:
                notes.append(
                    f"item '{new_id}' lists '{earlier}' in renamed_from, but '{earlier}' is "
                    "still an item: its answers stay with it"
                )
            elif earlier in old_items:
                claims.setdefault(earlier, []).append(new_id)
    ambiguous = {k: tuple(v) for k, v in claims.items() if len(v) > 1}
    for earlier, several in ambiguous.items():
        notes.append(
            f"'{earlier}' is listed in renamed_from of several items "
            f"({', '.join(several)}): its answers cannot follow both"
        )
    # new id -> old id for each matched pair, by id first, then by declared rename
    match: dict[str, str] = {i: i for i in new_items if i in old_items}
    renamed_to: dict[str, str] = {}
    for earlier, claimants in claims.items():
        if len(claimants) == 1:
            renamed_to[earlier] = claimants[0]
            if claimants[0] in match:
                notes.append(
                    f"item '{claimants[0]}' takes over the answers of '{earlier}' and keeps "
                    "its own: a reply that answered both cannot follow"
                )
            else:
                match[claimants[0]] = earlier
    matched_old = set(match.values()) | renamed_to.keys()

    added = [info for i, (_item, info) in new_items.items() if i not in match]
    removed = [
        info
        for i, (_item, info) in old_items.items()
        if i not in matched_old and i not in ambiguous
    ]
    # an ambiguous old id has no single successor: it counts as removed for answers
    removed += [old_items[i][1] for i in ambiguous]
    renamed: list[ItemPair] = []
    retired: list[ItemPair] = []
    reworded: list[Reworded] = []
    moved: list[ItemPair] = []
    kind_changed: list[ItemPair] = []
    changed: list[FieldsChanged] = []
    pairs = [(old_id, new_id) for new_id, old_id in match.items()]
    pairs += [(o, n) for o, n in renamed_to.items() if match.get(n) != o]
    order = {i: n for n, i in enumerate(new_items)}
    pairs.sort(key=lambda p: order[p[1]])
    for old_id, new_id in pairs:
        (a, a_info), (b, b_info) = old_items[old_id], new_items[new_id]
        pair = ItemPair(a_info, b_info)
        if old_id != new_id:
            renamed.append(pair)
            if match.get(new_id) != old_id:
                continue  # taken over by an item that was already there: compared as itself
        if b.retired and not a.retired:
            retired.append(pair)
        texts = _wording(a, b)
        if texts:
            reworded.append(Reworded(a_info, b_info, texts))
        group_a = a_info.group and (renamed_to.get(a_info.group) or a_info.group)
        if (a_info.section, group_a) != (b_info.section, b_info.group):
            moved.append(pair)
        if a_info.kind != b_info.kind:
            kind_changed.append(pair)
        else:
            fields = _other_fields(a, b, renamed=old_id != new_id)
            if fields:
                changed.append(FieldsChanged(f"item {new_id}", fields))

    reordered: list[Reordered] = []
    old_containers = _containers(old)
    renamed_back = {n: o for o, n in renamed_to.items()}
    for name, new_order in _containers(new).items():
        old_name = renamed_back.get(name, name)
        if old_name not in old_containers:
            continue
        # old order translated to new ids; only items that stayed in this container
        before = [renamed_to.get(i, i) for i in old_containers[old_name]]
        kept = list(dict.fromkeys(i for i in before if i in new_order))
        now = [i for i in new_order if i in kept]
        if kept != now:
            reordered.append(Reordered(name, tuple(kept), tuple(now)))

    changed = _structure(old, new) + changed
    result = QuestionnaireDiff(
        identical=False,
        added=tuple(added),
        removed=tuple(removed),
        retired=tuple(retired),
        renamed=tuple(renamed),
        reworded=tuple(reworded),
        moved=tuple(moved),
        kind_changed=tuple(kind_changed),
        reordered=tuple(reordered),
        changed=tuple(changed),
        notes=tuple(notes),
        ambiguous=ambiguous,
    )
    if not result.count():
        # Not expected, but the result must never claim "no differences" for definitions
        # that would be stored as different versions.
        result = QuestionnaireDiff(
            identical=False, changed=(FieldsChanged("questionnaire", ("other content",)),)
        )
    return result


def _quote(text: str | None, limit: int = 70) -> str:
    if text is None:
        return "(none)"
    text = " ".join(text.split())
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'


def _where(info: ItemInfo) -> str:
    return f"section {info.section}" + (f", group {info.group}" if info.group else "")


def format_diff(d: QuestionnaireDiff) -> list[str]:
    """``d`` as English lines for YAML authors: one heading per non-empty list, then an
    indented line per change; ``["No differences."]`` when identical."""
    if d.identical:
        return ["No differences."]
    lines: list[str] = []

    def block(title: str, entries: list[str]) -> None:
        if entries:
            lines.append(f"{title} ({len(entries)}):")
            lines.extend("  " + e for e in entries)

    block(
        "Added",
        [f"+ {i.id} [{i.kind}] in {_where(i)}: {_quote(i.label)}" for i in d.added],
    )
    block(
        "Removed",
        [f"- {i.id} [{i.kind}] from {_where(i)}: {_quote(i.label)}" for i in d.removed],
    )
    block("Retired (kept for its answers, no longer asked)", [p.new.id for p in d.retired])
    block("Renamed", [f"{p.old.id} -> {p.new.id}" for p in d.renamed])
    reworded = []
    for r in d.reworded:
        for t in r.texts:
            reworded.append(f"{r.new.id} {t.field}: {_quote(t.old)} -> {_quote(t.new)}")
    block("Re-worded", reworded)
    block(
        "Moved",
        [f"{p.new.id}: {_where(p.old)} -> {_where(p.new)}" for p in d.moved],
    )
    block("Kind changed", [f"{p.new.id}: {p.old.kind} -> {p.new.kind}" for p in d.kind_changed])
    block(
        "Reordered",
        [
            f"{r.container}: {', '.join(r.new_order)} (was {', '.join(r.old_order)})"
            for r in d.reordered
        ],
    )
    block("Other changes", [f"{c.where}: {'; '.join(c.fields)}" for c in d.changed])
    block("Check", list(d.notes))
    return lines
