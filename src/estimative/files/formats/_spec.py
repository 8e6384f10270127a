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
from ._common import InteropWarning, RawNet, RawVar, from_flat, oneline
from ._names import decode_record, keep_names, state_ok, unambiguous, variable_ok
from .genie_noisy import model_form
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
        position=var.position,
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
            "renamed to names the file does not use (the originals are aliases, accepted "
            "wherever a name is): " + ", ".join(renamed)
        )
    extra, shared = _aliases(raws, first, ids, states, dynamic=raw.slices is not None)
    notes += _diagnosis(raws, ids, extra)
    if shared:
        notes.append(
            "labels (or names) several variables share are not aliases, so that each alias "
            "names one variable: " + ", ".join(repr(n) for n in shared)
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
    uniform: list[str] = []  # decisions the file gives no baseline for
    forms: dict[str, Any] = {}
    rationales: dict[str, str] = {}
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
            # among them is remembered anyway. Its baseline is the one estimative wrote, else
            # uniform (the file states no expectation of the choice).
            kinds[vid] = "decision"
            observes[vid] = [ids[q] for q in var.parents if raw.variables[q].kind == "chance"]
            found = _baseline(var, raw, ids)
            if found is None:
                uniform.append(vid)
                found = ([], np.full(len(var.states), 1.0 / len(var.states)))
            arrays.append((vid, states[vid], *found))
            continue
        if var.table is None:
            continue
        table = normalised(var, raw, counts=normalize, fixed=fixed)
        if table is None:
            continue
        if normalize and np.abs(table.sum(axis=0) - 1).max() > IMPORT_SUM_TOLERANCE:
            counts.add(vid)
        arrays.append((vid, states[vid], [ids[q] for q in var.parents], table))
        if var.noisy is not None:
            form = model_form(
                var.noisy, states[vid], [(ids[q], states[ids[q]]) for q in var.parents]
            )
            if form is not None:
                forms[vid] = form
        if var.provenance:
            rationales[vid] = (
                f"imported from {path.name}; the provenance written with it: "
                + "; ".join(line.strip() for line in var.provenance.splitlines() if line.strip())
            )
    dynamic = _dynamic(raw, ids, arrays, normalize=normalize, fixed=fixed)
    if raw.problems:
        raise ModelError(raw.problems)
    if fixed:
        worst = max(fixed, key=lambda f: f[1])
        within = (
            f"within the {raw.digits} significant digits {raw.fmt.upper()} files are written with"
            if raw.digits is not None
            else "only by the rounding of that sum"
        )
        notes.append(
            f"renormalised the columns of {len(fixed)} CPTs that miss 1 by more than "
            f"{IMPORT_SUM_TOLERANCE:g} but {within} (the largest: '{worst[0]}', by {worst[1]:.3g})"
        )
    if raw.reordered:
        notes.append(
            f"the states of the noisy-MAX nodes {', '.join(raw.reordered)} are listed lowest "
            "first, the reverse of GeNIe's order (GeNIe lists the distinguished state last), "
            "as the model's noisy-OR and noisy-MAX CPTs list them"
        )
    baseline_note = ""
    if uniform:
        baseline_note = (
            f"The file states no expectation of the decision{'s' if len(uniform) > 1 else ''} "
            f"{', '.join(uniform)}: the baseline takes each choice with equal probability, "
            "whatever is observed (plain queries and decide's baseline row use it; the optimal "
            "rules do not depend on it)."
        )
        notes.append(baseline_note[0].lower() + baseline_note[1:])
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
        extra=extra,
        baseline_note=baseline_note,
        forms=forms,
        rationales=rationales,
        **dynamic,
    )


def _baseline(var: RawVar, raw: RawNet, ids: dict[str, str]) -> tuple[list[str], np.ndarray] | None:
    """A decision's baseline as estimative wrote it (``estimative_baseline``, over the parents
    in ``estimative_baseline_parents``): its parents' ids and table; None when the file has
    none. A baseline that does not fit its decision is a problem naming the decision."""
    if var.baseline is None:
        return None
    names = decode_record(var.baseline_parents or "")
    unknown = [q for q in names if q not in raw.variables]
    try:
        flat = np.asarray([float(x) for x in var.baseline.split()], dtype=float)
    except ValueError:
        flat = np.asarray([np.nan])
    pcards = [len(raw.variables[q].states) for q in names if q in raw.variables]
    size = len(var.states) * int(np.prod(pcards))
    if unknown or flat.size != size or not np.isfinite(flat).all():
        raw.problem(
            f"the estimative_baseline of the decision '{var.name}' does not fit it",
            var.line,
            expected=f"{size} numbers over the parents {names}"
            if not unknown
            else f"parents the file declares (not {unknown})",
            fix="remove the estimative_baseline properties (the baseline is then uniform)",
        )
        return None
    return [ids[q] for q in names], from_flat(flat, len(var.states), pcards)


def _aliases(
    raws: list[RawVar],
    first: dict[str, tuple[str, list[str]]],
    ids: dict[str, str],
    states: dict[str, list[str]],
    *,
    dynamic: bool = False,
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Each variable's aliases (the file's own name where it was renamed, its label), state
    aliases (renamed states, GeNIe's state labels) and position, as ``spec_from_arrays``'s
    ``extra``; and the names dropped because several variables share them."""
    chance = [v for v in raws if v.kind != "utility"]
    cands: dict[str, list[str]] = {}
    for var in chance:
        vid = ids[var.name]
        names = [*decode_record(var.aliases or ""), first[var.name][0], oneline(var.label or "")]
        # in a dynamic model '@' names a slice, so no alias holds it
        cands[vid] = [n for n in names if n and n != vid and not (dynamic and "@" in n)]
    aliases, shared = unambiguous(cands, ids.values())
    extra: dict[str, dict[str, Any]] = {}
    for var in chance:
        vid = ids[var.name]
        kept = states[vid]
        by_state: dict[str, list[str]] = {k: [] for k in kept}
        for own, k in zip(first[var.name][1], kept, strict=True):
            if own != k:
                by_state[k].append(own)
        pairs = decode_record(var.state_aliases or "")
        for k, a in zip(pairs[::2], pairs[1::2], strict=False):
            if k in by_state:
                by_state[k].append(a)
        labels = var.state_labels or {}
        for own, k in zip(var.states, kept, strict=True):  # the file's states, in place
            label = labels.get(own, "").strip()
            if label and label != k:
                by_state[k].append(label)
        state_aliases, _ = unambiguous(by_state, kept)
        fields: dict[str, Any] = {
            "aliases": aliases[vid],
            "state_aliases": {k: a for k, a in state_aliases.items() if a},
            "position": var.position,
        }
        extra[vid] = {k: x for k, x in fields.items() if x}
    return extra, shared


def _diagnosis(
    raws: list[RawVar], ids: dict[str, str], extra: dict[str, dict[str, Any]]
) -> list[str]:
    """GeNIe's diagnostic roles kept where the model has room: in a file that marks them, only
    the observation nodes can be watched (targets and auxiliary nodes get ``observable:
    false``, so a brief never lists them as indicators). The note says so."""
    roles = {v.name: v.diagtype for v in raws if v.kind == "chance"}
    if not any(roles.values()):
        return []
    hidden = [ids[n] for n, role in roles.items() if role != "observation"]
    for vid in hidden:
        extra.setdefault(vid, {})["observable"] = False
    return [
        f"GeNIe's diagnostic roles: {len(roles) - len(hidden)} observation nodes can be "
        f"watched as indicators; {len(hidden)} target and auxiliary nodes are marked "
        "observable: false (fault states and observation costs are not kept)"
    ]


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
