"""A small per-process cache of what is derived from immutable objects.

Questionnaire definitions are parsed once per version and never change
(:func:`monitor.submissions.definitions.definition_of`), so what a request derives from a
section (its form class, its compiled markup, the answer keys it posts) can be kept for
the life of the process, keyed by the identity of the objects it was derived from.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class IdentityCache(Generic[V]):
    """Values keyed by the identity of objects (``objects``) and plain hashable parts
    (``extra``), at most ``size`` kept, least recently used dropped; thread-safe.

    The objects are held by the entry, so their ``id()`` cannot be reused by another
    object while the entry lives; a hit also checks that they are the same objects.
    Two threads missing the same key both compute the value; the last one is kept.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Hashable, ...], tuple[tuple[Any, ...], V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, objects: tuple[Any, ...], extra: tuple[Hashable, ...], make: Callable[[], V]
    ) -> V:
        """The value for ``objects`` and ``extra``, made by ``make()`` on a miss."""
        key = (*(id(o) for o in objects), *extra)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and all(a is b for a, b in zip(hit[0], objects, strict=True)):
                self._entries.move_to_end(key)
                return hit[1]
        value = make()
        with self._lock:
            self._entries[key] = (objects, value)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
