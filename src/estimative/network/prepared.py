"""The opening every analysis shares: a query's conditions resolved by name (:class:`Evidence`)
and, for one target and one or more of its states, the checked indices, the conditions in words
and the point probability (:class:`Prepared`, made by :meth:`Network.prepare`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..spec.conditions import conditions_text
from .results import Posterior


@dataclass(frozen=True)
class Evidence:
    """Resolved query conditions, by name: hard states, likelihood vectors, interventions.

    A named policy's do() and a named scenario's findings are already merged in.
    """

    given: dict[str, str] = field(default_factory=dict)
    soft: dict[str, np.ndarray] = field(default_factory=dict)
    do: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The conditions in words (:func:`estimative.spec.conditions_text`); ``""`` for none."""
        return conditions_text(do=self.do, given=self.given, soft=self.soft)

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
        The model's content hash.
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
        return {"target": self.target, "states": list(self.states), "conditions": self.conditions,
                "point": self.point, "model_hash": self.model_hash}
