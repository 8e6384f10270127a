"""Utilities in a model file: attributes valued over the states of some variables, with their
weights (multi-attribute utility, see ``docs/decision.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr

from ..errors import did_you_mean
from .types import Citation, Identifier, NonNegative, Position, VariableId, _Base


class UtilityRow(_Base):
    """One row of a utility table: a state for each variable of the attribute, and its value."""

    when: dict[str, str]
    value: Annotated[float, Field(allow_inf_nan=False)]


class AttributeSpec(_Base):
    """One attribute of a multi-attribute utility: a value (for example on a 0-100 scale) for
    every combination of the states of the variables in ``over``, and the attribute's weight.

    ``values`` is a mapping ``{state: value}`` when ``over`` names one variable, or a list of
    rows ``{when: {variable: state, ...}, value: v}`` covering every combination.

    In a dynamic model, ``at`` says when the attribute is valued: in ``each`` slice (the
    attribute counts once per slice, weighted by the model's discount, so the weights add up
    to ``weight``), at the ``last`` slice, or over the ``horizon`` (the highest state each
    variable reaches in any slice).
    """

    id: VariableId
    label: str
    description: str = ""
    over: Annotated[list[str], Field(min_length=1)]
    values: dict[str, Annotated[float, Field(allow_inf_nan=False)]] | list[UtilityRow]
    weight: NonNegative
    rationale: str
    at: Literal["each", "last", "horizon"] = "each"
    sources: list[Citation] = Field(default_factory=list)
    #: Where the utility node is drawn in the file it came from (``(x, y)``, ``y`` down).
    position: Position | None = None
    _table: np.ndarray | None = PrivateAttr(default=None)

    @property
    def table(self) -> np.ndarray:
        """The values as an array with one axis per variable of ``over`` (states in model order)."""
        if self._table is None:
            raise RuntimeError(
                f"attribute {self.id!r} was not expanded; build specs with load_model"
            )
        return self._table

    def expand(
        self, states: Mapping[str, Sequence[str]]
    ) -> tuple[np.ndarray | None, list[tuple[tuple[str | int, ...], str, dict[str, Any]]]]:
        """The value table, and the problems found (path relative to the attribute, message,
        extra fields), given every variable's states."""
        issues: list[tuple[tuple[str | int, ...], str, dict[str, Any]]] = []
        for j, v in enumerate(self.over):
            if v not in states:
                issues.append(
                    (
                        ("over", j),
                        f"unknown variable '{v}'{did_you_mean(v, states)}",
                        {"fix": "name a variable the model defines"},
                    )
                )
        if len(set(self.over)) != len(self.over):
            issues.append((("over",), "a variable is listed twice", {"found": str(self.over)}))
        if issues:
            return None, issues
        over = list(self.over)
        out = np.full(tuple(len(states[v]) for v in over), np.nan)
        if isinstance(self.values, dict):
            if len(over) != 1:
                issues.append(
                    (
                        ("values",),
                        "a mapping of states gives values over one variable only",
                        {
                            "expected": "a list of rows {when: {...}, value: v}",
                            "fix": "write one row per combination of the states of "
                            + ", ".join(over),
                        },
                    )
                )
                return None, issues
            var = over[0]
            for s, val in self.values.items():
                if s not in states[var]:
                    issues.append(
                        (
                            ("values", s),
                            f"'{s}' is not a state of '{var}'{did_you_mean(s, states[var])}",
                            {"expected": f"one of {list(states[var])}", "found": repr(s)},
                        )
                    )
                else:
                    out[states[var].index(s)] = float(val)
        else:
            seen: dict[tuple[str, ...], int] = {}
            for i, row in enumerate(self.values):
                ok = True
                for k in row.when:
                    if k not in over:
                        issues.append(
                            (
                                ("values", i, "when", k),
                                f"'{k}' is not a variable of this attribute{did_you_mean(k, over)}",
                                {
                                    "expected": f"one of {over}",
                                    "fix": "add it to over: or remove it",
                                },
                            )
                        )
                        ok = False
                for v in over:
                    if v not in row.when:
                        issues.append(
                            (
                                ("values", i, "when"),
                                f"row does not give a state for '{v}'",
                                {"fix": f"add {v}: <state> to when"},
                            )
                        )
                        ok = False
                    elif row.when[v] not in states[v]:
                        s = row.when[v]
                        issues.append(
                            (
                                ("values", i, "when", v),
                                f"'{s}' is not a state of '{v}'{did_you_mean(s, states[v])}",
                                {"expected": f"one of {list(states[v])}", "found": repr(s)},
                            )
                        )
                        ok = False
                if not ok:
                    continue
                key = tuple(row.when[v] for v in over)
                if key in seen:
                    issues.append(
                        (
                            ("values", i, "when"),
                            f"duplicate row {_fmt_combo(over, key)}",
                            {"fix": f"remove this row or the one at values[{seen[key]}]"},
                        )
                    )
                    continue
                seen[key] = i
                out[tuple(states[v].index(s) for v, s in zip(over, key, strict=True))] = row.value
        if not issues and np.isnan(out).any():
            missing = [
                tuple(states[v][k] for v, k in zip(over, idx, strict=True))
                for idx in zip(*np.nonzero(np.isnan(out)), strict=True)
            ]
            shown = ", ".join(_fmt_combo(over, m) for m in missing[:4]) + (
                f" and {len(missing) - 4} more" if len(missing) > 4 else ""
            )
            issues.append(
                (
                    ("values",),
                    f"no value for {shown}",
                    {
                        "expected": f"{out.size} values, one per combination of the states of {', '.join(over)}",
                        "found": f"{out.size - len(missing)}",
                        "fix": "add a value for each missing combination",
                    },
                )
            )
        return (None if issues else out), issues


def _fmt_combo(variables: Sequence[str], states: Sequence[str]) -> str:
    return "(" + ", ".join(f"{v}={s}" for v, s in zip(variables, states, strict=True)) + ")"


class WeightSetSpec(_Base):
    """Another party's weights on the same attributes (another government's priorities, say):
    ``weights`` maps written attribute ids to weights, each replacing the file's own; an
    attribute it leaves out keeps its weight. Decision analysis and the brief rank the
    alternatives under it beside the model's weights (``docs/decision.md``)."""

    id: Identifier
    label: str
    weights: Annotated[dict[str, NonNegative], Field(min_length=1)]
    rationale: str
    sources: list[Citation] = Field(default_factory=list)


class UtilitySpec(_Base):
    """A multi-attribute utility: an outcome is worth the sum over attributes of weight x value.

    Weights are used as given (they need not sum to 1); ``unit`` names the scale of the total.
    ``weight_sets`` are other parties' weights on the same attributes.
    """

    unit: str = "utility points"
    description: str = ""
    attributes: Annotated[list[AttributeSpec], Field(min_length=1)]
    weight_sets: list[WeightSetSpec] = Field(default_factory=list)

    def weight_set(self, wid: str) -> WeightSetSpec:
        """The weight set ``wid``; a :class:`~estimative.errors.QueryError` naming the known
        ones otherwise."""
        for w in self.weight_sets:
            if w.id == wid:
                return w
        from ..errors import QueryError

        known = [w.id for w in self.weight_sets]
        raise QueryError(
            f"unknown weight set '{wid}'{did_you_mean(wid, known)}",
            field="weight_set",
            expected=f"one of {known}" if known else "no weight set: the model defines none",
            fix="name a weight set under utilities: weight_sets: in the model file",
        )

    def attribute(self, aid: str) -> AttributeSpec:
        for a in self.attributes:
            if a.id == aid:
                return a
        raise KeyError(aid)

    @property
    def weights(self) -> dict[str, float]:
        """Each attribute's weight as given in the model file."""
        return {a.id: float(a.weight) for a in self.attributes}
