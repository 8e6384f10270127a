"""Frozen result types. Raw numbers; rounding happens only when rendering."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..spec.conditions import conditions_text

if TYPE_CHECKING:
    import pandas as pd


def _fmt_cond(given: Mapping[str, Any], do: Mapping[str, str], soft: Mapping[str, Any]) -> str:
    return conditions_text(do=do, given=given, soft=soft)


@dataclass(frozen=True)
class Posterior(Mapping[str, float]):
    """A distribution over one variable's states, addressed by state name.

    >>> p = Posterior("rain", ("no", "yes"), np.array([0.25, 0.75]))
    >>> p["yes"]
    0.75
    """

    variable: str
    states: tuple[str, ...]
    probs: np.ndarray
    given: Mapping[str, str] = field(default_factory=dict)
    do: Mapping[str, str] = field(default_factory=dict)
    soft: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    evidence_probability: float | None = None

    def __getitem__(self, state: str) -> float:
        try:
            return float(self.probs[self.states.index(state)])
        except ValueError:
            from ..errors import QueryError, did_you_mean

            raise QueryError(
                f"'{state}' is not a state of '{self.variable}'{did_you_mean(state, self.states)}",
                expected=f"one of {list(self.states)}",
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.states)

    def __len__(self) -> int:
        return len(self.states)

    def to_dict(self) -> dict[str, float]:
        return {s: float(p) for s, p in zip(self.states, self.probs, strict=True)}

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame({"state": list(self.states), "probability": self.probs.astype(float)})

    def condition_text(self) -> str:
        return _fmt_cond(self.given, self.do, self.soft)

    def __repr__(self) -> str:
        cond = self.condition_text()
        body = ", ".join(f"{s}: {p:.4f}" for s, p in zip(self.states, self.probs, strict=True))
        return f"P({self.variable}{' | ' + cond if cond else ''}) = {{{body}}}"

    def _repr_html_(self) -> str:
        cond = self.condition_text()
        title = html.escape(f"P({self.variable}{' | ' + cond if cond else ''})")
        rows = "".join(
            f"<tr><td>{html.escape(s)}</td><td style='text-align:right'>{p:.4f}</td>"
            f"<td><div style='background:#4a6fa5;height:0.8em;width:{100 * p:.1f}px'></div></td></tr>"
            for s, p in zip(self.states, self.probs, strict=True)
        )
        return f"<table><caption>{title}</caption><tr><th>state</th><th>probability</th><th></th></tr>{rows}</table>"


@dataclass(frozen=True)
class JointPosterior:
    """A joint distribution over several variables; ``probs`` has one axis per variable."""

    variables: tuple[str, ...]
    states: tuple[tuple[str, ...], ...]
    probs: np.ndarray
    given: Mapping[str, str] = field(default_factory=dict)
    do: Mapping[str, str] = field(default_factory=dict)
    soft: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def __getitem__(self, assignment: Mapping[str, str] | tuple[str, ...]) -> float:
        if isinstance(assignment, tuple):
            assignment = dict(zip(self.variables, assignment, strict=True))
        idx = tuple(self.states[i].index(assignment[v]) for i, v in enumerate(self.variables))
        return float(self.probs[idx])

    def probability(self, event: Mapping[str, str | list[str]]) -> float:
        """P(every named variable is in its state or list of states)."""
        index: list[Any] = []
        for i, v in enumerate(self.variables):
            if v in event:
                want = event[v]
                want = [want] if isinstance(want, str) else list(want)
                index.append([self.states[i].index(s) for s in want])
            else:
                index.append(slice(None))
        sub = self.probs
        for axis, ix in enumerate(index):
            if not isinstance(ix, slice):
                sub = np.take(sub, ix, axis=axis)
        return float(sub.sum())

    def marginal(self, variable: str) -> Posterior:
        i = self.variables.index(variable)
        axes = tuple(a for a in range(len(self.variables)) if a != i)
        return Posterior(variable, self.states[i], self.probs.sum(axis=axes), self.given, self.do, self.soft)

    def to_frame(self) -> pd.DataFrame:
        import itertools

        import pandas as pd

        rows = []
        for combo in itertools.product(*(range(len(s)) for s in self.states)):
            row = {v: self.states[i][c] for i, (v, c) in enumerate(zip(self.variables, combo, strict=True))}
            row["probability"] = float(self.probs[combo])
            rows.append(row)
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False, float_format=lambda x: f"{x:.4f}")


@dataclass(frozen=True)
class Explanation:
    """The most probable explanation: a state for each variable, and its probability."""

    assignment: Mapping[str, str]
    probability: float
    given: Mapping[str, str] = field(default_factory=dict)
    do: Mapping[str, str] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame({"variable": list(self.assignment), "state": list(self.assignment.values())})

    def _repr_html_(self) -> str:
        return f"<p>P = {self.probability:.4g}</p>" + self.to_frame().to_html(index=False)
