"""Headless Chromium for the tests of pages: where it is, how it is launched, and the skip when it is absent.

The OS package ``chromium`` (``scripts/setup.sh test`` installs it), driven by
Playwright's Python package; the flags keep it from reaching the network on
its own (updates, sync, first-run pages).
"""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

__all__ = ["CHROMIUM", "ARGS", "needs_chromium", "chromium", "watch"]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)"
)


@contextmanager
def chromium() -> Iterator:
    """A launched headless Chromium (skips the test when Playwright is not installed)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watch(page, problems: list) -> None:
    """Append to ``problems`` every console error or warning, page error and failed request of ``page``."""
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)  # fmt: skip
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
