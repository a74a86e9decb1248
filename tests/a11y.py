"""axe-core accessibility scan for Playwright pages (WCAG 2.1 A and AA rules).

``assert_accessible(page)`` fails the test on any *serious* or *critical* violation and
lists each one (rule id, help text, up to five CSS targets). The axe script is the copy bundled
in ``axe-playwright-python``, or the file named by ``AXE_JS`` (e.g. npm's
``axe-core/axe.min.js``). It is injected with ``page.evaluate`` because the app's CSP blocks
``add_script_tag``.
"""

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

#: axe impacts that fail a test; "minor" and "moderate" are reported by run_axe only.
BLOCKING = frozenset({"serious", "critical"})
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def _axe_source() -> str:
    if os.environ.get("AXE_JS"):
        return Path(os.environ["AXE_JS"]).read_text(encoding="utf-8")
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def run_axe(page: Page, tags: Iterable[str] = WCAG_TAGS) -> dict[str, Any]:
    """Run axe on the page as it is now; return axe's results dict (``violations`` list...)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        "opts => axe.run(document, opts)",
        {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]},
    )


def assert_accessible(
    page: Page, blocking: Iterable[str] = BLOCKING, tags: Iterable[str] = WCAG_TAGS
) -> dict[str, Any]:
    """Fail the test if axe finds a violation whose impact is in ``blocking``.

    Call it after the page has settled (after an ``expect``). Returns axe's results dict.
    """
    blocking = set(blocking)
    results = run_axe(page, tags)
    bad = [v for v in results["violations"] if v["impact"] in blocking]
    if bad:
        lines = [
            f"{len(bad)} blocking axe violation(s) on {page.url} "
            f"(axe {results['testEngine']['version']}):"
        ]
        for v in bad:
            targets = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
            lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} -> {targets}")
        pytest.fail("\n".join(lines), pytrace=False)
    return results
