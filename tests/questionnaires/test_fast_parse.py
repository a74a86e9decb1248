"""The loader reads YAML with ruamel's safe composer when it can (faster, issue 3 speed
target) and with the round-trip composer otherwise: both must give the same data and the
same positions, so that problems are located identically."""

from pathlib import Path

import pytest

from monitor.questionnaires import loader

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "questionnaires").rglob("*.yaml")) + sorted(
    (ROOT / "tests" / "questionnaires" / "data").rglob("*.yaml")
)


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[loader.Document, loader.Document]:
    fast = loader.parse_yaml(text, "x.yaml")
    with monkeypatch.context() as m:
        m.setattr(loader, "_compose_fast", lambda text: None)
        slow = loader.parse_yaml(text, "x.yaml")
    return fast, slow


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_data_and_positions_as_the_round_trip_composer(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = _both(path.read_text(encoding="utf-8"), monkeypatch)
    assert fast.data == slow.data
    assert fast.values == slow.values
    assert fast.keys == slow.keys
    assert fast.sources == slow.sources
    assert fast.problems == slow.problems


def test_a_comment_after_a_key_uses_the_round_trip_composer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "id: q\ntitle: # later\n  T\naudience: party\n"
    calls: list[str] = []
    real = loader._compose_fast

    def spy(t: str) -> object:
        node = real(t)
        calls.append("fast" if node is not None else "fallback")
        return node

    monkeypatch.setattr(loader, "_compose_fast", spy)
    doc = loader.parse_yaml(text, "x.yaml")
    assert calls == ["fallback"]
    assert doc.data == {"id": "q", "title": "T", "audience": "party"}
