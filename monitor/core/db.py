"""Database column helpers shared by the domain models."""

import enum
from typing import Any

import sqlalchemy as sa


def enum_type(enum_cls: type[enum.Enum], name: str | None = None) -> sa.Enum:
    """A portable enum column type: a VARCHAR with a CHECK constraint on the values.

    Values (not names) are stored, so ``Role.PANEL`` is stored as ``"panel"``. No native
    PostgreSQL enum type is created, which keeps migrations identical on SQLite and
    PostgreSQL. The constraint is named ``name``, by default ``ck_<enum class>``; a
    table with two columns of the same enum must name one of them, since PostgreSQL
    refuses two constraints of one name on a table.
    """
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        name=name or f"ck_{enum_cls.__name__.lower()}",
    )


def json_type() -> Any:
    """JSON column type (TEXT on SQLite, JSON on PostgreSQL)."""
    return sa.JSON()
