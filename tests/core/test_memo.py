"""monitor.core.memo.IdentityCache: values derived from immutable objects."""

from monitor.core.memo import IdentityCache


class Thing:
    pass


def test_made_once_per_object_and_extra() -> None:
    cache: IdentityCache[str] = IdentityCache(8)
    made: list[str] = []

    def make(label: str) -> str:
        made.append(label)
        return label

    a, b = Thing(), Thing()
    assert cache.get((a,), ("en",), lambda: make("a-en")) == "a-en"
    assert cache.get((a,), ("en",), lambda: make("again")) == "a-en"
    assert cache.get((a,), ("fr",), lambda: make("a-fr")) == "a-fr"
    assert cache.get((b,), ("en",), lambda: make("b-en")) == "b-en"
    assert made == ["a-en", "a-fr", "b-en"]


def test_least_recently_used_dropped() -> None:
    cache: IdentityCache[int] = IdentityCache(2)
    things = [Thing() for _ in range(3)]
    for n, t in enumerate(things):
        cache.get((t,), (), lambda n=n: n)  # type: ignore[misc]
    assert len(cache) == 2
    assert cache.get((things[0],), (), lambda: 99) == 99  # dropped, made again
    assert cache.get((things[2],), (), lambda: 99) == 2


def test_entry_holds_its_objects() -> None:
    """An entry keeps its objects alive, so their ids cannot be reused by others."""
    cache: IdentityCache[str] = IdentityCache(4)
    cache.get((Thing(),), (), lambda: "first")
    assert cache.get((Thing(),), (), lambda: "second") == "second"
    assert len(cache) == 2
