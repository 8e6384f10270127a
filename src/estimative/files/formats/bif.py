"""BIF (the Bayesian Interchange Format of Cozman's JavaBayes, as pgmpy, bnlearn and pyAgrum
read it): the writer and the reader.

A table is one row per parent configuration, named by the parents' states; a reader may also
meet ``table`` (row-major over the child, then the parents) and ``default`` rows. BIF has no
escapes, so text is written on one line with the characters readers trip over replaced.
pyAgrum 3.3 parses BIF numbers into C ``float`` (about 7 significant digits).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ...errors import did_you_mean
from ._common import (
    NetView,
    RawNet,
    RawVar,
    ident_or_default,
    num,
    oneline,
    position_of,
    position_text,
    property_of,
    table_fits,
)
from ._names import NAMES_PROPERTY, written_names
from ._scanner import Scanner

_KEYWORDS = {"network", "variable", "probability", "property", "table", "default", "type"}
_BIF_VARIABLE = re.compile(r"^[\w.\-]+$")  # what pgmpy's BIF grammar takes for a name
_BIF_STATE = re.compile(r'^[^\s,;(){}\[\]|"]+$')


def _variable_fits(name: str) -> bool:
    return _BIF_VARIABLE.match(name) is not None and name not in _KEYWORDS


def _state_fits(name: str) -> bool:
    return _BIF_STATE.match(name) is not None and name not in _KEYWORDS


def _bif_text(text: str) -> str:
    # BIF has no escapes; pyAgrum ends a property at ';', pgmpy splits it at '=' and drops quotes.
    swaps: dict[str, str | int | None] = {";": ",", '"': "'", "=": "-", "{": "(", "}": ")"}
    return oneline(text).translate(str.maketrans(swaps))


def write_bif(view: NetView) -> str:
    # The title and description go in comments: pgmpy's BIF reader takes the words 'variable'
    # and 'probability' anywhere outside a block for the start of one. BIF has no decisions or
    # utilities: decisions are written as chance nodes (the export warns).
    names = written_names(
        [(v.id, v.states) for v in view.variables],
        variable_fits=_variable_fits,
        state_fits=_state_fits,
    )
    w = names.variables
    lines = [f"// {view.banner}", f"// title = {_bif_text(view.title)}"]
    if view.description:
        lines.append(f"// description = {_bif_text(view.description)}")
    lines += [
        f"network {ident_or_default(view.name, 'model')} {{",
        f'    property estimative_hash = "{view.hash}" ;',
        "}",
    ]
    for v in view.variables:
        lines.append(f"variable {w[v.id]} {{")
        lines.append(
            f"    type discrete [ {len(v.states)} ] {{ {', '.join(names.states[v.id])} }};"
        )
        lines.append(f'    property label = "{_bif_text(v.label)}" ;')
        if v.description:
            lines.append(f'    property description = "{_bif_text(v.description)}" ;')
        if v.position is not None:  # as pgmpy writes it (and pyAgrum reads past it)
            lines.append(f"    property position = {position_text(v.position)} ;")
        if v.id in names.records:
            lines.append(f'    property {NAMES_PROPERTY} = "{names.records[v.id]}" ;')
        for key, value in v.alias_properties().items():
            lines.append(f'    property {key} = "{value}" ;')
        lines.append("}")
    for v in view.variables:
        if not v.parents:
            lines.append(f"probability ( {w[v.id]} ) {{")
            lines.append(f"    table {', '.join(num(x) for x in v.table)};")
        else:
            lines.append(f"probability ( {w[v.id]} | {', '.join(w[p] for p in v.parents)} ) {{")
            pstates = [dict(enumerate(names.states[p])) for p in v.parents]
            for idx, col in v.columns():
                key = ", ".join(pstates[k][i] for k, i in enumerate(idx))
                lines.append(f"    ( {key} ) {', '.join(num(x) for x in col)};")
        lines.append("}")
    return "\n".join(lines) + "\n"


#: A probability block: the parents, the line, and the rows (parent states as written, the
#: words of each between commas, or None for ``table``; the numbers; the line).
_Block = tuple[list[str], int, list[tuple[list[list[str]] | None, list[float], int]]]

_BIF_TOKEN = re.compile(
    r'(?P<com>//[^\n]*|/\*.*?\*/)|(?P<open>/\*)|(?P<str>"[^"]*")|(?P<ustr>")'
    r'|(?P<word>[^\s,;(){}\[\]|"]+)|(?P<punct>\S)',
    re.S,
)  # '=' may be in a state: >=7.5


def read_bif(text: str, raw: RawNet) -> None:
    p = Scanner(text, _BIF_TOKEN, raw)
    for m in re.finditer(r"^// (title|description) = (.*)$", text[: text.find("network")], re.M):
        setattr(raw, m.group(1), m.group(2).strip())
    rows: dict[str, _Block] = {}
    refused: set[str] = set()  # variables whose states could not be read (reported)
    while p.peek().kind != "eof":
        t = p.next()
        if t.value == "network":
            name = p.name("the network's name")
            raw.title = raw.title or name.value
            p.expect("{")
            while not p.accept("}"):
                if p.peek().kind == "eof" or not p.accept("property"):
                    raise p.error("'property' or '}'")
                prop, value = _property(p.raw_until_semicolon()[0])
                if prop == "title":
                    raw.title = value
                elif prop == "description":
                    raw.description = value
        elif t.value == "variable":
            name = p.name("the variable's name")
            var = RawVar(name.value, [], line=name.line)
            p.expect("{")
            declared: tuple[int, int] | None = None
            listed: list[str] | None = []
            while not p.accept("}"):
                if p.accept("property"):
                    prop, value = _property(p.raw_until_semicolon()[0])
                    if prop == "label":
                        var.label = value
                    elif prop == "description":
                        var.description = value
                    elif prop == NAMES_PROPERTY:
                        var.names = value
                    elif prop == "position":
                        var.position = position_of(value)
                    elif prop in ("estimative_aliases", "estimative_state_aliases"):
                        setattr(var, prop.removeprefix("estimative_"), value)
                elif p.accept("type"):
                    kind = p.name("'discrete'")
                    if kind.value != "discrete":
                        raise raw.fail(
                            f"variable '{var.name}' is of type '{kind.value}'",
                            kind.line,
                            expected="type discrete",
                            fix="only discrete variables are supported",
                        )
                    p.expect("[")
                    n = p.name("the number of states")
                    if not (n.value.isascii() and n.value.isdigit()):
                        raise p.error("the number of states", n)
                    declared = (int(n.value), n.line)
                    p.expect("]")
                    p.expect("{")
                    groups = _groups(p, "}", "a state name or '}'")
                    listed = _states_declared(groups, declared[0], var.name, n.line, raw)
                    var.states = listed if listed is not None else []
                    if listed is None:
                        declared = None
                    p.expect(";")
                else:
                    raise p.error("'type', 'property' or '}'")
            if declared is None and listed is None:
                refused.add(var.name)  # its states are reported already
                continue
            if declared is None:
                raise raw.fail(
                    f"variable '{var.name}' has no 'type discrete [n] {{...}};' line", var.line
                )
            if declared[0] != len(var.states):
                raw.problem(
                    f"variable '{var.name}' declares {declared[0]} states but lists {len(var.states)}",
                    declared[1],
                    found=str(var.states),
                    fix="make the count match the list",
                )
            raw.add(var)
        elif t.value == "probability":
            p.expect("(")
            head = [p.name("the variable's name")]
            parents: list[str] = []
            if p.accept("|"):
                while not p.accept(")"):
                    parents.append(p.name("a parent's name or ')'").value)
                    p.accept(",")
            else:
                while not p.accept(")"):
                    head.append(p.name("')'"))
                    p.accept(",")
                parents = [h.value for h in head[1:]]
            child = head[0]
            entries: list[tuple[list[list[str]] | None, list[float], int]] = []
            p.expect("{")
            while not p.accept("}"):
                tok = p.peek()
                if p.accept("property"):
                    p.raw_until_semicolon()
                    continue
                if p.accept("table") or p.accept("default"):
                    key: list[list[str]] | None = None if tok.value == "table" else [["*default*"]]
                elif p.accept("("):
                    key = _groups(p, ")", "a parent state or ')'")
                else:
                    raise p.error("'table', 'default', '(' or '}'")
                values = p.numbers(f"probability of {child.value}")
                entries.append((key, values, tok.line))
            if child.value in rows:
                raw.problem(
                    f"'{child.value}' has two probability blocks",
                    child.line,
                    fix=f"keep one (the first is at line {rows[child.value][1]})",
                )
            rows[child.value] = (parents, child.line, entries)
        else:
            raise p.error("'network', 'variable' or 'probability'", t)
    _fill_tables(raw, {k: b for k, b in rows.items() if k not in refused}, refused)


def _property(text: str) -> tuple[str, str]:
    """A property's key and value: ``label = "x"`` as pgmpy and pyAgrum write it, or the whole
    text quoted as JavaBayes writes it (``property "position = (218, 195)" ;``)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return property_of(text)


def _groups(p: Scanner, close: str, what: str) -> list[list[str]]:
    """The words up to ``close``, grouped between commas: ``{ low value, high }`` is
    ``[["low", "value"], ["high"]]`` (pgmpy writes states with spaces that way)."""
    groups: list[list[str]] = [[]]
    while not p.accept(close):
        if p.accept(","):
            groups.append([])
        else:
            groups[-1].append(p.name(what).value)
    return [g for g in groups if g]


def _states_declared(
    groups: list[list[str]], count: int, name: str, line: int, raw: RawNet
) -> list[str] | None:
    """A variable's states from the words of its ``{ ... }``: each between commas is one state,
    its words joined by a space; without commas, each word is a state. Words without commas
    that cannot be the declared count of states are a problem naming the line."""
    if len(groups) > 1:
        return [" ".join(g) for g in groups]
    words = groups[0] if groups else []
    if len(words) != count and count > 1 and len(words) > count:
        raw.problem(
            f"variable '{name}' declares {count} states but lists {len(words)} words without "
            "commas: which words make each state cannot be told",
            line,
            found=str(words),
            fix="separate the states with commas: { low value, high, very high }",
        )
        return None
    return list(words)


def _row_states(key: list[list[str]], pstates: list[list[str]]) -> list[str] | None:
    """The parents' states a row names: each group between commas one state (its words joined
    by a space); without commas, the one way to cut the words into the parents' states
    (``( low value )`` for one parent); None when there is no such way or more than one."""
    if len(key) > 1 or len(pstates) <= 1:
        return [" ".join(g) for g in key]
    words = key[0] if key else []
    if len(words) == len(pstates):
        return list(words)
    cuts: list[list[str]] = []

    def cut(i: int, k: int, done: list[str]) -> None:
        if len(cuts) > 1:
            return
        if k == len(pstates):
            if i == len(words):
                cuts.append(done)
            return
        for j in range(i + 1, len(words) + 1):
            s = " ".join(words[i:j])
            if s in pstates[k]:
                cut(j, k + 1, [*done, s])

    cut(0, 0, [])
    return cuts[0] if len(cuts) == 1 else None


def _fill_tables(raw: RawNet, rows: dict[str, _Block], refused: set[str]) -> None:
    """Each variable's table from its probability block, rows matched by the parents' states
    (a block over a ``refused`` variable, reported already, is skipped)."""
    for child, (parents, line, entries) in rows.items():
        if refused & set(parents):
            continue
        var = raw.variables.get(child)
        if var is None:
            raw.problem(
                f"probability block for undeclared variable '{child}'{did_you_mean(child, raw.variables)}",
                line,
            )
            continue
        var.parents, var.cpt_line = parents, line
        if any(q not in raw.variables for q in parents):
            continue  # reported when the spec is built
        card = len(var.states)
        pstates = [raw.variables[q].states for q in parents]
        pcards = [len(s) for s in pstates]
        if not table_fits(var, pcards, raw, line):
            continue
        table = np.full((card, *pcards), np.nan)
        for key, values, eline in entries:
            if (
                key is None
            ):  # 'table': row-major over (child, parents), as pgmpy and pyAgrum read it
                if len(values) != table.size:
                    raw.problem(
                        f"table of '{child}' has {len(values)} numbers",
                        eline,
                        expected=str(table.size),
                    )
                    continue
                table = np.asarray(values, dtype=float).reshape(card, *pcards)
                continue
            if len(values) != card:
                raw.problem(
                    f"a row of '{child}' has {len(values)} numbers",
                    eline,
                    expected=f"{card}, one per state {var.states}",
                )
                continue
            if key == [["*default*"]]:
                table[...] = np.asarray(values).reshape(card, *([1] * len(pcards)))
                continue
            named = _row_states(key, pstates)
            if named is None:
                words = " ".join(w for g in key for w in g)
                raw.problem(
                    f"a row of '{child}' names ({words}): which words make each parent's "
                    "state cannot be told",
                    eline,
                    expected=f"{len(parents)} states, one for each of {parents}",
                    fix="separate the parents' states with commas: ( low value, high )",
                )
                continue
            key = [[s] for s in named]
            if len(key) != len(parents):
                raw.problem(
                    f"a row of '{child}' names {len(key)} parent states",
                    eline,
                    expected=f"{len(parents)}, one for each of {parents}",
                    found=str(named),
                )
                continue
            idx: list[int] = []
            for q, s, states in zip(parents, named, pstates, strict=True):
                if s not in states:
                    raw.problem(
                        f"'{s}' is not a state of '{q}'{did_you_mean(s, states)}",
                        eline,
                        expected=f"one of {states}",
                    )
                    break
                idx.append(states.index(s))
            else:
                cell: tuple[Any, ...] = (slice(None), *idx)
                table[cell] = values
        var.table = table
