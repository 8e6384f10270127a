"""What every exchange format shares: the network as the writers see it, the records the
readers fill, the text of numbers, and names made into identifiers.

Writers take a :class:`NetView` (variables in topological order, tables as arrays). Readers
fill a :class:`RawNet`: the file's own names, states and tables, every problem with its line;
:mod:`._spec` turns that into a :class:`~estimative.spec.ModelSpec`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..._version import __version__
from ...errors import ModelError, Problem, UsageError
from ...graphs import topological_order
from ...spec import ModelSpec
from ...spec.limits import STATES, table_problem
from ...spec.noisy import NoisyPoint, noisy_point
from ...spec.timing import split_slice

if TYPE_CHECKING:
    from typing import Protocol

    class HasSpec(Protocol):
        spec: ModelSpec


IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ------------------------------------------------------------------------------ out
class InteropWarning(UserWarning):
    """What a file exchange changed or could not carry: columns renormalised or names changed
    on import, parts of a model a format has no room for on export."""


@dataclass(frozen=True)
class VarView:
    id: str
    label: str
    description: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    table: np.ndarray  # (card, *parent cards)
    kind: str = "chance"  # or "decision"
    observes: tuple[str, ...] = ()
    form: str = "table"  # the CPT form as the model writes it (noisy_or, noisy_max, verbal, ...)
    #: A noisy-OR or noisy-MAX CPT's parameters, for formats that hold the form (XDSL); None
    #: for other CPTs and in a BN export (``as_bn``), where every CPT is a table.
    noisy: NoisyPoint | None = None
    provenance: str = ""  # the CPT's quotes, rationale and strength in words ("" if none)
    position: tuple[float, float] | None = None
    #: Each state's first alias (GeNIe writes it as the state's label), or None.
    state_labels: tuple[str | None, ...] = ()
    aliases: tuple[str, ...] = ()
    state_aliases: tuple[tuple[str, str], ...] = ()  # (state, alias) pairs
    observable: bool = True  # False: never watched (GeNIe's diagtype "auxiliary" in XDSL)

    def alias_properties(self) -> dict[str, str]:
        """The ``estimative_aliases`` and ``estimative_state_aliases`` properties (names
        percent-encoded, separated by spaces; state aliases as state, alias pairs) for the
        aliases this variable has; empty without any."""
        from ._names import encode_record

        out = {}
        if self.aliases:
            out["estimative_aliases"] = encode_record(self.aliases)
        if self.state_aliases:
            out["estimative_state_aliases"] = encode_record(
                [x for pair in self.state_aliases for x in pair]
            )
        return out

    @property
    def baseline(self) -> str | None:
        """A decision's baseline table (what plain queries and decide's baseline row use), as
        the text of the ``estimative_baseline`` property (row-major over its parents, as every
        table); None for other variables."""
        return nums(self.flat()) if self.kind == "decision" else None

    def baseline_parents(self, written: Mapping[str, str] | None = None) -> str | None:
        """The parents of a decision's baseline table as the ``estimative_baseline_parents``
        property holds them (each name as the file writes it, percent-encoded, separated by
        spaces); None for a decision without them and for other variables."""
        if self.kind != "decision" or not self.parents:
            return None
        from ._names import encode_record

        return encode_record([(written or {}).get(p, p) for p in self.parents])

    def columns(self) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
        """(parent state indices, child distribution) in row-major order of the parents."""
        cards = self.table.shape[1:]
        for idx in itertools.product(*(range(c) for c in cards)):
            key: tuple[Any, ...] = (slice(None), *idx)
            yield idx, self.table[key]

    def flat(self) -> np.ndarray:
        """Row-major over (parents..., child): the child's state changes fastest."""
        return np.moveaxis(self.table, 0, -1).ravel()


@dataclass(frozen=True)
class UtilView:
    """One utility attribute as a utility node: its values over ``over`` and its weight."""

    id: str
    label: str
    description: str
    over: tuple[str, ...]
    values: np.ndarray  # one axis per variable of over
    weight: float
    position: tuple[float, float] | None = None


@dataclass(frozen=True)
class NetView:
    name: str
    title: str
    description: str
    hash: str
    variables: tuple[VarView, ...]
    utilities: tuple[UtilView, ...] = ()
    unit: str = ""
    #: What no exchange format holds (policies, scenarios, provenance, ...), for the warning.
    unwritable: tuple[str, ...] = ()

    def var(self, vid: str) -> VarView:
        return next(v for v in self.variables if v.id == vid)

    def informed(self, v: VarView) -> tuple[str, ...]:
        """A decision's information parents: what it observes, and the decision made just
        before it (so that tools which need the decisions' order find it)."""
        decisions = [w.id for w in self.variables if w.kind == "decision"]
        i = decisions.index(v.id)
        return (*v.observes, *decisions[i - 1 : i]) if i else v.observes

    @property
    def banner(self) -> str:
        return f"written by estimative {__version__}; model {self.name}, hash {self.hash}"


def spec_of(model: ModelSpec | HasSpec) -> ModelSpec:
    spec = getattr(model, "spec", model)
    if not isinstance(spec, ModelSpec):
        raise UsageError(
            "export needs a model: a ModelSpec or a Network",
            field="model",
            found=type(model).__name__,
        )
    return spec


def view_of(model: ModelSpec | HasSpec, *, as_bn: bool = False) -> NetView:
    """The network as the writers see it; ``as_bn``: decisions as chance nodes with their
    baseline tables and no utilities (for tools that read only Bayesian networks)."""
    spec = spec_of(model)
    # Parents, observations and the decisions' order (each decision before the next) all
    # come first, so that every format lists a node after the nodes it depends on.
    before = {v.id: [*v.parents, *v.observes] for v in spec.variables}
    decisions = [v.id for v in spec.variables if v.kind == "decision"]
    for a, b in itertools.pairwise(decisions):
        before[b].append(a)
    order = topological_order(before) or [v.id for v in spec.variables]
    windows = window_ids(spec)
    titles = {s.id: s.title or s.id for s in spec.sources}
    states = {v.id: v.states for v in spec.variables}
    out = []
    for vid in order:
        if vid in windows:
            continue
        vs = spec.variable(vid)
        table = np.asarray(vs.table, dtype=float)
        out.append(
            VarView(
                vid,
                vs.label,
                vs.description or "",
                tuple(vs.states),
                tuple(vs.parents),
                table,
                "chance" if as_bn else vs.kind,
                () if as_bn else tuple(vs.observes),
                vs.cpt.form,
                None if as_bn else _noisy(vs, states, table),
                provenance_text(vs, titles),
                vs.position,
                tuple(next(iter(vs.state_aliases.get(s, [])), None) for s in vs.states),
                tuple(vs.aliases),
                tuple((s, a) for s, names in vs.state_aliases.items() for a in names),
                vs.observable,
            )
        )
    utilities: tuple[UtilView, ...] = ()
    if spec.utilities is not None and not as_bn:
        utilities = tuple(
            UtilView(
                a.id,
                a.label,
                a.description,
                tuple(a.over),
                np.asarray(a.table),
                a.weight,
                a.position,
            )
            for a in spec.utilities.attributes
            if not set(a.over) & set(windows)
        )
    unwritable = [
        f"{len(items)} {what}"
        for what, items in (
            ("policies", spec.policies),
            ("scenarios", spec.scenarios),
            ("claims", spec.claims),
            ("forecast questions", spec.questions),
            ("outcomes", spec.outcomes),
            ("sources", spec.sources),
        )
        if items
    ]
    unwritable += time_unwritable(spec, windows)
    if spec.utilities is not None and not as_bn and len(utilities) < len(spec.utilities.attributes):
        over = [a.id for a in spec.utilities.attributes if set(a.over) & set(windows)]
        unwritable.append(f"the utility attributes over windows ({', '.join(over)})")
    if as_bn and spec.utilities is not None:
        unwritable.append(f"{len(spec.utilities.attributes)} utility attributes (a BN export)")
    return NetView(
        spec.name,
        spec.title,
        spec.description or "",
        spec.model_hash,
        tuple(out),
        utilities,
        spec.utilities.unit if spec.utilities is not None else "",
        tuple(unwritable),
    )


def _noisy(var: Any, states: dict[str, list[str]], table: np.ndarray) -> NoisyPoint | None:
    """The noisy-OR / noisy-MAX parameters of ``var``, when its table is exactly what they
    give (not, say, a CPT updated from cases since), else None."""
    cpt = var.cpt
    if cpt.form not in ("noisy_or", "noisy_max") or cpt.learned is not None:
        return None
    try:
        point = noisy_point(var, states)
        expanded = point.table()
    except (KeyError, ValueError, AssertionError):
        return None
    if expanded.shape != table.shape or not np.allclose(expanded, table, rtol=0, atol=1e-12):
        return None
    return point


def provenance_text(var: Any, titles: dict[str, str]) -> str:
    """A CPT's provenance in words: its quotes (with their sources), the assumption flag, the
    rationale and the strength; "" for a CPT that has none (an imported table)."""
    cpt = var.cpt
    rationale = oneline(cpt.rationale or "")
    if not cpt.sources and (not rationale or rationale.startswith("imported from")):
        return ""
    parts = []
    if cpt.assumption:
        parts.append("An assumption.")
    if rationale:
        parts.append(f"Rationale: {rationale}")
    for c in cpt.sources:
        note = f" ({oneline(c.note)})" if c.note else ""
        parts.append(f'Source {titles.get(c.source, c.source)}: "{oneline(c.quote)}"{note}')
    if cpt.strength is not None:
        parts.append(f"Strength: {num(cpt.strength)}")
    return "\n".join(parts)


def window_ids(spec: ModelSpec) -> list[str]:
    """The window nodes of a dynamic model (``x@A..B``): deterministic summaries of the copies,
    which no export writes (estimative adds them again when a query asks for one)."""
    if spec.time is None:
        return []
    time = spec.time
    return [v.id for v in spec.variables if time.window(split_slice(v.id)[1] or "") is not None]


def time_unwritable(spec: ModelSpec, windows: Sequence[str], *, plate: bool = False) -> list[str]:
    """What a file of the unrolled network (or, ``plate``, of GeNIe's temporal plate) does not
    hold of a dynamic model's time, in words."""
    if spec.time is None:
        return []
    out = []
    if not plate:
        out.append(
            f"the time slices ({', '.join(spec.time.labels)}): the network is written unrolled, "
            "one node per variable and slice (ids x@slice), and reads back as a model without time"
        )
    if windows:
        out.append(
            f"the window nodes {', '.join(windows)} (deterministic: the highest state over the "
            "slices; estimative adds them again when a query asks for a window)"
        )
    if spec.time.discount != 1.0:
        out.append(f"the discount of utilities over slices ({num(spec.time.discount)})")
    reacting = [p.id for p in (spec.template or spec).policies if p.react]
    if reacting:
        out.append(f"the reacting rules of the policies {', '.join(reacting)}")
    return out


def num(x: float) -> str:
    """The shortest decimal text that reads back to the same double (``-0.0`` written as ``0.0``)."""
    return repr(float(x) + 0.0)


def nums(values: Sequence[float] | np.ndarray) -> str:
    return " ".join(num(x) for x in np.asarray(values, dtype=float).ravel())


def oneline(text: str) -> str:
    return " ".join(str(text).split())


def ident_or_default(name: str, default: str) -> str:  # a network's name
    s = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return s if IDENT.match(s) else default


# ------------------------------------------------------------------------------ in
@dataclass
class RawVar:
    name: str
    states: list[str]
    line: int | None = None
    label: str | None = None
    description: str | None = None
    parents: list[str] | None = None
    table: np.ndarray | None = None  # (card, *parent cards), unnormalised; card 1 for utilities
    cpt_line: int | None = None
    kind: str = "chance"  # "decision" (parents: its information arcs) or "utility"
    weight: float | None = None  # a utility's weight, where the file gives one
    names: str | None = None  # the estimative_names record (original names) if written
    baseline: str | None = None  # a decision's estimative_baseline (its table for queries)
    baseline_parents: str | None = None  # its estimative_baseline_parents (encoded names)
    plate: bool = False  # inside GeNIe's temporal plate (<dynamic>): a copy in every slice
    lagged: list[str] | None = None  # its parents in the slice before (order="1")
    transition: np.ndarray | None = None  # (card, *parents, *lagged): the CPT from slice 2 on
    transition_line: int | None = None
    noisy: Any = None  # a GeNIe noisy-MAX node's parameters (genie_noisy.RawNoisy)
    provenance: str = ""  # the model's provenance, from a node comment estimative wrote
    position: tuple[float, float] | None = None  # where the file draws the node (y down)
    state_labels: dict[str, str] | None = None  # GeNIe's state labels, by state as written
    diagtype: str | None = None  # GeNIe's diagnostic role: target, observation, auxiliary
    aliases: str | None = None  # estimative_aliases (encoded names), if written
    state_aliases: str | None = None  # estimative_state_aliases (encoded pairs), if written


@dataclass
class RawNet:
    fmt: str
    file: str
    title: str | None = None
    description: str | None = None
    variables: dict[str, RawVar] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Significant digits the file's writer keeps (HUGIN: 6); columns within that rounding
    #: of 1 are renormalised. None: the usual tolerance.
    digits: int | None = None
    unit: str | None = None  # the utilities' unit, where the file gives one
    slices: int | None = None  # XDSL's <dynamic numslices=...>: a dynamic model
    time_record: str | None = None  # the estimative_time property (labels, dates), if written
    #: Nodes whose states the reader listed in another order than the file (GeNIe's noisy-MAX
    #: nodes, put lowest first), for the import note.
    reordered: list[str] = field(default_factory=list)

    def problem(self, message: str, line: int | None = None, **kw: Any) -> None:
        self.problems.append(Problem(message, file=self.file, line=line, **kw))

    def fail(self, message: str, line: int | None = None, **kw: Any) -> ModelError:
        return ModelError(Problem(message, file=self.file, line=line, **kw))

    def too_many_states(self, name: str, count: int, line: int | None) -> ModelError | None:
        """The error for a variable with more states than :data:`~estimative.spec.limits.STATES`
        (checked before its state list is made), else ``None``."""
        if count <= STATES.value():
            return None
        return self.fail(
            f"variable '{name}' has {count} states",
            line,
            expected=f"at most {STATES.value()} {STATES.what}",
            fix=STATES.fix(),
        )

    def add(self, var: RawVar) -> None:
        if (err := self.too_many_states(var.name, len(var.states), var.line)) is not None:
            self.problems.extend(err.problems)
            return
        if var.name in self.variables:
            first = self.variables[var.name].line
            self.problem(
                f"variable '{var.name}' is declared twice",
                var.line,
                fix=f"keep one declaration{f' (the first is at line {first})' if first else ''}",
            )
        else:
            self.variables[var.name] = var


def from_flat(
    flat: np.ndarray, card: int, pcards: Sequence[int], *, first_parent_fastest: bool = False
) -> np.ndarray:
    """(card, *pcards) from a flat table, row-major over (parents, child) or, for aGrUM's XDSL
    and UAI files, with the child fastest and then the first parent fastest."""
    if first_parent_fastest:
        arr = flat.reshape(*reversed(list(pcards)), card)
        arr = np.transpose(arr, [*range(len(pcards) - 1, -1, -1), len(pcards)])
    else:
        arr = flat.reshape(*pcards, card)
    return np.moveaxis(arr, -1, 0)


def set_flat(
    var: RawVar,
    flat: np.ndarray,
    raw: RawNet,
    line: int | None,
    *,
    first_parent_fastest: bool = False,
) -> None:
    parents = var.parents or []
    if any(q not in raw.variables for q in parents):
        return  # reported when the spec is built
    pcards = [len(raw.variables[q].states) for q in parents]
    if not table_fits(var, pcards, raw, line):
        return
    size = len(var.states) * math.prod(pcards)
    if flat.size != size:
        raw.problem(
            f"the table of '{var.name}' has {flat.size} numbers",
            line,
            expected=f"{size} ({len(var.states)} states x {' x '.join(map(str, pcards)) or '1'} parent configurations)",
        )
        return
    var.table = from_flat(flat, len(var.states), pcards, first_parent_fastest=first_parent_fastest)


def table_fits(var: RawVar, pcards: Sequence[int], raw: RawNet, line: int | None) -> bool:
    """False (with a problem) when the CPT of ``var`` over parents of ``pcards`` states passes a
    limit of :mod:`estimative.spec.limits`; checked before the table is allocated."""
    too_big = table_problem(len(var.states), pcards, columns=True)
    if too_big is None:
        return True
    raw.problem(f"the CPT of '{var.name}': {too_big[0]}", line, **too_big[1])
    return False


def to_float(text: str, raw: RawNet, line: int | None, what: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise raw.fail(
            f"{what}: '{text}' is not a number",
            line,
            fix="give the probabilities as decimal numbers",
        ) from None
    return x


def property_of(text: str) -> tuple[str, str]:
    m = re.match(r"([A-Za-z_][\w.-]*)\s*=?\s*(.*)$", text, re.S)
    if not m:
        return "", text
    value = m.group(2).strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return m.group(1), value


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_POSITION = re.compile(rf"^\(?\s*({_NUMBER})\s*[,\s]\s*({_NUMBER})\s*\)?$")


def position_of(text: str | None) -> tuple[float, float] | None:
    """``(x, y)`` from a position as BIF, XMLBIF and NET write it (``(100, 200)``,
    ``(100 200)``); ``None`` for anything else (a position is never worth refusing a file).

    >>> position_of("(100, 200)"), position_of("12 x")
    ((100.0, 200.0), None)
    """
    m = _POSITION.match((text or "").strip())
    if m is None:
        return None
    x, y = float(m.group(1)), float(m.group(2))
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def position_text(pos: tuple[float, float], sep: str = ", ") -> str:
    """A position as the formats write it: ``(x, y)``, whole numbers without a decimal point.

    >>> position_text((100.0, 20.5)), position_text((3.0, 4.0), " ")
    ('(100, 20.5)', '(3 4)')
    """
    return "(" + sep.join(f"{v:g}" if v != int(v) else str(int(v)) for v in pos) + ")"


def genie_rectangle(center: tuple[float, float]) -> str:
    """GeNIe's ``left top right bottom`` of a 140 x 60 node centred on ``center``.

    >>> genie_rectangle((100.0, 50.0))
    '30 20 170 80'
    """
    x, y = round(center[0]), round(center[1])
    return f"{x - 70} {y - 30} {x + 70} {y + 30}"


def drawn_positions(view: NetView) -> dict[str, tuple[float, float]]:
    """Where every node of ``view`` is drawn, in pixels (``y`` down): the model's own positions
    when every variable has one (utility nodes without one go below their parents), else the
    house's layered layout (:func:`estimative.layout.layout`), which GeNIe needs."""
    from ...layout import layout

    ids = [v.id for v in view.variables] + [u.id for u in view.utilities]
    own = {v.id: v.position for v in view.variables} | {u.id: u.position for u in view.utilities}
    if all(own[v.id] is not None for v in view.variables):
        out = {k: p for k, p in own.items() if p is not None}
        for u in view.utilities:
            if u.id not in out:
                xs = [out[p][0] for p in u.over]
                out[u.id] = (sum(xs) / len(xs), max(out[p][1] for p in u.over) + 100.0)
        return out
    parents = {v.id: [*v.parents, *v.observes] for v in view.variables}
    parents |= {u.id: list(u.over) for u in view.utilities}
    lay = layout(ids, parents, gap=90.0, rank_gap=200.0)
    return {k: (round(100.0 + x), round(60.0 + y)) for k, (x, y) in lay.pos.items() if k in own}
