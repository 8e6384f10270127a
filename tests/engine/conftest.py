"""Reference networks for the engine tests: pgmpy's bundled BIF networks as Structure + CPTs."""

from __future__ import annotations

import functools
import logging
import warnings
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from estimative.engine import Structure


@dataclass(frozen=True)
class RefNet:
    """A pgmpy example network and the same network as engine inputs."""

    name: str
    model: Any  # pgmpy DiscreteBayesianNetwork, CPT columns normalised
    structure: Structure
    cpts: tuple[np.ndarray, ...]
    states: dict[str, list[str]]

    def sample(self, rng: np.random.Generator, do: dict[int, int] | None = None) -> list[int]:
        """One forward sample (states by index), with do() variables clamped."""
        do = do or {}
        x: list[int] = [0] * len(self.cpts)
        for v, cpt in enumerate(self.cpts):  # structure order is topological
            if v in do:
                x[v] = do[v]
                continue
            col = cpt[(slice(None), *(x[p] for p in self.structure.parents[v]))]
            x[v] = int(rng.choice(len(col), p=col))
        return x


@functools.cache
def load_ref(name: str) -> RefNet:
    """Load a pgmpy example network; our CPTs follow each variable's own state order."""
    import networkx as nx
    from pgmpy.utils import get_example_model

    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = get_example_model(name)
    order = list(nx.lexicographical_topological_sort(model))
    cpds = {c.variable: c for c in model.get_cpds()}
    states = {v: list(cpds[v].state_names[v]) for v in order}
    idx = {v: i for i, v in enumerate(order)}
    cpts, parents = [], []
    for v in order:
        cpd = cpds[v]
        values = np.asarray(cpd.values, dtype=float)
        for ax, var in enumerate(cpd.variables):
            own = list(cpd.state_names[var])
            values = np.take(values, [own.index(s) for s in states[var]], axis=ax)
        # pgmpy's BIF reader keeps columns that do not sum exactly to 1: normalise both sides.
        values = values / values.sum(axis=0, keepdims=True)
        cpts.append(values)
        parents.append(tuple(idx[p] for p in cpd.variables[1:]))
    structure = Structure(tuple(order), tuple(len(states[v]) for v in order), tuple(parents))
    return RefNet(name, pgmpy_model(structure, cpts, states), structure, tuple(cpts), states)


def pgmpy_model(structure: Structure, cpts, states: dict[str, list[str]]) -> Any:
    """A fresh pgmpy model with these CPT values (state names as in ``states``)."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    names = structure.names
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(names)
    model.add_edges_from(
        [(names[p], names[v]) for v in range(len(names)) for p in structure.parents[v]]
    )
    for v, values in enumerate(cpts):
        pars = [names[p] for p in structure.parents[v]]
        card = structure.cards[v]
        model.add_cpds(
            TabularCPD(
                names[v],
                card,
                np.asarray(values).reshape(card, -1),
                evidence=pars or None,
                evidence_card=[structure.cards[p] for p in structure.parents[v]] or None,
                state_names={x: states[x] for x in (names[v], *pars)},
            )
        )
    return model


@pytest.fixture(scope="session")
def refs() -> SimpleNamespace:
    """The helpers as a fixture (test modules cannot import conftest under importlib mode)."""
    return SimpleNamespace(load=load_ref, pgmpy_model=pgmpy_model)
