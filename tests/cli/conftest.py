"""Fixtures for the command-line tests: independent references to check its JSON against."""

from __future__ import annotations

import pytest

import reference
from estimative import Network


@pytest.fixture(scope="session")
def enumerate_posterior():
    return reference.enumerate_posterior


def covary(net: Network, variable: str, state: str, parents: dict[str, str], x: float) -> Network:
    """The network with P(variable=state | parents) set to x, the rest of its column scaled
    (as tests/sensitivity/conftest.py's ``covaried``)."""
    cpt = net.cpt(variable).copy()
    col = (slice(None), *(net.states[p].index(parents[p]) for p in net.parents[variable]))
    column = cpt[col]
    s = net.states[variable].index(state)
    new = column * (1 - x) / (1 - column[s])
    new[s] = x
    cpt[col] = new
    return net.with_cpts({variable: cpt})


@pytest.fixture(scope="session")
def covaried():
    return covary
