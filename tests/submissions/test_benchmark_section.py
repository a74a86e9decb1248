"""benchmarks/section_page.py still runs (so the benchmark cannot rot): a few runs, and
the table it prints."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "section_page.py"


def test_section_page_benchmark_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--runs", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("section of 150 items with a 10 x 12 table")
    assert [line.split()[0] for line in lines[2:4]] == ["page", "save"]
