"""Helpers for loader tests: copy the good fixture round and break one file."""

import shutil
from pathlib import Path

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
BROKEN = DATA / "broken"


def copy_good(tmp_path: Path) -> Path:
    """A copy of ``data/good`` in ``tmp_path``; returns the copied folder."""
    target = tmp_path / "good"
    shutil.copytree(GOOD, target)
    return target


def replace(path: Path, old: str, new: str) -> str:
    """Replace the single occurrence of ``old`` in ``path``; returns the new text."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def where(path: Path, needle: str, offset: int = 0) -> str:
    """``path:line:column`` of the first occurrence of ``needle`` (plus ``offset``
    characters) in the file, 1-based, as the loader prints it."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        index = line.find(needle)
        if index >= 0:
            return f"{path}:{number}:{index + 1 + offset}"
    raise AssertionError(f"{needle!r} not in {path}")
