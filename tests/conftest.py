"""Shared fixtures. Tests run from the repository root (make test does)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def example_net():
    from estimative import Network

    return Network.from_file(ROOT / "models" / "example")


# ---------------------------------------------------------------------- the browser
# ``playwright install`` downloads browsers from the internet; the browser tests (the brief's
# page one, the explorer's page) use the system's Chromium through ``executable_path``. When it
# is missing and the tests run as root (CI does), it is installed with apt, once, under a file
# lock so parallel test workers do not race for dpkg's lock; otherwise the tests skip and say why.
CANDIDATES = ("chromium", "chromium-browser")


def _find_chromium() -> str | None:
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


def _apt_install_chromium() -> str:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log = ""
    for cmd in (
        ["apt-get", "install", "-y", "chromium"],
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "chromium"],
    ):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        log += done.stderr[-1000:]
        if cmd[1] == "install" and _find_chromium():
            break
    return log


@pytest.fixture(scope="session")
def chromium_path() -> str:
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
    path = _find_chromium()
    if path is None:
        if os.geteuid() != 0:
            pytest.skip(
                "Chromium is not installed and the tests are not running as root: "
                "run `sudo apt-get install -y chromium` to run the browser tests"
            )
        with open("/tmp/estimative-chromium.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path = _find_chromium()
            log = "" if path else _apt_install_chromium()
        path = _find_chromium()
        if path is None:
            pytest.skip(f"apt-get install -y chromium failed:\n{log[-2000:]}")
    return path


@pytest.fixture
def plan_builds(monkeypatch):
    """Count compilations from a cold cache: ``n`` single-query ``Plan._build`` calls, and
    ``compiled()`` all-marginals plans compiled since the fixture started."""
    from estimative.engine import compile_query, core
    from estimative.engine import marginals as engine_marginals

    counts = {"n": 0}
    real = core.Plan._build

    def counted(self, *args, **kwargs):
        counts["n"] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(core.Plan, "_build", counted)
    compile_query.cache_clear()
    engine_marginals._compile_cached.cache_clear()
    before = engine_marginals.stats["compiled"]

    class Counts:
        @property
        def n(self) -> int:
            return counts["n"]

        def compiled(self) -> int:
            return engine_marginals.stats["compiled"] - before

    return Counts()
