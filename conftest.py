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


#: Tests that take the longest, started first so that the two workers (pytest-xdist) finish
#: together instead of one waiting on the other's last long test.
_FIRST = ("tests/test_notebooks.py", "tests/priors/test_em.py", "tests/brief/test_front.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests first (see ``_FIRST``); the order of the others is unchanged."""
    rank = {name: i for i, name in enumerate(_FIRST)}

    def key(item: pytest.Item) -> int:
        path = Path(str(item.path)).resolve().relative_to(ROOT).as_posix()
        return rank.get(path, len(_FIRST))

    items.sort(key=key)
