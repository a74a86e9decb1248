"""Reading a posted section form without building it (forms.values_from_post) gives the
answers the built WTForms form gives (forms.values_from_form), field kind by field kind:
blank, missing, repeated and unknown fields, group counts out of range or not numbers,
removed entries, and no form data at all (issue 4, speed of the save)."""

import random
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from monitor.questionnaires.loader import load_round_file
from monitor.questionnaires.schema import GroupItem, QuestionnaireDef, Section
from monitor.submissions.forms import (
    build_form_class,
    entry_counts,
    values_from_form,
    values_from_post,
)

ROOT = Path(__file__).resolve().parents[2]
ROUND = ROOT / "questionnaires" / "greta-round3" / "round.yaml"

#: What a field may be posted with: blank, spaces, text, numbers in several locales,
#: option codes, not-available marks, estimates, line breaks.
SAMPLES = [
    "",
    "   ",
    "yes",
    "no",
    "partly",
    "o1",
    "1 234,5",
    "1,234.5",
    "1.000",
    "~120",
    "n/a",
    "EUR",
    "2023-03-31",
    "2021",
    "a\r\nb",
    "Текст",
]


def _definitions() -> list[QuestionnaireDef]:
    sys_path_bench = ROOT / "benchmarks"
    import sys

    sys.path.insert(0, str(sys_path_bench))
    try:
        import section_page
    finally:
        sys.path.remove(str(sys_path_bench))
    bench = QuestionnaireDef.model_validate(section_page.questionnaire(items=30, rows=3))
    loaded = load_round_file(ROUND)
    return [
        bench,
        *(loaded.questionnaire_for(a, None) for a in loaded.questionnaires),
    ]


def _sections() -> list[Section]:
    return [s for d in _definitions() for s in d.sections()]


def _post(rng: random.Random, section: Section) -> MultiDict[str, Any]:
    """A random post of the section's form: each field left out, blank, or given one or
    more values; group counts anything from missing to beyond ``max_entries``; and
    fields the form does not have."""
    data: MultiDict[str, Any] = MultiDict()
    counts: dict[str, int] = {}
    for item in section.items:
        if isinstance(item, GroupItem):
            raw = rng.choice(["", "x", "0", "1", "2", "3", str(item.max_entries + 2), None])
            if raw is not None:
                data.add(item.id + "__count", raw)
            counts[item.id] = int(raw) if raw and raw.isdigit() else 0
    form = build_form_class(section, {k: max(v, 1) for k, v in counts.items()})()
    for name in [*form._fields, "unknown", "q0__9__9", "table__99__0"]:
        if name == "csrf_token" or name.endswith("__count"):
            continue
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2])):
            data.add(name, rng.choice(SAMPLES))
    return data


@pytest.mark.parametrize("locale", ["en", "fr", "ru"])
def test_values_from_post_reads_what_the_built_form_reads(app, locale):
    rng = random.Random(f"posted-{locale}")
    sections = _sections()
    assert any(isinstance(i, GroupItem) for s in sections for i in s.items)
    with app.test_request_context(method="POST"):
        for section in sections:
            for _ in range(15):
                post = _post(rng, section)
                counts = entry_counts(section, {}, post)
                remove = None
                groups = [i.id for i in section.items if isinstance(i, GroupItem)]
                if groups and rng.random() < 0.3:
                    remove = (rng.choice(groups), rng.randrange(3))
                form = build_form_class(section, counts)(formdata=post)
                expected = values_from_form(form, section, locale, remove=remove)
                assert values_from_post(post, section, locale, remove=remove) == expected, (
                    section.id,
                    post,
                )


def test_values_from_post_without_form_data_reads_every_answer_blank(app):
    with app.test_request_context(method="POST"):
        for section in _sections():
            form = build_form_class(section, entry_counts(section, {}, {}))(formdata=None)
            expected = values_from_form(form, section, "en")
            assert values_from_post(None, section, "en") == expected
            assert all(v is None for v in expected.values())
