"""Time helpers. All stored times are naive datetimes in UTC (SQLite keeps no zone)."""

from datetime import UTC, date, datetime

from dateutil.relativedelta import relativedelta


def utcnow() -> datetime:
    """Return the current time in UTC as a naive datetime (microseconds dropped)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def add_months(start: date, months: int) -> date:
    """Return ``start`` plus ``months`` calendar months (31 Jan + 1 month = 28/29 Feb).

    Deadlines in the procedure are counted in months (reply: 5 months, comments on the
    draft: 2 months, final comments: 1 month).
    """
    return start + relativedelta(months=months)
