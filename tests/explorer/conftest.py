"""The browser for the page tests: Playwright driving Debian's Chromium.

The ``chromium_path`` fixture lives in ``tests/conftest.py`` (the brief's page tests use it
too); it installs Chromium with apt when missing and running as root, else skips with why.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    """One browser per test module, closed after it: Playwright's sync API keeps an asyncio
    loop running while it is open, and later tests (the notebooks) start loops of their own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=["--no-sandbox"])
        yield b
        b.close()
