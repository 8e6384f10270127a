"""CPTs updated from observed cases: the elicited CPT is the Dirichlet prior, the counts are
added (the conjugate update).

Each column of a variable's CPT is the prior Dirichlet(alpha) with ``alpha = s x column``
(``s`` the CPT's strength, an equivalent sample size; a verbal row's band-fitted strength),
so ``s`` cases' worth of belief. With ``n`` cases counted in the column the posterior is
Dirichlet(alpha + counts) and the updated CPT is its mean ``(alpha + counts) / (s + n)``:
what pgmpy's ``BayesianEstimator`` gives with ``prior_type="dirichlet"`` and these pseudo
counts. Variables whose column (or a parent's) is absent from the data keep their CPT.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError, did_you_mean
from ..network import Network
from .forms import spec_variable, strength_of, verbal_strength


@dataclass(frozen=True, eq=False)
class Learned:
    """The CPTs updated from cases, with where the data came from and the prior used."""

    network: Network
    updated: tuple[str, ...]
    prior_strengths: dict[str, list[float]]
    counts: dict[str, np.ndarray] = field(repr=False)
    rows: int
    data: str
    data_hash: str
    model_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "updated": list(self.updated),
            "prior_strengths": self.prior_strengths,
            "counts": {k: v.tolist() for k, v in self.counts.items()},
            "cpts": {k: self.network.cpt(k).tolist() for k in self.updated},
            "rows": self.rows,
            "data": self.data,
            "data_hash": self.data_hash,
            "model_hash": self.model_hash,
        }


def _read(data: pd.DataFrame | str | os.PathLike[str]) -> tuple[pd.DataFrame, str, str]:
    if isinstance(data, pd.DataFrame):
        blob = data.to_csv(index=False).encode()
        return data, "<DataFrame>", hashlib.sha256(blob).hexdigest()[:16]
    path = Path(data)
    if not path.is_file():
        raise UsageError(f"no data file {path}", field="data", fix="give a CSV of cases")
    blob = path.read_bytes()
    frame = pd.read_csv(path, dtype=str, keep_default_na=True)
    return frame, str(path), hashlib.sha256(blob).hexdigest()[:16]


def _check(net: Network, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    for col in frame.columns:
        if col not in net.variables:
            raise UsageError(
                f"{source}: column '{col}' is not a variable of the model"
                f"{did_you_mean(str(col), net.variables)}",
                field="data",
                expected=f"columns among {list(net.variables)}",
                fix="rename or drop the column",
            )
    if frame.isna().to_numpy().any():
        r, c = np.argwhere(frame.isna().to_numpy())[0]
        raise UsageError(
            f"{source}: row {r + 1} has no value for '{frame.columns[c]}'",
            field="data",
            fix="give every case a state for every column (missing values are not handled yet)",
        )
    for col in frame.columns:
        states = net.states[col]
        values = frame[col].astype(str)
        bad = ~values.isin(states)
        if bad.any():
            r = int(np.argmax(bad.to_numpy()))
            raise UsageError(
                f"{source}: row {r + 1}, column '{col}': '{values.iloc[r]}' is not a state of "
                f"'{col}'{did_you_mean(values.iloc[r], states)}",
                field="data",
                expected=f"one of {list(states)}",
                fix="correct the value or the model's states",
            )
    return frame.astype(str)


def learn(
    net: Network,
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    strengths: Mapping[str, float] | None = None,
) -> Learned:
    """Update the CPTs from observed cases, the elicited CPTs (with their strength) as prior.

    Parameters
    ----------
    net : Network
        The model; its CPTs and strengths are the prior.
    data : pandas.DataFrame or path
        One case per row, one column per observed variable, states by name (a CSV file with a
        header row, or a frame).
    strengths : mapping, optional
        Prior strengths (equivalent sample sizes) overriding the model file's, by variable.

    Returns
    -------
    Learned
        The updated network, the counts, the prior strengths, the data's name and hash.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> cases = pd.DataFrame({"us_rhetoric": ["bluster"] * 10})
    >>> out = learn(net, cases)  # prior (0.4, 0.6) with strength 10, then 10 bluster cases
    >>> out.network.cpt("us_rhetoric").round(3).tolist()
    [0.2, 0.8]
    """
    frame, source, digest = _read(data)
    frame = _check(net, frame, source)
    new: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    prior: dict[str, list[float]] = {}
    for name, cpt in zip(net.variables, net.cpts, strict=True):
        pars = net.parents[name]
        if name not in frame.columns or any(p not in frame.columns for p in pars):
            continue
        card = cpt.shape[0]
        flat = cpt.reshape(card, -1)
        s = strength_of(net, name, strengths)
        var = spec_variable(net, name)
        if s is None and var is not None:
            per_col = verbal_strength(var, None).reshape(-1)
        else:
            per_col = np.full(flat.shape[1], 20.0 if s is None else s)
        alpha = flat * per_col[np.newaxis, :]
        n = np.zeros_like(flat)
        configs = list(itertools.product(*(net.states[p] for p in pars)))
        col_of = {cfg: i for i, cfg in enumerate(configs)}
        child = frame[name].map({st: i for i, st in enumerate(net.states[name])}).to_numpy()
        keys = zip(*(frame[p] for p in pars), strict=True) if pars else [()] * len(frame)
        cols = np.array([col_of[tuple(k)] for k in keys], dtype=int)
        np.add.at(n, (child.astype(int), cols), 1.0)
        post = alpha + n
        new[name] = (post / post.sum(axis=0, keepdims=True)).reshape(cpt.shape)
        counts[name] = n.reshape(cpt.shape)
        prior[name] = per_col.tolist()
    return Learned(
        net.with_cpts(new),
        tuple(new),
        prior,
        counts,
        len(frame),
        source,
        digest,
        net.model_hash,
    )
