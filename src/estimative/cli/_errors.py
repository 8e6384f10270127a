"""Errors as the command line prints them: the library names a parameter (``field="draws"``),
the user typed a flag (``--draws``); :data:`FLAGS` is the one table between the two."""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Collection

from ..errors import EstimativeError, Problem
from ._output import print_json

#: Library parameter name -> the flag that sets it. A problem's field is shown as the flag only
#: when the command has that flag, so one table serves every command.
FLAGS: dict[str, str] = {
    "draws": "--draws",
    "seed": "--seed",
    "level": "--level",
    "top": "--top",
    "n": "--sobol-n",
    "bins": "--bins",
    "weights": "--weights",
    "weight_set": "--weight-set",
    "policy": "--policy",
    "policies": "--policy",
    "scenario": "--scenario",
    "reference": "--reference",
    "given": "--given",
    "do": "--do",
    "soft": "--soft",
    "target": "--target",
    "variables": "--variables",
    "scale": "--scale",
    "date": "--date",
    "format": "--format",
    "unrolled": "--unrolled",
    "output": "-o",
    "out_dir": "-o",
    "out": "--out",
    "latent": "--latent",
    "max_iter": "--max-iter",
    "chunk_size": "--chunk-size",
    "workers": "--workers",
    "scheduler": "--scheduler",
}


def as_flags(problem: Problem, options: Collection[str]) -> Problem:
    """``problem`` with its parameter name shown as the command's flag (in the field and in the
    fix's ``name=value``); unchanged if it points into a file or the command has no such flag.

    >>> p = Problem("draws must be a whole number of at least 1", field="draws", found="0",
    ...             fix="e.g. draws=2000")
    >>> print(as_flags(p, {"--draws", "--seed"}))
    --draws: draws must be a whole number of at least 1; found 0. Fix: e.g. --draws 2000
    """
    flag = FLAGS.get(problem.field or "")
    if problem.file is not None or flag is None or flag not in options:
        return problem
    fix = problem.fix
    if fix:
        fix = re.sub(rf"(?<![\w-]){re.escape(problem.field or '')}=", f"{flag} ", fix)
    return dataclasses.replace(problem, field=flag, fix=fix)


def report(exc: EstimativeError, *, options: Collection[str], as_json: bool) -> int:
    """Print an error the user can fix: ``error: ...`` lines on stderr (and with ``--json`` the
    ``{"ok": false, "error": ...}`` object on stdout); return the exit status, 2."""
    problems = [as_flags(p, options) for p in exc.problems]
    if as_json:
        print_json({"ok": False, "error": {"kind": type(exc).__name__, "problems": problems}})
    for p in problems:
        sys.stderr.write(f"error: {p}\n")
    return 2
