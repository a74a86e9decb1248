"""The questionnaires that benchmarks/validate_questionnaires.py times are valid, so that
the benchmark measures validation and not the error path (and its generator cannot rot
unnoticed). A check of the generator, not a timed test."""

import importlib.util
from pathlib import Path
from types import ModuleType

from monitor.questionnaires.loader import load_round_file, validate_paths
from monitor.questionnaires.schema import ITEM_KINDS
from monitor.questionnaires.stats import questionnaire_stats

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "validate_questionnaires.py"


def benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate_questionnaires", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_round_of_100_items_is_valid_and_mixed(tmp_path: Path) -> None:
    bench = benchmark()
    folder = tmp_path / "round"
    bench.write_round(folder, 100)
    assert validate_paths([folder]) == []
    loaded = load_round_file(folder / "round.yaml")
    stats = questionnaire_stats(loaded.questionnaires["party"])
    assert stats.items == 100
    assert set(stats.by_kind) == set(ITEM_KINDS)
    assert stats.conditions >= 5 and stats.groups >= 1 and stats.table_cells > 0
    codes = [p.code for p in loaded.round.parties]
    assert codes == bench.COUNCIL_OF_EUROPE[:10]
    for code in codes:
        assert len(loaded.questionnaire_for("party", code).items()) > len(
            loaded.questionnaires["party"].items()
        )


def test_measure_prints_a_row(tmp_path: Path) -> None:
    row = benchmark().measure(100, repeat=1)
    assert row["items"] == 100 and row["ratio"] > 0 and row["kib"] > 10
