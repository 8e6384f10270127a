"""Root conftest: tests and src doctests name paths relative to the repository root."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _repo_root_cwd() -> None:
    os.chdir(ROOT)
