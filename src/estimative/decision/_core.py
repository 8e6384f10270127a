"""Shared machinery: the resolved utility, the alternatives compared, and the tensors of
expected attribute utility every analysis is built from.

Decisions are set by do(). To get every combination of several decisions from one
contraction, the free decisions are given no parents and a uniform CPT (the influence
diagram's decision nodes): the joint of (decisions, other targets) is then
``P(targets | do(decisions)) / prod(cards)``, which is rescaled.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..checks import check_count
from ..errors import ModelError, Problem, UsageError, did_you_mean
from ..graphs import children_of, reachable
from ..network import Network
from ..priors import resolve_draws
from ..spec.build import derive
from ..spec.timing import RuleSpec, split_slice

#: Draws contracted per engine call: intermediates stay in cache (see DESIGN.md).
CHUNK = 1024
#: More combinations of decisions than this is not a table anyone reads.
MAX_COMBINATIONS = 4096

Draws = Sequence[np.ndarray]


@dataclass(frozen=True)
class UtilityModel:
    """A model's utility with the weights in force: attribute ids, their variables (scope),
    their value tables (one axis per scope variable) and weights.

    The utility of an outcome is ``sum(weights[a] * tables[a][states of scopes[a]])``.

    In a dynamic model an attribute written once with ``at: each`` is unrolled into one
    attribute per slice (``talks_going@2018H1``) whose weight is the written weight times the
    slice's ``share`` (``discount**k / sum(discount**j)``; 1 for ``at: last`` and
    ``horizon``). ``written`` lists the attributes as written, ``groups`` maps each to its
    unrolled attributes, and ``written_weights`` holds the written weights in force: the
    results show those, each written attribute's value being the ``share``-weighted mean of
    its slices (:meth:`aggregate`), so ``eu = written_weights . aggregate(values)``. In a
    model without time both are the attributes themselves.
    """

    unit: str
    attributes: tuple[str, ...]
    labels: Mapping[str, str]
    scopes: Mapping[str, tuple[str, ...]]
    tables: Mapping[str, np.ndarray]
    weights: Mapping[str, float]
    file_weights: Mapping[str, float]
    written: tuple[str, ...] = ()
    written_labels: Mapping[str, str] = field(default_factory=dict)
    written_weights: Mapping[str, float] = field(default_factory=dict)
    written_file_weights: Mapping[str, float] = field(default_factory=dict)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    shares: Mapping[str, float] = field(default_factory=dict)

    @property
    def weight_vector(self) -> np.ndarray:
        return np.array([self.weights[a] for a in self.attributes], dtype=float)

    @property
    def written_vector(self) -> np.ndarray:
        """The written attributes' weights, in the order of ``written``."""
        return np.array([self.written_weights[a] for a in self.written], dtype=float)

    @property
    def overridden(self) -> dict[str, float]:
        """The (written) weights that differ from the model file's."""
        return {a: w for a, w in self.written_weights.items() if w != self.written_file_weights[a]}

    @property
    def share_matrix(self) -> np.ndarray:
        """``M[w, a]``: the share of unrolled attribute ``a`` in written attribute ``w``."""
        m = np.zeros((len(self.written), len(self.attributes)))
        for i, w in enumerate(self.written):
            for a in self.groups[w]:
                m[i, self.attributes.index(a)] = self.shares[a]
        return m

    def aggregate(self, values: np.ndarray, axis: int = -1) -> np.ndarray:
        """``values`` with its attribute axis (``axis``, over ``attributes``) turned into one
        over ``written``: each written attribute's share-weighted mean of its slices."""
        moved = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
        return np.moveaxis(moved @ self.share_matrix.T, -1, axis)


def utility_model(net: Network, *, weights: Mapping[str, float] | None = None) -> UtilityModel:
    """The model's utility, with ``weights`` overriding the file's weights by attribute id.

    Raises :class:`~estimative.errors.ModelError` when the model has no utilities and
    :class:`~estimative.errors.UsageError` for an unknown attribute or a negative weight.

    >>> from estimative import Network
    >>> u = utility_model(Network.from_file("models/umbrella"), weights={"satisfaction": 2})
    >>> u.weights["satisfaction"], u.file_weights["satisfaction"]
    (2.0, 1.0)
    """
    spec = net.spec
    if spec.utilities is None:
        where = f"{spec.root}/model.yaml" if spec.root else None
        raise ModelError(
            Problem(
                "the model has no utilities, so there is nothing to decide by",
                file=where,
                fix="add a utilities: section (or a utilities.yaml beside model.yaml) with weighted attributes",
            )
        )
    attrs = spec.utilities.attributes
    ids = tuple(a.id for a in attrs)
    file_weights = {a.id: float(a.weight) for a in attrs}
    written, wlabels, wfile, groups, shares = _written(net)
    final_w = dict(wfile)
    for k, w in (weights or {}).items():
        if k not in wfile:
            base = split_slice(k)[0]
            if k in file_weights and base in wfile:
                raise UsageError(
                    f"'{k}' is one slice of the utility attribute '{base}': a weight is given "
                    "to an attribute as written, and its slices share it by the discount",
                    field="weights",
                    fix=f"give a weight for '{base}'",
                )
            raise UsageError(
                f"unknown utility attribute '{k}'{did_you_mean(k, written)}",
                field="weights",
                expected=f"one of {list(written)}",
                fix="name an attribute of the model's utilities",
            )
        try:
            wf = float(w)
        except (TypeError, ValueError):
            raise UsageError(
                f"the weight of '{k}' must be a number", field="weights", found=repr(w)
            ) from None
        if not math.isfinite(wf) or wf < 0:
            raise UsageError(
                f"the weight of '{k}' must be a non-negative number",
                field="weights",
                found=repr(w),
                fix="give a weight of 0 or more",
            )
        final_w[k] = wf
    if all(w == 0 for w in final_w.values()):
        raise UsageError(
            "every weight is 0, so no outcome is preferred to another",
            field="weights",
            fix="give at least one attribute a positive weight",
        )
    final = {
        a: (final_w[w] * shares[a] if final_w[w] != wfile[w] else file_weights[a])
        for w in written
        for a in groups[w]
    }
    for v in {x for a in attrs for x in a.over}:
        net.index(v)
    return UtilityModel(
        unit=spec.utilities.unit,
        attributes=ids,
        labels={a.id: a.label for a in attrs},
        scopes={a.id: tuple(a.over) for a in attrs},
        tables={a.id: np.asarray(a.table, dtype=float) for a in attrs},
        weights=final,
        file_weights=file_weights,
        written=written,
        written_labels=wlabels,
        written_weights=final_w,
        written_file_weights=wfile,
        groups=groups,
        shares=shares,
    )


def _written(
    net: Network,
) -> tuple[
    tuple[str, ...],
    dict[str, str],
    dict[str, float],
    dict[str, tuple[str, ...]],
    dict[str, float],
]:
    """The attributes as written (ids, labels, file weights), each one's unrolled attributes,
    and each unrolled attribute's share of its written weight."""
    spec = net.spec
    assert spec.utilities is not None
    attrs = spec.utilities.attributes
    template = spec.template
    if template is None or template.utilities is None or spec.time is None:
        ids = tuple(a.id for a in attrs)
        return (
            ids,
            {a.id: a.label for a in attrs},
            {a.id: float(a.weight) for a in attrs},
            {a: (a,) for a in ids},
            dict.fromkeys(ids, 1.0),
        )
    labels = list(spec.time.labels)
    d = spec.time.discount
    total = sum(d**k for k in range(len(labels)))
    written = tuple(a.id for a in template.utilities.attributes)
    groups: dict[str, list[str]] = {w: [] for w in written}
    shares: dict[str, float] = {}
    for a in attrs:
        base, label = split_slice(a.id)
        groups[base].append(a.id)
        shares[a.id] = 1.0 if label is None else d ** labels.index(label) / total
    return (
        written,
        {a.id: a.label for a in template.utilities.attributes},
        {a.id: float(a.weight) for a in template.utilities.attributes},
        {w: tuple(g) for w, g in groups.items()},
        shares,
    )


def parse_weights(items: Sequence[str]) -> dict[str, float]:
    """``["war_avoided=0.5", ...]`` -> ``{"war_avoided": 0.5}`` (the command line's form).

    >>> parse_weights(["a=0.5", "b = 2"])
    {'a': 0.5, 'b': 2.0}
    """
    out: dict[str, float] = {}
    for item in items:
        if "=" not in item:
            raise UsageError(
                "--weights takes ATTRIBUTE=WEIGHT",
                found=repr(item),
                fix="write e.g. --weights war_avoided=0.5",
            )
        k, v = item.split("=", 1)
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise UsageError(
                f"the weight of '{k.strip()}' must be a number", found=repr(v.strip())
            ) from None
    return out


# --------------------------------------------------------------------------------- alternatives
@dataclass(frozen=True)
class Alternative:
    """Something the decision maker can choose: a named policy, a combination of decision
    states, the baseline (every government as the analyst expects), or the optimal rules."""

    id: str
    label: str
    do: Mapping[str, str]
    kind: str  # "policy" | "combination" | BASELINE ("baseline") | "rules"
    #: A reacting policy's rules (concrete per slice), run exactly by writing them as CPTs
    #: (:func:`estimative.network.react.reacting`).
    rules: tuple[RuleSpec, ...] = ()


@dataclass(frozen=True)
class AlternativeSet:
    """The alternatives compared. When they are every combination of ``free`` decisions,
    one contraction evaluates them all."""

    alternatives: tuple[Alternative, ...]
    fixed: Mapping[str, str] = field(default_factory=dict)
    free: tuple[str, ...] | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.alternatives)


def decision_variables(net: Network) -> list[str]:
    """The decision variables in the order they are made: the order of the model file."""
    return [v.id for v in net.spec.variables if v.kind == "decision"]


def combinations(net: Network, *, do: Mapping[str, str] | None = None) -> AlternativeSet:
    """Every combination of the states of the decision variables not fixed by ``do``."""
    fixed = dict(do or {})
    free = tuple(d for d in decision_variables(net) if d not in fixed)
    if not free:
        raise UsageError(
            "no decision variable is left to choose",
            fix="mark the model's choices kind: decision, or fix fewer of them with do",
        )
    count = math.prod(len(net.states[d]) for d in free)
    if count > MAX_COMBINATIONS:
        raise UsageError(
            f"{count} combinations of the decisions {list(free)} are too many to tabulate",
            expected=f"at most {MAX_COMBINATIONS}",
            fix="fix some decisions with do, or compare named policies",
        )
    alts = []
    for combo in itertools.product(*(net.states[d] for d in free)):
        assign = dict(zip(free, combo, strict=True))
        text = ", ".join(f"{d}={s}" for d, s in assign.items())
        alts.append(Alternative(text.replace(" ", ""), text, {**fixed, **assign}, "combination"))
    return AlternativeSet(tuple(alts), fixed, free)


def named_policies(
    net: Network, policies: Sequence[str] | None = None, *, do: Mapping[str, str] | None = None
) -> AlternativeSet:
    """The model's named policies (or those listed), each with ``do`` under its own do()."""
    spec = net.spec
    ids = [p.id for p in spec.policies]
    chosen = list(policies) if policies is not None else ids
    alts = []
    for pid in chosen:
        p = spec.policy(pid)
        alts.append(Alternative(p.id, p.label, {**(do or {}), **p.do}, "policy", tuple(p.react)))
    if not alts:
        raise UsageError("no policy to compare", fix="name at least one policy")
    return AlternativeSet(tuple(alts), dict(do or {}), None)


def default_alternatives(
    net: Network, policies: Sequence[str] | None = None, *, do: Mapping[str, str] | None = None
) -> AlternativeSet:
    """The named policies when the model has any (or ``policies`` is given), otherwise every
    combination of the decision variables."""
    if policies is not None or net.spec.policies:
        return named_policies(net, policies, do=do)
    return combinations(net, do=do)


# --------------------------------------------------------------------------------- tensors
def id_network(net: Network, free: Sequence[str]) -> Network:
    """The network with each free decision cut from its parents and given a uniform CPT."""
    if not free:
        return net
    variables = [
        v.model_copy(update={"parents": []}) if v.id in free else v for v in net.spec.variables
    ]
    tables = {v: np.full(len(net.states[v]), 1.0 / len(net.states[v])) for v in free}
    return Network(derive(net.spec, variables, tables=tables))


def id_draws(net: Network, idnet: Network, free: Sequence[str], cpts: Draws) -> list[np.ndarray]:
    """``net``'s parameter draws laid out for :func:`id_network`'s network (uniform free decisions)."""
    n = cpts[0].shape[-1]
    out = []
    for name in idnet.variables:
        if name in free:
            k = len(net.states[name])
            out.append(np.full((k, n), 1.0 / k))
        else:
            out.append(cpts[net.index(name)])
    return out


def joint(
    net: Network,
    targets: Sequence[str],
    do: Mapping[str, str],
    cpts: Draws | None = None,
    rules: Sequence[RuleSpec] = (),
) -> np.ndarray:
    """P(targets | do(...)) as an array (a trailing draw axis when ``cpts`` holds draws),
    under reacting ``rules`` when given (the network answers them exactly, with the draws
    rewritten to match: :func:`estimative.network.react.reacting_cpts`)."""
    ev = replace(net.resolve(do=dict(do)), rules=tuple(rules))
    if cpts is None:
        return np.asarray(net.joint_unnormalized(list(targets), ev), dtype=float)
    n = cpts[0].shape[-1]
    parts = [
        np.asarray(
            net.joint_unnormalized(
                list(targets), ev, cpts=[c[..., i : i + CHUNK] for c in cpts], batched=True
            )
        )
        for i in range(0, n, CHUNK)
    ]
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)


#: Utility nodes contracted together (each adds a binary axis to the result). Each open axis
#: keeps its attribute's variables apart in the contraction: on the dynamic flagship (12
#: attributes over windows in different parts of the network) a group of 8 made one value of
#: information query about 80 times slower than groups of 2; one at a time is cheapest of all
#: with parameter draws (2,000 draws: 1.6 s against 2.0 s for a policy, 7 s against 21 s for
#: the baseline, whose decisions keep their CPTs).
_U_GROUP = 1


# The utility networks last built, by (network, utility) identity; the pair is held with the
# result so that an id is never reused while its entry lives.
_UNETS: dict[tuple[int, int], tuple[Network, UtilityModel, tuple]] = {}
_UNETS_MAX = 16


def _utility_network(
    net: Network, util: UtilityModel
) -> tuple[Network, list[str], np.ndarray, np.ndarray]:
    """:func:`_build_utility_network`, built once per network and utility model (an analysis
    asks for it once per alternative and per observed variable)."""
    key = (id(net), id(util))
    hit = _UNETS.get(key)
    if hit is not None and hit[0] is net and hit[1] is util:
        return hit[2]
    out = _build_utility_network(net, util)
    if len(_UNETS) >= _UNETS_MAX:
        _UNETS.pop(next(iter(_UNETS)))
    _UNETS[key] = (net, util, out)
    return out


def _build_utility_network(
    net: Network, util: UtilityModel
) -> tuple[Network, list[str], np.ndarray, np.ndarray]:
    """The network with one binary chance node per attribute (Cooper, 1988): its parents are
    the attribute's variables and P(high | states) is the attribute's value rescaled to
    [0, 1], so E[value_a | ...] = lo + (hi - lo) P(U_a = high | ...). Returns the network,
    the nodes' names, and each attribute's lo and hi."""
    from ..spec import CptSpec, VariableSpec

    names, los, his, extra = [], [], [], []
    tables: dict[str, np.ndarray] = {}
    taken = set(net.variables)
    for a in util.attributes:
        name = f"__utility__{a}"
        while name in taken:
            name = "_" + name
        table = util.tables[a]
        lo, hi = float(table.min()), float(table.max())
        high = (table - lo) / (hi - lo) if hi > lo else np.ones_like(table)
        var = VariableSpec(
            id=name,
            label=f"utility node of {a}",
            states=["low", "high"],
            parents=list(util.scopes[a]),
            cpt=CptSpec(table={"low": 0.5, "high": 0.5}, assumption=True, rationale="utility node"),
        )
        tables[name] = np.stack([1.0 - high, high])
        extra.append(var)
        names.append(name)
        los.append(lo)
        his.append(hi)
    spec = derive(net.spec, [*net.spec.variables, *extra], tables=tables)
    return Network(spec), names, np.array(los), np.array(his)


def attribute_tensors(
    net: Network,
    util: UtilityModel,
    keep: Sequence[str],
    do: Mapping[str, str],
    cpts: Draws | None = None,
    rules: Sequence[RuleSpec] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """``(E, P)``: ``E[a, *keep]`` = E[value_a ; keep] (the expectation of attribute ``a``
    jointly with each state of ``keep``: sum over the rest of P(keep, rest | do) x value_a),
    and ``P[*keep]`` = P(keep | do); a trailing draw axis when ``cpts`` holds draws; under a
    reacting policy's ``rules`` when given.

    One contraction per group of attributes, through utility nodes."""
    keep = list(keep)
    unet, unames, lo, hi = _utility_network(net, util)
    ucpts = None
    if cpts is not None:
        n = cpts[0].shape[-1]
        # by engine node (a factorised CPT's chain nodes keep their names in unet)
        byname = dict(zip(net.structure.names, cpts, strict=True))
        ucpts = [
            byname[v] if v in byname else np.repeat(c[..., None], n, axis=-1)
            for v, c in zip(unet.structure.names, unet.cpts, strict=True)
        ]
    nk = len(keep)
    out_e: list[np.ndarray] = []
    prob = None
    for g in range(0, len(unames), _U_GROUP):
        group = unames[g : g + _U_GROUP]
        j = joint(unet, keep + group, do, ucpts, rules)
        axes_u = tuple(range(nk, nk + len(group)))
        if prob is None:
            prob = j.sum(axis=axes_u)
        for k in range(len(group)):
            others = tuple(ax for ax in axes_u if ax != nk + k)
            jk = j.sum(axis=others) if others else j
            high = np.take(jk, 1, axis=nk)
            a = g + k
            out_e.append(lo[a] * prob + (hi[a] - lo[a]) * high)
    assert prob is not None
    return np.stack(out_e), prob


def alternative_tensors(
    net: Network,
    util: UtilityModel,
    alts: AlternativeSet,
    keep: Sequence[str] = (),
    cpts: Draws | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(E, P)`` for every alternative: ``E[alt, attribute, *keep]``, ``P[alt, *keep]``
    (a trailing draw axis with ``cpts``)."""
    keep = list(keep)
    if alts.free is not None:
        free = list(alts.free)
        idnet = id_network(net, free)
        icpts = id_draws(net, idnet, free, cpts) if cpts is not None else None
        e, p = attribute_tensors(idnet, util, free + keep, alts.fixed, icpts)
        scale = float(math.prod(len(net.states[d]) for d in free))
        n_alt = len(alts.alternatives)
        e = (
            np.moveaxis(e, 0, len(free)).reshape(
                n_alt, len(util.attributes), *e.shape[1 + len(free) :]
            )
            * scale
        )
        p = p.reshape(n_alt, *p.shape[len(free) :]) * scale
        return e, p
    es, ps = [], []
    for alt in alts.alternatives:
        e, p = attribute_tensors(net, util, keep, alt.do, cpts, alt.rules)
        es.append(e)
        ps.append(p)
    return np.stack(es), np.stack(ps)


def check_draws(
    net: Network,
    draws: int | Draws,
    rng: np.random.Generator | None,
    strengths: Mapping[str, float] | None = None,
) -> list[np.ndarray] | None:
    """``None`` for no draws (0); otherwise :func:`estimative.priors.resolve_draws`."""
    if (
        isinstance(draws, int | np.integer)
        and check_count(draws, name="draws", minimum=0, example=2000) == 0
    ):
        return None
    return resolve_draws(net, draws, rng, strengths)


def descendants(net: Network, roots: Sequence[str]) -> set[str]:
    """Variables reachable from ``roots`` along the network's edges (roots excluded, unless
    one root descends from another)."""
    return reachable(children_of(net.parents), roots, include_start=False)


def tie_tolerance(values: np.ndarray) -> float:
    """Values closer than this are treated as equal: the first in order wins (deterministic)."""
    finite = values[np.isfinite(values)]
    scale = float(np.abs(finite).max()) if finite.size else 1.0
    return 1e-9 * max(1.0, scale)
