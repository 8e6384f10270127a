"""The weight map: which alternative has the highest expected utility as two attribute
weights vary, the others held at their values.

Expected utility is linear in the weights, so each alternative's expected attribute values are
computed once. The attributes are those the model file writes: in a dynamic model, the weight
of an attribute valued in ``each`` slice moves all its slices together (they share it by the
discount).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError, did_you_mean
from ..network import Network
from ._core import alternative_tensors, default_alternatives, tie_tolerance, utility_model


@dataclass(frozen=True, eq=False)
class WeightMap:
    """Which alternative has the highest expected utility as two weights vary, the others
    held at their values.

    ``winner[i, j]`` indexes ``ids`` for weights ``x_values[j]`` (attribute ``x``) and
    ``y_values[i]`` (attribute ``y``); ``eu[k, i, j]`` is alternative ``k``'s EU there.

    >>> from estimative import Network, weight_map
    >>> m = weight_map(Network.from_file("models/oil_wildcatter"), "drilling", "test_cost")
    >>> m.winner_at(1.0, 1.0)
    'test=no,drill=yes'
    """

    model: str
    model_hash: str
    x: str
    y: str
    x_values: np.ndarray
    y_values: np.ndarray
    ids: tuple[str, ...]
    labels: tuple[str, ...]
    eu: np.ndarray
    winner: np.ndarray
    current: tuple[float, float]
    weights: Mapping[str, float]

    def winner_at(self, x: float, y: float) -> str:
        """The winner at the grid point nearest to weights ``(x, y)``."""
        j = int(np.argmin(np.abs(self.x_values - x)))
        i = int(np.argmin(np.abs(self.y_values - y)))
        return self.ids[int(self.winner[i, j])]

    def shares(self) -> dict[str, float]:
        """The share of the grid each alternative wins."""
        return {pid: float((self.winner == k).mean()) for k, pid in enumerate(self.ids)}

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the two weights' grids, the alternatives, the winner at each grid point
        (``winner[i][j]``: an id, for ``y_values[i]`` and ``x_values[j]``) and each one's share."""
        return {
            "model": self.model,
            "model_hash": self.model_hash,
            "x": self.x,
            "y": self.y,
            "x_values": self.x_values.tolist(),
            "y_values": self.y_values.tolist(),
            "ids": list(self.ids),
            "labels": list(self.labels),
            "winner": [[self.ids[int(k)] for k in row] for row in self.winner],
            "shares": self.shares(),
            "current": list(self.current),
            "weights": dict(self.weights),
        }

    def to_frame(self) -> pd.DataFrame:
        xs, ys = np.meshgrid(self.x_values, self.y_values)
        return pd.DataFrame(
            {
                f"weight[{self.x}]": xs.ravel(),
                f"weight[{self.y}]": ys.ravel(),
                "winner": [self.ids[int(k)] for k in self.winner.ravel()],
                "expected_utility": self.eu.max(axis=0).ravel(),
            }
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{100 * v:.0f}%</td></tr>"
            for k, v in self.shares().items()
        )
        cap = html.escape(f"Share of the ({self.x}, {self.y}) weight grid each alternative wins")
        return f"<table><caption>{cap}</caption>{rows}</table>"


def weight_map(
    net: Network,
    x: str,
    y: str,
    *,
    weights: Mapping[str, float] | None = None,
    policies: Sequence[str] | None = None,
    do: Mapping[str, str] | None = None,
    x_values: Sequence[float] | None = None,
    y_values: Sequence[float] | None = None,
) -> WeightMap:
    """The winner among the alternatives (named policies, or combinations of decisions) on a
    grid of weights for attributes ``x`` and ``y``.

    Expected utility is linear in the weights, so each alternative's expected attribute
    values are computed once. The default grid runs from 0 to twice the current weight (at
    least 0 to 1) in 41 steps.

    Parameters
    ----------
    net : Network
        A model with utilities.
    x, y : str
        The two attributes whose weights vary.
    weights : mapping of str to float, optional
        Attribute weights overriding the model file's, by attribute id.
    policies : sequence of str, optional
        The named policies to compare.
    do : mapping of str to str, optional
        Conditions set by do() for every alternative.
    x_values, y_values : sequence of float, optional
        The weight grids (at least two non-negative values each).

    Returns
    -------
    WeightMap
        The winner and every alternative's expected utility at each grid point.

    Examples
    --------
    >>> from estimative import Network
    >>> m = weight_map(Network.from_file("models/oil_wildcatter"), "drilling", "test_cost")
    >>> m.winner_at(1.0, 1.0), m.shares()["test=yes,drill=no"]
    ('test=no,drill=yes', 0.0)
    """
    util = utility_model(net, weights=weights)
    for field_, name in (("x", x), ("y", y)):
        if name not in util.written:
            raise UsageError(
                f"unknown utility attribute '{name}'{did_you_mean(name, util.written)}",
                field=field_,
                expected=f"one of {list(util.written)}",
            )
    if x == y:
        raise UsageError("the two weights of a weight map must differ", found=f"{x} twice")
    altset = default_alternatives(net, policies, do=do)
    e = util.aggregate(alternative_tensors(net, util, altset)[0])  # (n_alt, n_written)

    def grid(name: str, given: Sequence[float] | None) -> np.ndarray:
        if given is not None:
            arr = np.asarray(given, dtype=float)
            if arr.ndim != 1 or arr.size < 2 or np.any(arr < 0) or not np.all(np.isfinite(arr)):
                raise UsageError(
                    f"weights for '{name}' must be at least two non-negative numbers",
                    found=str(given),
                )
            return arr
        return np.linspace(0.0, max(1.0, 2.0 * util.written_weights[name]), 41)

    xs, ys = grid(x, x_values), grid(y, y_values)
    ix, iy = util.written.index(x), util.written.index(y)
    w = util.written_vector
    rest = e @ np.where(np.isin(np.arange(len(w)), [ix, iy]), 0.0, w)  # (n_alt,)
    eu = (
        rest[:, None, None]
        + e[:, ix, None, None] * xs[None, None, :]
        + e[:, iy, None, None] * ys[None, :, None]
    )
    tol = tie_tolerance(eu)
    winner = np.argmax(eu >= eu.max(axis=0, keepdims=True) - tol, axis=0)
    return WeightMap(
        net.name,
        net.model_hash,
        x,
        y,
        xs,
        ys,
        altset.ids,
        tuple(a.label for a in altset.alternatives),
        eu,
        winner,
        (util.written_weights[x], util.written_weights[y]),
        dict(util.written_weights),
    )
