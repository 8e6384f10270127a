"""The state of one unrolling, shared by the modules that unroll a dynamic model: which
variables change over time, the ids of their copies, the windows asked for, the problems
found, and the locator that points an unrolled path back at the template's line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem, did_you_mean
from .locate import Locator, Path_
from .models import ModelSpec, VariableSpec
from .timing import TimeSpec, parse_lag, slice_id, split_slice


class UnrolledLocator(Locator):
    """A locator for the unrolled spec: paths into an unrolled variable or attribute are
    translated to the template's (``variables[k]`` of ``x@2018H1`` -> ``variables[i].cpt``
    of ``x``) before the file and line are looked up."""

    def __init__(
        self,
        base: Locator,
        variables: Mapping[int, tuple[Path_, Mapping[int, int]]],
        attributes: Mapping[int, int],
        names: Mapping[int, str] | None = None,
    ) -> None:
        super().__init__(base.default)
        self._names = dict(names or {})
        self.sections = base.sections
        self._variables = dict(variables)
        self._attributes = dict(attributes)

    def translate(self, path: Path_) -> Path_:
        """The template path of an unrolled path."""
        if len(path) >= 2 and path[0] == "variables" and isinstance(path[1], int):
            where = self._variables.get(path[1])
            if where is None:
                return ("time",)
            base, parents = where
            rest = path[2:]
            if rest[:1] == ("cpt",):
                return (*base, *rest[1:])
            if rest[:1] == ("parents",) and len(rest) > 1 and isinstance(rest[1], int):
                return (*base[:2], "parents", parents.get(rest[1], rest[1]), *rest[2:])
            return (*base[:2], *rest)
        if len(path) >= 3 and path[:2] == ("utilities", "attributes") and isinstance(path[2], int):
            return ("utilities", "attributes", self._attributes.get(path[2], path[2]), *path[3:])
        return path

    def problem(self, path: Path_, message: str, **kwargs: Any) -> Problem:
        t = self.translate(path)
        if len(path) >= 2 and path[0] == "variables" and isinstance(path[1], int):
            copy = self._names.get(path[1])
            if copy is not None:  # "cpt of x@B: ..." -> "cpt of x (slice B): ..."
                var, label = split_slice(copy)
                message = message.replace(copy, f"{var} (slice {label})")
        return Locator.map_for(self, t).problem(t, message, **kwargs)

    def where(self, path: Path_) -> tuple[str, int | None]:
        t = self.translate(path)
        m = Locator.map_for(self, t)
        return m.file, m.line(t)


@dataclass
class UnrollState:
    spec: ModelSpec
    loc: Locator
    time: TimeSpec
    problems: list[Problem] = field(default_factory=list)
    temporal: dict[str, VariableSpec] = field(default_factory=dict)
    static: dict[str, VariableSpec] = field(default_factory=dict)
    states: dict[str, list[str]] = field(default_factory=dict)  # unrolled id -> states
    windows: dict[tuple[str, int], int] = field(default_factory=dict)  # (var, first) -> last
    ties: dict[str, str] = field(default_factory=dict)  # unrolled id -> template CPT key

    def problem(self, path: Path_, message: str, **kwargs: Any) -> None:
        self.problems.append(self.loc.problem(path, message, **kwargs))

    @property
    def labels(self) -> list[str]:
        return self.time.labels


def at(st: UnrollState, name: str, i: int) -> str | None:
    """The unrolled id a template name (``p``, ``p@t-k``) refers to in slice ``i``; ``None``
    before the first slice."""
    var, lag = parse_lag(name)
    if var in st.static:
        return var
    if lag < 0 or var not in st.temporal:
        return name
    return slice_id(var, st.labels[i - lag]) if i - lag >= 0 else None


def window(st: UnrollState, var: str, a: int, b: int) -> str:
    """The id of the window node of ``var`` over slices ``a..b`` (registering it)."""
    if a == b:
        return slice_id(var, st.labels[a])
    st.windows[(var, a)] = max(st.windows.get((var, a), b), b)
    return slice_id(var, st.time.window_label(a, b))


def name_ids(st: UnrollState, name: str, path: Path_, *, evidence: str) -> list[str]:
    """A name in a query, policy or scenario, as unrolled ids: a bare variable that changes
    over time means every slice for ``do``, is refused elsewhere; a window is registered."""
    var, label = split_slice(name)
    if var in st.static or var not in st.temporal:
        return [name]
    if label is None:
        if evidence == "do":
            return [slice_id(var, lab) for lab in st.labels]
        st.problem(
            path,
            f"'{var}' changes over time: name a slice or a window",
            fix=f"write {var}@{st.labels[0]} (one slice) or "
            f"{var}@{st.time.window_label(0, len(st.labels) - 1)} (any slice of the horizon)",
        )
        return []
    w = st.time.window(label)
    if w is not None:
        if evidence == "do":
            st.problem(
                path,
                f"do() sets one slice, not a window: '{name}'",
                fix=f"write {var} (every slice) or {var}@{st.labels[w[0]]}",
            )
            return []
        return [window(st, var, *w)]
    if label not in st.labels:
        st.problem(
            path,
            f"unknown slice '{label}' in '{name}'{did_you_mean(label, st.labels)}",
            expected=f"one of {st.labels}, or a window A..B",
        )
        return []
    return [name]


def names_ids(
    st: UnrollState, d: Mapping[str, Any], path: Path_, *, evidence: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        for u in name_ids(st, k, (*path, k), evidence=evidence):
            out[u] = v
    return out
