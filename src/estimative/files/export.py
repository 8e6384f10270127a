"""Networks out to BIF, XMLBIF, XDSL (GeNIe), NET (HUGIN) and UAI, and back in.

Every number is written with ``repr(float)``, the shortest text that reads back to the same
double, so a file loses nothing on the way out. Whether a reader keeps that precision is up to
the reader: pyAgrum 3.3 parses BIF, NET and UAI numbers into C ``float`` (about 7 significant
digits) and XMLBIF and XDSL numbers into ``double``; see ``tests/test_export.py``.

Table layouts follow each format's own definition:

- BIF: one row per parent configuration, named by the parents' states.
- XMLBIF, XDSL, UAI: the flat table is row-major over (parents in the listed order, child): the
  child's state changes fastest, then the last parent (SMILE's "Multidimensional arrays" page;
  the UAI 2008 evaluation format; the XMLBIF 0.3 convention used by JavaBayes and pgmpy).
- NET: nested parentheses, the first parent outermost, the child's distribution innermost.

pyAgrum 3.3.1 reads and writes XDSL and UAI tables of nodes with two or more parents with the
*first* parent changing fastest, unlike GeNIe and the UAI format. Files are written the
standard way; on import, an XDSL file whose ``<genie app=...>`` names aGrUM, and a UAI file
written by aGrUM (scope lines ending in ``# name`` comments), are read the aGrUM way so that
files made by pyAgrum import as pyAgrum meant them.

Imported files become a :class:`~estimative.spec.ModelSpec` with full-table CPTs marked
``assumption: true`` ("imported from <file>"), expanded and checked like a YAML model. Names
that are not identifiers (``0-3``, ``Less than 3``) are made into identifiers; the original
name is kept in the label (variables) or the description (states).
"""

from __future__ import annotations

import bisect
import datetime as _dt
import itertools
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from xml.sax.saxutils import escape as _xml_escape

import numpy as np

from .._io import display_path, write_text_atomic
from .._version import __version__
from ..errors import ModelError, Problem, UsageError, did_you_mean
from ..graphs import topological_order
from ..spec import CptSpec, Locator, ModelSpec, TableRow, VariableSpec, finish
from ..spec.locate import LineMap

if TYPE_CHECKING:
    from typing import Protocol

    class _HasSpec(Protocol):
        spec: ModelSpec


#: Export formats, by the name ``--format`` takes.
FORMATS: tuple[str, ...] = ("bif", "xmlbif", "xdsl", "net", "uai")
#: The format of an import file, by its suffix.
SUFFIX_FORMATS: dict[str, str] = {
    ".bif": "bif", ".xmlbif": "xmlbif", ".bifxml": "xmlbif", ".xml": "xmlbif",
    ".xdsl": "xdsl", ".net": "net", ".uai": "uai",
}
#: The suffix a file of each format usually has.
DEFAULT_SUFFIX: dict[str, str] = {"bif": ".bif", "xmlbif": ".xml", "xdsl": ".xdsl", "net": ".net", "uai": ".uai"}
#: Columns of an imported CPT may miss 1 by this much (bnlearn BIFs round to 1e-7); they are
#: then normalised. Larger deviations are errors.
IMPORT_SUM_TOLERANCE = 1e-6
MAX_IMPORT_BYTES = 64 * 1024 * 1024

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# =============================================================================================
# Export
@dataclass(frozen=True)
class _Var:
    id: str
    label: str
    description: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    table: np.ndarray  # (card, *parent cards)

    def columns(self) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
        """(parent state indices, child distribution) in row-major order of the parents."""
        cards = self.table.shape[1:]
        for idx in itertools.product(*(range(c) for c in cards)):
            yield idx, self.table[(slice(None), *idx)]

    def flat(self) -> np.ndarray:
        """Row-major over (parents..., child): the child's state changes fastest."""
        return np.moveaxis(self.table, 0, -1).ravel()


@dataclass(frozen=True)
class _View:
    name: str
    title: str
    description: str
    hash: str
    variables: tuple[_Var, ...]

    @property
    def banner(self) -> str:
        return f"written by estimative {__version__}; model {self.name}, hash {self.hash}"


def _spec_of(model: ModelSpec | _HasSpec) -> ModelSpec:
    spec = getattr(model, "spec", model)
    if not isinstance(spec, ModelSpec):
        raise UsageError("export needs a model: a ModelSpec or a Network", field="model",
                         found=type(model).__name__)
    return spec


def _view(model: ModelSpec | _HasSpec) -> _View:
    spec = _spec_of(model)
    order = topological_order({v.id: list(v.parents) for v in spec.variables}) or [v.id for v in spec.variables]
    out = []
    for vid in order:
        vs = spec.variable(vid)
        out.append(_Var(vid, vs.label, vs.description or "", tuple(vs.states), tuple(vs.parents),
                        np.asarray(vs.table, dtype=float)))
    return _View(spec.name, spec.title, spec.description or "", spec.model_hash, tuple(out))


def _num(x: float) -> str:
    """The shortest decimal text that reads back to the same double (``-0.0`` written as ``0.0``)."""
    return repr(float(x) + 0.0)


def _nums(values: Sequence[float] | np.ndarray) -> str:
    return " ".join(_num(x) for x in np.asarray(values, dtype=float).ravel())


def _oneline(text: str) -> str:
    return " ".join(str(text).split())


def _bif_text(text: str) -> str:
    # BIF has no escapes; pyAgrum ends a property at ';', pgmpy splits it at '=' and drops quotes.
    return _oneline(text).translate(str.maketrans({";": ",", '"': "'", "=": "-", "{": "(", "}": ")"}))


def _ident_or_default(name: str, default: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return s if _IDENT.match(s) else default


def _write_bif(view: _View) -> str:
    # The title and description go in comments: pgmpy's BIF reader takes the words 'variable'
    # and 'probability' anywhere outside a block for the start of one.
    lines = [f"// {view.banner}", f"// title = {_bif_text(view.title)}"]
    if view.description:
        lines.append(f"// description = {_bif_text(view.description)}")
    lines += [f"network {_ident_or_default(view.name, 'model')} {{", f'    property estimative_hash = "{view.hash}" ;', "}"]
    for v in view.variables:
        lines.append(f"variable {v.id} {{")
        lines.append(f"    type discrete [ {len(v.states)} ] {{ {', '.join(v.states)} }};")
        lines.append(f'    property label = "{_bif_text(v.label)}" ;')
        if v.description:
            lines.append(f'    property description = "{_bif_text(v.description)}" ;')
        lines.append("}")
    for v in view.variables:
        if not v.parents:
            lines.append(f"probability ( {v.id} ) {{")
            lines.append(f"    table {', '.join(_num(x) for x in v.table)};")
        else:
            lines.append(f"probability ( {v.id} | {', '.join(v.parents)} ) {{")
            pstates = [dict(enumerate(next(w for w in view.variables if w.id == p).states)) for p in v.parents]
            for idx, col in v.columns():
                names = ", ".join(pstates[k][i] for k, i in enumerate(idx))
                lines.append(f"    ( {names} ) {', '.join(_num(x) for x in col)};")
        lines.append("}")
    return "\n".join(lines) + "\n"


def _x(text: str) -> str:
    return _xml_escape(str(text), {'"': "&quot;"})


def _write_xmlbif(view: _View) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f"<!-- {_x(view.banner)} -->", '<BIF VERSION="0.3">', "<NETWORK>",
           f"  <NAME>{_x(view.name)}</NAME>", f"  <PROPERTY>title = {_x(view.title)}</PROPERTY>"]
    if view.description:
        out.append(f"  <PROPERTY>description = {_x(view.description)}</PROPERTY>")
    out.append(f"  <PROPERTY>estimative_hash = {view.hash}</PROPERTY>")
    for v in view.variables:
        out.append('  <VARIABLE TYPE="nature">')
        out.append(f"    <NAME>{v.id}</NAME>")
        out += [f"    <OUTCOME>{s}</OUTCOME>" for s in v.states]
        out.append(f"    <PROPERTY>label = {_x(v.label)}</PROPERTY>")
        if v.description:
            out.append(f"    <PROPERTY>description = {_x(v.description)}</PROPERTY>")
        out.append("  </VARIABLE>")
    for v in view.variables:
        out.append("  <DEFINITION>")
        out.append(f"    <FOR>{v.id}</FOR>")
        out += [f"    <GIVEN>{p}</GIVEN>" for p in v.parents]
        out.append(f"    <TABLE>{_nums(v.flat())}</TABLE>")
        out.append("  </DEFINITION>")
    out += ["</NETWORK>", "</BIF>"]
    return "\n".join(out) + "\n"


def _layout(view: _View) -> dict[str, tuple[int, int, int, int]]:
    """GeNIe node rectangles: one row per generation, in the network's order."""
    depth: dict[str, int] = {}
    for v in view.variables:  # topological order
        depth[v.id] = 1 + max((depth[p] for p in v.parents), default=-1)
    rows: dict[int, int] = {}
    pos = {}
    for v in view.variables:
        d = depth[v.id]
        col = rows.get(d, 0)
        rows[d] = col + 1
        left, top = 40 + 170 * col, 40 + 110 * d
        pos[v.id] = (left, top, left + 140, top + 60)
    return pos


def _genie_comment(text: str) -> str:
    """GeNIe writes a line break in a comment as the two characters \\n."""
    return _x(text.strip().replace("\n", "\\n"))


def _write_xdsl(view: _View) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f"<!-- {_x(view.banner)} -->",
           f'<smile version="1.0" id="{_ident_or_default(view.name, "model")}" numsamples="10000" discsamples="10000">',
           "  <nodes>"]
    for v in view.variables:
        out.append(f'    <cpt id="{v.id}">')
        out += [f'      <state id="{s}" />' for s in v.states]
        if v.parents:
            out.append(f"      <parents>{' '.join(v.parents)}</parents>")
        out.append(f"      <probabilities>{_nums(v.flat())}</probabilities>")
        out.append("    </cpt>")
    out.append("  </nodes>")
    out.append("  <extensions>")
    out.append(f'    <genie version="1.0" app="estimative {__version__}" name="{_x(_oneline(view.title))}">')
    if view.description:
        out.append(f"      <comment>{_genie_comment(view.description)}</comment>")
    pos = _layout(view)
    for v in view.variables:
        out.append(f'      <node id="{v.id}">')
        out.append(f"        <name>{_x(_oneline(v.label))}</name>")
        out.append('        <interior color="e5f6f7" />')
        out.append('        <outline color="000080" />')
        out.append('        <font color="000000" name="Arial" size="8" />')
        out.append(f"        <position>{' '.join(map(str, pos[v.id]))}</position>")
        if v.description:
            out.append(f"        <comment>{_genie_comment(v.description)}</comment>")
        out.append("      </node>")
    out += ["    </genie>", "  </extensions>", "</smile>"]
    return "\n".join(out) + "\n"


def _net_str(text: str) -> str:
    return '"' + _oneline(text).replace("\\", "/").replace('"', "'") + '"'


def _nested(table: np.ndarray) -> str:
    """HUGIN data: the first parent outermost, the child's distribution innermost."""
    moved = np.moveaxis(table, 0, -1)

    def rec(a: np.ndarray) -> str:
        if a.ndim == 1:
            return "(" + " ".join(_num(x) for x in a) + ")"
        return "(" + " ".join(rec(sub) for sub in a) + ")"

    return rec(moved)


def _write_net(view: _View) -> str:
    out = [f"% {view.banner}", "net", "{", f"    label = {_net_str(view.title)};"]
    if view.description:
        out.append(f"    estimative_description = {_net_str(view.description)};")
    out += [f'    estimative_hash = "{view.hash}";', "}"]
    for v in view.variables:
        out += [f"node {v.id}", "{", f"    label = {_net_str(v.label)};",
                f"    states = ({' '.join(_net_str(s) for s in v.states)});"]
        if v.description:
            out.append(f"    estimative_description = {_net_str(v.description)};")
        out.append("}")
    for v in view.variables:
        head = f"potential ({v.id} | {' '.join(v.parents)})" if v.parents else f"potential ({v.id})"
        out += [head, "{", f"    data = {_nested(v.table)};", "}"]
    return "\n".join(out) + "\n"


def _write_uai(view: _View) -> str:
    index = {v.id: i for i, v in enumerate(view.variables)}
    out = ["BAYES", str(len(view.variables)), " ".join(str(len(v.states)) for v in view.variables),
           str(len(view.variables))]
    for v in view.variables:  # the child comes last in its scope
        scope = [index[p] for p in v.parents] + [index[v.id]]
        out.append(" ".join(map(str, [len(scope), *scope])))
    out.append("")
    for v in view.variables:
        out.append(str(v.table.size))
        out.append(_nums(v.flat()))
    return "\n".join(out) + "\n"


_WRITERS: dict[str, Callable[[_View], str]] = {
    "bif": _write_bif, "xmlbif": _write_xmlbif, "xdsl": _write_xdsl, "net": _write_net, "uai": _write_uai,
}


def _check_format(fmt: str) -> str:
    f = str(fmt).lower().lstrip(".")
    if f not in _WRITERS:
        raise UsageError(f"unknown export format '{fmt}'{did_you_mean(f, FORMATS)}", field="format",
                         expected=f"one of {list(FORMATS)}", found=repr(fmt))
    return f


def export_text(net: ModelSpec | _HasSpec, fmt: str) -> str:
    """The network in format ``fmt`` (one of :data:`FORMATS`), as text.

    Examples
    --------
    >>> from estimative import Network
    >>> text = export_text(Network.from_file("models/example"), "bif")
    >>> "probability ( armed_clash | misread_intent )" in text
    True
    """
    return _WRITERS[_check_format(fmt)](_view(net))


def export_network(net: ModelSpec | _HasSpec, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Write the network to ``path`` in format ``fmt``, atomically; return the path.

    ``fmt`` is one of ``bif``, ``xmlbif``, ``xdsl`` (GeNIe), ``net`` (HUGIN) or ``uai``.
    The file is written to a temporary file in the same folder and moved into place, so a
    reader never sees half a file. Labels and descriptions are kept where the format has room
    for them (not in UAI); the model's content hash is written into every format but UAI.

    Examples
    --------
    >>> import tempfile, os
    >>> from estimative import Network
    >>> net = Network.from_file("models/example")
    >>> out = export_network(net, "xdsl", os.path.join(tempfile.mkdtemp(), "example.xdsl"))
    >>> Network.from_file(out).query("armed_clash")["yes"] == net.query("armed_clash")["yes"]
    True
    """
    text = export_text(net, fmt)
    if Path(path).is_dir():
        raise UsageError("the output path is a folder", found=str(path), fix="name a file, e.g. model" + DEFAULT_SUFFIX[_check_format(fmt)])
    return write_text_atomic(path, text, what="output file")


# =============================================================================================
# Import
@dataclass
class _RawVar:
    name: str
    states: list[str]
    line: int | None = None
    label: str | None = None
    description: str | None = None
    parents: list[str] | None = None
    table: np.ndarray | None = None  # (card, *parent cards), unnormalised
    cpt_line: int | None = None


@dataclass
class _Raw:
    fmt: str
    file: str
    title: str | None = None
    description: str | None = None
    variables: dict[str, _RawVar] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, message: str, line: int | None = None, **kw: Any) -> None:
        self.problems.append(Problem(message, file=self.file, line=line, **kw))

    def fail(self, message: str, line: int | None = None, **kw: Any) -> ModelError:
        return ModelError(Problem(message, file=self.file, line=line, **kw))

    def add(self, var: _RawVar) -> None:
        if var.name in self.variables:
            first = self.variables[var.name].line
            self.problem(f"variable '{var.name}' is declared twice", var.line,
                         fix=f"keep one declaration{f' (the first is at line {first})' if first else ''}")
        else:
            self.variables[var.name] = var


def _from_flat(flat: np.ndarray, card: int, pcards: Sequence[int], *, first_parent_fastest: bool = False) -> np.ndarray:
    """(card, *pcards) from a flat table, row-major over (parents, child) or, for aGrUM's XDSL
    and UAI files, with the child fastest and then the first parent fastest."""
    if first_parent_fastest:
        arr = flat.reshape(*reversed(list(pcards)), card)
        arr = np.transpose(arr, [*range(len(pcards) - 1, -1, -1), len(pcards)])
    else:
        arr = flat.reshape(*pcards, card)
    return np.moveaxis(arr, -1, 0)


def _float(text: str, raw: _Raw, line: int | None, what: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise raw.fail(f"{what}: '{text}' is not a number", line, fix="give the probabilities as decimal numbers") from None
    return x


# ------------------------------------------------------------------------------ BIF and NET
class _Tok(NamedTuple):
    kind: str  # word, str, punct, eof
    value: str
    line: int
    start: int
    end: int

    def describe(self) -> str:
        return "end of file" if self.kind == "eof" else repr(self.value if self.kind != "str" else f'"{self.value}"')


_BIF_TOKEN = re.compile(r'(?P<com>//[^\n]*|/\*.*?\*/)|(?P<open>/\*)|(?P<str>"[^"]*")|(?P<ustr>")'
                        r'|(?P<word>[^\s,;(){}\[\]|"]+)|(?P<punct>\S)', re.S)  # '=' may be in a state: >=7.5
_NET_TOKEN = re.compile(r'(?P<com>%[^\n]*)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<ustr>")'
                        r'|(?P<word>[^\s,;(){}\[\]|="%]+)|(?P<punct>\S)', re.S)
_SPACE = re.compile(r"\s*")
_NUMBERS_ONLY = re.compile(r"[\s,0-9.eE+\-]*")


class _Parser:
    """A lazy scanner and the helpers of a recursive-descent parser for BIF and NET."""

    def __init__(self, text: str, pattern: re.Pattern[str], raw: _Raw) -> None:
        self.text = text
        self.pattern = pattern
        self.raw = raw
        self.pos = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self._peeked: _Tok | None = None

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1

    def peek(self) -> _Tok:
        if self._peeked is None:
            pos = self.pos
            while True:
                pos = _SPACE.match(self.text, pos).end()  # type: ignore[union-attr]
                if pos >= len(self.text):
                    self._peeked = _Tok("eof", "", self.line(pos), pos, pos)
                    break
                m = self.pattern.match(self.text, pos)
                assert m is not None  # the last alternative matches any other character
                kind = m.lastgroup or "punct"
                if kind == "open":
                    raise self.raw.fail("a /* comment is never closed", self.line(pos),
                                        fix="close it with */ or check the file is complete")
                if kind == "ustr":
                    raise self.raw.fail("a quoted string is never closed", self.line(pos),
                                        fix="add the closing \" or check the file is complete")
                if kind == "com":
                    pos = m.end()
                    continue
                value = m.group()[1:-1] if kind == "str" else m.group()
                self._peeked = _Tok(kind, value, self.line(pos), pos, m.end())
                break
        return self._peeked

    def next(self) -> _Tok:
        t = self.peek()
        self._peeked = None
        self.pos = t.end
        return t

    def error(self, expected: str, tok: _Tok | None = None) -> ModelError:
        tok = tok or self.peek()
        fix = ("the file ends too early: it may be truncated" if tok.kind == "eof"
               else f"check the {self.raw.fmt.upper()} syntax near this line")
        return self.raw.fail(f"syntax error: expected {expected}", tok.line, found=tok.describe(), fix=fix)

    def accept(self, value: str) -> bool:
        t = self.peek()
        if t.kind in ("punct", "word") and t.value == value:
            self.next()
            return True
        return False

    def expect(self, value: str) -> _Tok:
        t = self.peek()
        if t.kind in ("punct", "word") and t.value == value:
            return self.next()
        raise self.error(f"'{value}'")

    def name(self, what: str = "a name") -> _Tok:
        t = self.peek()
        if t.kind in ("word", "str"):
            return self.next()
        raise self.error(what)

    def numbers(self, what: str, *, parens: bool = False) -> list[float]:
        """Numbers (separated by spaces or commas; in nested parentheses when ``parens``) up
        to and including the next ';'. Large tables take the fast path: one regex, one split."""
        self._peeked = None
        end = self.text.find(";", self.pos)
        chunk = self.text[self.pos:end] if end >= 0 else ""
        flat = chunk.replace("(", " ").replace(")", " ") if parens else chunk
        if end >= 0 and _NUMBERS_ONLY.fullmatch(flat) and (not parens or chunk.count("(") == chunk.count(")")):
            try:
                values = [float(x) for x in flat.replace(",", " ").split()]
            except ValueError:
                pass
            else:
                self.pos = end + 1
                return values
        values = []  # the slow path finds the offending token and its line
        depth = 0
        while True:
            t = self.next()
            if t.kind == "punct" and t.value == ";" and depth == 0:
                return values
            if parens and t.kind == "punct" and t.value in "()":
                depth += 1 if t.value == "(" else -1
                if depth < 0:
                    raise self.error("a number or ';'", t)
            elif t.kind == "word":
                values.append(_float(t.value, self.raw, t.line, what))
            elif not (t.kind == "punct" and t.value == ","):
                raise self.error("a number or ';'", t)

    def raw_until_semicolon(self) -> tuple[str, int]:
        """Source text up to the next ';' (for BIF properties, whose text is free)."""
        first = self.peek()
        while not (self.peek().kind == "punct" and self.peek().value == ";"):
            if self.peek().kind == "eof":
                raise self.error("';' to end the property")
            self.next()
        end = self.next()
        return self.text[first.start:end.start].strip(), first.line


def _property(text: str) -> tuple[str, str]:
    m = re.match(r'([A-Za-z_][\w.-]*)\s*=?\s*(.*)$', text, re.S)
    if not m:
        return "", text
    value = m.group(2).strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return m.group(1), value


def _parse_bif(text: str, raw: _Raw) -> None:
    p = _Parser(text, _BIF_TOKEN, raw)
    for m in re.finditer(r"^// (title|description) = (.*)$", text[:text.find("network")], re.M):
        setattr(raw, m.group(1), m.group(2).strip())
    rows: dict[str, tuple[list[str], int, list[tuple[list[str] | None, list[float], int]]]] = {}
    while p.peek().kind != "eof":
        t = p.next()
        if t.value == "network":
            name = p.name("the network's name")
            raw.title = raw.title or name.value
            p.expect("{")
            while not p.accept("}"):
                if p.peek().kind == "eof" or not p.accept("property"):
                    raise p.error("'property' or '}'")
                key, value = _property(p.raw_until_semicolon()[0])
                if key == "title":
                    raw.title = value
                elif key == "description":
                    raw.description = value
        elif t.value == "variable":
            name = p.name("the variable's name")
            var = _RawVar(name.value, [], line=name.line)
            p.expect("{")
            declared = None
            while not p.accept("}"):
                if p.accept("property"):
                    key, value = _property(p.raw_until_semicolon()[0])
                    if key == "label":
                        var.label = value
                    elif key == "description":
                        var.description = value
                elif p.accept("type"):
                    kind = p.name("'discrete'")
                    if kind.value != "discrete":
                        raise raw.fail(f"variable '{var.name}' is of type '{kind.value}'", kind.line,
                                       expected="type discrete", fix="only discrete variables are supported")
                    p.expect("[")
                    n = p.name("the number of states")
                    if not n.value.isdigit():
                        raise p.error("the number of states", n)
                    declared = (int(n.value), n.line)
                    p.expect("]")
                    p.expect("{")
                    while not p.accept("}"):
                        var.states.append(p.name("a state name or '}'").value)
                        p.accept(",")
                    p.expect(";")
                else:
                    raise p.error("'type', 'property' or '}'")
            if declared is None:
                raise raw.fail(f"variable '{var.name}' has no 'type discrete [n] {{...}};' line", var.line)
            if declared[0] != len(var.states):
                raw.problem(f"variable '{var.name}' declares {declared[0]} states but lists {len(var.states)}", declared[1],
                            found=str(var.states), fix="make the count match the list")
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
            entries: list[tuple[list[str] | None, list[float], int]] = []
            p.expect("{")
            while not p.accept("}"):
                tok = p.peek()
                if p.accept("property"):
                    p.raw_until_semicolon()
                    continue
                if p.accept("table") or p.accept("default"):
                    key: list[str] | None = None if tok.value == "table" else ["*default*"]
                elif p.accept("("):
                    key = []
                    while not p.accept(")"):
                        key.append(p.name("a parent state or ')'").value)
                        p.accept(",")
                else:
                    raise p.error("'table', 'default', '(' or '}'")
                values = p.numbers(f"probability of {child.value}")
                entries.append((key, values, tok.line))
            if child.value in rows:
                raw.problem(f"'{child.value}' has two probability blocks", child.line,
                            fix=f"keep one (the first is at line {rows[child.value][1]})")
            rows[child.value] = (parents, child.line, entries)
        else:
            raise p.error("'network', 'variable' or 'probability'", t)
    for child, (parents, line, entries) in rows.items():
        var = raw.variables.get(child)
        if var is None:
            raw.problem(f"probability block for undeclared variable '{child}'{did_you_mean(child, raw.variables)}", line)
            continue
        var.parents, var.cpt_line = parents, line
        if any(q not in raw.variables for q in parents):
            continue  # reported when the spec is built
        card = len(var.states)
        pstates = [raw.variables[q].states for q in parents]
        pcards = [len(s) for s in pstates]
        table = np.full((card, *pcards), np.nan)
        for key, values, eline in entries:
            if key is None:  # 'table': row-major over (child, parents), as pgmpy and pyAgrum read it
                if len(values) != table.size:
                    raw.problem(f"table of '{child}' has {len(values)} numbers", eline, expected=str(table.size))
                    continue
                table = np.asarray(values, dtype=float).reshape(card, *pcards)
                continue
            if len(values) != card:
                raw.problem(f"a row of '{child}' has {len(values)} numbers", eline, expected=f"{card}, one per state {var.states}")
                continue
            if key == ["*default*"]:
                table[...] = np.asarray(values).reshape(card, *([1] * len(pcards)))
                continue
            if len(key) != len(parents):
                raw.problem(f"a row of '{child}' names {len(key)} parent states", eline,
                            expected=f"{len(parents)}, one for each of {parents}", found=str(key))
                continue
            idx = []
            for q, s, states in zip(parents, key, pstates, strict=True):
                if s not in states:
                    raw.problem(f"'{s}' is not a state of '{q}'{did_you_mean(s, states)}", eline, expected=f"one of {states}")
                    break
                idx.append(states.index(s))
            else:
                table[(slice(None), *idx)] = values
        var.table = table


def _net_value(p: _Parser) -> Any:
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


def _flatten(value: Any) -> Iterator[_Tok]:
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _parse_net(text: str, raw: _Raw) -> None:
    p = _Parser(text, _NET_TOKEN, raw)

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
        return value.value if isinstance(value, _Tok) else None

    potentials = []
    while p.peek().kind != "eof":
        t = p.next()
        if t.value == "net":
            attrs = attributes()
            raw.title = text_of(attrs.get("label", (None, 0))[0]) or text_of(attrs.get("name", (None, 0))[0])
            raw.description = text_of(attrs.get("estimative_description", (None, 0))[0])
        elif t.value in ("node", "discrete"):
            if t.value == "discrete":
                p.expect("node")
            name = p.name("the node's name")
            attrs = attributes()
            states_v = attrs.get("states")
            if states_v is None or not isinstance(states_v[0], list):
                raise raw.fail(f"node '{name.value}' has no 'states = (...);'", name.line)
            var = _RawVar(name.value, [s.value for s in _flatten(states_v[0])], line=name.line,
                          label=text_of(attrs.get("label", (None, 0))[0]),
                          description=text_of(attrs.get("estimative_description", (None, 0))[0]))
            raw.add(var)
        elif t.value in ("continuous", "decision", "utility", "function", "class"):
            raise raw.fail(f"HUGIN '{t.value}' {'nodes are' if t.value != 'class' else 'blocks (OOBN) are'} not supported", t.line,
                           fix="export a plain Bayesian network of discrete chance nodes")
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
        var = raw.variables.get(child.value)
        if var is None:
            raw.problem(f"potential for undeclared node '{child.value}'{did_you_mean(child.value, raw.variables)}", child.line)
            continue
        if var.table is not None:
            raw.problem(f"node '{child.value}' has two potentials", child.line, fix="keep one")
            continue
        var.parents, var.cpt_line = parents, child.line
        if "data" not in attrs:
            raw.problem(f"potential of '{child.value}' has no data", child.line, fix="add data = (...);")
            continue
        if any(q not in raw.variables for q in parents):
            continue
        data, dline = attrs["data"]
        values = data
        pcards = [len(raw.variables[q].states) for q in parents]
        size = len(var.states) * math.prod(pcards)
        if len(values) != size:
            raw.problem(f"data of '{child.value}' has {len(values)} numbers", dline, expected=str(size))
            continue
        var.table = _from_flat(np.asarray(values, dtype=float), len(var.states), pcards)


# ------------------------------------------------------------------------------ XML
@dataclass
class _El:
    tag: str
    attrib: dict[str, str]
    line: int
    children: list[_El] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()

    def find(self, tag: str) -> _El | None:
        return next((c for c in self.children if c.tag.lower() == tag.lower()), None)

    def findall(self, tag: str) -> list[_El]:
        return [c for c in self.children if c.tag.lower() == tag.lower()]


def _parse_xml(data: bytes, raw: _Raw) -> _El:
    """A small DOM with line numbers. DTDs with entities are refused (no entity expansion)."""
    import xml.parsers.expat as expat

    parser = expat.ParserCreate()
    stack: list[_El] = []
    root: list[_El] = []

    def start(tag: str, attrib: dict[str, str]) -> None:
        el = _El(tag, attrib, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(el)
        stack.append(el)

    def end(tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].parts.append(text)

    def entity(*args: Any) -> None:
        raise raw.fail("the file declares XML entities, which are not allowed", parser.CurrentLineNumber,
                       fix="remove the <!DOCTYPE ...> / <!ENTITY ...> declarations")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        msg = expat.errors.messages.get(exc.code, str(exc)) if hasattr(exc, "code") else str(exc)
        fix = "the file ends too early: it may be truncated" if "no element found" in msg or "unclosed token" in msg \
            else "check that the file is well-formed XML"
        raise raw.fail(f"not well-formed XML: {msg}", exc.lineno, found=f"column {exc.offset + 1}", fix=fix) from None
    if not root:
        raise raw.fail("the XML file has no root element")
    return root[0]


def _xml_numbers(el: _El, raw: _Raw, what: str) -> np.ndarray:
    return np.asarray([_float(x, raw, el.line, what) for x in el.text.split()], dtype=float)


def _parse_xmlbif(root: _El, raw: _Raw) -> None:
    net = root.find("NETWORK")
    if net is None:
        raise raw.fail("an XMLBIF file needs a <NETWORK> element inside <BIF>", root.line)
    name = net.find("NAME")
    raw.title = name.text if name is not None and name.text else None
    for prop in net.findall("PROPERTY"):
        key, value = _property(prop.text)
        if key == "title":
            raw.title = value
        elif key == "description":
            raw.description = value
    for el in net.findall("VARIABLE"):
        kind = el.attrib.get("TYPE", "nature")
        nm = el.find("NAME")
        if nm is None or not nm.text:
            raw.problem("a <VARIABLE> has no <NAME>", el.line)
            continue
        if kind != "nature":
            raise raw.fail(f"variable '{nm.text}' is of TYPE '{kind}'", el.line, expected='TYPE="nature"',
                           fix="only chance variables are supported")
        var = _RawVar(nm.text, [o.text for o in el.findall("OUTCOME")], line=el.line)
        for prop in el.findall("PROPERTY"):
            key, value = _property(prop.text)
            if key == "label":
                var.label = value
            elif key == "description":
                var.description = value
        raw.add(var)
    for el in net.findall("DEFINITION") + net.findall("PROBABILITY"):
        for_ = el.find("FOR")
        if for_ is None:
            raw.problem(f"a <{el.tag}> has no <FOR>", el.line)
            continue
        var = raw.variables.get(for_.text)
        if var is None:
            raw.problem(f"<{el.tag}> for undeclared variable '{for_.text}'{did_you_mean(for_.text, raw.variables)}", el.line)
            continue
        if var.parents is not None:
            raw.problem(f"variable '{var.name}' has two <{el.tag}> elements", el.line, fix="keep one")
            continue
        var.parents, var.cpt_line = [g.text for g in el.findall("GIVEN")], el.line
        table = el.find("TABLE")
        if table is None:
            raw.problem(f"<{el.tag}> of '{var.name}' has no <TABLE>", el.line)
            continue
        _set_flat(var, _xml_numbers(table, raw, f"table of {var.name}"), raw, table.line)


def _set_flat(var: _RawVar, flat: np.ndarray, raw: _Raw, line: int | None, *, first_parent_fastest: bool = False) -> None:
    parents = var.parents or []
    if any(q not in raw.variables for q in parents):
        return  # reported when the spec is built
    pcards = [len(raw.variables[q].states) for q in parents]
    size = len(var.states) * math.prod(pcards)
    if flat.size != size:
        raw.problem(f"the table of '{var.name}' has {flat.size} numbers", line,
                    expected=f"{size} ({len(var.states)} states x {' x '.join(map(str, pcards)) or '1'} parent configurations)")
        return
    var.table = _from_flat(flat, len(var.states), pcards, first_parent_fastest=first_parent_fastest)


def _parse_xdsl(root: _El, raw: _Raw) -> None:
    nodes = root.find("nodes")
    if nodes is None:
        raise raw.fail("an XDSL file needs a <nodes> element inside <smile>", root.line)
    genie = None
    ext = root.find("extensions")
    if ext is not None:
        genie = ext.find("genie")
    agrum = genie is not None and genie.attrib.get("app", "").lower().startswith("agrum")
    raw.title = (genie.attrib.get("name") if genie is not None else None) or root.attrib.get("id")
    flats = []
    for el in nodes.children:
        vid = el.attrib.get("id", "")
        if el.tag != "cpt":
            raise raw.fail(f"node '{vid}' is a <{el.tag}>", el.line, expected="<cpt>",
                           fix="only chance nodes with full CPTs are supported (convert noisy-MAX, equation and "
                               "decision nodes in GeNIe first)")
        var = _RawVar(vid, [s.attrib.get("id", "") for s in el.findall("state")], line=el.line)
        par = el.find("parents")
        var.parents = par.text.split() if par is not None else []
        var.cpt_line = el.line
        probs = el.find("probabilities")
        if probs is None:
            raw.problem(f"node '{vid}' has no <probabilities>", el.line)
        else:
            flats.append((var, _xml_numbers(probs, raw, f"probabilities of {vid}"), probs.line))
        raw.add(var)
    for var, flat, line in flats:
        _set_flat(var, flat, raw, line, first_parent_fastest=agrum)
    if genie is not None:
        comment = genie.find("comment")
        raw.description = comment.text.replace("\\n", "\n") if comment is not None else None
        for node in genie.findall("node"):
            var = raw.variables.get(node.attrib.get("id", ""))
            if var is None:
                continue
            nm, cm = node.find("name"), node.find("comment")
            var.label = nm.text if nm is not None else None
            var.description = cm.text.replace("\\n", "\n") if cm is not None else None


# ------------------------------------------------------------------------------ UAI
def _parse_uai(text: str, raw: _Raw) -> None:
    toks: list[tuple[str, int]] = []
    comments: dict[int, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        body, _, comment = line.partition("#")
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
            raise raw.fail(f"the file ends where {what} was expected", line, fix="the file may be truncated")
        pos += 1
        return toks[pos - 1]

    def integer(what: str) -> tuple[int, int]:
        w, line = take(what)
        if not w.isdigit():
            raise raw.fail(f"expected {what}", line, found=repr(w))
        return int(w), line

    kind, line = take("BAYES")
    if kind != "BAYES":
        raise raw.fail("a UAI file for a Bayesian network starts with BAYES", line, found=repr(kind),
                       fix="MARKOV networks are not Bayesian networks and cannot be imported")
    n, _ = integer("the number of variables")
    cards = [integer(f"the number of states of variable {i}")[0] for i in range(n)]
    m, mline = integer("the number of functions")
    if m != n:
        raise raw.fail(f"a Bayesian network has one CPT per variable: {n} variables but {m} functions", mline)
    scopes = []
    for i in range(m):
        k, sline = integer(f"the scope size of function {i}")
        scope = [integer(f"a variable index of function {i}")[0] for _ in range(k)]
        if k == 0 or any(v >= n for v in scope):
            raise raw.fail(f"function {i} has a bad scope {scope}", sline, expected=f"1 or more indices below {n}")
        scopes.append((scope, sline))
    named = all(sline in comments for _, sline in scopes)
    names = [f"v{i}" for i in range(n)]
    if named:  # written by aGrUM: '# name' after each scope, tables in aGrUM's order
        for scope, sline in scopes:
            names[scope[-1]] = comments[sline]
    for i in range(n):
        raw.add(_RawVar(names[i], [f"s{j}" for j in range(cards[i])], line=None))
    seen: dict[int, int] = {}
    for i, (scope, sline) in enumerate(scopes):
        size, tline = integer(f"the table size of function {i}")
        values = [take(f"entry {j} of function {i}") for j in range(size)]
        flat = np.asarray([_float(w, raw, ln, f"function {i}") for w, ln in values], dtype=float)
        child = names[scope[-1]]
        if scope[-1] in seen:
            raw.problem(f"variable {scope[-1]} is the child of functions {seen[scope[-1]]} and {i}", sline)
            continue
        seen[scope[-1]] = i
        var = raw.variables[child]
        var.parents, var.cpt_line, var.line = [names[v] for v in scope[:-1]], sline, sline
        _set_flat(var, flat, raw, tline, first_parent_fastest=named)
    if pos < len(toks):
        raw.problem("text after the last table", toks[pos][1], found=repr(toks[pos][0]), fix="remove it")


# ------------------------------------------------------------------------------ to a spec
def _identifier(name: str, prefix: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_]+", "_", name.strip()).strip("_") or prefix
    if not s[0].isalpha() and s[0] != "_":
        s = f"{prefix}_{s}"
    return s[:80]


def _unique(names: Sequence[str], prefix: str) -> list[str]:
    out: list[str] = []
    taken: set[str] = set()
    for n in names:
        base = n if _IDENT.match(n) and len(n) <= 80 else _identifier(n, prefix)
        cand, k = base, 2
        while cand in taken:
            cand, k = f"{base[:76]}_{k}", k + 1
        taken.add(cand)
        out.append(cand)
    return out


def _normalised(var: _RawVar, raw: _Raw) -> np.ndarray | None:
    assert var.table is not None
    t = var.table
    where = var.cpt_line
    if np.isnan(t).any():
        cols = np.argwhere(np.isnan(t).any(axis=0))
        pstates = [raw.variables[q].states for q in var.parents or []]
        first = ", ".join(f"{q}={pstates[k][i]}" for k, (q, i) in enumerate(zip(var.parents or [], cols[0], strict=True)))
        raw.problem(f"the CPT of '{var.name}' has no row for ({first})" + (f" and {len(cols) - 1} more" if len(cols) > 1 else ""),
                    where, fix="give a row for every combination of the parents' states")
        return None
    if not np.isfinite(t).all() or (t < 0).any():
        raw.problem(f"the CPT of '{var.name}' holds a negative or infinite number", where, expected="probabilities in [0, 1]")
        return None
    sums = t.sum(axis=0)
    worst = np.unravel_index(np.argmax(np.abs(sums - 1)), sums.shape) if sums.ndim else ()
    dev = float(np.abs(sums - 1).max()) if np.ndim(sums) else abs(float(sums) - 1)
    if dev > IMPORT_SUM_TOLERANCE + 1e-12:  # the slack absorbs rounding in the sum: 3 x 0.333333 passes
        pstates = [raw.variables[q].states for q in var.parents or []]
        col = ", ".join(f"{q}={pstates[k][i]}" for k, (q, i) in enumerate(zip(var.parents or [], worst, strict=True)))
        raw.problem(f"a column of the CPT of '{var.name}'{f' ({col})' if col else ''} sums to {float(np.asarray(sums)[worst]):.10g}",
                    where, expected=f"1 (within {IMPORT_SUM_TOLERANCE:g}; smaller deviations are normalised)",
                    fix="correct the numbers in the file")
        return None
    # Columns already summing to 1 up to rounding are left alone, so that importing an exported
    # file gives back the same doubles.
    return np.where(np.abs(sums - 1) > 1e-12, t / sums, t)


def _build_spec(raw: _Raw, path: Path) -> ModelSpec:
    if not raw.variables:
        raise raw.fail("the file declares no variables", fix=f"check it is a {raw.fmt.upper()} network")
    raws = list(raw.variables.values())
    ids = dict(zip(raw.variables, _unique([v.name for v in raws], "v"), strict=True))
    lines: dict[tuple[str | int, ...], int] = {}
    variables = []
    for i, var in enumerate(raws):
        if var.line is not None:
            lines[("variables", i)] = var.line
        if var.cpt_line is not None:
            lines[("variables", i, "cpt")] = var.cpt_line
            lines[("variables", i, "parents")] = var.cpt_line
        if var.parents is None:
            raw.problem(f"variable '{var.name}' has no CPT", var.line, fix="add its probability table")
            continue
        bad = [q for q in var.parents if q not in raw.variables]
        for q in bad:
            raw.problem(f"the CPT of '{var.name}' names an undeclared parent '{q}'{did_you_mean(q, raw.variables)}",
                        var.cpt_line, fix="declare the variable or correct the name")
        if len(var.states) < 2 or len(set(var.states)) != len(var.states):
            raw.problem(f"variable '{var.name}' needs two or more distinct states", var.line, found=str(var.states))
            continue
        if bad or var.table is None:
            continue
        table = _normalised(var, raw)
        if table is None:
            continue
        states = _unique(var.states, "s")
        renamed = [f"'{a}' -> {b}" for a, b in zip(var.states, states, strict=True) if a != b]
        parents = [ids[q] for q in var.parents]
        pstates = [_unique(raw.variables[q].states, "s") for q in var.parents]
        if parents:
            rows: Any = []
            for idx in itertools.product(*(range(len(s)) for s in pstates)):
                col = table[(slice(None), *idx)]
                rows.append(TableRow(when={q: pstates[k][j] for k, (q, j) in enumerate(zip(parents, idx, strict=True))},
                                     probs={s: float(x) for s, x in zip(states, col, strict=True)}))
        else:
            rows = {s: float(x) for s, x in zip(states, table, strict=True)}
        description = (var.description or "").strip()
        if renamed:
            description = (description + "\n" if description else "") + "States renamed from the file: " + ", ".join(renamed) + "."
        label = (var.label or "").strip() or var.name
        variables.append(VariableSpec(
            id=ids[var.name], label=label, description=description, states=states, parents=parents,
            cpt=CptSpec(table=rows, assumption=True, rationale=f"imported from {path.name}"),
        ))
    if raw.problems:
        raise ModelError(raw.problems)
    mtime = _dt.datetime.fromtimestamp(path.stat().st_mtime, tz=_dt.UTC).date()
    title = _oneline(raw.title or "")
    if title.lower() in ("", "unknown", "untitled"):  # bnlearn's BIFs are all 'network unknown'
        title = path.stem
    spec = ModelSpec(title=title, description=(raw.description or "").strip() or f"Imported from {raw.file} ({raw.fmt.upper()}).",
                     as_of=mtime, variables=variables)
    return finish(spec, Locator(LineMap(raw.file, lines)), path.parent, root=str(path.parent), name=path.stem)


def import_file(path: str | os.PathLike[str]) -> ModelSpec:
    """Read a BIF, XMLBIF, XDSL (GeNIe), NET (HUGIN) or UAI file into a validated model.

    The format is chosen by the suffix (``.bif``, ``.xml``/``.xmlbif``/``.bifxml``, ``.xdsl``,
    ``.net``, ``.uai``); XML files are told apart by their root element. Columns that miss 1 by
    at most 1e-6 are normalised. Every CPT becomes a full table marked ``assumption: true``
    with the rationale "imported from <file>". Raises :class:`~estimative.errors.ModelError`
    naming the file and line of every problem.

    Examples
    --------
    >>> import tempfile, os
    >>> from estimative import Network
    >>> path = os.path.join(tempfile.mkdtemp(), "coin.bif")
    >>> _ = open(path, "w").write('''network coin {}
    ... variable toss { type discrete [ 2 ] { heads, tails }; }
    ... probability ( toss ) { table 0.5, 0.5; }''')
    >>> Network.from_spec(import_file(path)).query("toss")["heads"]
    0.5
    """
    p = Path(path)
    file = display_path(p)
    raw = _Raw(SUFFIX_FORMATS.get(p.suffix.lower(), ""), file)
    if not raw.fmt:
        raise UsageError(f"cannot tell the format of '{file}' from its suffix", file=file,
                         expected=f"one of {sorted(SUFFIX_FORMATS)}", found=repr(p.suffix))
    if not p.is_file():
        raise ModelError(Problem("file not found" if not p.exists() else "is not a file", file=file, fix="check the path"))
    size = p.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise raw.fail("file is too large to import", expected=f"at most {MAX_IMPORT_BYTES // 2**20} MiB",
                       found=f"{size / 2**20:.1f} MiB")
    data = p.read_bytes()
    if b"\x00" in data:
        raise raw.fail(f"file is binary, not {raw.fmt.upper()} text", fix="name a text file")
    if not data.strip():
        raise raw.fail("file is empty", fix=f"name a {raw.fmt.upper()} file")
    if raw.fmt in ("xmlbif", "xdsl"):
        root = _parse_xml(data, raw)
        tag = root.tag.lower()
        if tag == "smile":
            raw.fmt = "xdsl"
            _parse_xdsl(root, raw)
        elif tag == "bif":
            raw.fmt = "xmlbif"
            _parse_xmlbif(root, raw)
        else:
            raise raw.fail(f"unknown XML document <{root.tag}>", root.line,
                           expected="<BIF> (XMLBIF) or <smile> (GeNIe XDSL)")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")  # older BIF and NET files are often Latin-1
        {"bif": _parse_bif, "net": _parse_net, "uai": _parse_uai}[raw.fmt](text, raw)
    if raw.problems:
        raise ModelError(raw.problems)
    return _build_spec(raw, p)
