"""Shared by the fuzz tests: hypothesis settings and the check that every problem is
located (``path:line:column: message`` on one line)."""

import os
import re
from collections.abc import Iterable

from hypothesis import HealthCheck, settings

from monitor.questionnaires.loader import Problem

#: ``path:line:column: message`` on one line (the CLI prints one problem per line).
LOCATED = re.compile(r".+:\d+:\d+: .+")


def fuzz_settings(max_examples: int) -> settings:
    """Settings for one fuzz test: no deadline (the machine may be busy), and in CI
    (``CI`` set) derandomized, so that a run is repeatable and its time predictable."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=bool(os.environ.get("CI")),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def assert_located(problems: Iterable[Problem]) -> None:
    """Every problem names a file, a line and a column counting from 1, and a message."""
    for problem in problems:
        assert isinstance(problem, Problem), problem
        assert problem.path, problem
        assert problem.line >= 1 and problem.column >= 1, problem
        assert problem.message.strip(), problem
        assert LOCATED.fullmatch(str(problem)), repr(str(problem))
