"""What a reader found, made into a model: tables checked and normalised in the file's own
names (every problem with its line), names made into identifiers, and the spec built by the
one builder, :func:`~estimative.spec.spec_from_arrays`.

Imported CPTs are full tables marked ``assumption: true`` ("imported from <file>"). Names that
are not identifiers (``0-3``, ``Less than 3``) are made into identifiers; the original name is
kept in the label (variables) or the description (states).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ModelError, did_you_mean
from ...spec import Locator, ModelSpec, spec_from_arrays
from ...spec.locate import LineMap, Path_
from ._common import RawNet, RawVar, oneline, unique_names

#: Columns of an imported CPT may miss 1 by this much (bnlearn BIFs round to 1e-7); they are
#: then normalised. Larger deviations are errors.
IMPORT_SUM_TOLERANCE = 1e-6


def normalised(var: RawVar, raw: RawNet) -> np.ndarray | None:
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
    worst = np.unravel_index(np.argmax(np.abs(sums - 1)), sums.shape) if sums.ndim else ()
    dev = float(np.abs(sums - 1).max()) if np.ndim(sums) else abs(float(sums) - 1)
    if (
        dev > IMPORT_SUM_TOLERANCE + 1e-12
    ):  # the slack absorbs rounding in the sum: 3 x 0.333333 passes
        pstates = [raw.variables[q].states for q in var.parents or []]
        col = ", ".join(
            f"{q}={pstates[k][i]}"
            for k, (q, i) in enumerate(zip(var.parents or [], worst, strict=True))
        )
        raw.problem(
            f"a column of the CPT of '{var.name}'{f' ({col})' if col else ''} sums to {float(np.asarray(sums)[worst]):.10g}",
            where,
            expected=f"1 (within {IMPORT_SUM_TOLERANCE:g}; smaller deviations are normalised)",
            fix="correct the numbers in the file",
        )
        return None
    # Columns already summing to 1 up to rounding are left alone, so that importing an exported
    # file gives back the same doubles.
    return np.where(np.abs(sums - 1) > 1e-12, t / sums, t)


def build_spec(raw: RawNet, path: Path) -> ModelSpec:
    """The validated model of what a reader found in ``path``; raise
    :class:`~estimative.errors.ModelError` naming the file and line of every problem."""
    if not raw.variables:
        raise raw.fail(
            "the file declares no variables", fix=f"check it is a {raw.fmt.upper()} network"
        )
    raws = list(raw.variables.values())
    ids = dict(zip(raw.variables, unique_names([v.name for v in raws], "v"), strict=True))
    lines: dict[Path_, int] = {}
    arrays: list[tuple[str, list[str], list[str], Any]] = []
    labels: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for i, var in enumerate(raws):
        if var.line is not None:
            lines[("variables", i)] = var.line
        if var.cpt_line is not None:
            lines[("variables", i, "cpt")] = var.cpt_line
            lines[("variables", i, "parents")] = var.cpt_line
        if var.parents is None:
            raw.problem(
                f"variable '{var.name}' has no CPT", var.line, fix="add its probability table"
            )
            continue
        bad = [q for q in var.parents if q not in raw.variables]
        for q in bad:
            raw.problem(
                f"the CPT of '{var.name}' names an undeclared parent '{q}'{did_you_mean(q, raw.variables)}",
                var.cpt_line,
                fix="declare the variable or correct the name",
            )
        if len(var.states) < 2 or len(set(var.states)) != len(var.states):
            raw.problem(
                f"variable '{var.name}' needs two or more distinct states",
                var.line,
                found=str(var.states),
            )
            continue
        if bad or var.table is None:
            continue
        table = normalised(var, raw)
        if table is None:
            continue
        vid = ids[var.name]
        states = unique_names(var.states, "s")
        renamed = [f"'{a}' -> {b}" for a, b in zip(var.states, states, strict=True) if a != b]
        description = (var.description or "").strip()
        if renamed:
            description = (
                (description + "\n" if description else "")
                + "States renamed from the file: "
                + ", ".join(renamed)
                + "."
            )
        labels[vid] = (var.label or "").strip() or var.name
        descriptions[vid] = description
        arrays.append((vid, states, [ids[q] for q in var.parents], table))
    if raw.problems:
        raise ModelError(raw.problems)
    mtime = _dt.datetime.fromtimestamp(path.stat().st_mtime, tz=_dt.UTC).date()
    title = oneline(raw.title or "")
    if title.lower() in ("", "unknown", "untitled"):  # bnlearn's BIFs are all 'network unknown'
        title = path.stem
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
    )
