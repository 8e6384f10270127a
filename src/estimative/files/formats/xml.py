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
from . import genie_noisy, genie_time
from ._common import (
    NetView,
    RawNet,
    RawVar,
    drawn_positions,
    genie_rectangle,
    ident_or_default,
    num,
    nums,
    oneline,
    position_of,
    position_text,
    property_of,
    set_flat,
    to_float,
)
from ._names import NAMES_PROPERTY, written_names


def _x(text: str) -> str:
    return _xml_escape(str(text), {'"': "&quot;"})


#: pgmpy splits a <PROPERTY> at every '=' (and raises on a second one), so estimative writes
#: '=' in a property's value as U+FF1D FULLWIDTH EQUALS SIGN and turns it back on reading a file
#: it wrote (one that carries the estimative_hash property).
_EQ = "\uff1d"


def _prop(key: str, value: str) -> str:
    return f"<PROPERTY>{key} = {_x(str(value).replace('=', _EQ))}</PROPERTY>"


def _flat_values(values: np.ndarray) -> str:
    return nums(np.asarray(values, dtype=float).ravel())  # row-major: the last parent fastest


def _identifier_ok(name: str) -> bool:
    return name.isidentifier()


def write_xmlbif(view: NetView) -> str:
    """XMLBIF 0.3 with the influence-diagram types pyAgrum's ``loadID`` reads: decisions are
    ``TYPE="decision"`` (GIVEN: what they observe, no table) and utility attributes
    ``TYPE="utility"`` (one outcome; the table is weight x value)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- {_x(view.banner)} -->",
        '<BIF VERSION="0.3">',
        "<NETWORK>",
        f"  <NAME>{_x(view.name)}</NAME>",
        f"  {_prop('title', view.title)}",
    ]
    if view.description:
        out.append(f"  {_prop('description', view.description)}")
    out.append(f"  {_prop('estimative_hash', view.hash)}")
    if view.utilities:
        out.append(f"  {_prop('estimative_utility_unit', view.unit)}")
    for v in view.variables:
        out.append(f'  <VARIABLE TYPE="{"decision" if v.kind == "decision" else "nature"}">')
        out.append(f"    <NAME>{_x(v.id)}</NAME>")
        out += [f"    <OUTCOME>{_x(s)}</OUTCOME>" for s in v.states]
        out.append(f"    {_prop('label', v.label)}")
        if v.description:
            out.append(f"    {_prop('description', v.description)}")
        if v.position is not None:
            out.append(f"    {_prop('position', position_text(v.position))}")
        if v.baseline is not None:
            out.append(f"    {_prop('estimative_baseline', v.baseline)}")
        if (bp := v.baseline_parents()) is not None:
            out.append(f"    {_prop('estimative_baseline_parents', bp)}")
        out += [f"    {_prop(key, value)}" for key, value in v.alias_properties().items()]
        out.append("  </VARIABLE>")
    for u in view.utilities:
        out += ['  <VARIABLE TYPE="utility">', f"    <NAME>{_x(u.id)}</NAME>"]
        out += ["    <OUTCOME>utility</OUTCOME>", f"    {_prop('label', u.label)}"]
        if u.description:
            out.append(f"    {_prop('description', u.description)}")
        if u.position is not None:
            out.append(f"    {_prop('position', position_text(u.position))}")
        out += [f"    {_prop('estimative_weight', num(u.weight))}", "  </VARIABLE>"]
    for v in view.variables:
        out.append("  <DEFINITION>")
        out.append(f"    <FOR>{_x(v.id)}</FOR>")
        if v.kind == "decision":
            out += [f"    <GIVEN>{_x(p)}</GIVEN>" for p in view.informed(v)]
        else:
            out += [f"    <GIVEN>{_x(p)}</GIVEN>" for p in v.parents]
            out.append(f"    <TABLE>{nums(v.flat())}</TABLE>")
        out.append("  </DEFINITION>")
    for u in view.utilities:
        out += ["  <DEFINITION>", f"    <FOR>{_x(u.id)}</FOR>"]
        out += [f"    <GIVEN>{_x(p)}</GIVEN>" for p in u.over]
        out += [f"    <TABLE>{_flat_values(u.values * u.weight)}</TABLE>", "  </DEFINITION>"]
    out += ["</NETWORK>", "</BIF>"]
    return "\n".join(out) + "\n"


def _center(text: str) -> tuple[float, float] | None:
    """The centre of GeNIe's ``left top right bottom``; ``None`` if it is not four numbers."""
    try:
        left, top, right, bottom = (float(x) for x in text.split())
    except ValueError:
        return None
    x, y = left / 2 + right / 2, top / 2 + bottom / 2
    return (x, y) if np.isfinite(x) and np.isfinite(y) else None


def diagtype(observable: bool) -> str:
    """GeNIe's diagnostic role of a chance node that can (``observation``) or cannot
    (``auxiliary``) be watched, as the model's ``observable`` says."""
    return "observation" if observable else "auxiliary"


def _genie_comment(text: str) -> str:
    """GeNIe writes a line break in a comment as the two characters \\n."""
    return _x(text.strip().replace("\n", "\\n"))


def write_xdsl(view: NetView) -> str:
    """GeNIe's XDSL: chance nodes as ``<cpt>``, decisions as ``<decision>`` (parents: what they
    observe), utility attributes as ``<utility>`` and, when there are several or a weight is
    not 1, a ``<mau>`` node holding the weights. Ids GeNIe cannot hold are written as safe
    identifiers with the originals in an ``estimative_names`` property."""
    model, view = view, genie_noisy.genie_order(view)  # noisy-MAX nodes: GeNIe's state order
    names = written_names(
        [*((v.id, v.states) for v in view.variables), *((u.id, ()) for u in view.utilities)],
        variable_fits=_identifier_ok,
        state_fits=_identifier_ok,
    )
    w = names.variables

    def node_props(vid: str) -> list[str]:
        rec = names.records.get(vid)
        return [f'      <property id="{NAMES_PROPERTY}">{rec}</property>'] if rec else []

    def alias_props(v: Any) -> list[str]:
        return [
            f'      <property id="{key}">{value}</property>'
            for key, value in v.alias_properties().items()
        ]

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- {_x(view.banner)} -->",
        f'<smile version="1.0" id="{ident_or_default(view.name, "model")}" numsamples="10000" discsamples="10000">',
        "  <nodes>",
    ]
    roles = any(not v.observable for v in view.variables if v.kind != "decision")
    for v in view.variables:
        # GeNIe's diagnostic roles hold which variables can be watched: its observation
        # nodes; the others are auxiliary (estimative reads targets as auxiliary too)
        diag = f' diagtype="{diagtype(v.observable)}"' if roles and v.kind != "decision" else ""
        if v.noisy is not None:
            out += genie_noisy.noisymax_lines(
                model.var(v.id), model, view, w, names.states[v.id], diag
            )
            out += [*node_props(v.id), *alias_props(v), "    </noisymax>"]
            continue
        tag = "decision" if v.kind == "decision" else "cpt"
        out.append(f'    <{tag} id="{_x(w[v.id])}"{diag}>')
        labels = v.state_labels or (None,) * len(v.states)
        out += [
            f'      <state id="{_x(s)}"{f" label={chr(34)}{_x(lab)}{chr(34)}" if lab else ""} />'
            for s, lab in zip(names.states[v.id], labels, strict=True)
        ]
        parents = view.informed(v) if v.kind == "decision" else v.parents
        if parents:
            out.append(f"      <parents>{' '.join(w[p] for p in parents)}</parents>")
        if v.kind != "decision":
            out.append(f"      <probabilities>{nums(v.flat())}</probabilities>")
        out += node_props(v.id)
        if v.baseline is not None:
            out.append(f'      <property id="estimative_baseline">{v.baseline}</property>')
        if (bp := v.baseline_parents(w)) is not None:
            out.append(f'      <property id="estimative_baseline_parents">{bp}</property>')
        out += alias_props(v)
        out.append(f"    </{tag}>")
    mau = None
    if len(view.utilities) > 1 or any(u.weight != 1 for u in view.utilities):
        mau = next(
            c
            for c in ("total_utility", *(f"total_utility_{k}" for k in range(2, 10**6)))
            if c not in w.values()
        )
    for u in view.utilities:
        out.append(f'    <utility id="{_x(w[u.id])}">')
        out.append(f"      <parents>{' '.join(w[p] for p in u.over)}</parents>")
        out.append(f"      <utilities>{_flat_values(u.values)}</utilities>")
        out += node_props(u.id)
        if u is view.utilities[0]:
            out.append(f'      <property id="estimative_utility_unit">{_x(view.unit)}</property>')
        out.append("    </utility>")
    if mau is not None:
        out.append(f'    <mau id="{mau}">')
        out.append(f"      <parents>{' '.join(w[u.id] for u in view.utilities)}</parents>")
        out.append(f"      <weights>{nums([u.weight for u in view.utilities])}</weights>")
        out.append("    </mau>")
    out.append("  </nodes>")
    out.append("  <extensions>")
    out.append(
        f'    <genie version="1.0" app="estimative {__version__}" name="{_x(oneline(view.title))}">'
    )
    if view.description:
        out.append(f"      <comment>{_genie_comment(view.description)}</comment>")
    pos = drawn_positions(view)  # the model's (a file's) positions, else the house layout
    texts = [
        (v.id, v.label, genie_noisy.comment_text(v.description, v.provenance))
        for v in view.variables
    ]
    texts += [(u.id, u.label, u.description) for u in view.utilities]
    for vid, label, description in texts:
        out.append(f'      <node id="{_x(w[vid])}">')
        out.append(f"        <name>{_x(oneline(label))}</name>")
        out.append('        <interior color="e5f6f7" />')
        out.append('        <outline color="000080" />')
        out.append('        <font color="000000" name="Arial" size="8" />')
        out.append(f"        <position>{genie_rectangle(pos[vid])}</position>")
        if description:
            out.append(f"        <comment>{_genie_comment(description)}</comment>")
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


def _props(el: Element, tag: str) -> dict[str, str]:
    out = {}
    for prop in el.findall(tag):
        key, value = property_of(prop.text)
        out[key] = value
    return out


def _read_xmlbif(root: Element, raw: RawNet) -> None:
    net = root.find("NETWORK")
    if net is None:
        raise raw.fail("an XMLBIF file needs a <NETWORK> element inside <BIF>", root.line)
    name = net.find("NAME")
    raw.title = name.text if name is not None and name.text else None
    props = _props(net, "PROPERTY")
    ours = "estimative_hash" in props

    def text(value: str | None) -> str | None:
        return value.replace(_EQ, "=") if ours and value is not None else value

    raw.title = text(props.get("title")) or raw.title
    raw.description = text(props.get("description"))
    raw.unit = text(props.get("estimative_utility_unit"))
    for el in net.findall("VARIABLE"):
        kind = el.attrib.get("TYPE", "nature")
        nm = el.find("NAME")
        if nm is None or not nm.text:
            raw.problem("a <VARIABLE> has no <NAME>", el.line)
            continue
        if kind not in ("nature", "decision", "utility"):
            raise raw.fail(
                f"variable '{nm.text}' is of TYPE '{kind}'",
                el.line,
                expected='TYPE="nature", "decision" or "utility"',
            )
        states = [o.text for o in el.findall("OUTCOME")]
        var = RawVar(nm.text, ["utility"] if kind == "utility" else states, line=el.line)
        var.kind = "chance" if kind == "nature" else kind
        vprops = _props(el, "PROPERTY")
        var.label, var.description = text(vprops.get("label")), text(vprops.get("description"))
        if "estimative_weight" in vprops:
            var.weight = to_float(vprops["estimative_weight"], raw, el.line, "estimative_weight")
        var.names, var.baseline = vprops.get(NAMES_PROPERTY), vprops.get("estimative_baseline")
        var.baseline_parents = vprops.get("estimative_baseline_parents")
        var.aliases = vprops.get("estimative_aliases")
        var.state_aliases = vprops.get("estimative_state_aliases")
        var.position = position_of(vprops.get("position"))
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
        if target.kind == "decision":
            continue  # GIVEN: what the decision observes; a decision has no table
        if table is None:
            raw.problem(f"<{el.tag}> of '{target.name}' has no <TABLE>", el.line)
            continue
        flat = _xml_numbers(table, raw, f"table of {target.name}")
        if target.kind == "utility" and target.weight not in (None, 0.0):
            flat = flat / target.weight  # estimative writes weight x value
        set_flat(target, flat, raw, table.line)


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
    flats: list[tuple[RawVar, np.ndarray, int]] = []
    noisies: list[tuple[RawVar, Element, str | None]] = []
    weights: list[tuple[Element, list[str]]] = []
    plate, transitions = _plate(root, raw)
    for el in [*nodes.children, *plate]:
        vid = el.attrib.get("id", "")
        props = {p.attrib.get("id", ""): p.text for p in el.findall("property")}
        if el in plate:
            if el.tag != "cpt":
                raw.problem(
                    f"node '{vid}' of the temporal plate is a <{el.tag}>",
                    el.line,
                    expected="chance nodes (<cpt>) in the plate",
                )
                continue
            raw.time_record = raw.time_record or props.get(genie_time.TIME_PROPERTY)
        par = el.find("parents")
        parents = par.text.split() if par is not None else []
        if el.tag == "mau":
            weights.append((el, parents))
            continue
        if el.tag not in ("cpt", "decision", "utility", "deterministic", "noisymax"):
            raise raw.fail(
                f"node '{vid}' is a <{el.tag}>",
                el.line,
                expected="<cpt>, <noisymax>, <deterministic>, <decision>, <utility> or <mau>",
                fix="convert equation and other canonical nodes to CPTs in GeNIe first",
            )
        states = [s.attrib.get("id", "") for s in el.findall("state")]
        kind = {"decision": "decision", "utility": "utility"}.get(el.tag, "chance")
        var = RawVar(vid, ["utility"] if kind == "utility" else states, line=el.line, kind=kind)
        var.parents, var.cpt_line, var.names = parents, el.line, props.get(NAMES_PROPERTY)
        var.state_labels = {
            s.attrib.get("id", ""): s.attrib["label"]
            for s in el.findall("state")
            if "label" in s.attrib
        }
        var.diagtype = el.attrib.get("diagtype")
        var.baseline, var.plate = props.get("estimative_baseline"), el in plate
        var.baseline_parents = props.get("estimative_baseline_parents")
        var.aliases = props.get("estimative_aliases")
        var.state_aliases = props.get("estimative_state_aliases")
        raw.unit = raw.unit or props.get("estimative_utility_unit")
        raw.add(var)
        if el.tag == "noisymax":
            noisies.append((var, el, props.get(genie_noisy.FORM_PROPERTY)))
        elif el.tag == "deterministic":
            res = el.find("resultingstates")
            if res is None:
                raw.problem(f"node '{vid}' has no <resultingstates>", el.line)
                continue
            picks = res.text.split()
            bad = [x for x in picks if x not in states]
            if bad:
                raw.problem(f"'{bad[0]}' is not a state of '{vid}'", res.line)
                continue
            flat = np.zeros((len(picks), len(states)))
            flat[np.arange(len(picks)), [states.index(x) for x in picks]] = 1.0
            flats.append((var, flat.ravel(), res.line))
        elif kind != "decision":
            tag = "utilities" if kind == "utility" else "probabilities"
            probs = el.find(tag)
            if probs is None:
                raw.problem(f"node '{vid}' has no <{tag}>", el.line)
            else:
                flats.append((var, _xml_numbers(probs, raw, f"{tag} of {vid}"), probs.line))
    for var, flat, line in flats:
        set_flat(var, flat, raw, line, first_parent_fastest=agrum and var.kind == "chance")
    for el in transitions:
        genie_time.read_transition(el, raw, _xml_numbers)
    for var, el, form in noisies:
        genie_noisy.read_noisymax(var, el, raw, _xml_numbers, form)
    reordered = genie_noisy.lowest_first(raw)
    ours = genie is not None and genie.attrib.get("app", "").startswith("estimative")
    if not ours:
        raw.reordered = reordered
    for el, parents in weights:
        w_el = el.find("weights")
        ws = _xml_numbers(w_el, raw, "weights") if w_el is not None else np.ones(len(parents))
        if len(ws) != len(parents) or any(
            raw.variables.get(q) is None or raw.variables[q].kind != "utility" for q in parents
        ):
            raw.problem(
                f"MAU node '{el.attrib.get('id', '')}' needs one weight per utility parent",
                el.line,
                found=f"parents {parents}, weights {list(ws)}",
            )
            continue
        for q, wt in zip(parents, ws, strict=True):
            raw.variables[q].weight = float(wt)
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
            at = node.find("position")
            target.position = _center(at.text) if at is not None else None
            if ours and target.description:
                target.description, target.provenance = genie_noisy.split_comment(
                    target.description
                )


def _plate(root: Element, raw: RawNet) -> tuple[list[Element], list[Element]]:
    """GeNIe's temporal plate (``<dynamic numslices=...>``): its nodes and their ``order``
    definitions; sets ``raw.slices``. Empty for a file without a plate."""
    dyn = root.find("dynamic")
    if dyn is None:
        return [], []
    text = dyn.attrib.get("numslices", "")
    if not text.isdigit() or int(text) < 1:
        raise raw.fail(
            "the temporal plate needs a number of slices",
            dyn.line,
            expected='<dynamic numslices="N"> with N >= 1',
            found=repr(text),
        )
    if int(text) > genie_time.MAX_SLICES:
        raise raw.fail(
            f"the temporal plate has {text} slices",
            dyn.line,
            expected=f"at most {genie_time.MAX_SLICES}",
        )
    raw.slices = int(text)
    nodes = [el for el in dyn.children if "order" not in el.attrib]
    return nodes, [el for el in dyn.children if "order" in el.attrib]


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
