"""NET (HUGIN): the writer and the reader.

A potential's ``data`` is nested parentheses: the first parent outermost, the child's
distribution innermost. Only discrete chance nodes are read; continuous, decision and
utility nodes and OOBN classes are refused by name. pyAgrum 3.3 parses NET numbers into C
``float`` (about 7 significant digits).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from ...errors import did_you_mean
from ._common import NetView, RawNet, RawVar, from_flat, num, oneline
from ._scanner import Scanner, Token


def _net_str(text: str) -> str:
    return '"' + oneline(text).replace("\\", "/").replace('"', "'") + '"'


def _nested(table: np.ndarray) -> str:
    """HUGIN data: the first parent outermost, the child's distribution innermost."""
    moved = np.moveaxis(table, 0, -1)

    def rec(a: np.ndarray) -> str:
        if a.ndim == 1:
            return "(" + " ".join(num(x) for x in a) + ")"
        return "(" + " ".join(rec(sub) for sub in a) + ")"

    return rec(moved)


def write_net(view: NetView) -> str:
    out = [f"% {view.banner}", "net", "{", f"    label = {_net_str(view.title)};"]
    if view.description:
        out.append(f"    estimative_description = {_net_str(view.description)};")
    out += [f'    estimative_hash = "{view.hash}";', "}"]
    for v in view.variables:
        out += [
            f"node {v.id}",
            "{",
            f"    label = {_net_str(v.label)};",
            f"    states = ({' '.join(_net_str(s) for s in v.states)});",
        ]
        if v.description:
            out.append(f"    estimative_description = {_net_str(v.description)};")
        out.append("}")
    for v in view.variables:
        head = f"potential ({v.id} | {' '.join(v.parents)})" if v.parents else f"potential ({v.id})"
        out += [head, "{", f"    data = {_nested(v.table)};", "}"]
    return "\n".join(out) + "\n"


_NET_TOKEN = re.compile(
    r'(?P<com>%[^\n]*)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<ustr>")'
    r'|(?P<word>[^\s,;(){}\[\]|="%]+)|(?P<punct>\S)',
    re.S,
)


def _net_value(p: Scanner) -> Any:
    t = p.peek()
    if p.accept("("):
        items = []
        while not p.accept(")"):
            if p.peek().kind == "eof":
                raise p.error("')'")
            items.append(_net_value(p))
        return items
    if t.kind in ("word", "str"):
        p.next()
        return t
    raise p.error("a value")


def _flatten(value: Any) -> Iterator[Token]:
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def read_net(text: str, raw: RawNet) -> None:
    p = Scanner(text, _NET_TOKEN, raw)

    def attributes() -> dict[str, tuple[Any, int]]:
        attrs: dict[str, tuple[Any, int]] = {}
        p.expect("{")
        while not p.accept("}"):
            key = p.name("an attribute name or '}'")
            p.expect("=")
            if key.value == "data":  # nested parentheses of numbers, often large
                attrs[key.value] = (p.numbers("data", parens=True), key.line)
                continue
            attrs[key.value] = (_net_value(p), key.line)
            p.expect(";")
        return attrs

    def text_of(value: Any) -> str | None:
        return value.value if isinstance(value, Token) else None

    potentials = []
    while p.peek().kind != "eof":
        t = p.next()
        if t.value == "net":
            attrs = attributes()
            raw.title = text_of(attrs.get("label", (None, 0))[0]) or text_of(
                attrs.get("name", (None, 0))[0]
            )
            raw.description = text_of(attrs.get("estimative_description", (None, 0))[0])
        elif t.value in ("node", "discrete"):
            if t.value == "discrete":
                p.expect("node")
            name = p.name("the node's name")
            attrs = attributes()
            states_v = attrs.get("states")
            if states_v is None or not isinstance(states_v[0], list):
                raise raw.fail(f"node '{name.value}' has no 'states = (...);'", name.line)
            var = RawVar(
                name.value,
                [s.value for s in _flatten(states_v[0])],
                line=name.line,
                label=text_of(attrs.get("label", (None, 0))[0]),
                description=text_of(attrs.get("estimative_description", (None, 0))[0]),
            )
            raw.add(var)
        elif t.value in ("continuous", "decision", "utility", "function", "class"):
            raise raw.fail(
                f"HUGIN '{t.value}' {'nodes are' if t.value != 'class' else 'blocks (OOBN) are'} not supported",
                t.line,
                fix="export a plain Bayesian network of discrete chance nodes",
            )
        elif t.value == "potential":
            p.expect("(")
            child = p.name("the node's name")
            parents: list[str] = []
            if p.accept("|"):
                while not p.accept(")"):
                    parents.append(p.name("a parent's name or ')'").value)
            else:
                p.expect(")")
            attrs = attributes()
            potentials.append((child, parents, attrs))
        else:
            raise p.error("'net', 'node' or 'potential'", t)
    for child, parents, attrs in potentials:
        target = raw.variables.get(child.value)
        if target is None:
            raw.problem(
                f"potential for undeclared node '{child.value}'{did_you_mean(child.value, raw.variables)}",
                child.line,
            )
            continue
        if target.table is not None:
            raw.problem(f"node '{child.value}' has two potentials", child.line, fix="keep one")
            continue
        target.parents, target.cpt_line = parents, child.line
        if "data" not in attrs:
            raw.problem(
                f"potential of '{child.value}' has no data", child.line, fix="add data = (...);"
            )
            continue
        if any(q not in raw.variables for q in parents):
            continue
        data, dline = attrs["data"]
        values = data
        pcards = [len(raw.variables[q].states) for q in parents]
        size = len(target.states) * math.prod(pcards)
        if len(values) != size:
            raw.problem(
                f"data of '{child.value}' has {len(values)} numbers", dline, expected=str(size)
            )
            continue
        target.table = from_flat(np.asarray(values, dtype=float), len(target.states), pcards)
