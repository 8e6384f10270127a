"""Draws of a CPT several analysts elicited, made per analyst and mixed.

A draw of the whole model is one analyst's: :func:`analyst_labels` gives each of the ``n``
draws an analyst, in proportion to the analysts' weights (exact counts, shuffled), and every
pooled CPT of that draw is drawn from that analyst's elicitation, in its own form and with
its own strength. A CPT that analyst did not elicit is drawn from one of those who did,
chosen with their weights renormalised. So, for a linear pool, each CPT's draws are the
mixture of its analysts' priors: their mean is the pooled table, and the spread of a
judgment over the draws is the analysts' own uncertainty *and* their disagreement, which
:func:`estimative.uncertainty.analyst_split` tells apart.

A log-pooled CPT is drawn by drawing every analyst's table and pooling the draws
(:func:`estimative.spec.pool_tables`), so each draw is a log pool; its mean is close to, not
exactly, the pooled table.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..network import Network
from ..spec import ModelSpec, VariableSpec, elicited, pool_tables
from .forms import draw_form, elicitation_strength


def analyst_weights(spec: ModelSpec) -> dict[str, float]:
    """Each listed analyst's weight, normalised to sum to 1 (equal if every weight is 0)."""
    w = {a.id: float(a.weight) for a in spec.analysts}
    total = sum(w.values())
    if total <= 0:
        return {k: 1.0 / len(w) for k in w} if w else {}
    return {k: v / total for k, v in w.items()}


def analyst_labels(spec: ModelSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    """Which analyst (an index into ``spec.analysts``) each of ``n`` draws belongs to: counts
    proportional to the weights (largest remainders), in a random order."""
    w = np.array(list(analyst_weights(spec).values()))
    raw = w * n
    counts = np.floor(raw).astype(int)
    short = n - int(counts.sum())
    if short > 0:
        counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    return rng.permutation(np.repeat(np.arange(w.size), counts))


def draw_pooled(
    net: Network,
    name: str,
    var: VariableSpec,
    n: int,
    *,
    rng: np.random.Generator,
    strengths: Mapping[str, float] | None = None,
    labels: np.ndarray | None = None,
) -> np.ndarray:
    """``n`` draws of the pooled CPT of ``name``: shape ``(card, *parent cards, n)``.

    ``labels`` (from :func:`analyst_labels`) names each draw's analyst; without them the
    draws' analysts are chosen here."""
    spec = net.spec
    per = elicited(var, net.states)
    weights = analyst_weights(spec)
    ids = [a.id for a in spec.analysts]
    own = {a: elicitation_strength(name, var, v, strengths) for a, v in per.items()}
    if var.cpt.pool == "log":
        tables = [draw_form(v, net.states, own[a], n, rng) for a, v in per.items()]
        return pool_tables(tables, [weights.get(a, 0.0) for a in per], "log")
    if labels is None:
        labels = analyst_labels(spec, n, rng)
    who = np.array([ids[i] for i in labels], dtype=object)
    mine = list(per)
    w = np.array([weights.get(a, 0.0) for a in mine])
    w = w / w.sum() if w.sum() > 0 else np.full(len(mine), 1.0 / len(mine))
    others = ~np.isin(who, mine)
    if others.any():  # a draw of an analyst who did not elicit this CPT: one who did
        who[others] = np.array(mine, dtype=object)[rng.choice(len(mine), others.sum(), p=w)]
    out = np.empty((*var.table.shape, n))
    for a, v in per.items():
        idx = np.nonzero(who == a)[0]
        if idx.size:
            out[..., idx] = draw_form(v, net.states, own[a], int(idx.size), rng)
    return out
