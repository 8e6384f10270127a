"""Frozen result types. Raw numbers; rounding happens only when rendering."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import QueryError, did_you_mean
from ..spec.conditions import conditions_text

if TYPE_CHECKING:
    import pandas as pd

    from ..spec import QueryRef
    from .network import Network


def _fmt_cond(given: Mapping[str, Any], do: Mapping[str, str], soft: Mapping[str, Any]) -> str:
    return conditions_text(do=do, given=given, soft=soft)


def state_position(variable: str, states: tuple[str, ...], state: str) -> int:
    """The position of ``state`` among ``variable``'s ``states``; a
    :class:`~estimative.errors.QueryError` with a did-you-mean when it is not one of them.

    >>> state_position("rain", ("no", "yes"), "yes")
    1
    """
    try:
        return states.index(state)
    except ValueError:
        raise QueryError(
            f"'{state}' is not a state of '{variable}'{did_you_mean(str(state), states)}",
            expected=f"one of {list(states)}",
            found=repr(state),
        ) from None


def variable_position(
    variables: tuple[str, ...], variable: str, *, what: str = "a variable of this result"
) -> int:
    """The position of ``variable`` among ``variables``; a QueryError with a did-you-mean otherwise."""
    try:
        return variables.index(variable)
    except ValueError:
        raise QueryError(
            f"'{variable}' is not {what}{did_you_mean(str(variable), variables)}",
            expected=f"one of {list(variables)}",
        ) from None


def named_variable(aliases: Mapping[str, str], name: str) -> str:
    """The id ``name`` names through ``aliases`` (``{alias: id}``; a dynamic model's
    ``alias@slice`` names ``id@slice``); ``name`` itself when it is no alias.

    >>> named_variable({"CO2": "co2_report"}, "CO2"), named_variable({"CO2": "c"}, "CO2@t1")
    ('co2_report', 'c@t1')
    """
    if not isinstance(name, str) or not aliases:
        return name
    found = aliases.get(name)
    if found is not None:
        return found
    base, at, slice_ = name.rpartition("@")
    found = aliases.get(base) if at else None
    return f"{found}@{slice_}" if found is not None else name


def named_state(aliases: Mapping[str, str], state: str) -> str:
    """The state ``state`` names through ``aliases`` (``{alias: state}``); itself otherwise.

    >>> named_state({"<7.5": "s_7_5"}, "<7.5"), named_state({}, "yes")
    ('s_7_5', 'yes')
    """
    return aliases.get(state, state) if isinstance(state, str) and aliases else state


def event_mask(
    variables: tuple[str, ...] | list[str],
    states: Mapping[str, tuple[str, ...]],
    terms: list[dict[str, str]],
) -> np.ndarray:
    """The cells of a joint over ``variables`` where an event holds: the union of ``terms``,
    each a conjunction ``{variable: state}``.

    >>> event_mask(["a", "b"], {"a": ("n", "y"), "b": ("n", "y")}, [{"a": "y"}, {"b": "y"}]).tolist()
    [[False, True], [True, True]]
    """
    mask = np.zeros(tuple(len(states[v]) for v in variables), dtype=bool)
    for t in terms:
        mask[
            tuple(state_position(v, states[v], t[v]) if v in t else slice(None) for v in variables)
        ] = True
    return mask


@dataclass(frozen=True)
class Posterior(Mapping[str, float]):
    """A distribution over one variable's states, addressed by state name or by an alias of
    a state (``state_aliases``: ``{alias: state}``, as the model declares them).

    >>> p = Posterior("rain", ("no", "yes"), np.array([0.25, 0.75]), state_aliases={"wet": "yes"})
    >>> p["yes"], p["wet"]
    (0.75, 0.75)
    """

    variable: str
    states: tuple[str, ...]
    probs: np.ndarray
    given: Mapping[str, str] = field(default_factory=dict)
    do: Mapping[str, str] = field(default_factory=dict)
    soft: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    evidence_probability: float | None = None
    #: Other names of the states (``{alias: state}``), accepted wherever a state is named.
    state_aliases: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, state: str) -> float:
        state = named_state(self.state_aliases, state)
        return float(self.probs[state_position(self.variable, self.states, state)])

    def __contains__(self, state: object) -> bool:
        return isinstance(state, str) and named_state(self.state_aliases, state) in self.states

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
    """A joint distribution over several variables; ``probs`` has one axis per variable.
    Variables and states are named by id or by alias (``aliases``: ``{alias: id}``;
    ``state_aliases``: ``{id: {alias: state}}``).

    >>> from estimative import Network
    >>> jp = Network.from_file("models/example").query_joint(["misread_intent", "armed_clash"])
    >>> jp.probs.shape, round(float(jp.probs.sum()), 12)
    ((2, 2), 1.0)
    """

    variables: tuple[str, ...]
    states: tuple[tuple[str, ...], ...]
    probs: np.ndarray
    given: Mapping[str, str] = field(default_factory=dict)
    do: Mapping[str, str] = field(default_factory=dict)
    soft: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: Other names of the variables (``{alias: id}``) and of their states (``{id: {alias:
    #: state}}``), accepted wherever a variable or a state is named.
    aliases: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    state_aliases: Mapping[str, Mapping[str, str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def _named(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """``event`` with every variable named by its id and every state by its name."""
        out: dict[str, Any] = {}
        for name, want in event.items():
            v = named_variable(self.aliases, name)
            variable_position(self.variables, v)
            table = self.state_aliases.get(v, {})
            if isinstance(want, str):
                out[v] = named_state(table, want)
            else:
                out[v] = [named_state(table, s) for s in want]
        return out

    def __getitem__(self, assignment: Mapping[str, str] | tuple[str, ...]) -> float:
        if isinstance(assignment, tuple):
            if len(assignment) != len(self.variables):
                raise QueryError(
                    f"name a state for each of {list(self.variables)}", found=repr(assignment)
                )
            assignment = dict(zip(self.variables, assignment, strict=True))
        assignment = self._named(assignment)
        missing = [v for v in self.variables if v not in assignment]
        if missing:
            raise QueryError(
                f"name a state for each of {list(self.variables)}", found=f"none for {missing}"
            )
        idx = tuple(
            state_position(v, self.states[i], assignment[v]) for i, v in enumerate(self.variables)
        )
        return float(self.probs[idx])

    def probability(self, event: Mapping[str, str | list[str]]) -> float:
        """P(every named variable is in its state or list of states)."""
        event = self._named(event)
        index: list[Any] = []
        for i, v in enumerate(self.variables):
            if v in event:
                want = event[v]
                want = [want] if isinstance(want, str) else list(want)
                index.append([state_position(v, self.states[i], s) for s in want])
            else:
                index.append(slice(None))
        sub = self.probs
        for axis, ix in enumerate(index):
            if not isinstance(ix, slice):
                sub = np.take(sub, ix, axis=axis)
        return float(sub.sum())

    def marginal(self, variable: str) -> Posterior:
        variable = named_variable(self.aliases, variable)
        i = variable_position(self.variables, variable)
        axes = tuple(a for a in range(len(self.variables)) if a != i)
        return Posterior(
            variable,
            self.states[i],
            self.probs.sum(axis=axes),
            self.given,
            self.do,
            self.soft,
            state_aliases=self.state_aliases.get(variable, {}),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the variables, their states, one row per joint state with its
        probability, and the conditions.

        >>> j = JointPosterior(("a", "b"), (("n", "y"), ("n", "y")), np.array([[0.1, 0.2], [0.3, 0.4]]))
        >>> j.to_dict()["rows"][1]
        {'a': 'n', 'b': 'y', 'probability': 0.2}
        """
        return {
            "variables": list(self.variables),
            "states": {v: list(s) for v, s in zip(self.variables, self.states, strict=True)},
            "rows": self.to_frame().to_dict("records"),
            "given": dict(self.given),
            "do": dict(self.do),
            "soft": {k: dict(v) for k, v in self.soft.items()},
        }

    def to_frame(self) -> pd.DataFrame:
        import itertools

        import pandas as pd

        rows = []
        for combo in itertools.product(*(range(len(s)) for s in self.states)):
            row: dict[str, str | float] = {
                v: self.states[i][c]
                for i, (v, c) in enumerate(zip(self.variables, combo, strict=True))
            }
            row["probability"] = float(self.probs[combo])
            rows.append(row)
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False, float_format=lambda x: f"{x:.4f}")


@dataclass(frozen=True)
class Explanation:
    """The most probable explanation: a state for each variable, and its probability.

    >>> from estimative import Network
    >>> mpe = Network.from_file("models/example").map(["misread_intent"], given={"armed_clash": "yes"})
    >>> dict(mpe.assignment)
    {'misread_intent': 'yes'}
    """

    assignment: Mapping[str, str]
    probability: float
    given: Mapping[str, str] = field(default_factory=dict)
    do: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the assignment, its probability, and the conditions.

        >>> Explanation({"rain": "yes"}, 0.3).to_dict()
        {'assignment': {'rain': 'yes'}, 'probability': 0.3, 'given': {}, 'do': {}}
        """
        return {
            "assignment": dict(self.assignment),
            "probability": float(self.probability),
            "given": dict(self.given),
            "do": dict(self.do),
        }

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {"variable": list(self.assignment), "state": list(self.assignment.values())}
        )

    def _repr_html_(self) -> str:
        return f"<p>P = {self.probability:.4g}</p>" + self.to_frame().to_html(index=False)


def ref_probability(net: Network, ref: QueryRef, **overrides: Any) -> float:
    """The probability a :class:`~estimative.spec.QueryRef` names (claims, questions)."""
    kw: dict[str, Any] = dict(
        given=dict(ref.given),
        do=dict(ref.do),
        soft=dict(ref.soft),
        policy=ref.policy,
        scenario=ref.scenario,
    )
    kw.update(overrides)
    if ref.event is None:
        assert ref.target is not None
        post = net.query(ref.target, **kw)
        return float(sum(post[s] for s in ref.target_states()))
    terms = ref.event.terms()
    variables = sorted({v for t in terms for v in t})
    joint = net.query_joint(variables, **kw)
    return float(joint.probs[event_mask(variables, net.states, terms)].sum())
