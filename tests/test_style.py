"""Style and types, checked in every test run: ruff (lint and format) and mypy on src/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check_is_clean() -> None:
    res = _run(str(BIN / "ruff"), "check", "src", "tests", "benchmarks")
    assert res.returncode == 0, res.stdout + res.stderr


def test_ruff_format_is_applied() -> None:
    res = _run(str(BIN / "ruff"), "format", "--check", "src", "tests", "benchmarks")
    assert res.returncode == 0, (
        "run `ruff format src tests benchmarks`:\n" + res.stdout + res.stderr
    )


def test_mypy_is_clean_on_src() -> None:
    res = _run(str(BIN / "mypy"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Success: no issues found" in res.stdout
