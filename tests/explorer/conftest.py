"""The browser for the page tests: Playwright driving Debian's Chromium.

``playwright install`` downloads browsers from the internet; these tests use the system's
Chromium instead (``executable_path``). When it is missing and the tests run as root, it is
installed with ``apt-get install -y chromium``; otherwise the tests are skipped and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

CANDIDATES = ("chromium", "chromium-browser")


def _find() -> str | None:
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
    path = _find()
    if path is None:
        if os.geteuid() != 0:
            pytest.skip(
                "Chromium is not installed and the tests are not running as root: "
                "run `sudo apt-get install -y chromium` to run the browser tests"
            )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        done = subprocess.run(
            ["apt-get", "install", "-y", "chromium"], env=env, capture_output=True, text=True
        )
        path = _find()
        if path is None:
            pytest.skip(f"apt-get install -y chromium failed:\n{done.stderr[-2000:]}")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    """One browser per test module, closed after it: Playwright's sync API keeps an asyncio
    loop running while it is open, and later tests (the notebooks) start loops of their own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=["--no-sandbox"])
        yield b
        b.close()
