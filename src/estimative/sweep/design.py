"""What a sweep computes: the grid of cells, the one-way parameter grids, the draws and the
seed they come from, and the settings (and their hash) that identify the sweep's rows.

A sweep records a *seed*, not a live generator: it is resumable, so a run in another process
(a rerun after a crash, a Dask worker) must rebuild chunk ``k``'s generator from what the
folder recorded (:func:`estimative.sweep.compute.chunk_rng`). A generator made by
:func:`estimative._random.make_rng` (or a :func:`~estimative._random.stream` of one) can be
given as ``rng=``: the design records the seed (and spawn key) it was made from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import QueryError, UsageError, did_you_mean
from ..network import Network
from ..spec import BASELINE
from .file import MAX_DRAWS, load_sweep_file, parameter_label

#: The format of a sweep's rows, manifest and sidecar (and of the sweep file).
FORMAT = "estimative-sweep/1"


@dataclass(frozen=True)
class ParameterGrid:
    """A one-way grid: P(variable=state | when) set to each of ``values`` in turn, the other
    states of each affected column scaled proportionally (``when`` may name only some parents:
    every matching column is set).

    Examples
    --------
    >>> ParameterGrid("misread_intent", "yes", (0.2, 0.8), (("nk_provocation", "high"),)).label
    'misread_intent=yes | nk_provocation=high'
    """

    variable: str
    state: str
    values: tuple[float, ...]
    when: tuple[tuple[str, str], ...] = ()
    id: str | None = None

    @property
    def label(self) -> str:
        """The name this grid's rows carry in the ``parameter`` column."""
        return parameter_label(self.variable, self.state, dict(self.when), self.id)


@dataclass(frozen=True, eq=False)
class SweepDesign:
    """What a sweep computes. Build it with :func:`load_sweep` or directly.

    Parameters
    ----------
    net : Network
        The model.
    targets : tuple of (variable, states)
        Each variable with the states to record.
    policies, scenarios : tuple of str
        Ids, with :data:`~estimative.spec.BASELINE` (``"baseline"``) for none.
    parameters : tuple of ParameterGrid
        One-way grids (not crossed with each other).
    draws : int
        Dirichlet draws of every CPT; every grid cell sees the same draws.
    seed : int
        The seed chunk streams are derived from (recorded in the manifest and the sidecar, so
        a rerun in another process resumes with the same rows).
    chunk_size : int
        Draws per chunk (one Parquet part each).
    strengths : mapping of str to float
        Dirichlet strength overrides.
    title, source, source_sha256, output
        Where the design came from and where its rows go by default.
    spawn_key : tuple of int
        The spawn key of the seed's ``SeedSequence`` (empty for a plain seed); set by ``rng``.
    rng : numpy.random.Generator, optional
        Instead of ``seed``: a generator made by :func:`estimative._random.make_rng` (or a
        stream of one); the design records the seed and spawn key it was made from.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> d = SweepDesign(net, targets=(("armed_clash", ("yes",)),), policies=(BASELINE, "status_quo"),
    ...                 draws=1000, chunk_size=400)
    >>> d.n_chunks, d.n_rows
    (3, 2000)
    >>> from estimative._random import make_rng
    >>> SweepDesign(net, targets=(("armed_clash", ("yes",)),), rng=make_rng(7)).seed
    7
    """

    net: Network
    targets: tuple[tuple[str, tuple[str, ...]], ...]
    policies: tuple[str, ...] = (BASELINE,)
    scenarios: tuple[str, ...] = (BASELINE,)
    parameters: tuple[ParameterGrid, ...] = ()
    draws: int = 1000
    seed: int = 0
    chunk_size: int = 500
    strengths: Mapping[str, float] = field(default_factory=dict)
    title: str | None = None
    source: str | None = None
    source_sha256: str | None = None
    output: Path | None = None
    spawn_key: tuple[int, ...] = ()
    rng: InitVar[np.random.Generator | None] = None

    def __post_init__(self, rng: np.random.Generator | None) -> None:
        if rng is not None:
            self._take_seed_of(rng)
        net = self.net
        for var, _ in self.targets:  # a window the model did not name (x@A..B) is added
            net = net.with_window(var)
        if net is not self.net:
            object.__setattr__(self, "net", net)
        if not self.targets:
            raise UsageError(
                "a sweep needs at least one target",
                field="targets",
                fix="name a variable and its state(s)",
            )
        for var, states in self.targets:
            for s in states:
                net.state_index(var, s)
        if len({v for v, _ in self.targets}) != len(self.targets):
            raise UsageError(
                "a target is listed twice", field="targets", found=str([v for v, _ in self.targets])
            )
        for what, ids, known in (
            ("policy", self.policies, [p.id for p in net.spec.policies]),
            ("scenario", self.scenarios, [s.id for s in net.spec.scenarios]),
        ):
            allowed = [BASELINE, *known]
            if not ids:
                raise UsageError(
                    f"a sweep needs at least one {what}", fix=f"use '{BASELINE}' for none"
                )
            for i in ids:
                if i not in allowed:
                    raise QueryError(
                        f"unknown {what} '{i}'{did_you_mean(i, allowed)}",
                        expected=f"one of {allowed}",
                    )
            if len(set(ids)) != len(ids):
                raise UsageError(f"a {what} is listed twice", found=str(list(ids)))
        for g in self.parameters:
            net.state_index(g.variable, g.state)
            for par, st in g.when:
                if par not in net.parents[g.variable]:
                    raise QueryError(
                        f"'{par}' is not a parent of '{g.variable}'{did_you_mean(par, net.parents[g.variable])}"
                    )
                net.state_index(par, st)
            if not g.values or any(not (0.0 <= float(x) <= 1.0) for x in g.values):
                raise UsageError(
                    f"values of parameter '{g.label}' must be probabilities in [0, 1]",
                    found=str(list(g.values)),
                )
        if len({g.label for g in self.parameters}) != len(self.parameters):
            raise UsageError("two parameter grids have the same label", fix="give each an id")
        for var in self.strengths:
            net.index(var)
        check_whole("draws", self.draws, 1, MAX_DRAWS)
        check_whole("chunk_size", self.chunk_size, 1, 1_000_000)
        check_whole("seed", self.seed, 0, None)

    def _take_seed_of(self, rng: np.random.Generator) -> None:
        """Record the seed (and spawn key) ``rng`` was made from, in place of ``seed``."""
        seq = getattr(getattr(rng, "bit_generator", None), "seed_seq", None)
        if (
            not isinstance(seq, np.random.SeedSequence)
            or not isinstance(seq.entropy, int)
            or seq.pool_size != 4
        ):
            raise UsageError(
                "a sweep records the seed its generator was made from, and this one has none",
                field="rng",
                fix="make it with estimative._random.make_rng(SEED), or pass seed=SEED",
            )
        if self.seed not in (0, seq.entropy):
            raise UsageError("give seed or rng, not both", field="rng", found=f"seed={self.seed}")
        object.__setattr__(self, "seed", int(seq.entropy))
        object.__setattr__(self, "spawn_key", tuple(int(k) for k in seq.spawn_key))

    # -------------------------------------------------------------- sizes
    @property
    def n_chunks(self) -> int:
        """The number of chunks (Parquet parts)."""
        return -(-self.draws // self.chunk_size)

    def chunk_draws(self, k: int) -> tuple[int, int]:
        """The draws ``[start, stop)`` of chunk ``k``."""
        start = k * self.chunk_size
        return start, min(start + self.chunk_size, self.draws)

    def chunk_rows(self, k: int) -> int:
        """The number of rows of chunk ``k``."""
        start, stop = self.chunk_draws(k)
        return (stop - start) * self.rows_per_draw

    @property
    def settings_count(self) -> int:
        """Parameter settings per cell: the draws as they are, plus every grid value."""
        return 1 + sum(len(g.values) for g in self.parameters)

    @property
    def rows_per_draw(self) -> int:
        """Rows per draw: policies x scenarios x parameter settings x target states."""
        return (
            len(self.policies)
            * len(self.scenarios)
            * self.settings_count
            * sum(len(s) for _, s in self.targets)
        )

    @property
    def n_rows(self) -> int:
        """The number of rows of the whole sweep."""
        return self.draws * self.rows_per_draw

    # -------------------------------------------------------------- identity
    def settings(self) -> dict[str, Any]:
        """Everything that determines the rows (not where or how they are computed)."""
        from .._version import __version__

        out: dict[str, Any] = {
            "format": FORMAT,
            "estimative": __version__,
            "model_hash": self.net.model_hash,
            "targets": [{"variable": v, "states": list(s)} for v, s in self.targets],
            "policies": list(self.policies),
            "scenarios": list(self.scenarios),
            "parameters": [
                {
                    "label": g.label,
                    "variable": g.variable,
                    "state": g.state,
                    "when": dict(g.when),
                    "values": [float(x) for x in g.values],
                }
                for g in self.parameters
            ],
            "strengths": {k: float(v) for k, v in sorted(self.strengths.items())},
            "draws": int(self.draws),
            "seed": int(self.seed),
            "chunk_size": int(self.chunk_size),
        }
        if self.spawn_key:  # only a stream's seed has one: plain seeds keep their settings hash
            out["spawn_key"] = list(self.spawn_key)
        return out

    @property
    def settings_hash(self) -> str:
        """A short hash of :meth:`settings`: the identity of the sweep's rows."""
        blob = json.dumps(self.settings(), sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def check_whole(name: str, value: Any, low: int, high: int | None) -> None:
    """Raise a :class:`~estimative.errors.UsageError` naming ``name`` unless ``value`` is a whole
    number in ``[low, high]``.

    >>> check_whole("workers", 0, 1, 4096)
    Traceback (most recent call last):
    estimative.errors.UsageError: workers: workers must be an integer >= 1 and <= 4,096; found 0. Fix: give workers a whole number in range
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or value < low
        or (high is not None and value > high)
    ):
        span = f"an integer >= {low}" + (f" and <= {high:,}" if high is not None else "")
        raise UsageError(
            f"{name} must be {span}",
            field=name,
            found=repr(value),
            fix=f"give {name} a whole number in range",
        )


def load_sweep(
    path: str | Path,
    *,
    draws: int | None = None,
    seed: int | None = None,
    chunk_size: int | None = None,
) -> SweepDesign:
    """Read a sweep file into a :class:`SweepDesign`; keyword options override the file.

    Parameters
    ----------
    path : str or Path
        The sweep file (see :mod:`estimative.sweep.file`).
    draws, seed, chunk_size : int, optional
        Override the file's values.

    Returns
    -------
    SweepDesign

    Examples
    --------
    >>> d = load_sweep("models/example/sweeps/policies.yaml", draws=100)
    >>> d.draws, d.seed, d.policies
    (100, 2017, ('baseline', 'status_quo', 'private_channel'))
    """
    sf = load_sweep_file(path)
    s = sf.spec
    return SweepDesign(
        sf.net,
        targets=tuple((v, tuple(st)) for v, st in sf.targets),
        policies=tuple(sf.policies),
        scenarios=tuple(sf.scenarios),
        parameters=tuple(
            ParameterGrid(
                g.variable, g.state, tuple(float(x) for x in g.values), tuple(g.when.items()), g.id
            )
            for g in s.parameters
        ),
        draws=s.draws if draws is None else draws,
        seed=s.seed if seed is None else seed,
        chunk_size=s.chunk_size if chunk_size is None else chunk_size,
        strengths=dict(s.strengths),
        title=s.title,
        source=str(sf.path),
        source_sha256=sf.sha256,
        output=sf.output,
    )
