"""Form helpers shared by the domains."""

from typing import Any

try:  # WTForms >= 3.3 deprecates (value, label) tuples as choices
    from wtforms import SelectChoice as Choice
except ImportError:  # pragma: no cover - older WTForms

    def Choice(value: Any, label: Any = None) -> Any:  # type: ignore[no-redef]  # noqa: N802
        """A ``(value, label)`` choice for WTForms before 3.3."""
        return (value, label if label is not None else value)


__all__ = ["Choice"]
