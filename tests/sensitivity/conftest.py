"""Fixtures for the sensitivity tests: independent references (enumeration, pgmpy)."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import pytest

import reference
from estimative import Network
from estimative.spec import spec_from_arrays


@pytest.fixture(scope="session")
def enumerate_posterior():
    return reference.enumerate_posterior


def _from_pgmpy(name: str, tmp: Path) -> Network:
    """A network pgmpy bundles, read with pyAgrum (pgmpy's BIF parser takes seconds)."""
    import pgmpy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # SWIG types of pyAgrum's bindings
        import pyagrum as gum

    bif = tmp / f"{name}.bif"
    bif.write_bytes(
        gzip.decompress(
            (
                Path(pgmpy.__file__).parent / "utils" / "example_models" / f"{name}.bif.gz"
            ).read_bytes()
        )
    )
    bn = gum.loadBN(str(bif))
    items = []
    for node in bn.topologicalOrder():
        cpt = bn.cpt(node)
        names = cpt.names  # the variable, then its parents; toarray() has these axes reversed
        table = cpt.toarray().transpose(list(range(len(names)))[::-1])
        items.append((names[0], list(bn.variable(node).labels()), list(names[1:]), table))
    return Network(spec_from_arrays(name, items))  # pyAgrum keeps float32: columns are renormalised


@pytest.fixture(scope="session")
def pgmpy_net(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bif")
    return lambda name: _from_pgmpy(name, tmp)


@pytest.fixture(scope="session")
def covaried():
    return reference.covary
