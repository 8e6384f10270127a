"""Fixtures for the command-line tests: independent references to check its JSON against."""

from __future__ import annotations

import pytest

import reference


@pytest.fixture(scope="session")
def enumerate_posterior():
    return reference.enumerate_posterior


@pytest.fixture(scope="session")
def covaried():
    return reference.covary
