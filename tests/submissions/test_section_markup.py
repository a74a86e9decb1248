"""The section page's compiled fields (monitor.submissions.section_markup) must be the
markup of the field_item macro, byte for byte: every section of the project's
questionnaires and a synthetic one, with varied answers, in the three languages."""

import random
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask_babel import get_locale

from monitor.questionnaires.loader import load_dimensions_file, load_questionnaire_file
from monitor.questionnaires.schema import (
    GroupItem,
    ItemBase,
    MoneyItem,
    MultipleChoiceItem,
    NumberItem,
    QuestionnaireDef,
    Section,
    SingleChoiceItem,
    StatisticsTableItem,
    YesNoItem,
)
from monitor.submissions import section_markup
from monitor.submissions.definitions import answerable, table_columns, table_rows
from monitor.submissions.forms import build_form_class, entry_counts, form_data
from monitor.submissions.validation import Note

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["", "Law <b>\"No. 5\"</b> & 'amendments'", "Закон о ёлке", "line 1\nline 2", "n/a"]


def _value(item: ItemBase, rnd: random.Random, na_tables: bool) -> Any:
    """A stored answer to ``item`` (see the Answer docstring), sometimes none."""
    if rnd.random() < 0.2:
        return None
    if isinstance(item, SingleChoiceItem):
        return rnd.choice([o.code for o in item.options] + ["retired_code"])
    if isinstance(item, MultipleChoiceItem):
        return rnd.sample([o.code for o in item.options], k=min(2, len(item.options)))
    if isinstance(item, YesNoItem):
        return rnd.choice(["yes", "no", "partly"])
    if isinstance(item, NumberItem):
        return rnd.choice(["1234.5", "12", {"typed": "1.000,5 <x>"}])
    if isinstance(item, MoneyItem):
        return {"amount": "1500000", "currency": item.currencies[0]}
    if isinstance(item, StatisticsTableItem):
        cells: dict[str, Any] = {}
        for row, _label in table_rows(item):
            for col, _l, _g in table_columns(item):
                cells[f"{row}|{col}"] = rnd.choice(
                    ["12", "1234", {"state": "estimate", "value": "120"}, None]
                    + ([{"state": "not_available", "reason": "not <counted>"}] if na_tables else [])
                )
        cells["explanation"] = rnd.choice([None, "Two registers & one <estimate>"])
        return {k: v for k, v in cells.items() if v is not None}
    if isinstance(item, GroupItem):
        return [
            {m.id: _value(m, rnd, na_tables) for m in answerable(item.items)}
            for _ in range(rnd.randint(0, 2))
        ]
    if item.kind in ("date",):
        return "2023-03-31"
    if item.kind == "year":
        return "2021"
    if item.kind == "file":
        return None
    return rnd.choice(TEXTS)


def _answers(section: Section, seed: int, na_tables: bool) -> dict[str, Any]:
    """Item id -> a stand-in for an Answer row, with author, time and carry-over."""
    rnd = random.Random(seed)
    out: dict[str, Any] = {}
    for item in answerable(section.items):
        value = _value(item, rnd, na_tables)
        if value is None:
            continue
        out[item.id] = SimpleNamespace(
            item_id=item.id,
            reply_id=1,
            value=value,
            updated_at=datetime(2026, 11, rnd.randint(1, 3), 9, rnd.choice([0, 30]), tzinfo=UTC),
            updated_by_id=rnd.choice([1, 2, 3, None]),
            carried_over_from_reply_id=rnd.choice([None, None, 7]),
        )
        if isinstance(item, SingleChoiceItem | MultipleChoiceItem) and any(
            o.specify for o in item.options
        ):
            out[item.id + "__other"] = SimpleNamespace(
                item_id=item.id + "__other", value="Other <text> & more", reply_id=1
            )
    return out


def _questionnaires() -> list[QuestionnaireDef]:
    dimensions = load_dimensions_file(ROOT / "questionnaires" / "dimensions.yaml")
    return [
        load_questionnaire_file(ROOT / "questionnaires" / "greta-round3" / name, None, dimensions)
        for name in ("party.yaml", "ngo.yaml")
    ]


def _synthetic() -> Section:
    """Every kind the compiled path handles, with specify and exclusive options, a
    partly answer, show_if conditions, a table with a warning rule and a total."""
    items: list[dict[str, Any]] = [
        {"id": "t", "kind": "text", "label": "Title", "required": True},
        {"id": "lt", "kind": "long_text", "label": "Describe", "max_chars": 500},
        {
            "id": "sc",
            "kind": "single_choice",
            "label": "Pick",
            "options": [
                {"code": "a", "label": "A"},
                {"code": "other", "label": "Other", "specify": True},
            ],
        },
        {
            "id": "mc",
            "kind": "multiple_choice",
            "label": "Pick many",
            "options": [
                {"code": "x", "label": "X <&>"},
                {"code": "y", "label": "Y"},
                {"code": "none", "label": "None of these", "exclusive": True},
            ],
        },
        {"id": "yn", "kind": "yes_no", "label": "Yes?", "partly": True, "show_if": "t"},
        {"id": "n", "kind": "number", "label": "How many", "unit": "persons"},
        {"id": "d", "kind": "date", "label": "When"},
        {"id": "y", "kind": "year", "label": "Which year"},
        {"id": "i", "kind": "info", "label": "Note", "guidance": "Read **this**."},
        {
            "id": "tab",
            "kind": "statistics_table",
            "label": "Victims",
            "rows": [{"code": "r1", "label": "Stage 1"}, {"code": "r2", "label": "Stage 2"}],
            "column_groups": [
                {"columns": [{"code": "w", "label": "Women"}, {"code": "m", "label": "Men"}]}
            ],
            "rules": [{"rule": "row_not_above", "row": "r2", "other": "r1", "level": "warning"}],
        },
    ]
    q = QuestionnaireDef.model_validate(
        {
            "id": "syn",
            "title": "Synthetic",
            "audience": "party",
            "parts": [
                {"id": "p", "title": "P", "sections": [{"id": "s", "title": "S", "items": items}]}
            ],
        }
    )
    return q.sections()[0]


def _render(
    section: Section,
    answers: dict[str, Any],
    hidden: set[str],
    compiled: bool,
    errors: dict[str, list[Note]] | None = None,
) -> str:
    stored = {k: a.value for k, a in answers.items()}
    entries = entry_counts(section, stored, {})
    data = form_data(section, stored, str(get_locale()), entries)
    return str(
        section_markup.render_fields(
            section,
            data,
            answers,
            {1: "Ani <Contact>", 2: "Aram Contributor"},
            hidden,
            lambda: build_form_class(section, entries)(data=data),
            errors or {},
            {},
            compiled=compiled,
        )
    )


@pytest.fixture
def carried(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers copied from reply 7 await confirmation from round 2."""
    from monitor.submissions import carryover_views

    monkeypatch.setattr(
        carryover_views,
        "carried_round",
        lambda answer: 2 if getattr(answer, "carried_over_from_reply_id", None) else None,
    )


@pytest.mark.parametrize("lang", ["en", "fr", "ru"])
def test_compiled_fields_are_the_macro_output(app: Flask, carried: None, lang: str) -> None:
    sections = [s for q in _questionnaires() for s in q.sections()] + [_synthetic()]
    checked = 0
    for n, section in enumerate(sections):
        for seed in range(3):
            answers = _answers(section, seed * 100 + n, na_tables=seed == 2)
            rnd = random.Random(seed)
            hidden = {i.id for i in section.items if rnd.random() < 0.3}
            with app.test_request_context(f"/?lang={lang}"):
                fast = _render(section, answers, hidden, compiled=True)
                slow = _render(section, answers, hidden, compiled=False)
            assert fast == slow, f"{section.id}, seed {seed}, {lang}"
            checked += 1
    assert checked == 3 * len(sections) >= 3 * 10


def test_compiled_path_used_for_plain_items(app: Flask, carried: None, monkeypatch) -> None:
    """Only the items that cannot be compiled go through the macro on each request."""
    section = _synthetic()
    answers = _answers(section, 1, na_tables=False)
    calls: list[str] = []
    real = section_markup._macro

    def counting() -> Any:
        macro = real()

        def call(item: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(item.id)
            return macro(item, *args, **kwargs)

        return call

    with app.test_request_context("/?lang=fr"):
        _render(section, answers, set(), compiled=True)  # compiles: every item once
        monkeypatch.setattr(section_markup, "_macro", counting)
        html = _render(section, answers, {"yn"}, compiled=True)
    assert calls == []
    assert 'id="q-yn" hidden' in html
    assert "Ani &lt;Contact&gt;" in html or "Aram Contributor" in html or "Carried" in html


def test_table_with_a_figure_not_available_goes_to_the_macro(app: Flask, carried: None) -> None:
    section = _synthetic()
    answers = {
        "tab": SimpleNamespace(
            item_id="tab",
            reply_id=1,
            value={"r1|w": {"state": "not_available", "reason": "no register"}},
            updated_at=datetime(2026, 11, 2, tzinfo=UTC),
            updated_by_id=1,
            carried_over_from_reply_id=None,
        )
    }
    with app.test_request_context("/"):
        fast = _render(section, answers, set(), compiled=True)
        assert fast == _render(section, answers, set(), compiled=False)
    assert "Why is the figure for Stage 1, Women not available?" in fast
    assert "no register" in fast


def test_errors_render_every_item_with_the_macro(app: Flask, carried: None) -> None:
    section = _synthetic()
    answers = _answers(section, 3, na_tables=False)
    errors = {"item-t": [Note("Answer this question", "error")]}
    with app.test_request_context("/"):
        fast = _render(section, answers, set(), compiled=True, errors=errors)
        assert fast == _render(section, answers, set(), compiled=False, errors=errors)
    assert "form-group-error" in fast and "Answer this question" in fast


def test_values_are_escaped(app: Flask, carried: None) -> None:
    section = _synthetic()
    answers = {
        "t": SimpleNamespace(
            item_id="t",
            reply_id=1,
            value='"><script>alert(1)</script>',
            updated_at=None,
            updated_by_id=None,
            carried_over_from_reply_id=None,
        )
    }
    with app.test_request_context("/"):
        html = _render(section, answers, set(), compiled=True)
    assert "<script>" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_one_section_in_three_languages(app: Flask, carried: None) -> None:
    """Compiled markup is kept per language: the same section object shown in English,
    then French, then Russian."""
    section = _questionnaires()[0].sections()[0]
    answers = _answers(section, 5, na_tables=False)
    for lang in ("en", "fr", "ru", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            fast = _render(section, answers, set(), compiled=True)
            assert fast == _render(section, answers, set(), compiled=False), lang
