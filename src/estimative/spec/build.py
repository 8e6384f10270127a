"""The one builder of a usable spec: rules checked, tables expanded once, the spec sealed.

A :class:`~estimative.spec.models.ModelSpec` is frozen; its expanded tables (and, for a spec
read from a file, where it came from) are attached here and nowhere else, once, before the
spec is handed to anyone. A spec derived from another (a decision network's helper nodes) is
built by :func:`derive`, which makes new objects rather than writing into the old ones.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError, Problem, QueryError, did_you_mean
from .aliases import check_aliases
from .elicitation import expand_cpt
from .locate import Locator, Path_, format_path
from .models import (
    AttributeSpec,
    CptSpec,
    ModelSpec,
    NoisyMaxSpec,
    NoisyOrSpec,
    TableRow,
    UtilitySpec,
    VariableSpec,
)
from .pooling import as_variable
from .rules import Expanded, check_spec
from .timing import TimeSpec, parse_lag, split_slice
from .unroll import check_timeless, max_table, unroll, window_chain


def _attach(obj: VariableSpec | AttributeSpec | ModelSpec, **private: Any) -> None:
    """Set private fields of a frozen spec object: the only place in estimative that does."""
    for name, value in private.items():
        setattr(obj, name, value)


def seal(
    spec: ModelSpec,
    expanded: Expanded,
    *,
    locator: Locator | None = None,
    root: str | None = None,
    name: str | None = None,
) -> ModelSpec:
    """Attach the expanded tables (and the origin) to a spec whose rules all passed."""
    for v in spec.variables:
        if v.id in expanded.factors:  # a noisy CPT too large to expand: its parameters
            _attach(v, _table=None, _bands=None, _factors=expanded.factors[v.id])
            continue
        _attach(v, _table=expanded.tables[v.id], _bands=expanded.bands.get(v.id))
    if spec.utilities is not None:
        for a in spec.utilities.attributes:
            _attach(a, _table=expanded.utilities[a.id])
    _attach(spec, _root=root, _name=name, _locator=locator, _hash=None, _alias_map=None)
    return spec


def finish(
    spec: ModelSpec,
    locator: Locator,
    folder: Path,
    *,
    root: str | None = None,
    name: str | None = None,
) -> ModelSpec:
    """Check every rule on a schema-valid spec, then seal it; raise
    :class:`~estimative.errors.ModelError` listing every problem found.

    A dynamic model (one with ``time:``) is unrolled first (:mod:`.unroll`); the sealed spec
    is the unrolled network, with the model as written kept as its ``template``."""
    if spec.time is None:
        problems = check_timeless(spec, locator)
        if problems:
            raise ModelError(problems)
        problems, expanded = check_spec(spec, locator, folder)
        if problems:
            raise ModelError(problems)
        return seal(spec, expanded, locator=locator, root=root, name=name)
    problems, unrolled, uloc, ties = unroll(spec, locator)
    problems = [*check_aliases(spec, locator, dynamic=True), *problems]
    if problems or unrolled is None:
        raise ModelError(_once(problems))
    problems, expanded = check_spec(unrolled, uloc, folder)
    if problems:
        raise ModelError(_once(problems))
    sealed = seal(unrolled, expanded, locator=uloc, root=root, name=name)
    _attach(sealed, _template=spec, _ties=ties, _alias_map=None)
    return sealed


def _once(problems: Sequence[Problem]) -> list[Problem]:
    """Problems of an unrolled model, each reported once (a template CPT's problem recurs in
    every slice it is used in; the first slice's message is kept)."""
    seen: set[tuple[str | None, int | None, str | None, str]] = set()
    out = []
    for p in problems:
        # the same problem in another slice differs only in the slice it names
        key = (p.file, p.line, p.field, re.sub(r"\(slice [^)]*\)|@[^\s:,;']+", "", p.message))
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out


def derive(
    spec: ModelSpec,
    variables: Sequence[VariableSpec],
    *,
    tables: Mapping[str, np.ndarray],
    bands: Mapping[str, np.ndarray | None] | None = None,
    factors: Mapping[str, Any] | None = None,
) -> ModelSpec:
    """A new spec with ``variables`` (new objects), the tables of variables kept from ``spec``
    and ``tables`` for the others (``factors`` for a factorised noisy CPT: its parameters, in
    the new variable's parent order); the origin is kept, the hash computed afresh.

    Used for networks the analyses build for themselves (decisions cut from their parents,
    utility nodes, copies of variables before a policy); nothing is checked again."""
    old = {v.id: v for v in spec.variables}
    fresh = []
    for v in variables:
        nv = v.model_copy()
        if factors and v.id in factors:
            _attach(nv, _table=None, _bands=None, _factors=factors[v.id])
        elif v.id in tables:
            _attach(
                nv, _table=np.asarray(tables[v.id], dtype=float), _bands=(bands or {}).get(v.id)
            )
        elif v.id in old and old[v.id] is v:
            table = v._table if v._factors is not None else v.table  # factorised: no table
            _attach(nv, _table=table, _bands=v.bands, _factors=v._factors)
        else:
            raise ModelError(Problem(f"no table for the derived variable '{v.id}'"))
        fresh.append(nv)
    new = spec.model_copy(update={"variables": fresh})
    _attach(
        new,
        _root=spec.root,
        _name=spec._name,
        _locator=spec._locator,
        _hash=None,
        _template=spec._template,
        _ties=dict(spec._ties),
    )
    return new


def elicited(var: VariableSpec, states: Mapping[str, Sequence[str]]) -> dict[str, VariableSpec]:
    """Each analyst's elicitation of a pooled CPT as a variable of its own, expanded (table
    and verbal bands attached): ``{analyst id: variable}``; empty for a CPT with no
    elicitations. ``states`` maps every parent to its states."""
    out: dict[str, VariableSpec] = {}
    for k, e in enumerate(var.cpt.elicitations):
        v = as_variable(var, e)
        table, bands, issues = expand_cpt(v, states)
        if table is None:  # a sealed spec passed every rule; a hand-made one may not have
            raise ModelError(
                Problem(f"elicitation {k} of '{var.id}' does not expand: {issues[0][1]}")
            )
        _attach(v, _table=table, _bands=bands)
        out[e.analyst or f"elicitation_{k}"] = v
    return out


def analyst_view(spec: ModelSpec, analyst: str) -> ModelSpec:
    """The model with one analyst's numbers alone: every CPT ``analyst`` elicited is theirs
    (in its own form, strength and provenance); every other CPT stays as the model has it
    (a pool of the analysts who did elicit it). Raises
    :class:`~estimative.errors.QueryError` for an analyst the model does not list."""
    ids = [a.id for a in spec.analysts]
    if analyst not in ids:
        raise QueryError(
            f"unknown analyst '{analyst}'{did_you_mean(analyst, ids)}",
            expected=f"one of {ids}" if ids else "a model with analysts: listed",
            fix="name an analyst of the model's analysts: list",
        )
    states = {v.id: v.states for v in spec.variables}
    variables, tables, bands = [], {}, {}
    for v in spec.variables:
        mine = elicited(v, states).get(analyst) if v.cpt.elicitations else None
        if mine is None:
            variables.append(v)
        else:
            variables.append(mine)
            tables[v.id], bands[v.id] = mine.table, mine.bands
    return derive(spec, variables, tables=tables, bands=bands)


def with_windows(spec: ModelSpec, variable: str, first: str, last: str) -> ModelSpec:
    """A dynamic model's spec with the window nodes ``variable@first..X`` for every slice
    ``X`` from ``first`` to ``last`` (those it lacks), so that "the highest state so far" can
    be asked of each slice. Returns ``spec`` itself when nothing is missing."""
    time, template = spec.time, spec._template
    if time is None or template is None:
        raise ModelError(Problem("windows need a dynamic model (one with time:)"))
    base = split_slice(variable)[0]
    v = next((x for x in template.variables if x.id == base and not x.static), None)
    if v is None:
        raise ModelError(
            Problem(
                f"'{variable}' is not a variable that changes over time"
                + did_you_mean(base, [x.id for x in template.variables if not x.static])
            )
        )
    for label in (first, last):
        if label not in time.labels:
            raise ModelError(
                Problem(
                    f"unknown slice '{label}'{did_you_mean(label, time.labels)}",
                    expected=f"one of {time.labels}",
                )
            )
    a, b = time.index(first), time.index(last)
    have = {x.id for x in spec.variables}
    new = [w for w in window_chain(v, time, a, b) if w.id not in have]
    if not new:
        return spec
    table = max_table(len(v.states))
    grown = derive(spec, [*spec.variables, *new], tables={w.id: table for w in new})
    # deterministic summaries of what the model says: the model (and its hash) is the same
    _attach(grown, _hash=spec.model_hash)
    return grown


def locate(spec: ModelSpec, path: Path_) -> tuple[str | None, int | None]:
    """File and line of a path in a model loaded from a file (``(None, None)`` if unknown)."""
    loc = spec._locator
    if loc is None:
        return None, None
    return loc.where(path)


def problem_at(spec: ModelSpec, path: Path_, message: str, **kwargs: Any) -> Problem:
    """A :class:`Problem` located at ``path`` of a loaded model."""
    file, line = locate(spec, path)
    return Problem(message, file=file, line=line, field=format_path(path), **kwargs)


def spec_from_arrays(
    title: str,
    variables: Iterable[tuple[str, Iterable[str], Iterable[str], Any]],
    *,
    rationale: str = "given as arrays",
    as_of: str | _dt.date = "1970-01-01",
    labels: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
    description: str = "",
    locator: Locator | None = None,
    folder: Path | None = None,
    root: str | None = None,
    name: str | None = None,
    kinds: Mapping[str, str] | None = None,
    observes: Mapping[str, Sequence[str]] | None = None,
    counts: Collection[str] = (),
    utilities: UtilitySpec | None = None,
    time: TimeSpec | None = None,
    initial: Mapping[str, tuple[Sequence[str], Any]] | None = None,
    static: Collection[str] = (),
    extra: Mapping[str, Mapping[str, Any]] | None = None,
    baseline_note: str = "",
    forms: Mapping[str, NoisyOrSpec | NoisyMaxSpec] | None = None,
    rationales: Mapping[str, str] | None = None,
) -> ModelSpec:
    """Build a validated :class:`ModelSpec` from ``(id, states, parents, table)`` tuples.

    The one builder of a spec from arrays: tests and examples build models with it, and the
    importer of BIF / XMLBIF / XDSL / NET / UAI / DNE files hands it the tables it read.

    Parameters
    ----------
    title : str
        The model's title.
    variables : iterable of (id, states, parents, table)
        In any order in which each parent's states are known (parents may come later). ``table``
        has shape ``(len(states), *parent cardinalities)`` with columns summing to 1 within
        1e-6; columns that miss 1 by more than 1e-12 are renormalised, the others are kept
        as given (so a table read back from a file keeps its exact doubles).
    rationale : str
        Every CPT is a full table marked ``assumption: true`` with this rationale.
    as_of : str or datetime.date
        The model's as-of date.
    labels, descriptions : mapping of id to str, optional
        A variable's label (default: its id) and description (default: none).
    description : str
        The model's description.
    locator : Locator, optional
        Where each ``("variables", i, ...)`` path came from, so that problems found by the
        rules name a file and line (default: nowhere, problems name the field only).
    folder : Path, optional
        The folder source documents are looked up in (default: the working directory).
    root, name : str, optional
        The folder and name the spec reports as its origin.
    kinds : mapping of id to str, optional
        ``"decision"`` for a decision variable (default: every variable is ``"chance"``).
    observes : mapping of id to list of str, optional
        What each decision observes before it is made (its information arcs).
    counts : collection of str
        Ids whose tables are counts (non-negative, any column sum): written with
        ``normalize: true`` and normalised by the rules, as a model file's count table is.
    utilities : UtilitySpec, optional
        The model's utilities (an influence diagram's utility nodes).
    time : TimeSpec, optional
        A dynamic model's slices: parents may then name the slice before (``x@t-1``, whose
        states are ``x``'s) and the spec is unrolled like a model file with ``time:``.
    initial : mapping of id to (parents, table), optional
        With ``time``: a variable's first-slice CPT over the parents without a lag.
    static : collection of str
        With ``time``: the ids of the variables that do not change over time.
    extra : mapping of id to mapping, optional
        Further fields of a variable (``aliases``, ``state_aliases``, ``position``,
        ``observable``), checked by the schema and the rules like a model file's.
    baseline_note : str
        What the baseline means (the model's ``baseline_note``).
    forms : mapping of id to NoisyOrSpec or NoisyMaxSpec, optional
        A variable's CPT as a noisy-OR or noisy-MAX (a GeNIe noisy-MAX node) instead of the
        table built from its array; its array is still checked for shape.
    rationales : mapping of id to str, optional
        A variable's own rationale instead of ``rationale``.

    Returns
    -------
    ModelSpec
        Checked by every rule, tables expanded, sealed. Raises
        :class:`~estimative.errors.ModelError` on the first malformed table, or listing every
        problem the rules find.

    Examples
    --------
    >>> import numpy as np
    >>> s = spec_from_arrays("t", [("a", ["no", "yes"], [], np.array([0.25, 0.75]))])
    >>> s.variable("a").table.tolist()
    [0.25, 0.75]
    """
    items = [
        (vid, list(states), list(parents), np.asarray(table, dtype=float))
        for vid, states, parents, table in variables
    ]
    states_of = {vid: st for vid, st, _, _ in items}
    if time is not None:  # x@t-1 has the states of x
        states_of.update(
            {
                p: states_of[parse_lag(p)[0]]
                for _, _, ps, _ in items
                for p in ps
                if "@" in p and parse_lag(p)[0] in states_of
            }
        )
    specs = []

    def cpt_of(
        vid: str, st: list[str], parents: list[str], table: Any, *, initial_of: bool = False
    ) -> CptSpec:
        table = np.asarray(table, dtype=float)
        for p in parents:
            if p not in states_of:
                raise ModelError(
                    Problem(f"undefined parent '{p}' of '{vid}'{did_you_mean(p, states_of)}")
                )
        shape = (len(st), *(len(states_of[p]) for p in parents))
        if table.shape != shape:
            raise ModelError(
                Problem(f"table of '{vid}' has shape {table.shape}", expected=str(shape))
            )
        sums = table.sum(axis=0)
        if vid in counts:
            sums = np.ones_like(sums)  # the rules normalise counts (and refuse empty columns)
        if np.any(np.abs(sums - 1) > 1e-6) or np.any(table < 0):
            raise ModelError(
                Problem(
                    f"table of '{vid}' has a column that is not a distribution",
                    found=f"column sums from {np.min(sums):.9g} to {np.max(sums):.9g}",
                )
            )
        table = np.where(np.abs(sums - 1) > 1e-12, table / sums, table)
        why = (rationales or {}).get(vid, rationale)
        form = (forms or {}).get(vid) if not initial_of else None
        if isinstance(form, NoisyOrSpec):
            return CptSpec(noisy_or=form, assumption=True, rationale=why)
        if isinstance(form, NoisyMaxSpec):
            return CptSpec(noisy_max=form, assumption=True, rationale=why)
        rows: list[TableRow] | dict[str, float]
        if parents:
            rows = []
            for combo in itertools.product(*(range(len(states_of[p])) for p in parents)):
                key: tuple[Any, ...] = (slice(None), *combo)
                col = table[key]
                rows.append(
                    TableRow(
                        when={p: states_of[p][c] for p, c in zip(parents, combo, strict=True)},
                        probs={s: float(x) for s, x in zip(st, col, strict=True)},
                    )
                )
        else:  # a root's table is written the way a model file writes it: {state: p}
            rows = {s: float(x) for s, x in zip(st, table, strict=True)}
        return CptSpec(table=rows, assumption=True, rationale=why, normalize=vid in counts)

    for vid, st, parents, table in items:
        first = (initial or {}).get(vid)
        specs.append(
            VariableSpec(
                id=vid,
                label=(labels or {}).get(vid, vid),
                description=(descriptions or {}).get(vid, ""),
                states=st,
                parents=parents,
                kind=(kinds or {}).get(vid, "chance"),  # type: ignore[arg-type]
                observes=list((observes or {}).get(vid, [])),
                cpt=cpt_of(vid, st, parents, table),
                initial=None
                if first is None
                else cpt_of(vid, st, list(first[0]), first[1], initial_of=True),
                static=vid in static,
                **(extra or {}).get(vid, {}),
            )
        )
    spec = ModelSpec(
        title=title,
        description=description,
        as_of=as_of,  # type: ignore[arg-type]
        variables=specs,
        utilities=utilities,
        time=time,
        baseline_note=baseline_note,
    )
    return finish(
        spec, locator or Locator.nowhere("<arrays>"), folder or Path("."), root=root, name=name
    )
