"""The opening every analysis shares: a query's conditions resolved by name (:class:`Evidence`)
and, for one target and one or more of its states, the checked indices, the conditions in words
and the point probability (:class:`Prepared`, made by :meth:`Network.prepare`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import QueryError
from ..spec.conditions import conditions_text
from ..spec.timing import RuleSpec
from .names import named
from .results import Posterior
from .trajectory import every_slice

if TYPE_CHECKING:
    from .network import Network


@dataclass(frozen=True)
class Evidence:
    """Resolved query conditions, by name: hard states, likelihood vectors, interventions.

    A named policy's do() and a named scenario's findings are already merged in; a reacting
    policy's rules are in ``rules`` (see :mod:`estimative.network.react`).
    """

    given: dict[str, str] = field(default_factory=dict)
    soft: dict[str, np.ndarray] = field(default_factory=dict)
    do: dict[str, str] = field(default_factory=dict)
    rules: tuple[RuleSpec, ...] = ()

    @property
    def text(self) -> str:
        """The conditions in words (:func:`estimative.spec.conditions_text`); ``""`` for none."""
        return conditions_text(do=self.do, given=self.given, soft=self.soft, rules=self.rules)

    def describe(self) -> str:
        """The conditions in words, or ``"no evidence"``."""
        return self.text or "no evidence"


@dataclass(frozen=True, eq=False)
class Prepared:
    """A query made ready for an analysis: ``P(target in states | evidence; do)``.

    Attributes
    ----------
    target : str
        The target variable.
    states : tuple of str
        The target states the probability is about (at least one).
    indices : tuple of int
        Their positions among the target's states.
    evidence : Evidence
        The resolved conditions (policy and scenario merged in).
    conditions : str
        The conditions in words (``""`` for none).
    posterior : Posterior
        ``P(target | evidence; do)`` at the model's numbers.
    model_hash : str
        The model's model hash.

    >>> from estimative import Network
    >>> prep = Network.from_file("models/example").prepare("armed_clash", "yes", given={"misread_intent": "yes"})
    >>> prep.point, prep.conditions
    (0.125, 'misread_intent=yes')
    """

    target: str
    states: tuple[str, ...]
    indices: tuple[int, ...]
    evidence: Evidence
    conditions: str
    posterior: Posterior
    model_hash: str

    @property
    def point(self) -> float:
        """``P(target in states | conditions)`` at the model's numbers."""
        return float(self.posterior.probs[list(self.indices)].sum())

    @property
    def label(self) -> str:
        """The probability in words, e.g. ``P(armed_clash=yes | do(us_rhetoric=measured))``."""
        st = self.states[0] if len(self.states) == 1 else "{" + ",".join(self.states) + "}"
        return f"P({self.target}={st}{' | ' + self.conditions if self.conditions else ''})"

    def to_dict(self) -> dict[str, Any]:
        """Plain data: target, states, conditions, point probability, model hash."""
        return {
            "target": self.target,
            "states": list(self.states),
            "conditions": self.conditions,
            "point": self.point,
            "model_hash": self.model_hash,
        }


def likelihood_vector(
    var: str,
    states: Sequence[str],
    lik: Mapping[str, float] | Sequence[float],
    state_index: Callable[[str, str], int],
) -> np.ndarray:
    """Soft evidence on ``var`` as one likelihood per state, checked.

    ``lik`` is ``{state: likelihood}`` (missing states get 0; each named state is checked by
    ``state_index``) or one number per state.

    >>> likelihood_vector("signal", ("no", "yes"), {"yes": 0.8, "no": 0.2}, lambda v, s: 0)
    array([0.2, 0.8])
    """
    if isinstance(lik, Mapping):
        for k in lik:
            state_index(var, k)
        vec = np.array([float(lik.get(st, 0.0)) for st in states])
    else:
        vec = np.asarray(lik, dtype=float)
        if vec.shape != (len(states),):
            raise QueryError(
                f"soft evidence on '{var}' needs {len(states)} likelihoods, one per state {list(states)}",
                found=str(list(vec)),
            )
    if np.any(~np.isfinite(vec)) or np.any(vec < 0) or not np.any(vec > 0):
        raise QueryError(
            f"soft evidence on '{var}' must be non-negative with at least one positive value",
            found=str(list(vec)),
        )
    return vec


def engine_args(
    index: Callable[[str], int],
    state_index: Callable[[str, str], int],
    cards: Sequence[int],
    ev: Evidence,
) -> tuple[dict[int, np.ndarray], dict[int, int]]:
    """Evidence by name as the engine takes it: ``({index: likelihood vector}, {index: state})``."""
    evidence: dict[int, np.ndarray] = {}
    for var, st in ev.given.items():
        i = index(var)
        vec = np.zeros(cards[i])
        vec[state_index(var, st)] = 1.0
        evidence[i] = vec
    for var, vec in ev.soft.items():
        evidence[index(var)] = vec
    do = {index(var): state_index(var, st) for var, st in ev.do.items()}
    return evidence, do


def resolve(
    net: Network,
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    soft: Mapping[str, Mapping[str, float] | Sequence[float]] | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
) -> Evidence:
    """See :meth:`estimative.network.Network.resolve`: policies and a scenario merged with
    the explicit conditions, every name made an id (aliases allowed) and checked."""
    g: dict[str, str] = {}
    d: dict[str, str] = {}
    s: dict[str, np.ndarray] = {}
    rules: list[RuleSpec] = []
    policies = [policy] if isinstance(policy, str) else list(policy or [])
    for pid in policies:
        d.update(net.spec.policy(pid).do)
        rules.extend(net.spec.policy(pid).react)
    if scenario is not None:
        sc = net.spec.scenario(scenario)
        g.update(sc.given)
        for var, named_lik in sc.soft.items():
            s[var] = _likelihood(net, var, named_lik)
    g.update(named(net, given))
    d.update(every_slice(net.spec, net.states, named(net, do)))
    for var, lik in named(net, soft).items():
        s[var] = _likelihood(net, var, lik)
    for var, st in {**g, **d}.items():
        net.state_index(var, st)
    for var in set(g) & set(s):
        raise QueryError(f"'{var}' has both hard and soft evidence", fix="give one of them")
    return Evidence(g, s, d, tuple(rules))


def _likelihood(net: Network, var: str, lik: Mapping[str, float] | Sequence[float]) -> np.ndarray:
    net.index(var)
    return likelihood_vector(var, net.states[var], lik, net.state_index)
