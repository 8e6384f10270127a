"""Each CPT form's own parameters and their prior, and draws made in those terms.

A draw is made in the numbers the analyst wrote and expanded by the same maps as the point
values (:mod:`estimative.spec.noisy`), so every draw keeps the form the analyst chose:

- **table**: each column ~ Dirichlet(s x column).
- **noisy-OR**: the leak ~ Beta(s l, s (1 - l)) and each cause's net link (its chance of
  producing the child over and above the leak, ``1 - (1 - c) / (1 - l)`` for a written
  ``c = P(present | cause alone)``) ~ Beta(s p, s (1 - p)), all independent. Every draw is a
  noisy-OR, so the child's probability never falls when a cause is added; the written
  ``c`` has mean ``1 - (1 - l)(1 - p) = c``.
- **noisy-MAX**: the leak's distribution ~ Dirichlet(s x leak) and each cause's net
  distribution (the one whose CDF times the leak's is the written distribution's) ~
  Dirichlet(s x net), independent. CDFs are linear in the distribution, so the mean table is
  the point table.
- **verbal**: each row's event probability ~ the Beta with the term's midpoint as mean and
  90% of its mass in the term's band (:mod:`.verbal`); with an explicit ``strength`` s,
  Beta(s m, s (1 - m)).

``s`` is the form's equivalent sample size: the file's ``strength`` (or the default for the
CPT's provenance), or an override by variable. A network whose CPT no longer equals its
spec's table (``Network.with_cpts``) is drawn as a full table. A factorised noisy CPT (one
too large to expand) is drawn in the same parameters and returned as its chain's tables
(:func:`draw_chain`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..network import Network
from ..spec import VariableSpec
from ..spec.elicitation import default_strength
from ..spec.noisy import NoisyPoint, noisy_chain, noisy_max_array, noisy_or_array, noisy_point
from .verbal import band_concentration


def dirichlet(alpha: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of Dirichlet(``alpha[:, ...]``) per column; shape ``(*alpha.shape, n)``.

    Entries whose concentration is 0 stay 0 (structural zeros); a column whose draws all
    underflow to zero falls back to its mean.
    """
    a = np.asarray(alpha, dtype=float)
    g = rng.standard_gamma(np.where(a > 0, a, 1.0)[..., np.newaxis] * np.ones(n))
    g = np.where(a[..., np.newaxis] > 0, g, 0.0)
    total = g.sum(axis=0, keepdims=True)
    safe = np.where(total > 0, total, 1.0)
    mean = (a / np.maximum(a.sum(axis=0, keepdims=True), 1e-300))[..., np.newaxis]
    return np.where(total > 0, g / safe, mean)


def beta(p: np.ndarray, s: np.ndarray | float, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of Beta(s p, s (1 - p)) per entry of ``p``; shape ``(*p.shape, n)``."""
    p = np.asarray(p, dtype=float)
    pair = np.stack([1.0 - p, p]) * np.asarray(s, dtype=float)
    return dirichlet(pair, n, rng)[1]


def spec_variable(net: Network, name: str) -> VariableSpec | None:
    """The spec's variable behind a network's CPT, when its table is still the network's."""
    try:
        var = net.spec.variable(name)
    except Exception:
        return None
    if name in net.chains:  # factorised: its chain is the spec's (with_cpts refuses it)
        return var
    table = var._table
    cpt = net.cpts[net.index(name)]
    if table is None or table.shape != cpt.shape or not np.allclose(table, cpt, atol=1e-12):
        return None
    return var


def form_of(net: Network, name: str) -> str:
    """The CPT form the draws of ``name`` are made in: table, noisy_or, noisy_max or verbal."""
    var = spec_variable(net, name)
    return "table" if var is None else var.cpt.form


def strength_of(net: Network, name: str, strengths: Mapping[str, float] | None) -> float | None:
    """The equivalent sample size of ``name``'s prior (``None``: a verbal term's band fit)."""
    # a dynamic model's copies (x@2018H1) take the strength given for the variable (x)
    override = (strengths or {}).get(name, (strengths or {}).get(name.partition("@")[0]))
    if override is not None:
        return float(override)
    var = spec_variable(net, name)
    if var is None:
        try:
            return default_strength(net.spec.variable(name).cpt)
        except Exception:
            return 20.0
    if var.cpt.form == "verbal" and var.cpt.strength is None:
        return None
    return default_strength(var.cpt)


def verbal_strength(var: VariableSpec, s: float | None) -> np.ndarray:
    """Per column, the concentration of the verbal row's Beta (shape: parent cards)."""
    assert var.bands is not None
    event = var.states.index(var.cpt.event) if var.cpt.event is not None else 1
    mean = var.table[event]
    if s is not None:
        return np.full(mean.shape, float(s))
    return band_concentration(mean, var.bands[0], var.bands[1])


def elicitation_strength(
    name: str, pooled: VariableSpec, own: VariableSpec, strengths: Mapping[str, float] | None
) -> float | None:
    """The strength of one analyst's elicitation of a pooled CPT: an override by variable,
    else the elicitation's ``strength``, else the pooled CPT's, else the default for the
    elicitation's provenance (``None``: a verbal elicitation's band fit)."""
    override = (strengths or {}).get(name, (strengths or {}).get(name.partition("@")[0]))
    if override is not None:
        return float(override)
    if own.cpt.strength is not None:
        return float(own.cpt.strength)
    if pooled.cpt.strength is not None:
        return float(pooled.cpt.strength)
    if own.cpt.form == "verbal":
        return None
    return default_strength(own.cpt)


def draw_form(
    var: VariableSpec,
    states: Mapping[str, Sequence[str]],
    s: float | None,
    n: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``n`` draws of an expanded variable's CPT in its own form (table, noisy-OR, noisy-MAX,
    verbal) with strength ``s``; shape ``(card, *parent cards, n)``."""
    form = var.cpt.form
    if form == "table":
        return dirichlet((20.0 if s is None else s) * var.table, n, rng)
    if form == "verbal":
        k = verbal_strength(var, s)
        event = var.states.index(var.cpt.event) if var.cpt.event is not None else 1
        x = beta(var.table[event], k, n, rng)
        out = np.empty((2, *x.shape))
        out[event], out[1 - event] = x, 1.0 - x
        return out
    pt = noisy_point(var, states)
    leak, links = _noisy_draws(pt, 20.0 if s is None else s, n, rng)
    if pt.form == "noisy_or":
        return noisy_or_array(leak, links)
    return np.clip(noisy_max_array(leak, links), 0.0, 1.0)


def _noisy_draws(
    pt: NoisyPoint, s: float, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, list[np.ndarray]]:
    """``n`` draws of a noisy CPT's leak and net links, batch on a trailing axis."""
    if pt.form == "noisy_or":
        return beta(np.asarray(pt.leak), s, n, rng), [beta(link, s, n, rng) for link in pt.links]
    leak = dirichlet(s * pt.leak, n, rng)
    return leak, [np.moveaxis(dirichlet(s * link.T, n, rng), 0, 1) for link in pt.links]


def draw_chain(
    net: Network,
    name: str,
    n: int,
    *,
    rng: np.random.Generator,
    strengths: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, ...]:
    """``n`` draws of a factorised noisy CPT (``name in net.chains``), made in its form's
    parameters as for a full table (a Beta or Dirichlet per leak and link) and returned as
    its chain's tables (:func:`~estimative.spec.noisy.noisy_chain`), one per node of
    ``net.nodes(name)``, each with the draws on a trailing axis."""
    var = net.spec.variable(name)
    pt = var.factors
    s = strength_of(net, name, strengths)
    leak, links = _noisy_draws(pt, 20.0 if s is None else s, n, rng)
    return noisy_chain(pt.form, leak, links)


def draw_variable(
    net: Network,
    name: str,
    n: int,
    *,
    rng: np.random.Generator,
    strengths: Mapping[str, float] | None = None,
) -> np.ndarray:
    """``n`` draws of one CPT in its form's parameters; shape ``(card, *parent cards, n)``.
    (A pooled CPT is drawn per analyst by :func:`estimative.priors.pooled.draw_pooled`.)"""
    cpt = net.cpts[net.index(name)]
    var = spec_variable(net, name)
    if var is None or var.cpt.form == "pooled":
        s = strength_of(net, name, strengths)
        return dirichlet((20.0 if s is None else s) * cpt, n, rng)
    return draw_form(var, net.states, strength_of(net, name, strengths), n, rng)
