"""Where a CPT's numbers come from beyond one analyst's table: several analysts (who they
are, ``analysts:`` at the top of a model file, and how their elicitations of one CPT are
pooled into the table the model uses), and cases that updated a CPT (``learned:``).

A CPT may carry ``elicitations:``, one per analyst, each in any CPT form with its own
provenance and strength. The model's table is their pool, column by column (each column is a
distribution over the child given one configuration of the parents):

- **linear** (the default): ``sum_k w_k T_k``, the weights normalised over the analysts who
  elicited the CPT. It is the mixture of the analysts' beliefs: it keeps every analyst's
  support (a state one analyst thinks possible stays possible), it is what the draws mix
  (a draw is one analyst's table), and its spread between analysts is the disagreement the
  intervals report. Its known weakness is that it is not "externally Bayesian": pooling then
  updating differs from updating then pooling.
- **log** (an option): ``prod_k T_k^{w_k}``, renormalised. It is externally Bayesian and
  sharper than any one analyst when they agree, but a single analyst's zero vetoes a state.

See Cooke & Goossens (1999) and Genest & Zidek (1986) on the choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

#: The pooling methods a CPT may name (``pool:``); the first is the default.
POOLS = ("linear", "log")


class AnalystSpec(BaseModel):
    """One analyst whose numbers the model holds: an id the elicitations name, a name and a
    role to show, and the weight of their elicitations in every pool (default 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=80)]
    name: str | None = None
    role: str | None = None
    weight: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 1.0
    description: str = ""

    @property
    def shown(self) -> str:
        """The analyst as a reader sees them: the name (or the id), and the role."""
        who = self.name or self.id
        return f"{who} ({self.role})" if self.role else who


class LearnedFrom(BaseModel):
    """The cases a CPT was updated from (written by ``estimative learn``): the data file, its
    SHA-256 (first 16 hex digits), the rows and missing values, the method, and the strength
    (equivalent sample size) of the elicited prior per column. The elicited CPT itself is
    kept under the CPT's ``prior:``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: str
    data_hash: str
    rows: Annotated[int, Field(ge=0)]
    missing: Annotated[int, Field(ge=0)] = 0
    method: Literal["conjugate", "em"] = "conjugate"
    prior_strength: list[float] = Field(default_factory=list)
    model_hash: str | None = None


def pool_tables(tables: Sequence[np.ndarray], weights: Sequence[float], method: str) -> np.ndarray:
    """The pool of several CPTs of one shape ``(card, ...)``, column by column.

    ``weights`` are normalised to sum to 1. ``linear``: the weighted mean; ``log``: the
    weighted geometric mean, renormalised per column (a column every table zeroes somewhere
    stays as the product gives it; the rules refuse a column the log pool empties).

    >>> a, b = np.array([0.2, 0.8]), np.array([0.6, 0.4])
    >>> pool_tables([a, b], [1, 1], "linear").round(3).tolist()
    [0.4, 0.6]
    >>> pool_tables([a, b], [1, 1], "log").round(4).tolist()  # sqrt(.12), sqrt(.32), normalised
    [0.3798, 0.6202]
    """
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    stack = np.stack([np.asarray(t, dtype=float) for t in tables])
    if method == "linear":
        return np.tensordot(w, stack, axes=1)
    keep = w > 0  # an analyst of weight 0 takes no part (0 x log 0 would be undefined)
    with np.errstate(divide="ignore"):
        logs = np.log(stack[keep])
    geo = np.exp(np.tensordot(w[keep], logs, axes=1))  # a zero anywhere gives exp(-inf) = 0
    total = geo.sum(axis=0, keepdims=True)
    return geo / np.where(total > 0, total, 1.0)
