"""DNE (Netica): the reader and the writer.

A DNE file is ``bnet NAME { ... };`` holding ``node NAME { attribute = value; ... };`` blocks;
values are identifiers, numbers, ``"strings"`` (``\\"``, ``\\n`` and backslash-newline
escapes), parenthesised lists (an empty entry keeps its place) and nested ``{ ... }`` blocks
(``visual``, ``user``, ``NodeSet``); ``//`` and ``/* */`` are comments. A node's ``probs`` is
row-major over ``(parents..., child)``, the child's state changing fastest, nested one level per
parent in newer files and flat in older ones (the nesting is ignored). ``#k`` names a node's k-th
state: in ``probs`` the row with probability 1 on it, in a ``functable`` that state.

Read: ``kind = NATURE`` nodes (``chance = CHANCE`` with ``probs``, or ``chance = DETERMIN`` with
a ``functable`` of states, read as 0/1 CPTs), ``DECISION`` nodes (their parents are what they
observe; a ``functable`` Netica stored for a solved decision is a policy, not read) and
``UTILITY`` nodes (their ``functable`` holds a value per parent configuration; Netica adds the
utility nodes). States come from ``states``, else from ``levels`` (a discretised continuous
node's intervals), else ``numstates`` (``state0``, ...). ``title`` is the label, ``comment`` the
description, ``statetitles`` other names of the states (state aliases; written back from each
state's first alias). ``CONSTANT`` nodes (Netica's equation constants) are left out; a network
fragment's ``param`` (``DISCONNECTED``) nodes and equations Netica has not turned into tables are
refused.
Written: the same, with estimative's records in ``user U1 { ... }`` fields.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import did_you_mean
from ._common import (
    InteropWarning,
    NetView,
    RawNet,
    RawVar,
    VarView,
    ident_or_default,
    num,
    oneline,
    position_of,
    position_text,
)
from ._names import NAMES_PROPERTY, written_names
from ._scanner import Scanner, Token

#: Netica's identifiers: a letter, then letters, digits and underscores, at most 30 in all.
_NETICA_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,29}$")
_DNE_TOKEN = re.compile(
    r'(?P<com>//[^\n]*|/\*.*?\*/)|(?P<open>/\*)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<ustr>")'
    r"|(?P<word>[^\s,;(){}=\"]+)|(?P<punct>\S)",
    re.S,
)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
#: A list of numbers only (comments, parentheses, commas), for the fast path of large tables.
_NUMBER_LIST = re.compile(rf"(?:\s+|//[^\n]*|[(),]|{_NUMBER})*")
_COMMENT = re.compile(r"//[^\n]*")


def _netica_name(name: str) -> bool:
    return _NETICA_NAME.match(name) is not None


# ------------------------------------------------------------------------------ out
def _dne_str(text: str) -> str:
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("\r", "").replace("\t", " ") + '"'


def _nested(table: np.ndarray, *, child: bool = True) -> str:
    """Netica's probs: one level of parentheses per parent, the child's distribution innermost."""
    moved = np.moveaxis(table, 0, -1) if child else np.asarray(table, dtype=float)

    def rec(a: np.ndarray) -> str:
        if a.ndim == 0:
            return num(float(a))
        return "(" + ", ".join(rec(sub) for sub in a) + ")"

    return rec(moved) if moved.ndim else f"({num(float(moved))})"


def _user(fields: dict[str, str], indent: str) -> list[str]:
    items = [(k, v) for k, v in fields.items() if v]
    if not items:
        return []
    return [
        f"{indent}user U1 {{",
        *(f"{indent}\t{k} = {_dne_str(v)};" for k, v in items),
        f"{indent}\t}};",
    ]


def _statetitles(v: VarView, written: Sequence[str]) -> list[str]:
    """Netica's ``statetitles`` line for ``v``: each state's first alias, else the state as the
    model names it, when a state has an alias or is written under another name; else none."""
    labels = v.state_labels or (None,) * len(v.states)
    titles = [label or state for label, state in zip(labels, v.states, strict=True)]
    if titles == list(written):
        return []
    return [f"\tstatetitles = ({', '.join(_dne_str(oneline(t)) for t in titles)});"]


def _visual(position: tuple[float, float] | None) -> list[str]:
    """Netica's ``visual`` block placing a node (its centre), when it has a position."""
    if position is None:
        return []
    return ["\tvisual V1 {", f"\t\tcenter = {position_text(position)};", "\t\t};"]


def _center(block: _Block) -> tuple[float, float] | None:
    """The ``center = (x, y)`` of a node's ``visual`` block, if it has one."""
    vis = next((b for k, _, b, _ in block.blocks if k == "visual"), None)
    at = vis.attrs.get("center", (None, 0))[0] if vis is not None else None
    if not (isinstance(at, list) and len(at) == 2 and all(isinstance(x, Token) for x in at)):
        return None
    return position_of(f"({at[0].value}, {at[1].value})")


def write_dne(view: NetView) -> str:
    """Netica DNE: chance nodes (``probs``, nested one level per parent), decisions (``kind =
    DECISION``; their parents are what they observe) and utility attributes (``kind =
    UTILITY``; the ``functable`` holds weight x value, Netica adding the utility nodes). Names
    Netica cannot hold (identifiers of at most 30 characters) are written as safe identifiers
    with the originals in a ``user`` field ``estimative_names``."""
    names = written_names(
        [*((v.id, v.states) for v in view.variables), *((u.id, ()) for u in view.utilities)],
        variable_fits=_netica_name,
        state_fits=_netica_name,
    )
    w = names.variables
    net_fields = {"estimative_hash": view.hash, "estimative_utility_unit": view.unit}
    out = [
        "// ~->[DNET-1]->~",
        "",
        f"// {view.banner}",
        "",
        f"bnet {ident_or_default(view.name, 'model')[:30]} {{",
        "autoupdate = TRUE;",
        f"title = {_dne_str(oneline(view.title))};",
    ]
    if view.description:
        out.append(f"comment = {_dne_str(view.description)};")
    out += _user(net_fields, "")
    for v in view.variables:
        decision = v.kind == "decision"
        parents = view.informed(v) if decision else v.parents
        out += [
            "",
            f"node {w[v.id]} {{",
            f"\tkind = {'DECISION' if decision else 'NATURE'};",
            "\tdiscrete = TRUE;",
            f"\tchance = {'DETERMIN' if decision else 'CHANCE'};",
            f"\tstates = ({', '.join(names.states[v.id])});",
            *_statetitles(v, names.states[v.id]),
            f"\tparents = ({', '.join(w[p] for p in parents)});",
        ]
        if not decision:
            out.append(f"\tprobs = {_nested(v.table)};")
        out.append(f"\ttitle = {_dne_str(oneline(v.label))};")
        if v.description:
            out.append(f"\tcomment = {_dne_str(v.description)};")
        fields = {
            NAMES_PROPERTY: names.records.get(v.id, ""),
            "estimative_baseline": v.baseline or "",
            "estimative_baseline_parents": v.baseline_parents(w) or "",
            **v.alias_properties(),
        }
        out += [*_visual(v.position), *_user(fields, "\t"), "\t};"]
    for u in view.utilities:
        out += [
            "",
            f"node {w[u.id]} {{",
            "\tkind = UTILITY;",
            "\tdiscrete = FALSE;",
            "\tmeasure = RATIO;",
            "\tchance = DETERMIN;",
            f"\tparents = ({', '.join(w[p] for p in u.over)});",
            f"\tfunctable = {_nested(u.values * u.weight, child=False)};",
            f"\ttitle = {_dne_str(oneline(u.label))};",
        ]
        if u.description:
            out.append(f"\tcomment = {_dne_str(u.description)};")
        fields = {NAMES_PROPERTY: names.records.get(u.id, ""), "estimative_weight": num(u.weight)}
        out += [*_visual(u.position), *_user(fields, "\t"), "\t};"]
    out.append("};")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ in
@dataclass
class _Block:
    """A ``{ ... }`` block: its attributes (name -> (value, line)) and its named sub-blocks."""

    attrs: dict[str, tuple[Any, int]] = field(default_factory=dict)
    blocks: list[tuple[str, str, _Block, int]] = field(default_factory=list)  # kind, name


def _unescape(text: str) -> str:
    text = re.sub(r"\\\n[ \t]*", "", text)  # backslash-newline: the line continues
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


class _Parser:
    def __init__(self, text: str, raw: RawNet) -> None:
        self.p = Scanner(text, _DNE_TOKEN, raw)
        self.raw = raw

    def value(self) -> Any:
        """A word or string token, a list (None for an empty entry) or a block."""
        p = self.p
        if p.accept("("):
            items: list[Any] = []
            expect_item = True
            while not p.accept(")"):
                if p.peek().kind == "eof":
                    raise p.error("')'")
                if p.accept(","):
                    if expect_item:
                        items.append(None)  # an empty entry keeps its place
                    expect_item = True
                    continue
                if not expect_item:
                    raise p.error("',' or ')'")
                items.append(self.value())
                expect_item = False
            if expect_item and items:
                items.append(None)  # a trailing empty entry: "(a, )"
            return items
        if p.peek().kind == "punct" and p.peek().value == "{":
            return self.block()
        t = p.peek()
        if t.kind in ("word", "str"):
            p.next()
            if p.peek().kind == "punct" and p.peek().value == "{":  # font {shape= ...}
                self.block()
            return t
        raise p.error("a value")

    def numbers(self) -> list[Any] | None:
        """A list of numbers read fast (one regex), or None when it holds anything else."""
        p = self.p
        first = p.peek()  # the first token after the spaces and comments
        if first.kind != "punct" or first.value != "(":
            return None
        text, start = p.text, first.start
        m = _NUMBER_LIST.match(text, start)
        end = m.end() if m else start
        chunk = _COMMENT.sub("", text[start:end])
        if chunk.count("(") != chunk.count(")") or not text[end:].lstrip().startswith(";"):
            return None
        p._peeked = None
        p.pos = end
        values = [
            float(x) for x in chunk.replace("(", " ").replace(")", " ").replace(",", " ").split()
        ]
        return values

    def block(self) -> _Block:
        p = self.p
        p.expect("{")
        out = _Block()
        while not p.accept("}"):
            key = p.name("an attribute name or '}'")
            if p.accept("="):
                value: Any = None
                if key.value in ("probs", "functable", "numcases", "belief"):
                    value = self.numbers()
                if value is None:
                    value = self.value()
                out.attrs[key.value] = (value, key.line)
            else:
                name = p.name("a name and '{'") if p.peek().kind in ("word", "str") else None
                sub = self.block()
                out.blocks.append((key.value, name.value if name else "", sub, key.line))
            p.expect(";")
        return out

    def network(self) -> tuple[Token, _Block]:
        p = self.p
        t = p.next()
        if t.value != "bnet":
            raise p.error("'bnet NAME {'", t)
        name = p.name("the network's name")
        body = self.block()
        p.accept(";")
        if p.peek().kind != "eof":
            raise p.error("the end of the file after the network", p.peek())
        return name, body


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _text(value: Any) -> str | None:
    return _unescape(value.value) if isinstance(value, Token) else None


def _words(value: Any, raw: RawNet, line: int, what: str) -> list[str]:
    if not isinstance(value, list):
        raise raw.fail(f"{what} is not a list", line, expected="(a, b, ...)")
    out = []
    for item in _flatten(value):
        if item is None:
            raise raw.fail(f"{what} has an empty entry", line, fix="name every entry")
        out.append(item.value)
    return out


def _states(name: str, attrs: dict[str, tuple[Any, int]], raw: RawNet, line: int) -> list[str]:
    if "states" in attrs:
        return _words(attrs["states"][0], raw, attrs["states"][1], f"the states of '{name}'")
    if "levels" in attrs and _text(attrs.get("discrete", (None, 0))[0]) == "FALSE":
        levels = _words(attrs["levels"][0], raw, attrs["levels"][1], f"the levels of '{name}'")
        return [f"{a} to {b}" for a, b in itertools.pairwise(levels)]
    if "numstates" in attrs:
        n = _text(attrs["numstates"][0]) or ""
        if n.isdigit():
            return [f"state{i}" for i in range(int(n))]
    if "statetitles" in attrs:
        return _words(attrs["statetitles"][0], raw, attrs["statetitles"][1], "statetitles")
    raise raw.fail(f"node '{name}' has no states", line, fix="give it 'states = (...);'")


def _state_titles(attrs: dict[str, tuple[Any, int]], states: list[str]) -> dict[str, str] | None:
    """Netica's ``statetitles`` (a title per state, ``""`` or an empty entry for none) by
    state; None when the node has none, or not one per state (titles are never worth refusing
    a file for)."""
    value = attrs.get("statetitles", (None, 0))[0]
    if not isinstance(value, list):
        return None
    titles = list(_flatten(value))
    if len(titles) != len(states):
        return None
    out = {s: _unescape(t.value) for s, t in zip(states, titles, strict=True) if t is not None}
    return {s: t for s, t in out.items() if t.strip() and t != s} or None


def _rows(
    entries: list[Any],
    card: int,
    states: list[str],
    raw: RawNet,
    line: int,
    name: str,
    *,
    functable: bool,
) -> list[float] | None:
    """A flat table from ``probs`` entries (numbers, ``#k`` one-hot rows, ``@imposs`` rows) or a
    ``functable`` of states; None (with a problem) when an entry is neither."""
    flat: list[float] = []
    imposs = 0
    pending: list[float] = []
    for item in entries:
        if item is None:
            raw.problem(f"the table of '{name}' has an empty entry", line)
            return None
        if isinstance(item, float):
            pending.append(item)
        else:
            word = item.value
            k = states.index(word) if functable and word in states else None
            if word.startswith("#") and word[1:].isdigit():
                k = int(word[1:])
            if k is not None and k < card and (functable or not pending):
                pending.extend(1.0 if i == k else 0.0 for i in range(card))
            elif word == "@imposs" and not functable:
                pending.append(math.nan)
            else:
                try:
                    pending.append(float(word))
                except ValueError:
                    raw.problem(
                        f"the table of '{name}' holds '{word}'",
                        item.line,
                        expected="numbers" if not functable else f"states of '{name}'",
                    )
                    return None
        while len(pending) >= card:
            row, pending = pending[:card], pending[card:]
            if all(math.isnan(x) for x in row):
                imposs += 1
                row = [1.0 / card] * card  # an impossible configuration: any row will do
            flat.extend(row)
    if pending:
        flat.extend(pending)  # a count the caller reports
    if imposs:
        warnings.warn(
            f"{raw.file}: '{name}' has {imposs} parent configurations Netica marks impossible "
            "(@imposs); they are given uniform rows, which change no answer",
            InteropWarning,
            stacklevel=6,
        )
    return flat


def read_dne(text: str, raw: RawNet) -> None:
    """Fill ``raw`` from the text of a DNE file."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # old Mac files end lines with CR
    name, body = _Parser(text, raw).network()
    raw.title = _text(body.attrs.get("title", (None, 0))[0]) or name.value
    raw.description = _text(body.attrs.get("comment", (None, 0))[0])
    for kind, _, sub, _line in body.blocks:
        if kind == "user":
            raw.unit = _text(sub.attrs.get("estimative_utility_unit", (None, 0))[0]) or raw.unit
    constants: set[str] = set()
    tables: list[tuple[RawVar, dict[str, tuple[Any, int]], int]] = []
    for kind, node_name, sub, line in body.blocks:
        if kind == "param":
            raise raw.fail(
                f"'{node_name}' is a disconnected parameter node: the file is a network fragment",
                line,
                fix="export the whole network from Netica (with the fragment joined to its parents)",
            )
        if kind != "node":
            continue
        attrs = sub.attrs
        nkind = _text(attrs.get("kind", (None, 0))[0]) or "NATURE"
        if nkind == "CONSTANT":
            constants.add(node_name)
            continue
        if nkind not in ("NATURE", "DECISION", "UTILITY"):
            raise raw.fail(
                f"node '{node_name}' is of kind {nkind}",
                line,
                expected="NATURE, DECISION, UTILITY or CONSTANT",
            )
        user = next((b for k, _, b, _ in sub.blocks if k == "user"), _Block())

        def field_of(key: str, user: _Block = user) -> str | None:
            return _text(user.attrs.get(key, (None, 0))[0])

        states = ["utility"] if nkind == "UTILITY" else _states(node_name, attrs, raw, line)
        if (err := raw.too_many_states(node_name, len(states), line)) is not None:
            raise err
        var = RawVar(
            node_name,
            states,
            line=line,
            label=_text(attrs.get("title", (None, 0))[0]),
            description=_text(attrs.get("comment", (None, 0))[0]),
            kind={"DECISION": "decision", "UTILITY": "utility"}.get(nkind, "chance"),
            names=field_of(NAMES_PROPERTY),
            baseline=field_of("estimative_baseline"),
            baseline_parents=field_of("estimative_baseline_parents"),
            aliases=field_of("estimative_aliases"),
            state_aliases=field_of("estimative_state_aliases"),
            position=_center(sub),
            state_labels=_state_titles(attrs, states) if nkind != "UTILITY" else None,
        )
        weight = field_of("estimative_weight")
        if weight is not None:
            try:
                var.weight = float(weight)
            except ValueError:
                raw.problem(f"estimative_weight of '{node_name}' is not a number", line)
        pv = attrs.get("parents")
        var.parents = (
            _words(pv[0], raw, pv[1], f"the parents of '{node_name}'") if pv is not None else []
        )
        var.cpt_line = pv[1] if pv is not None else line
        raw.add(var)
        if var.kind != "decision":
            tables.append((var, attrs, line))
    for var, attrs, line in tables:
        _fill(var, attrs, line, raw, constants)


def _fill(
    var: RawVar, attrs: dict[str, tuple[Any, int]], line: int, raw: RawNet, constants: set[str]
) -> None:
    """Set the table of ``var`` from its ``probs`` or ``functable``."""
    parents = var.parents or []
    for q in parents:
        if q in constants:
            raw.problem(
                f"'{var.name}' depends on the constant node '{q}' (Netica's constants feed "
                "equations)",
                line,
                fix="convert the equation to a table in Netica, or remove the link",
            )
            return
    if any(q not in raw.variables for q in parents):
        for q in parents:
            if q not in raw.variables:
                raw.problem(
                    f"'{var.name}' names an undeclared parent '{q}'{did_you_mean(q, raw.variables)}",
                    var.cpt_line,
                )
        return
    utility = var.kind == "utility"
    key = "functable" if utility or "probs" not in attrs else "probs"
    if key not in attrs:
        has_eq = "equation" in attrs
        raw.problem(
            f"node '{var.name}' has no {'functable' if utility else 'probs'}"
            + (" (only an equation)" if has_eq else ""),
            line,
            fix="in Netica, convert its equation to a table (Table > Equation to Table) and save"
            if has_eq
            else "give it a table in Netica and save",
        )
        return
    value, vline = attrs[key]
    entries = (
        value
        if isinstance(value, list) and value and isinstance(value[0], float)
        else list(_flatten(value))
    )
    card = 1 if utility else len(var.states)
    flat = _rows(
        entries,
        card,
        var.states,
        raw,
        vline,
        var.name,
        functable=key == "functable" and not utility,
    )
    if flat is None:
        return
    pcards = [len(raw.variables[q].states) for q in parents]
    size = card * math.prod(pcards)
    if len(flat) != size:
        raw.problem(
            f"the {key} of '{var.name}' has {len(flat)} numbers",
            vline,
            expected=f"{size} ({card} states x {' x '.join(map(str, pcards)) or '1'} parent "
            "configurations)",
        )
        return
    arr = np.asarray(flat, dtype=float)
    if utility and var.weight not in (None, 0.0):
        arr = arr / var.weight  # estimative writes weight x value
    var.table = np.moveaxis(arr.reshape(*pcards, card), -1, 0)
