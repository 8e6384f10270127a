"""Global sensitivity: Sobol first-order and total indices, sampled and analysed with SALib.

:func:`sobol_indices` wraps SALib's Saltelli/Sobol' sampling (``SALib.sample.sobol``) and
analysis (``SALib.analyze.sobol``) for any vectorised model of named inputs, optionally in
groups. :func:`global_sensitivity` applies it to a network query with one group of
parameters per variable: the variable's whole CPT.

How a CPT becomes a SALib input. The model's parameter uncertainty is a Dirichlet per CPT
column (see :mod:`estimative.uncertainty`). Each variable's CPT is one SALib input ``u`` in
``[0, 1)``, mapped to a CPT draw through the inverse empirical CDF of a pool of ``pool``
independent Dirichlet draws of that CPT: ``draw = pool[floor(u * pool)]``. For a large pool
this is a draw from the model's Dirichlet, and the Saltelli design keeps its meaning (rows
that share ``u`` share the CPT). We chose this over per-entry Beta quantile transforms of
stick-breaking uniforms, which are exact but cost about 2 microseconds per entry in scipy's
``betaincinv`` (tens of seconds for a few hundred parameters and 20,000 rows), and over a
one-number "scaling" of each CPT, which would not follow the Dirichlet. Pool draws use
numpy's vectorised gamma sampler; every row is evaluated by the batched engine.

With ``groups`` several variables form one group (SALib's ``groups``): their indices then
measure the variables' parameters together.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..checks import check_count
from ..errors import UsageError
from ..network import Network, Soft
from ..uncertainty import batched_probability, draw_cpts
from .oneway import relevant_variables


@dataclass(frozen=True, eq=False)
class SobolIndices:
    """First-order (``S1``) and total (``ST``) Sobol indices per input group, with SALib's
    bootstrap confidence half-widths at ``conf_level``.

    >>> import numpy as np
    >>> from estimative import Network, global_sensitivity
    >>> s = global_sensitivity(Network.from_file("models/example"), "armed_clash", "yes", n=256,
    ...                        rng=np.random.default_rng(0))
    >>> s.to_frame()["group"][0]
    'armed_clash'
    """

    names: tuple[str, ...]
    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    n: int
    evaluations: int
    conf_level: float
    output_mean: float
    output_variance: float
    label: str = ""
    model_hash: str = ""

    def __getitem__(self, name: str) -> tuple[float, float]:
        """``(S1, ST)`` of one group."""
        i = self.names.index(name)
        return float(self.S1[i]), float(self.ST[i])

    def to_frame(self) -> pd.DataFrame:
        """One row per group, largest total index first."""
        df = pd.DataFrame(
            {
                "group": list(self.names),
                "S1": self.S1,
                "S1_conf": self.S1_conf,
                "ST": self.ST,
                "ST_conf": self.ST_conf,
            }
        )
        return df.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "n": self.n,
            "evaluations": self.evaluations,
            "conf_level": self.conf_level,
            "output_mean": self.output_mean,
            "output_variance": self.output_variance,
            "indices": self.to_frame().to_dict("records"),
            "model_hash": self.model_hash,
        }

    def __repr__(self) -> str:
        return f"<SobolIndices {self.label or ''} over {len(self.names)} groups, {self.evaluations} evaluations>"

    def _repr_html_(self) -> str:
        return (
            f"<p>Sobol indices {html.escape(self.label)} ({self.evaluations} evaluations; "
            f"output variance {self.output_variance:.3g})</p>"
            + self.to_frame().to_html(index=False, float_format=lambda x: f"{x:.4f}")
        )


def _seed(rng: np.random.Generator) -> int:
    """A whole number taken from ``rng`` for SALib, whose sampler and bootstrap take an
    integer ``seed`` rather than a generator. It advances ``rng``, so the indices follow
    from the caller's generator like every other draw."""
    return int(rng.integers(2**31 - 1))


def sobol_indices(
    model: Callable[[np.ndarray], np.ndarray],
    names: Sequence[str],
    *,
    rng: np.random.Generator,
    bounds: Sequence[tuple[float, float]] | None = None,
    groups: Sequence[str] | None = None,
    n: int = 1024,
    conf_level: float = 0.95,
    num_resamples: int = 100,
    label: str = "",
    model_hash: str = "",
) -> SobolIndices:
    """Sobol indices of a vectorised ``model`` by SALib's Saltelli design and estimators.

    ``model`` maps an ``(rows, len(names))`` array of inputs to ``rows`` outputs. Inputs are
    uniform on ``bounds`` (default ``[0, 1]`` each). ``groups`` gives each input's group name
    (SALib's ``groups``); indices are then per group, in order of first appearance. ``n``
    should be a power of 2; the model runs ``n * (groups + 2)`` rows.

    Parameters
    ----------
    model : callable
        Maps an ``(rows, len(names))`` array of inputs to ``rows`` outputs.
    names : sequence of str
        The inputs' names.
    rng : numpy.random.Generator
        Seeds SALib's scrambled Sobol' sampler and bootstrap (SALib takes an integer seed; two
        are taken from ``rng``).
    bounds : sequence of (low, high), optional
        Each input's uniform range (default ``[0, 1]``).
    groups : sequence of str, optional
        Each input's group (SALib's ``groups``).
    n : int
        The Saltelli base sample, a power of 2.
    conf_level : float
        The confidence level of the bootstrap half-widths.
    num_resamples : int
        Bootstrap resamples.
    label, model_hash : str
        Recorded on the result.

    Returns
    -------
    SobolIndices
        ``S1`` and ``ST`` per input (or group) with confidence half-widths.

    Examples
    --------
    >>> from SALib.test_functions import Ishigami
    >>> s = sobol_indices(Ishigami.evaluate, ["x1", "x2", "x3"], bounds=[(-np.pi, np.pi)] * 3,
    ...                   n=4096, rng=np.random.default_rng(0))
    >>> [f"{x:.1f}" for x in s.ST]
    ['0.6', '0.4', '0.2']
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    names = [str(x) for x in names]
    if not names:
        raise UsageError("name at least one input")
    n = check_count(n, name="n", minimum=2, example=1024)
    if n & (n - 1):
        raise UsageError(
            "n must be a power of 2 (Sobol' sequences balance only then)",
            found=str(n),
            fix="e.g. n=512, 1024 or 4096",
        )
    bnds = (
        [[0.0, 1.0]] * len(names) if bounds is None else [[float(a), float(b)] for a, b in bounds]
    )
    if len(bnds) != len(names):
        raise UsageError(
            f"bounds needs one (low, high) pair per input ({len(names)})", found=str(len(bnds))
        )
    problem: dict[str, Any] = {"num_vars": len(names), "names": names, "bounds": bnds}
    if groups is not None:
        if len(groups) != len(names):
            raise UsageError(
                f"groups needs one group name per input ({len(names)})", found=str(len(groups))
            )
        problem["groups"] = [str(g) for g in groups]
        if len(set(problem["groups"])) < 2:
            # SALib samples a single group as ungrouped inputs but analyses it as one group.
            raise UsageError(
                "Sobol indices need at least two groups; one group explains all the variance",
                fix="split the inputs into two or more groups",
            )
    X = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=_seed(rng))
    Y = np.asarray(model(X), dtype=float).reshape(-1)
    if Y.shape != (X.shape[0],):
        raise UsageError(f"the model returned {Y.size} outputs for {X.shape[0]} input rows")
    if not np.all(np.isfinite(Y)):
        raise UsageError(
            "the model returned NaN or infinite outputs",
            fix="check the evidence is possible in every draw",
        )
    gnames = list(dict.fromkeys(problem["groups"])) if groups is not None else names
    if np.ptp(Y) <= np.finfo(float).eps * max(1.0, float(np.abs(Y).max())):
        zeros = np.zeros(len(gnames))
        return SobolIndices(
            tuple(gnames),
            zeros,
            zeros,
            zeros.copy(),
            zeros.copy(),
            n,
            int(Y.size),
            conf_level,
            float(Y.mean()),
            0.0,
            label,
            model_hash,
        )
    Si = sobol_analyze.analyze(
        problem,
        Y,
        calc_second_order=False,
        num_resamples=num_resamples,
        conf_level=conf_level,
        print_to_console=False,
        seed=_seed(rng),
    )
    return SobolIndices(
        tuple(gnames),
        np.asarray(Si["S1"], dtype=float),
        np.asarray(Si["S1_conf"], dtype=float),
        np.asarray(Si["ST"], dtype=float),
        np.asarray(Si["ST_conf"], dtype=float),
        n,
        int(Y.size),
        conf_level,
        float(Y.mean()),
        float(Y.var()),
        label,
        model_hash,
    )


def global_sensitivity(
    net: Network,
    target: str,
    state: str | Sequence[str],
    *,
    rng: np.random.Generator,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    soft: Soft | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
    n: int = 1024,
    pool: int = 4096,
    variables: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    strengths: Mapping[str, float] | None = None,
    conf_level: float = 0.95,
) -> SobolIndices:
    """Sobol indices of ``P(target in state | conditions)`` with respect to the CPTs.

    One group per variable (default: every variable whose CPT can change the query; others
    are left out, their indices are 0), or the named ``groups`` of variables. In a dynamic
    model the default input is one CPT as written: the slices' copies of one table
    (:attr:`~estimative.spec.ModelSpec.ties`, e.g. ``"tension.cpt"``) move together, as they
    do in every parameter draw. Variables not
    in any group stay at their point values. ``n`` (a power of 2) sets the Saltelli base
    sample, ``pool`` the Dirichlet draws per CPT behind each input (see the module notes).

    Parameters
    ----------
    net : Network
        The model.
    target : str
        The variable the probability is about.
    state : str or sequence of str
        The target state, or several.
    rng : numpy.random.Generator
        The generator for the Dirichlet pools and SALib's design.
    given, do, soft, policy, scenario : optional
        The conditions, as for :meth:`estimative.network.Network.query`.
    n : int
        The Saltelli base sample, a power of 2.
    pool : int
        Dirichlet draws per CPT behind each input.
    variables : sequence of str, optional
        The variables whose CPTs are inputs (one group each).
    groups : mapping of str to sequence of str, optional
        Named groups of variables instead.
    strengths : mapping, optional
        Dirichlet strengths overriding the model file's, by variable.
    conf_level : float
        The confidence level of the bootstrap half-widths.

    Returns
    -------
    SobolIndices
        First-order and total indices per variable (or group).

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> s = global_sensitivity(net, "armed_clash", "yes", policy="status_quo", n=256,
    ...                        rng=np.random.default_rng(0))
    >>> s.to_frame()["group"][0]
    'armed_clash'
    """
    target = net.name_of(target)  # an alias names its variable
    prep = net.prepare(
        target, state, given=given, do=do, soft=soft, policy=policy, scenario=scenario
    )
    ev, states = prep.evidence, prep.states
    pool = check_count(pool, name="pool", minimum=2, example=4096)
    if groups is not None:
        group_of: dict[str, str] = {}
        for g, members in groups.items():
            for v in members:
                net.index(v)
                if v in group_of:
                    raise UsageError(
                        f"'{v}' is in two groups ('{group_of[v]}' and '{g}')", fix="put it in one"
                    )
                group_of[v] = str(g)
        inputs = [v for v in net.variables if v in group_of]
        copies: dict[str, list[str]] = {v: [v] for v in inputs}
    else:
        if variables is None:
            rel = relevant_variables(net, target, ev)
            chosen = [v for i, v in enumerate(net.variables) if i in rel]
            # a dynamic model's copies of one CPT are one input: one table, drawn once
            ties = net.spec.ties
            copies = {}
            for v in chosen:
                if ".." in v.partition("@")[2]:
                    continue  # a window node: a deterministic table, nothing to draw
                copies.setdefault(ties.get(v, v), []).append(v)
            inputs = list(copies)
        else:
            inputs = [net.variables[net.index(v)] for v in variables]
            copies = {v: [v] for v in inputs}
        group_of = {v: v for v in inputs}
    if not inputs:
        raise UsageError(
            "no variable's CPT can change this query", fix="check the target, evidence and do()"
        )
    pools = draw_cpts(net, pool, rng=rng, strengths=strengths)
    # every engine node of each input (a factorised CPT's whole chain moves together)
    idx_of = [[i for m in copies[v] for i in net.nodes(m)] for v in inputs]

    def model(X: np.ndarray) -> np.ndarray:
        rows = X.shape[0]
        pick = np.minimum((X * pool).astype(np.intp), pool - 1)
        cpts = [np.broadcast_to(c[..., np.newaxis], (*c.shape, rows)) for c in net.cpts]
        for k, vis in enumerate(idx_of):
            for vi in vis:  # tied copies share each pool draw, so one index ties them
                cpts[vi] = pools[vi][..., pick[:, k]]
        # A draw that makes the evidence impossible gives NaN; sobol_indices then says so.
        return batched_probability(net, target, states, ev, cpts)[0]

    conds = prep.conditions
    label = f"P({target}={','.join(states)}{' | ' + conds if conds else ''})"
    return sobol_indices(
        model,
        inputs,
        rng=rng,
        groups=[group_of[v] for v in inputs],
        n=n,
        conf_level=conf_level,
        label=label,
        model_hash=prep.model_hash,
    )
