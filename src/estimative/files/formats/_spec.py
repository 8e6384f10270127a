"""What a reader found, made into a model: names kept as the file writes them, tables checked
and normalised in the file's own names (every problem with its line), decisions and utility
nodes made into the model's decisions and utilities, and the spec built by the one builder,
:func:`~estimative.spec.spec_from_arrays`.

Imported CPTs are full tables marked ``assumption: true`` ("imported from <file>"). A name the
model format cannot hold (one with ``=`` or a control character) is renamed to a name the file
does not use, with a warning; the original stays the variable's label.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ModelError, did_you_mean
from ...spec import Locator, ModelSpec, spec_from_arrays
from ...spec.locate import LineMap, Path_
from ...spec.models import AttributeSpec, UtilityRow, UtilitySpec
from ._common import InteropWarning, RawNet, RawVar, oneline
from ._names import decode_record, keep_names, state_ok, variable_ok
from .genie_time import time_of

#: Columns of an imported CPT may miss 1 by this much (bnlearn BIFs round to 1e-7); they are
#: then normalised. Larger deviations are errors, unless the file's writer rounds to fewer
#: digits (HUGIN: 6 significant digits, so k states may miss by k x 5e-7).
IMPORT_SUM_TOLERANCE = 1e-6


def tolerance(raw: RawNet, card: int) -> float:
    """How far a column of ``card`` numbers may miss 1 in this file and still be renormalised."""
    if raw.digits is None:
        return IMPORT_SUM_TOLERANCE
    return max(IMPORT_SUM_TOLERANCE, card * 0.5 * 10.0 ** (1 - raw.digits))


def normalised(
    var: RawVar, raw: RawNet, *, counts: bool = False, fixed: list[tuple[str, float]] | None = None
) -> np.ndarray | None:
    assert var.table is not None
    t = var.table
    where = var.cpt_line
    if np.isnan(t).any():
        cols = np.argwhere(np.isnan(t).any(axis=0))
        pstates = [raw.variables[q].states for q in var.parents or []]
        first = ", ".join(
            f"{q}={pstates[k][i]}"
            for k, (q, i) in enumerate(zip(var.parents or [], cols[0], strict=True))
        )
        raw.problem(
            f"the CPT of '{var.name}' has no row for ({first})"
            + (f" and {len(cols) - 1} more" if len(cols) > 1 else ""),
            where,
            fix="give a row for every combination of the parents' states",
        )
        return None
    if not np.isfinite(t).all() or (t < 0).any():
        raw.problem(
            f"the CPT of '{var.name}' holds a negative or infinite number",
            where,
            expected="probabilities in [0, 1]",
        )
        return None
    sums = t.sum(axis=0)
    if counts:
        if (np.asarray(sums) <= 0).any():
            raw.problem(
                f"a column of the counts of '{var.name}' sums to 0",
                where,
                fix="give every column a positive count",
            )
            return None
        return t  # normalised by the rules (the CPT is written with normalize: true)
    tol = tolerance(raw, t.shape[0])
    worst = np.unravel_index(np.argmax(np.abs(sums - 1)), sums.shape) if sums.ndim else ()
    dev = float(np.abs(sums - 1).max()) if np.ndim(sums) else abs(float(sums) - 1)
    if dev > tol + 1e-12:  # the slack absorbs rounding in the sum: 3 x 0.333333 passes
        pstates = [raw.variables[q].states for q in var.parents or []]
        col = ", ".join(
            f"{q}={pstates[k][i]}"
            for k, (q, i) in enumerate(zip(var.parents or [], worst, strict=True))
        )
        raw.problem(
            f"a column of the CPT of '{var.name}'{f' ({col})' if col else ''} sums to {float(np.asarray(sums)[worst]):.10g}",
            where,
            expected=f"1 (within {tol:.3g}; smaller deviations are normalised)",
            fix="correct the numbers in the file, or import it with --normalize if it holds counts",
        )
        return None
    if dev > IMPORT_SUM_TOLERANCE and fixed is not None:
        fixed.append((var.name, dev))
    # Columns already summing to 1 up to rounding are left alone, so that importing an exported
    # file gives back the same doubles.
    return np.where(np.abs(sums - 1) > 1e-12, t / sums, t)


def _restore_names(raw: RawNet) -> dict[str, tuple[str, list[str]]]:
    """Each variable's (name, states) as first written: from its ``estimative_names`` record
    (a file estimative wrote where the format could not hold a name), else as the file has it."""
    out: dict[str, tuple[str, list[str]]] = {}
    for name, var in raw.variables.items():
        rec = decode_record(var.names) if var.names else []
        if len(rec) == len(var.states) + 1:
            out[name] = (rec[0], rec[1:])
        else:
            out[name] = (name, list(var.states))
    return out


def _utility(
    var: RawVar, vid: str, raw: RawNet, ids: dict[str, str], states: dict[str, list[str]]
) -> AttributeSpec | None:
    parents = var.parents or []
    if not parents:
        raw.problem(
            f"utility node '{var.name}' depends on nothing",
            var.line,
            fix="give it the decisions and chance nodes its value depends on",
        )
        return None
    if any(raw.variables[q].kind == "utility" for q in parents):
        raw.problem(
            f"utility node '{var.name}' has a utility node as a parent",
            var.cpt_line,
            fix="only GeNIe's multi-attribute (MAU) nodes may combine utilities",
        )
        return None
    assert var.table is not None
    values = var.table[0]
    if not np.isfinite(values).all():
        raw.problem(f"the utilities of '{var.name}' hold a number that is not finite", var.cpt_line)
        return None
    over = [ids[q] for q in parents]
    table: dict[str, float] | list[UtilityRow]
    if len(over) == 1:
        table = {st: float(x) for st, x in zip(states[over[0]], values, strict=True)}
    else:
        table = [
            UtilityRow(
                when={q: states[q][i] for q, i in zip(over, combo, strict=True)},
                value=float(values[combo]),
            )
            for combo in itertools.product(*(range(len(states[q])) for q in over))
        ]
    weight = 1.0 if var.weight is None else var.weight
    return AttributeSpec(
        id=vid,
        label=(var.label or "").strip() or var.name,
        description=(var.description or "").strip(),
        over=over,
        values=table,
        weight=weight,
        rationale=f"imported from {raw.file}",
    )


def build_spec(raw: RawNet, path: Path, *, normalize: bool = False) -> ModelSpec:
    """The validated model of what a reader found in ``path``; raise
    :class:`~estimative.errors.ModelError` naming the file and line of every problem.

    ``normalize``: tables may hold counts (each column is divided by its sum)."""
    if not raw.variables:
        raise raw.fail(
            "the file declares no variables", fix=f"check it is a {raw.fmt.upper()} network"
        )
    raws = list(raw.variables.values())
    first = _restore_names(raw)
    written = [first[v.name][0] for v in raws]
    ids = dict(
        zip(raw.variables, keep_names(written, prefix="v", allowed=variable_ok), strict=True)
    )
    notes: list[str] = []
    renamed = [
        f"'{a}' -> '{ids[v.name]}'" for v, a in zip(raws, written, strict=True) if a != ids[v.name]
    ]
    states: dict[str, list[str]] = {}
    for var in raws:
        own = first[var.name][1]
        kept = keep_names(own, prefix="s", allowed=state_ok)
        states[ids[var.name]] = kept
        renamed += [
            f"'{var.name}': state '{a}' -> '{b}'" for a, b in zip(own, kept, strict=True) if a != b
        ]
    if renamed:
        notes.append(
            "names the model format cannot hold (they contain '=' or control characters) were "
            "renamed to names the file does not use: " + ", ".join(renamed)
        )
    lines: dict[Path_, int] = {}
    arrays: list[tuple[str, list[str], list[str], Any]] = []
    labels: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    kinds: dict[str, str] = {}
    observes: dict[str, list[str]] = {}
    counts: set[str] = set()
    attributes: list[AttributeSpec] = []
    fixed: list[tuple[str, float]] = []
    i = -1
    for var in raws:
        if var.kind != "utility":
            i += 1
            if var.line is not None:
                lines[("variables", i)] = var.line
            if var.cpt_line is not None:
                lines[("variables", i, "cpt")] = var.cpt_line
                lines[("variables", i, "parents")] = var.cpt_line
        if var.parents is None:
            if var.kind != "chance":
                var.parents = []
            else:
                raw.problem(
                    f"variable '{var.name}' has no CPT", var.line, fix="add its probability table"
                )
                continue
        bad = [q for q in var.parents if q not in raw.variables]
        for q in bad:
            raw.problem(
                f"'{var.name}' names an undeclared parent '{q}'{did_you_mean(q, raw.variables)}",
                var.cpt_line,
                fix="declare the variable or correct the name",
            )
        vid = ids[var.name]
        if var.kind == "utility":
            if not bad and var.table is not None:
                attr = _utility(var, vid, raw, ids, states)
                if attr is not None:
                    attributes.append(attr)
            elif not bad:
                raw.problem(f"utility node '{var.name}' has no values", var.line)
            continue
        if len(var.states) < 2 or len(set(var.states)) != len(var.states):
            raw.problem(
                f"variable '{var.name}' needs two or more distinct states",
                var.line,
                found=str(var.states),
            )
            continue
        if bad:
            continue
        if any(  # a parent without two states is reported as such; its children have no shape
            raw.variables[q].kind != "utility" and len(set(raw.variables[q].states)) < 2
            for q in var.parents
        ):
            continue
        labels[vid] = (var.label or "").strip() or first[var.name][0]
        descriptions[vid] = (var.description or "").strip()
        if var.kind == "decision":
            # A decision's parents in a file are its information arcs; an earlier decision
            # among them is remembered anyway. Its baseline (for plain queries) is uniform.
            kinds[vid] = "decision"
            observes[vid] = [ids[q] for q in var.parents if raw.variables[q].kind == "chance"]
            n = len(var.states)
            base = np.full(n, 1.0 / n)
            if var.baseline is not None:  # written by estimative: the decision's own baseline
                try:
                    given = np.asarray([float(x) for x in var.baseline.split()], dtype=float)
                except ValueError:
                    given = base
                base = given if given.shape == (n,) else base
            arrays.append((vid, states[vid], [], base))
            continue
        if var.table is None:
            continue
        table = normalised(var, raw, counts=normalize, fixed=fixed)
        if table is None:
            continue
        if normalize and np.abs(table.sum(axis=0) - 1).max() > IMPORT_SUM_TOLERANCE:
            counts.add(vid)
        arrays.append((vid, states[vid], [ids[q] for q in var.parents], table))
    dynamic = _dynamic(raw, ids, arrays, normalize=normalize, fixed=fixed)
    if raw.problems:
        raise ModelError(raw.problems)
    if fixed:
        worst = max(fixed, key=lambda f: f[1])
        notes.append(
            f"renormalised the columns of {len(fixed)} CPTs that miss 1 by more than "
            f"{IMPORT_SUM_TOLERANCE:g} but within the {raw.digits} significant digits "
            f"{raw.fmt.upper()} files are written with (the largest: '{worst[0]}', by {worst[1]:.3g})"
        )
    if counts:
        notes.append(
            f"read the tables of {len(counts)} variables as counts and normalised them: "
            + ", ".join(sorted(counts))
        )
    for note in notes:
        warnings.warn(f"{raw.file}: {note}", InteropWarning, stacklevel=3)
    mtime = _dt.datetime.fromtimestamp(path.stat().st_mtime, tz=_dt.UTC).date()
    if raw.slices is not None:
        dynamic["time"], mtime = time_of(raw, mtime)
    title = oneline(raw.title or "")
    if title.lower() in ("", "unknown", "untitled"):  # bnlearn's BIFs are all 'network unknown'
        title = path.stem
    utilities = None
    if attributes:
        utilities = UtilitySpec(
            unit=raw.unit or "utility points",
            attributes=attributes,
        )
    return spec_from_arrays(
        title,
        arrays,
        rationale=f"imported from {path.name}",
        as_of=mtime,
        labels=labels,
        descriptions=descriptions,
        description=(raw.description or "").strip()
        or f"Imported from {raw.file} ({raw.fmt.upper()}).",
        locator=Locator(LineMap(raw.file, lines)),
        folder=path.parent,
        root=str(path.parent),
        name=path.stem,
        kinds=kinds,
        observes=observes,
        counts=counts,
        utilities=utilities,
        **dynamic,
    )


def _dynamic(
    raw: RawNet,
    ids: dict[str, str],
    arrays: list[tuple[str, list[str], list[str], Any]],
    *,
    normalize: bool,
    fixed: list[tuple[str, float]],
) -> dict[str, Any]:
    """For a file with GeNIe's temporal plate: each plate node's transition CPT (over its
    parents and ``x@t-1``) put in ``arrays``, its first-slice CPT as ``initial``, and the nodes
    outside the plate as ``static``. Empty for a file without a plate."""
    if raw.slices is None:
        return {}
    initial: dict[str, tuple[list[str], Any]] = {}
    at = {vid: k for k, (vid, *_rest) in enumerate(arrays)}
    for var in raw.variables.values():
        vid = ids[var.name]
        if var.transition is None or vid not in at:
            continue
        step = RawVar(
            var.name,
            var.states,
            parents=[*(var.parents or []), *(var.lagged or [])],
            table=var.transition,
            cpt_line=var.transition_line,
        )
        table = normalised(step, raw, counts=normalize, fixed=fixed)
        if table is None:
            continue
        _, states, parents, first = arrays[at[vid]]
        initial[vid] = (parents, first)
        lagged = [f"{ids[q]}@t-1" for q in var.lagged or []]
        arrays[at[vid]] = (vid, states, [*parents, *lagged], table)
    static = [ids[v.name] for v in raw.variables.values() if not v.plate and v.kind == "chance"]
    return {"initial": initial, "static": static}
