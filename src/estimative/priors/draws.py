"""Parameter draws: every CPT drawn in its form's own parameters, with the batch on a
trailing axis ``(card, *parent_cards, N)``, the layout the engine contracts fastest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..checks import check_count
from ..errors import UsageError
from ..network import Network
from ..spec import VariableSpec
from ..spec.elicitation import default_strength
from .forms import draw_chain, draw_variable, spec_variable
from .pooled import analyst_labels, draw_pooled
from .verbal import band_concentration


def concentrations(
    net: Network, *, strengths: Mapping[str, float] | None = None
) -> list[np.ndarray]:
    """The Dirichlet parameters of every expanded CPT column (same shapes as ``net.cpts``).

    The concentration each column would have if it were drawn as a full table: strength x
    column, a verbal column's band-fitted strength. The draws themselves are made in each
    form's own parameters (:func:`draw_cpts`); these concentrations serve the sensitivity of
    expanded cells (``one_way(..., over="cells")``). ``strengths`` overrides the file's
    strength for named variables.
    """
    out = []
    byid = {v.id: v for v in net.spec.variables}
    # by engine node: a factorised CPT's chain tables are drawn as tables of its own
    owner = {i: name for name in net.chains for i in net.chains[name]}
    for i, cpt in enumerate(net.cpts):
        name = owner.get(i, net.structure.names[i])
        var = byid.get(name)
        # a dynamic model's copies (x@2018H1) take the strength given for the variable (x)
        override = (strengths or {}).get(name, (strengths or {}).get(name.partition("@")[0]))
        if override is not None:
            alpha = float(override) * cpt
        elif var is not None and var.bands is not None and var.cpt.strength is None:
            event = -1 if var.cpt.event is None else var.states.index(var.cpt.event)
            total = band_concentration(cpt[event], var.bands[0], var.bands[1])
            alpha = cpt * total[np.newaxis, ...]
        else:
            s = default_strength(var.cpt) if var is not None else 20.0
            alpha = s * cpt
        out.append(alpha)
    return out


def draw_cpts(
    net: Network, n: int, *, rng: np.random.Generator, strengths: Mapping[str, float] | None = None
) -> list[np.ndarray]:
    """``n`` joint draws of every CPT; each array has shape ``(card, *parent_cards, n)``.

    Each CPT is drawn in its form's own parameters and expanded by the form's map
    (:mod:`estimative.priors.forms`): a Dirichlet per table column, a Beta per noisy-OR link
    and leak, a Dirichlet per noisy-MAX link and leak, a band-fitted Beta per verbal row.
    Every draw is a valid CPT of the form the analyst chose; entries whose point value is 0
    stay 0. A CPT several analysts elicited is drawn per analyst (:mod:`.pooled`): each
    draw of the model is one analyst's, in proportion to their weights. In a dynamic model the copies of one CPT in several slices
    (:attr:`~estimative.spec.ModelSpec.ties`) share each draw: the uncertainty is about the
    table the analyst wrote once.

    Parameters
    ----------
    net : Network
        The model.
    n : int
        The number of draws (at least 1).
    rng : numpy.random.Generator
        The generator the draws come from.
    strengths : mapping, optional
        Dirichlet strengths overriding the model file's, by variable.

    Returns
    -------
    list of numpy.ndarray
        One array per engine node (``net.cpts`` order: the variables in ``net.variables``
        order, then the hidden chain nodes of factorised CPTs), ``(card, *parent cards, n)``.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> draws = draw_cpts(net, 1000, rng=np.random.default_rng(1))
    >>> draws[0].shape, bool(np.allclose(draws[0].sum(axis=0), 1.0))
    ((2, 1000), True)
    """
    n = check_count(n, name="n", minimum=1, example=2000)
    ties = net.spec.ties  # a dynamic model's copies of one CPT share one draw
    shared: dict[str, tuple[np.ndarray, ...]] = {}
    pooled = {name: v for name in net.variables if (v := _pooled(net, name)) is not None}
    # several analysts: each draw is one analyst's, the same for every pooled CPT
    labels = analyst_labels(net.spec, n, rng) if pooled else None
    out: list[np.ndarray] = [np.empty(0)] * len(net.cpts)
    for name in net.variables:
        key = ties.get(name)
        nodes = net.nodes(name)
        shapes = [net.cpts[i].shape for i in nodes]
        if key is not None and key in shared and [d.shape[:-1] for d in shared[key]] == shapes:
            for i, d in zip(nodes, shared[key], strict=True):
                out[i] = d
            continue
        draw: tuple[np.ndarray, ...]
        if name in net.chains:  # factorised: its chain's tables, drawn in its parameters
            draw = draw_chain(net, name, n, rng=rng, strengths=strengths)
        elif name in pooled:
            draw = (
                draw_pooled(
                    net, name, pooled[name], n, rng=rng, strengths=strengths, labels=labels
                ),
            )
        else:
            draw = (draw_variable(net, name, n, rng=rng, strengths=strengths),)
        if key is not None:
            shared[key] = draw
        for i, d in zip(nodes, draw, strict=True):
            out[i] = d
    return out


def _pooled(net: Network, name: str) -> VariableSpec | None:
    var = spec_variable(net, name)
    return var if var is not None and var.cpt.form == "pooled" else None


Draws = Sequence[np.ndarray]


def resolve_draws(
    net: Network,
    draws: int | Draws,
    rng: np.random.Generator | None,
    strengths: Mapping[str, float] | None = None,
) -> list[np.ndarray]:
    """The draws to use: drawn now (``int``) or checked against the network (a list)."""
    if isinstance(draws, int | np.integer):
        if rng is None:
            raise UsageError(
                "drawing parameters needs a random generator",
                field="rng",
                fix="pass rng=np.random.default_rng(SEED), or pass draws from draw_cpts",
            )
        draws = check_count(draws, name="draws", minimum=1, example=2000)
        return draw_cpts(net, int(draws), rng=rng, strengths=strengths)
    out = [np.asarray(d, dtype=float) for d in draws]
    if len(out) != len(net.cpts):
        raise UsageError(
            f"draws has {len(out)} arrays; the network has {len(net.cpts)} CPTs",
            fix="pass the list draw_cpts(net, N, rng=...) returns",
        )
    n = out[0].shape[-1] if out and out[0].ndim else 0
    for name, d, cpt in zip(net.structure.names, out, net.cpts, strict=True):
        if d.shape != (*cpt.shape, n):
            raise UsageError(
                f"draws for '{name}' have shape {d.shape}",
                expected=str((*cpt.shape, n)),
                fix="pass the list draw_cpts(net, N, rng=...) returns for this network",
            )
    return out


def n_draws(draws: Draws) -> int:
    """The number of parameter sets in a list of batched CPTs."""
    return int(draws[0].shape[-1])
