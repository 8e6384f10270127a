"""NET (HUGIN): the writer and the reader.

A potential's ``data`` is nested parentheses: the first parent outermost, the child's
distribution innermost. Discrete chance nodes, decision nodes (their potential lists what they
observe) and utility nodes (their potential holds a value per configuration of the parents) are
read and written; continuous and function nodes and OOBN classes are refused by name. HUGIN
writes 6 significant digits, so columns within that rounding of 1 are renormalised. Node
descriptions are written as HUGIN's ``HR_Desc`` and read from it (or from
``estimative_description``, which earlier versions wrote); node positions are HUGIN's
``position = (x y);``. pyAgrum 3.3 parses NET numbers into C ``float`` (about 7 significant
digits).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from ...errors import did_you_mean
from ._common import (
    NetView,
    RawNet,
    RawVar,
    from_flat,
    num,
    oneline,
    position_of,
    position_text,
    to_float,
)
from ._names import NAMES_PROPERTY, written_names
from ._scanner import Scanner, Token


def _net_str(text: str) -> str:
    return '"' + oneline(text).replace("\\", "/").replace('"', "'") + '"'


def _nested(table: np.ndarray, *, child: bool = True) -> str:
    """HUGIN data: the first parent outermost, the child's distribution innermost (``child``;
    else ``table`` is a utility's values, one axis per parent)."""
    moved = np.moveaxis(table, 0, -1) if child else np.asarray(table, dtype=float)

    def rec(a: np.ndarray) -> str:
        if a.ndim == 0:
            return num(float(a))
        if a.ndim == 1:
            return "(" + " ".join(num(x) for x in a) + ")"
        return "(" + " ".join(rec(sub) for sub in a) + ")"

    return rec(moved)


def _ascii_identifier(name: str) -> bool:
    return name.isascii() and name.isidentifier()


def _state_fits(name: str) -> bool:
    # HUGIN takes any quoted text; pgmpy's NET reader splits a state at spaces.
    return '"' not in name and "\\" not in name and not any(c.isspace() for c in name)


def write_net(view: NetView) -> str:
    """HUGIN NET: chance nodes, decisions (``decision``; their potential lists what they
    observe) and utility attributes (``utility``; data = weight x value, the weight kept in
    ``estimative_weight``). Node names HUGIN cannot hold are written as ASCII identifiers with
    the originals in ``estimative_names``."""
    names = written_names(
        [*((v.id, v.states) for v in view.variables), *((u.id, ()) for u in view.utilities)],
        variable_fits=_ascii_identifier,
        state_fits=_state_fits,
    )
    w = names.variables
    out = [f"% {view.banner}", "net", "{", f"    label = {_net_str(view.title)};"]
    if view.description:
        out.append(f"    estimative_description = {_net_str(view.description)};")
    if view.utilities:
        out.append(f"    estimative_utility_unit = {_net_str(view.unit)};")
    out += [f'    estimative_hash = "{view.hash}";', "}"]
    for v in view.variables:
        out += [
            f"{'decision' if v.kind == 'decision' else 'node'} {w[v.id]}",
            "{",
            f"    label = {_net_str(v.label)};",
            f"    states = ({' '.join(_net_str(s) for s in names.states[v.id])});",
        ]
        if v.description:
            out.append(f"    HR_Desc = {_net_str(v.description)};")
        if v.position is not None:
            out.append(f"    position = {position_text(v.position, ' ')};")
        if v.id in names.records:
            out.append(f'    {NAMES_PROPERTY} = "{names.records[v.id]}";')
        out += [f'    {key} = "{value}";' for key, value in v.alias_properties().items()]
        if v.baseline is not None:
            out.append(f'    estimative_baseline = "{v.baseline}";')
        if (bp := v.baseline_parents(w)) is not None:
            out.append(f'    estimative_baseline_parents = "{bp}";')
        out.append("}")
    for u in view.utilities:
        out += [f"utility {w[u.id]}", "{", f"    label = {_net_str(u.label)};"]
        if u.description:
            out.append(f"    HR_Desc = {_net_str(u.description)};")
        if u.position is not None:
            out.append(f"    position = {position_text(u.position, ' ')};")
        out.append(f'    estimative_weight = "{num(u.weight)}";')
        if u.id in names.records:
            out.append(f'    {NAMES_PROPERTY} = "{names.records[u.id]}";')
        out.append("}")
    for v in view.variables:
        parents = view.informed(v) if v.kind == "decision" else v.parents
        head = (
            f"potential ({w[v.id]} | {' '.join(w[p] for p in parents)})"
            if parents
            else f"potential ({w[v.id]})"
        )
        out += [head, "{"]
        if v.kind != "decision":
            out.append(f"    data = {_nested(v.table)};")
        out.append("}")
    for u in view.utilities:
        out += [f"potential ({w[u.id]} | {' '.join(w[p] for p in u.over)})", "{"]
        out += [f"    data = {_nested(u.values * u.weight, child=False)};", "}"]
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

    raw.digits = 6  # HUGIN writes 6 significant digits
    potentials = []
    while p.peek().kind != "eof":
        t = p.next()
        if t.value == "net":
            attrs = attributes()
            raw.title = text_of(attrs.get("label", (None, 0))[0]) or text_of(
                attrs.get("name", (None, 0))[0]
            )
            raw.description = text_of(attrs.get("estimative_description", (None, 0))[0])
            raw.unit = text_of(attrs.get("estimative_utility_unit", (None, 0))[0])
        elif t.value in ("node", "discrete", "decision", "utility"):
            kind = {"decision": "decision", "utility": "utility"}.get(t.value, "chance")
            if t.value == "discrete" or (t.value != "node" and p.peek().value == "node"):
                p.expect("node")
            name = p.name("the node's name")
            attrs = attributes()

            def attr(key: str, attrs: dict[str, tuple[Any, int]] = attrs) -> str | None:
                return text_of(attrs.get(key, (None, 0))[0])

            states_v = attrs.get("states")
            if kind == "utility":
                states = ["utility"]
            elif states_v is None or not isinstance(states_v[0], list):
                raise raw.fail(f"node '{name.value}' has no 'states = (...);'", name.line)
            else:
                states = [s.value for s in _flatten(states_v[0])]
            var = RawVar(
                name.value,
                states,
                line=name.line,
                label=attr("label"),
                description=attr("estimative_description") or attr("HR_Desc"),
                kind=kind,
                names=attr(NAMES_PROPERTY),
                baseline=attr("estimative_baseline"),
                baseline_parents=attr("estimative_baseline_parents"),
                aliases=attr("estimative_aliases"),
                state_aliases=attr("estimative_state_aliases"),
            )
            at = attrs.get("position", (None, 0))[0]
            if isinstance(at, list) and all(isinstance(x, Token) for x in at):
                var.position = position_of(" ".join(x.value for x in at))
            weight = attr("estimative_weight")
            if weight is not None:
                var.weight = to_float(weight, raw, name.line, "estimative_weight")
            raw.add(var)
        elif t.value in ("continuous", "function", "class"):
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
        if target.kind == "decision":
            continue  # the parents are what the decision observes; no data
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
        flat = np.asarray(values, dtype=float)
        if target.kind == "utility" and target.weight not in (None, 0.0):
            flat = flat / target.weight  # estimative writes weight x value
        target.table = from_flat(flat, len(target.states), pcards)
