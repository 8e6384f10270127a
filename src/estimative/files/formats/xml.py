"""XMLBIF 0.3 and XDSL (GeNIe/SMILE): the writers and the one XML reader they share.

Both write a flat table row-major over (parents in the listed order, child): the child's
state changes fastest, then the last parent (SMILE's "Multidimensional arrays" page; the
XMLBIF 0.3 convention used by JavaBayes and pgmpy). pyAgrum 3.3.1 reads and writes XDSL
tables of nodes with two or more parents with the *first* parent changing fastest; an XDSL
file whose ``<genie app=...>`` names aGrUM is read that way, so that files made by pyAgrum
import as pyAgrum meant them. The reader is a small DOM with line numbers; DTDs with entities
are refused (no entity expansion).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

import numpy as np

from ..._version import __version__
from ...errors import did_you_mean
from ._common import (
    NetView,
    RawNet,
    RawVar,
    ident_or_default,
    nums,
    oneline,
    property_of,
    set_flat,
    to_float,
)


def _x(text: str) -> str:
    return _xml_escape(str(text), {'"': "&quot;"})


def write_xmlbif(view: NetView) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- {_x(view.banner)} -->",
        '<BIF VERSION="0.3">',
        "<NETWORK>",
        f"  <NAME>{_x(view.name)}</NAME>",
        f"  <PROPERTY>title = {_x(view.title)}</PROPERTY>",
    ]
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
        out.append(f"    <TABLE>{nums(v.flat())}</TABLE>")
        out.append("  </DEFINITION>")
    out += ["</NETWORK>", "</BIF>"]
    return "\n".join(out) + "\n"


def _layout(view: NetView) -> dict[str, tuple[int, int, int, int]]:
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


def write_xdsl(view: NetView) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- {_x(view.banner)} -->",
        f'<smile version="1.0" id="{ident_or_default(view.name, "model")}" numsamples="10000" discsamples="10000">',
        "  <nodes>",
    ]
    for v in view.variables:
        out.append(f'    <cpt id="{v.id}">')
        out += [f'      <state id="{s}" />' for s in v.states]
        if v.parents:
            out.append(f"      <parents>{' '.join(v.parents)}</parents>")
        out.append(f"      <probabilities>{nums(v.flat())}</probabilities>")
        out.append("    </cpt>")
    out.append("  </nodes>")
    out.append("  <extensions>")
    out.append(
        f'    <genie version="1.0" app="estimative {__version__}" name="{_x(oneline(view.title))}">'
    )
    if view.description:
        out.append(f"      <comment>{_genie_comment(view.description)}</comment>")
    pos = _layout(view)
    for v in view.variables:
        out.append(f'      <node id="{v.id}">')
        out.append(f"        <name>{_x(oneline(v.label))}</name>")
        out.append('        <interior color="e5f6f7" />')
        out.append('        <outline color="000080" />')
        out.append('        <font color="000000" name="Arial" size="8" />')
        out.append(f"        <position>{' '.join(map(str, pos[v.id]))}</position>")
        if v.description:
            out.append(f"        <comment>{_genie_comment(v.description)}</comment>")
        out.append("      </node>")
    out += ["    </genie>", "  </extensions>", "</smile>"]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ in
@dataclass
class Element:
    tag: str
    attrib: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()

    def find(self, tag: str) -> Element | None:
        return next((c for c in self.children if c.tag.lower() == tag.lower()), None)

    def findall(self, tag: str) -> list[Element]:
        return [c for c in self.children if c.tag.lower() == tag.lower()]


def _parse_xml(data: bytes, raw: RawNet) -> Element:
    """A small DOM with line numbers. DTDs with entities are refused (no entity expansion)."""
    import xml.parsers.expat as expat

    parser = expat.ParserCreate()
    stack: list[Element] = []
    root: list[Element] = []

    def start(tag: str, attrib: dict[str, str]) -> None:
        el = Element(tag, attrib, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(el)
        stack.append(el)

    def end(tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].parts.append(text)

    def entity(*args: Any) -> None:
        raise raw.fail(
            "the file declares XML entities, which are not allowed",
            parser.CurrentLineNumber,
            fix="remove the <!DOCTYPE ...> / <!ENTITY ...> declarations",
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        msg = expat.errors.messages.get(exc.code, str(exc)) if hasattr(exc, "code") else str(exc)
        fix = (
            "the file ends too early: it may be truncated"
            if "no element found" in msg or "unclosed token" in msg
            else "check that the file is well-formed XML"
        )
        raise raw.fail(
            f"not well-formed XML: {msg}", exc.lineno, found=f"column {exc.offset + 1}", fix=fix
        ) from None
    if not root:
        raise raw.fail("the XML file has no root element")
    return root[0]


def _xml_numbers(el: Element, raw: RawNet, what: str) -> np.ndarray:
    return np.asarray([to_float(x, raw, el.line, what) for x in el.text.split()], dtype=float)


def _read_xmlbif(root: Element, raw: RawNet) -> None:
    net = root.find("NETWORK")
    if net is None:
        raise raw.fail("an XMLBIF file needs a <NETWORK> element inside <BIF>", root.line)
    name = net.find("NAME")
    raw.title = name.text if name is not None and name.text else None
    for prop in net.findall("PROPERTY"):
        key, value = property_of(prop.text)
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
            raise raw.fail(
                f"variable '{nm.text}' is of TYPE '{kind}'",
                el.line,
                expected='TYPE="nature"',
                fix="only chance variables are supported",
            )
        var = RawVar(nm.text, [o.text for o in el.findall("OUTCOME")], line=el.line)
        for prop in el.findall("PROPERTY"):
            key, value = property_of(prop.text)
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
        target = raw.variables.get(for_.text)
        if target is None:
            raw.problem(
                f"<{el.tag}> for undeclared variable '{for_.text}'{did_you_mean(for_.text, raw.variables)}",
                el.line,
            )
            continue
        if target.parents is not None:
            raw.problem(
                f"variable '{target.name}' has two <{el.tag}> elements", el.line, fix="keep one"
            )
            continue
        target.parents, target.cpt_line = [g.text for g in el.findall("GIVEN")], el.line
        table = el.find("TABLE")
        if table is None:
            raw.problem(f"<{el.tag}> of '{target.name}' has no <TABLE>", el.line)
            continue
        set_flat(target, _xml_numbers(table, raw, f"table of {target.name}"), raw, table.line)


def _read_xdsl(root: Element, raw: RawNet) -> None:
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
            raise raw.fail(
                f"node '{vid}' is a <{el.tag}>",
                el.line,
                expected="<cpt>",
                fix="only chance nodes with full CPTs are supported (convert noisy-MAX, equation and "
                "decision nodes in GeNIe first)",
            )
        var = RawVar(vid, [s.attrib.get("id", "") for s in el.findall("state")], line=el.line)
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
        set_flat(var, flat, raw, line, first_parent_fastest=agrum)
    if genie is not None:
        comment = genie.find("comment")
        raw.description = comment.text.replace("\\n", "\n") if comment is not None else None
        for node in genie.findall("node"):
            target = raw.variables.get(node.attrib.get("id", ""))
            if target is None:
                continue
            nm, cm = node.find("name"), node.find("comment")
            target.label = nm.text if nm is not None else None
            target.description = cm.text.replace("\\n", "\n") if cm is not None else None


def read_xml(data: bytes, raw: RawNet) -> None:
    """Read an XMLBIF or an XDSL file, told apart by the root element; set ``raw.fmt``."""
    root = _parse_xml(data, raw)
    tag = root.tag.lower()
    if tag == "smile":
        raw.fmt = "xdsl"
        _read_xdsl(root, raw)
    elif tag == "bif":
        raw.fmt = "xmlbif"
        _read_xmlbif(root, raw)
    else:
        raise raw.fail(
            f"unknown XML document <{root.tag}>",
            root.line,
            expected="<BIF> (XMLBIF) or <smile> (GeNIe XDSL)",
        )
