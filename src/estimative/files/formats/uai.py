"""UAI (the UAI 2008 evaluation format, ``BAYES`` networks): the writer and the reader.

A function's scope lists the parents, then the child; its table is row-major over the scope:
the child's state changes fastest, then the last parent. UAI has no names: variables read as
``v0, v1, ...`` and states as ``s0, s1, ...``, and labels and descriptions are not written.
pyAgrum 3.3.1 writes a ``# name`` comment after each scope and its tables with the *first*
parent changing fastest; a file with exactly those comments (one after every scope line,
none elsewhere) is read the aGrUM way, with a warning; any other ``#`` comment is ignored. pyAgrum parses UAI
numbers into C ``float`` (about 7 significant digits).
"""

from __future__ import annotations

import warnings

import numpy as np

from ._common import InteropWarning, NetView, RawNet, RawVar, nums, set_flat, to_float


def write_uai(view: NetView) -> str:
    index = {v.id: i for i, v in enumerate(view.variables)}
    out = [
        "BAYES",
        str(len(view.variables)),
        " ".join(str(len(v.states)) for v in view.variables),
        str(len(view.variables)),
    ]
    for v in view.variables:  # the child comes last in its scope
        scope = [index[p] for p in v.parents] + [index[v.id]]
        out.append(" ".join(map(str, [len(scope), *scope])))
    out.append("")
    for v in view.variables:
        out.append(str(v.table.size))
        out.append(nums(v.flat()))
    return "\n".join(out) + "\n"


def read_uai(text: str, raw: RawNet) -> None:
    toks: list[tuple[str, int]] = []
    comments: dict[int, str] = {}
    for n, text_line in enumerate(text.splitlines(), start=1):
        body, _, comment = text_line.partition("#")
        if comment.strip():
            comments[n] = comment.strip()
        if body.strip().startswith("c"):
            continue  # a UAI 2016 comment line (no number or BAYES starts with 'c')
        toks += [(w, n) for w in body.split()]
    pos = 0

    def take(what: str) -> tuple[str, int]:
        nonlocal pos
        if pos >= len(toks):
            line = toks[-1][1] if toks else 1
            raise raw.fail(
                f"the file ends where {what} was expected", line, fix="the file may be truncated"
            )
        pos += 1
        return toks[pos - 1]

    def integer(what: str) -> tuple[int, int]:
        w, line = take(what)
        if not (w.isascii() and w.isdigit()):
            raise raw.fail(f"expected {what}", line, found=repr(w))
        return int(w), line

    kind, line = take("BAYES")
    if kind != "BAYES":
        raise raw.fail(
            "a UAI file for a Bayesian network starts with BAYES",
            line,
            found=repr(kind),
            fix="MARKOV networks are not Bayesian networks and cannot be imported",
        )
    n, _ = integer("the number of variables")
    cards = []
    for i in range(n):
        card, cline = integer(f"the number of states of variable {i}")
        if (err := raw.too_many_states(f"v{i}", card, cline)) is not None:
            raise err
        cards.append(card)
    m, mline = integer("the number of functions")
    if m != n:
        raise raw.fail(
            f"a Bayesian network has one CPT per variable: {n} variables but {m} functions", mline
        )
    scopes = []
    for i in range(m):
        k, sline = integer(f"the scope size of function {i}")
        scope = [integer(f"a variable index of function {i}")[0] for _ in range(k)]
        if k == 0 or any(v >= n for v in scope):
            raise raw.fail(
                f"function {i} has a bad scope {scope}",
                sline,
                expected=f"1 or more indices below {n}",
            )
        scopes.append((scope, sline))
    # aGrUM's signature: a '# name' comment after every scope line and nowhere else, the names
    # distinct. Any other comment leaves the file to the format's own layout.
    named = (
        bool(scopes)
        and set(comments) == {sline for _, sline in scopes}
        and len(set(comments.values())) == len(scopes)
        and all(not c.split()[0].isdigit() and len(c.split()) == 1 for c in comments.values())
    )
    if named:
        warnings.warn(
            f"{raw.file}: read with aGrUM's table layout (the first parent changing fastest): "
            "the file carries pyAgrum's '# name' comment after every scope",
            InteropWarning,
            stacklevel=4,
        )
    names = [f"v{i}" for i in range(n)]
    if named:  # written by aGrUM: '# name' after each scope, tables in aGrUM's order
        for scope, sline in scopes:
            names[scope[-1]] = comments[sline]
    for i in range(n):
        raw.add(RawVar(names[i], [f"s{j}" for j in range(cards[i])], line=None))
    seen: dict[int, int] = {}
    for i, (scope, sline) in enumerate(scopes):
        size, tline = integer(f"the table size of function {i}")
        values = [take(f"entry {j} of function {i}") for j in range(size)]
        flat = np.asarray([to_float(w, raw, ln, f"function {i}") for w, ln in values], dtype=float)
        child = names[scope[-1]]
        if scope[-1] in seen:
            raw.problem(
                f"variable {scope[-1]} is the child of functions {seen[scope[-1]]} and {i}", sline
            )
            continue
        seen[scope[-1]] = i
        var = raw.variables[child]
        var.parents, var.cpt_line, var.line = [names[v] for v in scope[:-1]], sline, sline
        set_flat(var, flat, raw, tline, first_parent_fastest=named)
    if pos < len(toks):
        raw.problem(
            "text after the last table", toks[pos][1], found=repr(toks[pos][0]), fix="remove it"
        )
