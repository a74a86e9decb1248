"""Time helpers. All stored times are timezone-aware datetimes in UTC (SQLModel's
UTCDateTime column type refuses naive ones and returns UTC on every database)."""

from datetime import UTC, date, datetime

from dateutil.relativedelta import relativedelta


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (microseconds dropped)."""
    return datetime.now(UTC).replace(microsecond=0)


def add_months(start: date, months: int) -> date:
    """Return ``start`` plus ``months`` calendar months (31 Jan + 1 month = 28/29 Feb).

    Deadlines in the procedure are counted in months (reply: 5 months, comments on the
    draft: 2 months, final comments: 1 month).
    """
    return start + relativedelta(months=months)
