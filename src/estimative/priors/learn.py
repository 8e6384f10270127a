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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError, did_you_mean
from ..network import Network
from .em import em
from .forms import spec_variable, strength_of, verbal_strength

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, eq=False)
class Learned:
    """The CPTs updated from cases, with where the data came from and the prior used.

    ``counts`` are the counts added to each updated CPT (expected counts when cases have
    missing values: then ``iterations``, ``converged`` and ``log_likelihood`` say how EM
    went). ``data``, ``data_hash`` and ``rows`` name the cases; ``model_hash`` the prior's
    model.

    >>> import pandas as pd
    >>> from estimative import Network
    >>> out = learn(Network.from_file("models/example"), pd.DataFrame({"us_rhetoric": ["measured"] * 4}))
    >>> out.updated, out.rows, out.counts["us_rhetoric"].tolist()
    (('us_rhetoric',), 4, [4.0, 0.0])
    """

    network: Network
    updated: tuple[str, ...]
    prior_strengths: dict[str, list[float]]
    counts: dict[str, np.ndarray] = field(repr=False)
    rows: int
    data: str
    data_hash: str
    model_hash: str
    missing: int = 0
    method: str = "conjugate"
    iterations: int = 0
    converged: bool = True
    log_likelihood: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "updated": list(self.updated),
            "prior_strengths": self.prior_strengths,
            "counts": {k: v.tolist() for k, v in self.counts.items()},
            "cpts": {k: self.network.cpt(k).tolist() for k in self.updated},
            "rows": self.rows,
            "missing": self.missing,
            "method": self.method,
            "iterations": self.iterations,
            "converged": self.converged,
            "log_likelihood": self.log_likelihood,
            "data": self.data,
            "data_hash": self.data_hash,
            "model_hash": self.model_hash,
        }


def _read(data: pd.DataFrame | str | os.PathLike[str]) -> tuple[pd.DataFrame, str, str]:
    import pandas as pd  # on first use: the command line starts without pandas

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
    for col in frame.columns:
        states = net.states[col]
        values = frame[col].astype(str)
        bad = ~values.isin(states) & frame[col].notna()
        if bad.any():
            r = int(np.argmax(bad.to_numpy()))
            raise UsageError(
                f"{source}: row {r + 1}, column '{col}': '{values.iloc[r]}' is not a state of "
                f"'{col}'{did_you_mean(values.iloc[r], states)}",
                field="data",
                expected=f"one of {list(states)}",
                fix="correct the value or the model's states",
            )
    return frame


def learn(
    net: Network,
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    strengths: Mapping[str, float] | None = None,
    latent: Sequence[str] = (),
    max_iter: int = 500,
    tol: float = 1e-10,
) -> Learned:
    """Update the CPTs from observed cases, the elicited CPTs (with their strength) as prior.

    With every value given, each CPT whose variable and parents are columns of the data gets
    the conjugate update ``(alpha + counts) / (s + n)``. With missing values (empty cells) or
    ``latent`` variables (never observed), the CPTs of every column's variable and of the
    latent ones are fitted by EM (:mod:`.em`), started at the elicited CPTs.

    Parameters
    ----------
    net : Network
        The model; its CPTs and strengths are the prior.
    data : pandas.DataFrame or path
        One case per row, one column per observed variable, states by name (a CSV file with a
        header row, or a frame); an empty cell is a value the case does not give.
    strengths : mapping, optional
        Prior strengths (equivalent sample sizes) overriding the model file's, by variable.
    latent : sequence of str
        Variables no case observes whose CPTs EM should fit too.
    max_iter : int
        EM's iteration limit.
    tol : float
        EM stops when no CPT entry moves by more than this.

    Returns
    -------
    Learned
        The updated network, the counts, the prior strengths, the data's name and hash.

    Examples
    --------
    >>> import pandas as pd
    >>> net = Network.from_file("models/example")
    >>> cases = pd.DataFrame({"us_rhetoric": ["bluster"] * 10})
    >>> out = learn(net, cases)  # prior (0.4, 0.6) with strength 10, then 10 bluster cases
    >>> out.network.cpt("us_rhetoric").round(3).tolist()
    [0.2, 0.8]
    >>> gaps = pd.DataFrame({"us_rhetoric": ["bluster", None], "nk_provocation": ["high", "low"]})
    >>> out = learn(net, gaps)  # the second case's rhetoric is filled in by EM
    >>> out.method, out.converged
    ('em', True)
    """
    frame, source, digest = _read(data)
    frame = _check(net, frame, source)
    for v in latent:
        if v not in net.variables:
            raise UsageError(
                f"unknown latent variable '{v}'{did_you_mean(str(v), net.variables)}",
                field="latent",
            )
    missing = int(frame.isna().to_numpy().sum())
    prior: dict[str, list[float]] = {}
    alpha: dict[str, np.ndarray] = {}
    fit = [*frame.columns, *(v for v in latent if v not in frame.columns)]
    for name in net.variables:
        if missing or latent:
            if name not in fit:
                continue
        elif name not in frame.columns or any(p not in frame.columns for p in net.parents[name]):
            continue
        cpt = net.cpt(name)  # a factorised noisy CPT has no table to update: refused
        per_col = _strengths(net, name, cpt, strengths)
        alpha[name] = cpt * per_col.reshape(cpt.shape[1:])[np.newaxis, ...]
        prior[name] = per_col.tolist()
    if missing or latent:
        codes = np.full((len(frame), len(net.variables)), -1, dtype=int)
        for col in frame.columns:
            index = {st: i for i, st in enumerate(net.states[col])}
            codes[:, net.index(col)] = frame[col].map(index).fillna(-1).to_numpy(dtype=int)
        fitted, counts, loglik, its, ok = em(net, codes, alpha, max_iter=max_iter, tol=tol)
        return Learned(
            fitted,
            tuple(alpha),
            prior,
            counts,
            len(frame),
            source,
            digest,
            net.model_hash,
            missing,
            "em",
            its,
            ok,
            loglik,
        )
    new: dict[str, np.ndarray] = {}
    counts = {}
    for name, a in alpha.items():
        pars = net.parents[name]
        card = a.shape[0]
        n = np.zeros((card, int(np.prod(a.shape[1:], dtype=int))))
        configs = list(itertools.product(*(net.states[p] for p in pars)))
        col_of = {cfg: i for i, cfg in enumerate(configs)}
        child = frame[name].map({st: i for i, st in enumerate(net.states[name])}).to_numpy()
        keys = zip(*(frame[p] for p in pars), strict=True) if pars else [()] * len(frame)
        cols = np.array([col_of[tuple(k)] for k in keys], dtype=int)
        np.add.at(n, (child.astype(int), cols), 1.0)
        post = a.reshape(card, -1) + n
        new[name] = (post / post.sum(axis=0, keepdims=True)).reshape(a.shape)
        counts[name] = n.reshape(a.shape)
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


def _strengths(
    net: Network, name: str, cpt: np.ndarray, strengths: Mapping[str, float] | None
) -> np.ndarray:
    """Per column of ``name``'s CPT, the strength of its Dirichlet prior."""
    s = strength_of(net, name, strengths)
    var = spec_variable(net, name)
    if s is None and var is not None:
        return verbal_strength(var, None).reshape(-1)
    return np.full(int(np.prod(cpt.shape[1:], dtype=int)), 20.0 if s is None else s)
