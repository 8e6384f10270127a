"""A variable over the slices of a dynamic model: its distribution in each slice, and the
distribution of the highest state it has reached so far ("a clash by mid-2018").

The cumulative part runs on window nodes (``x@first..L``), added to the network when the model
did not ask for them (:func:`estimative.spec.build.with_windows`), so each slice's answer is an
exact query whose cost grows linearly with the slices.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import QueryError, did_you_mean
from ..spec import ModelSpec
from ..spec.build import with_windows
from ..spec.conditions import conditions_text
from ..spec.timing import slice_id
from .results import state_position

if TYPE_CHECKING:
    import pandas as pd

    from .network import Network


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One variable over time: ``probs[i, s]`` = P(variable = s in slice i) and ``by[i, s]`` =
    P(the highest state of the variable in slices 1..i is s), under the same conditions.

    >>> from estimative import Network
    >>> t = Network.from_file("models/escalation_dynamic").trajectory("nk_icbm_test")
    >>> t.labels, t.prob("yes").round(2).tolist()
    (('2017H2', '2018H1', '2018H2'), [0.34, 0.34, 0.44])
    """

    variable: str
    labels: tuple[str, ...]
    ends: tuple[_dt.date, ...]
    states: tuple[str, ...]
    probs: np.ndarray
    by: np.ndarray
    conditions: str = ""
    model_hash: str = ""

    def prob(self, state: str) -> np.ndarray:
        """P(variable = ``state``) in each slice."""
        return self.probs[:, state_position(self.variable, self.states, state)]

    def ever(self, state: str) -> np.ndarray:
        """P(the variable has been in ``state`` or a later one, in the order of its states, in
        some slice up to each slice): "yes by then" for a yes/no variable."""
        return self.by[:, state_position(self.variable, self.states, state) :].sum(axis=1)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: slices, per-slice and cumulative probabilities by state, model hash."""
        return {
            "variable": self.variable,
            "slices": [
                {"label": lab, "end": end.isoformat()}
                for lab, end in zip(self.labels, self.ends, strict=True)
            ],
            "states": list(self.states),
            "probs": {s: self.probs[:, k].tolist() for k, s in enumerate(self.states)},
            "highest_so_far": {s: self.by[:, k].tolist() for k, s in enumerate(self.states)},
            "conditions": self.conditions,
            "model_hash": self.model_hash,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per slice: P(state) and P(highest so far = state) for each state."""
        import pandas as pd

        data: dict[str, Any] = {"slice": list(self.labels), "end": list(self.ends)}
        for k, s in enumerate(self.states):
            data[f"P({s})"] = self.probs[:, k]
        for k, s in enumerate(self.states):
            data[f"P(highest so far={s})"] = self.by[:, k]
        return pd.DataFrame(data).set_index("slice")

    def __repr__(self) -> str:
        last = self.states[-1]
        steps = ", ".join(
            f"{lab}: {p:.3f} (by then {e:.3f})"
            for lab, p, e in zip(self.labels, self.prob(last), self.ever(last), strict=True)
        )
        cond = f" | {self.conditions}" if self.conditions else ""
        return f"P({self.variable}={last}{cond}) over time = {{{steps}}}"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(s)}</th>" for s in self.states)
        rows = "".join(
            f"<tr><td>{html.escape(lab)}</td>"
            + "".join(f"<td>{p:.3f}</td>" for p in self.probs[i])
            + f"<td>{self.ever(self.states[-1])[i]:.3f}</td></tr>"
            for i, lab in enumerate(self.labels)
        )
        return (
            f"<table><caption>{html.escape(self.variable)} over time"
            f"{' | ' + html.escape(self.conditions) if self.conditions else ''}</caption>"
            f"<tr><th>slice</th>{head}<th>{html.escape(self.states[-1])} by then</th></tr>"
            f"{rows}</table>"
        )


def trajectory(net: Network, variable: str, **conditions: Any) -> Trajectory:
    """``variable``'s distribution in every slice of a dynamic model, and the distribution of
    the highest state it has reached by each slice, under ``conditions`` (``given``, ``do``,
    ``soft``, ``policy``, ``scenario``: as for :meth:`Network.query`, names with slices).

    Parameters
    ----------
    net : Network
        A network built from a dynamic model (one with ``time:``).
    variable : str
        The variable as the model file names it, without a slice (``"clash"``).
    **conditions
        The query's conditions.

    Returns
    -------
    Trajectory
        Per-slice and cumulative probabilities, the conditions in words, the model hash.

    Examples
    --------
    >>> from estimative import Network
    >>> net = Network.from_file("models/escalation_dynamic")
    >>> t = trajectory(net, "clash", policy="red_line")
    >>> bool(t.ever("yes")[-1] > trajectory(net, "clash").ever("yes")[-1])
    True
    """
    spec = net.spec
    time = spec.time
    if time is None:
        raise QueryError(
            f"'{net.name}' has no time slices, so '{variable}' has no trajectory",
            fix="query it with estimative query, or declare time: in the model",
        )
    base = variable.partition("@")[0]
    if slice_id(base, time.labels[0]) not in net.states:
        temporal = sorted({v.partition("@")[0] for v in net.variables if "@" in v})
        raise QueryError(
            f"'{variable}' is not a variable that changes over time{did_you_mean(base, temporal)}",
            expected=f"one of {temporal}",
        )
    first = time.labels[0]
    full = traj_network(net, base)
    n = len(time.labels)
    states = net.states[slice_id(base, first)]
    probs = np.empty((n, len(states)))
    by = np.empty((n, len(states)))
    full.resolve(**conditions)  # every name checked once, before the slices are queried
    text = conditions_text(**conditions)
    # every slice and every window from one pass (all marginals at once): linear in slices
    m = full.marginals(**conditions)
    if bool(m.impossible[0]):
        full.query(slice_id(base, first), **conditions)  # raises the impossible-evidence error
    for i, label in enumerate(time.labels):
        probs[i] = m.probs[slice_id(base, label)][0]
        by[i] = probs[i] if i == 0 else m.probs[slice_id(base, f"{first}..{label}")][0]

    return Trajectory(
        base, tuple(time.labels), tuple(time.slices), states, probs, by, text, net.model_hash
    )


def traj_network(
    net: Network, variable: str, first: str | None = None, last: str | None = None
) -> Network:
    """``net`` with the window nodes of ``variable`` from slice ``first`` (default: the first)
    to each slice up to ``last`` (default: the last); ``net`` itself when it has them."""
    time = net.spec.time
    if time is None:
        raise QueryError(f"'{net.name}' has no time slices, so it has no windows")
    first, last = first or time.labels[0], last or time.labels[-1]
    cache: dict[tuple[str, str, str], Network] = net.__dict__.setdefault("_windows", {})
    key = (variable, first, last)
    if key not in cache:
        grown = with_windows(net.spec, variable, first, last)
        cache[key] = net if grown is net.spec else type(net)(grown)
    return cache[key]


def window_network(net: Network, name: str) -> Network:
    """``net``, with the window ``name`` (``x@A..B``) added when the model lacks it."""
    var, _, label = name.partition("@")
    first, sep, last = label.partition("..")
    if not sep or name in net.states or net.spec.time is None:
        return net
    return traj_network(net, var, first, last)


def extend_draws(net: Network, full: Network, draws: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Draws for ``net`` as ``full`` (``net`` with window nodes) takes them: each variable's
    draws by name, the window nodes' deterministic tables repeated for every draw."""
    if full is net:
        return list(draws)
    # by engine node: a factorised CPT's hidden chain nodes keep their names in ``full``
    byname = dict(zip(net.structure.names, draws, strict=True))
    n = int(draws[0].shape[-1])
    return [
        byname[v] if v in byname else np.repeat(c[..., np.newaxis], n, axis=-1)
        for v, c in zip(full.structure.names, full.cpts, strict=True)
    ]


def over_time(spec: ModelSpec, name: str) -> None:
    """Raise the "name a slice" error when ``name`` is a dynamic model's variable written
    without its slice; return quietly otherwise."""
    time = spec.time
    if time is None or "@" in name:
        return
    ids = {v.id for v in spec.variables}
    if slice_id(name, time.labels[0]) in ids:
        raise QueryError(
            f"'{name}' changes over time: name a slice or a window",
            expected=f"{name}@<slice> with a slice of {list(time.labels)}",
            fix=f"write {slice_id(name, time.labels[-1])} (one slice) or "
            f"{slice_id(name, time.window_label(0, len(time.labels) - 1))} (any slice)",
        )


def every_slice(
    spec: ModelSpec, known: Mapping[str, object], do: Mapping[str, str]
) -> dict[str, str]:
    """do() as the engine takes it: a dynamic model's variable named without a slice is set
    in every slice (as in a model file's policies). ``known`` holds the network's ids."""
    time = spec.time
    if time is None or not do:
        return dict(do)
    out: dict[str, str] = {}
    for var, state in do.items():
        if var not in known and slice_id(var, time.labels[0]) in known:
            out.update({slice_id(var, lab): state for lab in time.labels})
        else:
            out[var] = state
    return out
