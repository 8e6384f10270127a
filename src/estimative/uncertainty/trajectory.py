"""Intervals over time: a dynamic model's probability slice by slice and reached so far,
each with its credible interval over shared parameter draws."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..checks import check_level
from ..network import Network
from ..network.trajectory import extend_draws, traj_network
from ..priors import Draws, resolve_draws
from .intervals import ProbabilityInterval, batched_probability


@dataclass(frozen=True, eq=False)
class TrajectoryInterval:
    """A dynamic model's probability of one state of a variable, slice by slice, with its
    interval over parameter draws: in each slice (``per_slice``) and reached so far
    (``so_far``: the state or a later one, in some slice up to this one; with ``exactly``, the
    highest state reached up to this slice is the state itself).

    >>> import numpy as np
    >>> from estimative import Network
    >>> net = Network.from_file("models/escalation_dynamic")
    >>> ti = trajectory_interval(net, "clash", "yes", draws=500, rng=np.random.default_rng(0))
    >>> [round(iv.point, 3) for iv in ti.so_far]
    [0.083, 0.158, 0.227]
    """

    variable: str
    state: str
    labels: tuple[str, ...]
    per_slice: tuple[ProbabilityInterval, ...]
    so_far: tuple[ProbabilityInterval, ...]
    conditions: str
    model_hash: str
    exactly: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data: one row per slice with both intervals, and the model hash."""
        return {
            "variable": self.variable,
            "state": self.state,
            "exactly": self.exactly,
            "conditions": self.conditions,
            "slices": [
                {"label": lab, "in_slice": a.to_dict(), "so_far": b.to_dict()}
                for lab, a, b in zip(self.labels, self.per_slice, self.so_far, strict=True)
            ],
            "model_hash": self.model_hash,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per slice: point, low and high, in the slice and so far."""
        rows = [
            {
                "slice": lab,
                "point": a.point,
                "low": a.low,
                "high": a.high,
                "so_far": b.point,
                "so_far_low": b.low,
                "so_far_high": b.high,
            }
            for lab, a, b in zip(self.labels, self.per_slice, self.so_far, strict=True)
        ]
        return pd.DataFrame(rows).set_index("slice")

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{lab}: {b.point:.3f} [{b.low:.3f}, {b.high:.3f}]"
            for lab, b in zip(self.labels, self.so_far, strict=True)
        )
        return f"P({self.variable}={self.state} so far) = {{{parts}}}"

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(float_format=lambda x: f"{x:.3f}")


def trajectory_interval(
    net: Network,
    variable: str,
    state: str,
    *,
    draws: int | Draws = 1000,
    rng: np.random.Generator | None = None,
    level: float = 0.9,
    strengths: Mapping[str, float] | None = None,
    exactly: bool = False,
    **conditions: Any,
) -> TrajectoryInterval:
    """P(variable = state) in each slice of a dynamic model and reached so far, each with its
    interval over the same parameter draws.

    Parameters
    ----------
    net : Network
        A network built from a dynamic model.
    variable : str
        The variable as the model file names it (``"clash"``).
    state : str
        The state; "so far" counts it and every later state in the variable's order.
    exactly : bool
        "So far" counts ``state`` alone: the highest state reached so far is ``state``
        (what a headline outcome on the horizon window, ``x@first..last = state``, asks, so
        the last slice's value equals it; for the last state it changes nothing).
    draws, rng, level, strengths
        As for :func:`query_interval` (a list of draws is the one :func:`draw_cpts` returned
        for ``net``; the window nodes the cumulative part needs are deterministic).
    **conditions
        ``given``, ``do``, ``soft``, ``policy``, ``scenario``, as for :meth:`Network.query`.

    Returns
    -------
    TrajectoryInterval
        One :class:`ProbabilityInterval` per slice, in the slice and so far.

    Examples
    --------
    >>> import numpy as np
    >>> net = Network.from_file("models/escalation_dynamic")
    >>> ti = trajectory_interval(net, "clash", "yes", policy="channel", draws=200,
    ...                          rng=np.random.default_rng(1))
    >>> ti.labels, bool(all(iv.low <= iv.point <= iv.high for iv in ti.so_far))
    (('2017H2', '2018H1', '2018H2'), True)
    """
    level = check_level(level)
    traj = net.trajectory(variable, **conditions)  # checks the names and the time slices
    full = traj_network(net, traj.variable)
    cpts = extend_draws(net, full, resolve_draws(net, draws, rng, strengths))
    ev = full.resolve(**conditions)
    k = full.state_index(f"{traj.variable}@{traj.labels[0]}", state)  # a near name if not
    later = (state,) if exactly else traj.states[k:]
    first = traj.labels[0]
    per: list[ProbabilityInterval] = []
    so_far: list[ProbabilityInterval] = []
    for i, label in enumerate(traj.labels):
        for name, states, out, point in (
            (f"{traj.variable}@{label}", (state,), per, float(traj.probs[i, k])),
            (
                f"{traj.variable}@{first}..{label}" if i else f"{traj.variable}@{first}",
                later,
                so_far,
                float(traj.by[i, k] if exactly else traj.by[i, k:].sum()),
            ),
        ):
            values, valid = batched_probability(full, name, states, ev, cpts)
            out.append(
                ProbabilityInterval(
                    name,
                    tuple(states),
                    traj.conditions,
                    point,
                    values,
                    valid,
                    level,
                    net.model_hash,
                )
            )
    return TrajectoryInterval(
        traj.variable,
        state,
        traj.labels,
        tuple(per),
        tuple(so_far),
        traj.conditions,
        net.model_hash,
        exactly,
    )
