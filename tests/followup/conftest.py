"""The report tests' data (instrument, round 3, Parties AM and UA, one user per role)."""

from tests.reports.conftest import data  # noqa: F401  (fixture)
