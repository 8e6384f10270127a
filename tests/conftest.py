"""Shared fixtures. Tests run from the repository root (make test does)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def example_net():
    from estimative import Network

    return Network.from_file(ROOT / "models" / "example")
