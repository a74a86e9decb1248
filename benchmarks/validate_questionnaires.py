#!/usr/bin/env python3
"""How long validating a questionnaire takes, against ruamel.yaml parsing the same files.

    python benchmarks/validate_questionnaires.py                 # 100, 1000, 5000 items
    python benchmarks/validate_questionnaires.py --items 1000 --repeat 7 --parties 46
    python benchmarks/validate_questionnaires.py --profile 1000  # cProfile of one run

For each size the script writes a round into a temporary folder: the project's CETS 197
instrument and shared dimensions, a round file with ``--parties`` Parties (10 by default;
each has a Part II of five items, in a file or, for the last, inline) and a generated
Party questionnaire of that many items (every item with an id counts, group members
included). The questionnaire mixes every item kind: long and short text, choices with
"other, please specify" and exclusive options, yes / no, numbers, money, dates, years,
files, repeatable groups and statistics tables over the shared dimensions with rules and
named periods; one item in five has a ``show_if`` condition. Label lengths and the mix
follow the GRETA third-round questionnaire in ``questionnaires/`` (about 420 bytes of YAML
per item, against 435 there).

Two timings are taken, alternately, ``--repeat`` times each, and the medians kept:

- *parse*: ``ruamel.yaml.YAML(typ="rt").load`` of every YAML file of the round (the
  baseline: ruamel.yaml's round-trip loader, the one the validator builds on, since it
  keeps the line and column of every node);
- *validate*: :func:`monitor.questionnaires.loader.validate_paths` on the round's folder,
  as ``monitor questionnaire validate`` does (YAML with positions, pydantic schema,
  semantic checks, each Party's Part II, conditions).

Times are CPU seconds of this process (``time.process_time``), so that other processes
on the machine weigh less. One row per size: items, questionnaire size in KiB, both medians
in milliseconds, their ratio, and validation time per item in microseconds. The ratio is
the figure to compare across machines; the seconds are for this machine only. Targets
(issue 3): 1,000 items validated in under 1 s, ratio under 5, growth close to linear.
"""

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # import this checkout's monitor, not an installed one

from ruamel.yaml import YAML  # noqa: E402

from monitor.questionnaires.loader import validate_paths  # noqa: E402

INSTRUMENT = ROOT / "questionnaires" / "instruments" / "cets197.yaml"
DIMENSIONS = ROOT / "questionnaires" / "dimensions.yaml"
#: Dimension ids and category codes of questionnaires/dimensions.yaml.
DIMENSION_IDS = ["sex", "age_group", "exploitation", "nationality", "movement"]
#: ISO codes of the 46 member States of the Council of Europe: a round's Parties are the
#: first ``--parties`` of them (a GRETA round evaluates Parties in groups of about ten).
COUNCIL_OF_EUROPE = (
    "AL AD AM AT AZ BE BA BG HR CY CZ DK EE FI FR GE DE GR HU IS IE IT LV LI LT LU MT MD MC "
    "ME NL MK NO PL PT RO SM RS SK SI ES SE CH TR UA GB"
).split()
YEARS = [2019, 2020, 2021, 2022, 2023]

#: Relative frequency of each section-level item kind, close to the GRETA questionnaire.
KIND_WEIGHTS = {
    "long_text": 30,
    "single_choice": 10,
    "multiple_choice": 9,
    "yes_no": 12,
    "number": 7,
    "text": 6,
    "money": 3,
    "date": 2,
    "year": 2,
    "file": 3,
    "info": 3,
    "group": 4,
    "statistics_table": 5,
}
MEMBER_KINDS = ["text", "long_text", "single_choice", "yes_no", "number", "date", "file"]

WORDS = (
    "victims trafficking authorities legal aid compensation proceedings information rights "
    "identification assistance shelter residence permit labour inspection prosecution court "
    "investigation children guardians interpretation referral mechanism co-ordination NGOs "
    "training budget practice measures provisions procedure data recovery reflection period "
    "exploitation forced labour sexual begging criminality State fund perpetrators assets"
).split()


def _words(rng: random.Random, low: int, high: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))
    return text[0].upper() + text[1:]


def _q(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML for this text)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _articles(rng: random.Random, articles: list[int]) -> str:
    return "[" + ", ".join(str(a) for a in sorted(rng.sample(articles, rng.randint(1, 3)))) + "]"


class _Generator:
    """Writes the YAML of one questionnaire item by item, keeping what conditions need."""

    def __init__(self, n_items: int, seed: int, articles: list[int]) -> None:
        self.n_items = n_items
        self.rng = random.Random(seed)
        self.articles = articles
        self.count = 0
        #: answerable section-level items a later show_if may name: (id, kind, codes)
        self.targets: list[tuple[str, str, list[str]]] = []
        self.lines: list[str] = []

    def emit(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + text)

    def condition(self) -> str | None:
        if len(self.targets) < 3 or self.rng.random() > 0.2:
            return None
        parts = []
        for _ in range(1 if self.rng.random() < 0.75 else 2):
            ident, kind, codes = self.rng.choice(self.targets[-40:])
            if kind == "yes_no":
                parts.append(
                    f"{ident} = 'yes'"
                    if self.rng.random() < 0.6
                    else f"{ident} in ['yes', 'partly']"
                )
            elif kind == "single_choice":
                parts.append(f"{ident} = '{self.rng.choice(codes)}'")
            elif kind == "multiple_choice":
                parts.append(f"'{self.rng.choice(codes)}' in {ident}")
            else:
                parts.append(f"{ident} > 0")
        joined = " and ".join(parts) if self.rng.random() < 0.7 else " or ".join(parts)
        return joined if self.rng.random() < 0.85 else f"not ({joined})"

    def options(self, indent: int, prefix: str, multiple: bool) -> list[str]:
        n = self.rng.randint(3, 8)
        codes = [f"{prefix}_{k}" for k in range(n - 1)] + ["other"]
        self.emit(indent, "options:")
        for code in codes[:-1]:
            self.emit(indent + 2, f"- {{code: {code}, label: {_q(_words(self.rng, 2, 7))}}}")
        self.emit(indent + 2, "- {code: other, label: Other, specify: true}")
        if multiple:
            codes.append("none")
            self.emit(indent + 2, "- {code: none, label: None of the above, exclusive: true}")
        return codes

    def common(self, indent: int, ident: str, kind: str, member: bool = False) -> None:
        rng = self.rng
        self.emit(indent, f"- id: {ident}")
        indent += 2
        self.emit(indent, f"kind: {kind}")
        # label and guidance lengths as in questionnaires/greta-round3/party.yaml: labels
        # of about 100 characters, guidance (Markdown) on one item in ten
        if rng.random() < 0.65:
            self.emit(indent, f"label: {_q(_words(rng, 5, 12))}")
        else:
            self.emit(indent, "label: >-")
            for _ in range(2):
                self.emit(indent + 2, _words(rng, 8, 11))
        if rng.random() < 0.1:
            self.emit(indent, f"guidance: {_q(_words(rng, 8, 20) + ', in **bold**.')}")
        if not member:
            self.emit(indent, f"articles: {_articles(rng, self.articles)}")
            if rng.random() < 0.2:
                self.emit(
                    indent,
                    "themes: [" + ", ".join(rng.sample(["gender", "children", "labour"], 2)) + "]",
                )
        if kind != "info" and rng.random() < 0.35:
            self.emit(indent, "required: true")

    def item(self, indent: int, ident: str, kind: str) -> None:
        rng = self.rng
        self.count += 1
        self.common(indent, ident, kind)
        indent += 2
        show_if = self.condition()
        if show_if is not None:
            self.emit(indent, f"show_if: {_q(show_if)}")
        codes: list[str] = []
        if kind in ("single_choice", "multiple_choice"):
            codes = self.options(indent, ident[-6:].strip("_") or "o", kind == "multiple_choice")
        elif kind == "text":
            self.emit(indent, "max_length: 300")
        elif kind == "long_text" and rng.random() < 0.3:
            self.emit(indent, "max_chars: 4000")
        elif kind == "number":
            self.emit(indent, f"unit: {rng.choice(['victims', 'persons', 'cases', 'days'])}")
            if rng.random() < 0.3:
                self.emit(indent, "integer: false")
                self.emit(indent, "decimals: 2")
        elif kind == "money":
            self.emit(indent, "currencies: [AMD, MDL, UAH, EUR, USD]")
        elif kind == "year":
            self.emit(indent, "min: 2000")
        elif kind == "file":
            self.emit(indent, "accept: [pdf, docx, odt]")
            self.emit(indent, "max_files: 3")
        elif kind == "group":
            self.group(indent, ident)
        elif kind == "statistics_table":
            self.table(indent)
        if kind in ("yes_no", "single_choice", "multiple_choice", "number"):
            self.targets.append((ident, kind, codes))

    def group(self, indent: int, ident: str) -> None:
        self.emit(indent, f"entry_label: {_q(_words(self.rng, 1, 3))}")
        self.emit(indent, "min_entries: 1")
        self.emit(indent, "max_entries: 30")
        self.emit(indent, "items:")
        members = min(self.rng.randint(3, 5), max(1, self.n_items - self.count))
        first_yes_no = None
        for m in range(members):
            kind = "yes_no" if m == 1 else self.rng.choice(MEMBER_KINDS)
            mid = f"{ident}_m{m}"
            self.count += 1
            self.common(indent + 2, mid, kind, member=True)
            if kind == "single_choice":
                self.options(indent + 4, f"m{m}", False)
            if kind == "yes_no" and first_yes_no is None:
                first_yes_no = mid
            elif first_yes_no is not None and m == members - 1:
                self.emit(indent + 4, f"show_if: \"{first_yes_no} = 'yes'\"")

    def table(self, indent: int) -> None:
        rng = self.rng
        self.emit(indent, f"unit: {rng.choice(['victims', 'persons', 'cases'])}")
        explicit_rows = rng.random() < 0.2
        if explicit_rows:
            self.emit(indent, "rows:")
            for code in ("investigations", "prosecutions", "convictions"):
                self.emit(indent + 2, f"- {{code: {code}, label: {code.capitalize()}}}")
        elif rng.random() < 0.5:
            self.emit(indent, "period: {name: reference}")
        else:
            self.emit(indent, "period: {years: [" + ", ".join(map(str, YEARS)) + "]}")
        dims = rng.sample(DIMENSION_IDS, rng.randint(1, 3))
        self.emit(indent, "total: true")
        self.emit(indent, "column_groups:")
        for dim in dims:
            self.emit(indent + 2, f"- {{dimension: {dim}}}")
        explicit = rng.random() < 0.4
        if explicit:
            self.emit(indent + 2, "- label: Measures")
            self.emit(indent + 4, "columns:")
            for code in ("claimed", "awarded", "paid"):
                self.emit(indent + 6, f"- {{code: {code}, label: Victims {code}}}")
        self.emit(indent, "rules:")
        for dim in dims:
            self.emit(indent + 2, f"- {{rule: parts_not_above_total, group: {dim}}}")
        self.emit(indent + 2, f"- {{rule: parts_sum_to_total, group: {dims[0]}, level: warning}}")
        if explicit:
            self.emit(indent + 2, "- {rule: column_not_above, column: paid, other: awarded}")
        if explicit_rows:
            self.emit(
                indent + 2,
                "- {rule: row_not_above, row: convictions, other: prosecutions, level: warning}",
            )

    def questionnaire(self) -> str:
        rng = self.rng
        self.lines = [
            "# Generated by benchmarks/validate_questionnaires.py",
            f"id: bench_{self.n_items}",
            f"title: {_q(f'Benchmark questionnaire of {self.n_items} items')}",
            "audience: party",
            'version: "1.0"',
            "intro: |",
            "  " + _words(rng, 20, 30) + ".",
            "",
            "  " + _words(rng, 20, 30) + ".",
            "periods:",
            "  reference: {label: 2019-2023, years: [" + ", ".join(map(str, YEARS)) + "]}",
            "parts:",
        ]
        weights = list(KIND_WEIGHTS.values())
        kinds = list(KIND_WEIGHTS)
        statistics_share = max(1, self.n_items // 10)  # Part III holds a tenth of the items
        part_plan = [
            ("part_1", "Part I: thematic questions", self.n_items - statistics_share, False),
            ("part_2", "Part II: country-specific questions", 0, True),
            ("part_3", "Part III: statistics", statistics_share, False),
        ]
        section_no = 0
        first_kinds = list(kinds)
        for part_id, title, budget, country in part_plan:
            self.emit(2, f"- id: {part_id}")
            self.emit(4, f"title: {_q(title)}")
            if country:
                self.emit(4, "country_specific: true")
                continue
            self.emit(4, "sections:")
            stop = self.count + budget
            while self.count < stop:
                section_no += 1
                self.emit(6, f"- id: section_{section_no}")
                self.emit(8, f"title: {_q(_words(rng, 2, 6))}")
                self.emit(8, f"articles: {_articles(rng, self.articles)}")
                if rng.random() < 0.5:
                    self.emit(8, "intro: >-")
                    self.emit(10, _words(rng, 12, 16))
                    self.emit(10, _words(rng, 12, 16))
                self.emit(8, "items:")
                size = rng.randint(6, 16)
                for n in range(size):
                    if self.count >= stop:
                        break
                    if part_id == "part_3":
                        kind = "statistics_table" if n % 2 == 0 else "text"
                    elif first_kinds and stop - self.count >= 6:
                        kind = first_kinds.pop(0)  # every kind once, even in a small file
                    else:
                        kind = rng.choices(kinds, weights)[0]
                        if kind == "statistics_table" and rng.random() < 0.5:
                            kind = "long_text"
                        if kind == "group" and stop - self.count < 4:
                            kind = "long_text"
                    self.item(10, f"s{section_no}_i{n}", kind)
        return "\n".join(self.lines) + "\n"


def generate_questionnaire(n_items: int, seed: int = 0, articles: list[int] | None = None) -> str:
    """The YAML text of a Party questionnaire of ``n_items`` items (group members count),
    reproducible for a ``seed``; ``articles`` are the article numbers items cite
    (default: those of the Round provisions in :func:`write_round`)."""
    return _Generator(n_items, seed, articles or PROVISIONS).questionnaire()


PROVISIONS = [10, 12, 14, 15, 17, 23, 26, 27, 28, 29, 30, 32, 35]


def _part2(code: str, seed: int) -> str:
    """Part II sections for one Party (a list of sections)."""
    gen = _Generator(5, seed, PROVISIONS)
    gen.lines = [f"- id: {code.lower()}_followup", f"  title: Follow-up ({code})", "  items:"]
    for n in range(5):
        kind = ["long_text", "yes_no", "number", "long_text", "single_choice"][n]
        gen.item(4, f"{code.lower()}_q{n}", kind)
    return "\n".join(gen.lines) + "\n"


def write_round(folder: Path, n_items: int, seed: int = 0, parties: int = 10) -> Path:
    """Write a round with a generated Party questionnaire of ``n_items`` items and
    ``parties`` Parties (all but the last with a Part II file, the last with its Part II
    inline) into ``folder``; returns the questionnaire's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "instrument.yaml").write_text(INSTRUMENT.read_text(encoding="utf-8"), "utf-8")
    (folder / "dimensions.yaml").write_text(DIMENSIONS.read_text(encoding="utf-8"), "utf-8")
    (folder / "part2").mkdir(exist_ok=True)
    codes = COUNCIL_OF_EUROPE[:parties]
    *by_file, inline_code = codes
    for n, code in enumerate(by_file):
        (folder / "part2" / f"{code}.yaml").write_text(_part2(code, seed + n + 1), "utf-8")
    inline = _part2(inline_code, seed + len(by_file) + 1)
    round_text = "\n".join(
        [
            "instrument: instrument.yaml",
            "dimensions: dimensions.yaml",
            "number: 3",
            f"title: {_q('Benchmark round')}",
            "provisions: [" + ", ".join(map(str, PROVISIONS)) + "]",
            "questionnaires:",
            "  party: party.yaml",
            "parties:",
            *(f"  - {{code: {c}, name: Party {c}, questionnaire_sent: 2026-03-02}}" for c in codes),
            "groups:",
            "  - name: First group",
            "    parties: [" + ", ".join(codes) + "]",
            "country_specific:",
            *(f"  {c}: part2/{c}.yaml" for c in by_file),
            f"  {inline_code}:",
            *("    " + line for line in inline.splitlines()),
        ]
    )
    (folder / "round.yaml").write_text(round_text + "\n", "utf-8")
    path = folder / "party.yaml"
    path.write_text(generate_questionnaire(n_items, seed), "utf-8")
    return path


def _cpu_seconds(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def measure(n_items: int, repeat: int, seed: int = 0, parties: int = 10) -> dict[str, float]:
    """Medians in seconds of parsing and of validating a generated round of ``n_items``
    items, with the questionnaire's size in KiB, the ratio and microseconds per item."""
    with tempfile.TemporaryDirectory() as tmp:
        # one level down: the validator also looks for rounds in the parent folder
        folder = Path(tmp) / "round"
        path = write_round(folder, n_items, seed, parties)
        problems = validate_paths([folder])
        if problems:  # a broken generator would time the error path, not validation
            listed = "\n".join(str(p) for p in problems[:20])
            raise SystemExit(f"the generated round has problems:\n{listed}")
        texts = [p.read_text("utf-8") for p in sorted(folder.rglob("*.yaml"))]

        def parse() -> None:
            for text in texts:
                YAML(typ="rt").load(text)

        # Alternate the two so that both see the same load from other processes.
        parse_times, validate_times = [], []
        for _ in range(repeat):
            parse_times.append(_cpu_seconds(parse))
            validate_times.append(_cpu_seconds(lambda: validate_paths([folder])))
        parse_s = statistics.median(parse_times)
        validate_s = statistics.median(validate_times)
        return {
            "items": n_items,
            "kib": path.stat().st_size / 1024,
            "parse": parse_s,
            "validate": validate_s,
            "ratio": validate_s / parse_s,
            "per_item_us": validate_s / n_items * 1e6,
        }


def profile(n_items: int, parties: int = 10, limit: int = 30) -> str:
    """cProfile of one validation of a generated round of ``n_items`` items: the functions
    with the most own time, then the most cumulative time."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "round"
        write_round(folder, n_items, parties=parties)
        validate_paths([folder])  # warm up imports and pydantic
        profiler = cProfile.Profile()
        profiler.runcall(validate_paths, [folder])
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(limit)
        stats.sort_stats("cumulative").print_stats(limit)
        return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--parties", type=int, default=10, help="Parties of the round (1-46)")
    parser.add_argument("--profile", type=int, metavar="ITEMS", help="profile one size")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile, args.parties))
        return
    print(
        f"{'items':>6} {'KiB':>7} {'parse ms':>9} {'validate ms':>12} {'ratio':>6} {'us/item':>8}"
    )
    for n in args.items:
        row = measure(n, args.repeat, parties=args.parties)
        print(
            f"{row['items']:>6} {row['kib']:>7.0f} {row['parse'] * 1e3:>9.1f} "
            f"{row['validate'] * 1e3:>12.1f} {row['ratio']:>6.2f} {row['per_item_us']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
