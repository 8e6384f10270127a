"""Export to BIF, XMLBIF, XDSL, NET and UAI, read back by independent readers; import back in.

References come from pyAgrum (its file readers and LazyPropagation) and pgmpy (its file readers
and the networks it ships), never from estimative's own inference on the same file.

What pyAgrum 3.3.1 keeps of a file (measured in ``test_pyagrum_reader_precision``):

- XMLBIF (``.bifxml``) and XDSL numbers are parsed as C ``double``: marginals match to 1e-9
  (measured <= 1e-15).
- BIF, NET and UAI numbers are parsed as C ``float`` (its Coco/R grammars store
  ``std::vector<float>``), about 7 significant digits. No file can do better in pyAgrum: the
  marginals then match within 1e-7 (measured at most 2e-8 on the example, asia, alarm and
  insurance), and each CPT entry pyAgrum holds equals our entry rounded to float32 exactly. That
  these three files carry every double is shown by reading them back with pgmpy's readers
  (BIF, NET) and by our own reader (UAI): the CPTs come back bit for bit.
- XDSL and UAI tables of nodes with two or more parents are read with the first parent
  changing fastest, where GeNIe (SMILE's documentation) and the UAI format have the last parent
  changing fastest. We write the standard layout (pgmpy reads our XDSL files bit for bit); the
  tests calibrate pyAgrum's layout on a hand-written probe and undo it before comparing.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network, UsageError
from estimative.cli import main
from estimative.files import FORMATS, export_network, export_text, import_file

gum = pytest.importorskip("pyagrum")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "models" / "example"
BUNDLED = ("asia", "alarm", "insurance")
#: File suffix pyAgrum needs for each format (it picks its reader by suffix).
AGRUM_SUFFIX = {"bif": ".bif", "xmlbif": ".bifxml", "xdsl": ".xdsl", "net": ".net", "uai": ".uai"}
#: Tolerance of pyAgrum's marginals against ours, per format (see the module docstring).
TOLERANCE = {"xmlbif": 1e-9, "xdsl": 1e-9, "bif": 1e-7, "net": 1e-7, "uai": 1e-7}
FLOAT32_READERS = {"bif", "net", "uai"}


def _bundled_bif(name: str) -> str:
    import pgmpy

    path = Path(pgmpy.__file__).parent / "utils" / "example_models" / f"{name}.bif.gz"
    return gzip.decompress(path.read_bytes()).decode()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("bundled")
    for name in BUNDLED:
        (d / f"{name}.bif").write_text(_bundled_bif(name))
    return d


@pytest.fixture(scope="module")
def networks(files: Path) -> dict[str, Network]:
    nets = {"example": Network.from_file(EXAMPLE)}
    for name in BUNDLED:
        nets[name] = Network.from_file(files / f"{name}.bif")
    return nets


@pytest.fixture(scope="module")
def marginals(networks: dict[str, Network]) -> dict[str, dict[str, dict[str, float]]]:
    return {k: {v: net.query(v).to_dict() for v in net.variables} for k, net in networks.items()}


# ------------------------------------------------------------------------------ pyAgrum helpers
def _agrum_array(bn: object, name: str, order: list[str]) -> np.ndarray:
    """pyAgrum's CPT of ``name`` as an array with axes in ``order`` (names as pyAgrum has them)."""
    pot = bn.cpt(name)  # type: ignore[attr-defined]
    axes = list(reversed(pot.names))  # toarray() lists the variables last-to-first
    return np.transpose(pot.toarray(), [axes.index(n) for n in order])


def _probe_text(fmt: str) -> str:
    """c | a, b with P(c=c0 | a=i, b=j) = 0.1 * (1 + 3i + j): the standard layout, row-major over
    (a, b, c), as SMILE's documentation and the UAI format define it."""
    flat = [x for i in range(2) for j in range(3) for x in (0.1 * (1 + 3 * i + j), 1 - 0.1 * (1 + 3 * i + j))]
    nums = " ".join(repr(x) for x in flat)
    if fmt == "uai":
        return f"BAYES\n3\n2 3 2\n3\n1 0\n1 1\n3 0 1 2\n\n2\n0.5 0.5\n3\n0.2 0.3 0.5\n12\n{nums}\n"
    return (
        '<?xml version="1.0"?>\n<smile version="1.0" id="probe"><nodes>\n'
        '<cpt id="a"><state id="a0"/><state id="a1"/><probabilities>0.5 0.5</probabilities></cpt>\n'
        '<cpt id="b"><state id="b0"/><state id="b1"/><state id="b2"/><probabilities>0.2 0.3 0.5</probabilities></cpt>\n'
        f'<cpt id="c"><state id="c0"/><state id="c1"/><parents>a b</parents><probabilities>{nums}</probabilities></cpt>\n'
        '</nodes><extensions><genie version="1.0" app="hand" name="probe"><node id="a"><name>a</name></node>'
        '<node id="b"><name>b</name></node><node id="c"><name>c</name></node></genie></extensions></smile>\n'
    )


PROBE_P_C0 = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])  # [a, b], by hand from the layout


@pytest.fixture(scope="module")
def agrum_first_parent_fastest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bool]:
    """For XDSL and UAI: does this pyAgrum read multi-parent tables with the first parent fastest?"""
    d = tmp_path_factory.mktemp("probe")
    out = {}
    for fmt in ("xdsl", "uai"):
        path = d / f"probe.{fmt}"
        path.write_text(_probe_text(fmt))
        bn = gum.loadBN(str(path))
        names = ["a", "b", "c"] if fmt == "xdsl" else ["0", "1", "2"]
        got = _agrum_array(bn, names[2], names)[:, :, 0]
        swapped = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])  # flat read as (b, a, c)
        if np.allclose(got, PROBE_P_C0, atol=1e-7):
            out[fmt] = False
        elif np.allclose(got, swapped, atol=1e-7):
            out[fmt] = True
        else:
            pytest.fail(f"pyAgrum reads the {fmt} probe in neither layout: {got}")
    return out


def _undo_first_parent_fastest(bn: object) -> None:
    """Refill each CPT with 2+ parents so that pyAgrum holds what the file means (standard layout)."""
    for node in bn.nodes():  # type: ignore[attr-defined]
        pot = bn.cpt(node)  # type: ignore[attr-defined]
        if len(pot.names) < 3:
            continue
        flat = pot.toarray().ravel()  # the file's numbers, in the file's order
        child, *parents = pot.names
        cards = [bn.variable(n).domainSize() for n in parents]  # type: ignore[attr-defined]
        table = flat.reshape(*cards, bn.variable(child).domainSize())  # type: ignore[attr-defined]
        pot.fillWith(np.transpose(table, [*reversed(range(len(parents))), len(parents)]).ravel().tolist())


def _agrum_load(path: Path, fmt: str, fix: dict[str, bool]) -> object:
    bn = gum.loadBN(str(path))
    if fix.get(fmt):
        _undo_first_parent_fastest(bn)
    return bn


def _names(net: Network, fmt: str) -> dict[str, str]:
    """Our variable id -> pyAgrum's name (XDSL: pyAgrum renames nodes to the GeNIe <name>,
    our label; UAI has no names: pyAgrum uses the index)."""
    if fmt == "uai":
        return {v: str(i) for i, v in enumerate(net.variables)}
    if fmt == "xdsl":
        return {v: net.spec.variable(v).label for v in net.variables}
    return {v: v for v in net.variables}


def _agrum_labels(net: Network, v: str, fmt: str) -> list[str]:
    return [str(i) for i in range(len(net.states[v]))] if fmt == "uai" else list(net.states[v])


# ------------------------------------------------------------------------------ export
@pytest.mark.parametrize("name", ["example", *BUNDLED])
@pytest.mark.parametrize("fmt", FORMATS)
def test_pyagrum_reads_export_with_same_marginals(
    fmt: str, name: str, networks: dict[str, Network], marginals: dict, agrum_first_parent_fastest: dict,
    tmp_path: Path,
) -> None:
    net = networks[name]
    path = export_network(net, fmt, tmp_path / f"{name}{AGRUM_SUFFIX[fmt]}")
    bn = _agrum_load(path, fmt, agrum_first_parent_fastest)
    names = _names(net, fmt)
    assert sorted(bn.names()) == sorted(names.values())
    ie = gum.LazyPropagation(bn)
    ie.makeInference()
    worst = 0.0
    for v in net.variables:
        post = ie.posterior(names[v])
        labels = _agrum_labels(net, v, fmt)
        agrum = dict(zip(bn.variable(names[v]).labels(), post.tolist(), strict=True))
        ours = marginals[name][v]
        worst = max(worst, *(abs(agrum[lab] - ours[s]) for lab, s in zip(labels, net.states[v], strict=True)))
    assert worst <= TOLERANCE[fmt], f"{fmt} {name}: max marginal difference {worst:.3g}"
    if fmt in FLOAT32_READERS:
        # pyAgrum holds exactly our numbers rounded to float32: the layout is right, the file is
        # as precise as this reader allows.
        for v in net.variables:
            order = [names[v], *(names[p] for p in net.parents[v])]
            got = _agrum_array(bn, names[v], order)
            assert np.array_equal(got, net.cpt(v).astype(np.float32).astype(float)), v


@pytest.mark.parametrize("fmt", ["bif", "xmlbif", "xdsl", "net"])
def test_pgmpy_reads_export_bit_for_bit(fmt: str, networks: dict[str, Network], tmp_path: Path) -> None:
    from pgmpy.readwrite import BIFReader, NETReader, XDSLReader, XMLBIFReader

    reader = {"bif": BIFReader, "xmlbif": XMLBIFReader, "xdsl": XDSLReader, "net": NETReader}[fmt]
    for name in ("example", "asia"):  # nodes with 0, 1, 2 and 3 parents (pgmpy's readers are slow on alarm)
        net = networks[name]
        path = export_network(net, fmt, tmp_path / f"{name}.{fmt}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = reader(str(path)).get_model()
        assert set(model.nodes()) == set(net.variables)
        for cpd in model.get_cpds():
            v = cpd.variable
            cpd = cpd.copy()
            if list(cpd.variables[1:]) != list(net.parents[v]):
                cpd.reorder_parents(list(net.parents[v]))
            index = np.ix_(*[[list(map(str, cpd.state_names[x])).index(s) for s in net.states[x]]
                             for x in [v, *net.parents[v]]])
            assert np.array_equal(cpd.values[index], net.cpt(v)), (fmt, name, v)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_through_our_reader_is_exact(fmt: str, networks: dict[str, Network], tmp_path: Path) -> None:
    for name in ("example", "insurance"):
        net = networks[name]
        back = Network.from_spec(import_file(export_network(net, fmt, tmp_path / f"{name}{AGRUM_SUFFIX[fmt]}")))
        if fmt == "uai":  # no names in UAI: variables v<i>, states s<j>, in the order written
            assert back.variables == tuple(f"v{i}" for i in range(len(net.variables)))
            pairs = list(zip(net.variables, back.variables, strict=True))
        else:
            pairs = [(v, v) for v in net.variables]
            assert {v: back.states[v] for v in back.variables} == {v: net.states[v] for v in net.variables}
        for v, w in pairs:
            assert np.array_equal(back.cpt(w), net.cpt(v)), (fmt, name, v)


def test_pyagrum_reader_precision(tmp_path: Path) -> None:
    """The claim in DESIGN.md, measured: pyAgrum's BIF (and NET, UAI) reader rounds numbers to
    float32; its XMLBIF and XDSL readers keep doubles."""
    p = 0.1234567890123456
    q = repr(1 - p)
    texts = {
        "bif": f"network t {{}}\nvariable a {{ type discrete [ 2 ] {{ x, y }}; }}\nprobability ( a ) {{ table {p!r}, {q}; }}\n",
        "net": f'net {{}}\nnode a {{ states = ("x" "y"); }}\npotential (a) {{ data = ({p!r} {q}); }}\n',
        "uai": f"BAYES\n1\n2\n1\n1 0\n\n2\n{p!r} {q}\n",
        "bifxml": ('<?xml version="1.0"?><BIF VERSION="0.3"><NETWORK><NAME>t</NAME><VARIABLE TYPE="nature">'
                   f"<NAME>a</NAME><OUTCOME>x</OUTCOME><OUTCOME>y</OUTCOME></VARIABLE><DEFINITION><FOR>a</FOR>"
                   f"<TABLE>{p!r} {q}</TABLE></DEFINITION></NETWORK></BIF>"),
        "xdsl": ('<?xml version="1.0"?><smile version="1.0" id="t"><nodes><cpt id="a"><state id="x"/><state id="y"/>'
                 f'<probabilities>{p!r} {q}</probabilities></cpt></nodes><extensions><genie version="1.0" app="hand" '
                 'name="t"><node id="a"><name>a</name></node></genie></extensions></smile>'),
    }
    read = {}
    for ext, text in texts.items():
        path = tmp_path / f"t.{ext}"
        path.write_text(text)
        bn = gum.loadBN(str(path))  # keep the network alive while its CPT is read
        read[ext] = bn.cpt(0).tolist()[0]
        assert import_file(path).variables[0].table[0] == p  # our reader keeps the double
    assert read["bifxml"] == read["xdsl"] == p
    for ext in ("bif", "net", "uai"):
        assert read[ext] == float(np.float32(p)) != p
        assert abs(read[ext] - p) == pytest.approx(2.03e-9, rel=0.01)


def test_probe_layout_is_read_by_the_standard(tmp_path: Path) -> None:
    """Our reader applies the layout the probe was written in (SMILE docs, UAI format)."""
    for fmt in ("xdsl", "uai"):
        path = tmp_path / f"probe.{fmt}"
        path.write_text(_probe_text(fmt))
        c = import_file(path).variables[2].table
        assert np.allclose(c[0], PROBE_P_C0, atol=1e-15), fmt


def test_text_survives_where_the_format_has_room(tmp_path: Path) -> None:
    net = Network.from_file(EXAMPLE)
    for fmt in ("bif", "xmlbif", "xdsl", "net"):
        text = export_text(net, fmt)
        assert net.model_hash in text, fmt
        back = import_file(export_network(net, fmt, tmp_path / f"m.{fmt}"))
        assert back.title == net.spec.title, fmt
        for v in net.spec.variables:
            w = back.variable(v.id)
            assert w.label == v.label, (fmt, v.id)
            if fmt in ("xmlbif", "xdsl"):  # XML keeps line breaks; BIF and NET fold them
                assert w.description == v.description.strip(), (fmt, v.id)
            else:
                assert w.description == " ".join(v.description.split()), (fmt, v.id)
    assert "misread_intent" not in export_text(net, "uai")  # UAI has no room for names


def test_text_with_format_syntax_is_escaped(tmp_path: Path) -> None:
    spec = Network.from_file(EXAMPLE).spec
    v0 = spec.variables[0]
    tricky = 'say "no"; a {b} = c <d> & \\e'
    new = spec.model_copy(update={"variables": [v0.model_copy(update={"label": tricky, "description": tricky}),
                                                *spec.variables[1:]]})
    for old, v in zip(spec.variables, new.variables, strict=True):
        v._table = old._table
    net = Network.from_spec(new)
    for fmt in ("bif", "xmlbif", "xdsl", "net"):
        back = import_file(export_network(net, fmt, tmp_path / f"t{AGRUM_SUFFIX[fmt]}"))
        # XML escapes everything; BIF has no escapes (pyAgrum ends a property at ';', pgmpy
        # splits it at '=' and drops quotes); NET strings end at '"'.
        expected = {"xmlbif": tricky, "xdsl": tricky, "bif": "say 'no', a (b) - c <d> & \\e",
                    "net": "say 'no'; a {b} = c <d> & /e"}[fmt]
        assert back.variable(v0.id).label == expected
        bn = gum.loadBN(str(tmp_path / f"t{AGRUM_SUFFIX[fmt]}"))  # still readable by pyAgrum
        assert bn.size() == len(net.variables)


def test_export_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net = Network.from_file(EXAMPLE)
    target = tmp_path / "m.bif"
    target.write_text("old contents")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        export_network(net, "bif", target)
    assert target.read_text() == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.bif"]
    monkeypatch.undo()
    export_network(net, "bif", target)
    assert target.read_text() == export_text(net, "bif")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.bif"]


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="did you mean 'xdsl'"):
        export_network(Network.from_file(EXAMPLE), "xdls", tmp_path / "m.xdsl")


# ------------------------------------------------------------------------------ import
@pytest.mark.parametrize("name", BUNDLED)
def test_import_bundled_bif_matches_pgmpy(name: str, networks: dict[str, Network]) -> None:
    from pgmpy.utils import get_example_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = get_example_model(name)
    net = networks[name]
    assert set(model.nodes()) == set(net.variables)
    for cpd in model.get_cpds():
        v = cpd.variable
        cpd = cpd.copy()
        if list(cpd.variables[1:]) != list(net.parents[v]):
            cpd.reorder_parents(list(net.parents[v]))
        index = np.ix_(*[[list(map(str, cpd.state_names[x])).index(s) for s in net.states[x]]
                         for x in [v, *net.parents[v]]])
        ref = cpd.values[index]
        assert np.abs(ref.sum(axis=0) - 1).max() <= 1e-6  # bnlearn columns miss 1 by up to 1e-7
        assert np.allclose(net.cpt(v), ref / ref.sum(axis=0), rtol=0, atol=1e-15), v
        assert np.abs(net.cpt(v).sum(axis=0) - 1).max() <= 1e-15
    spec = net.spec
    assert all(v.cpt.assumption and v.cpt.rationale.startswith("imported from") for v in spec.variables)


def _random_agrum_bn(seed: int) -> object:
    """A pyAgrum network with 2- and 3-parent nodes, 2-4 states, numbers with 3 decimals (so that
    pyAgrum's 6-digit XDSL writer keeps them exactly)."""
    rng = np.random.default_rng(seed)
    bn = gum.fastBN("a{a0|a1|a2}->c{c0|c1}<-b{b0|b1};a->d{d0|d1|d2|d3}<-c;b->d;d->e{e0|e1};c->e")
    for node in bn.nodes():
        pot = bn.cpt(node)
        card = bn.variable(node).domainSize()
        cols = pot.toarray().reshape(-1, card)
        ints = rng.integers(1, 60, size=cols.shape)
        ints[:, -1] += 1000 - ints.sum(axis=1)  # columns of thousandths summing to exactly 1
        pot.fillWith((ints / 1000).ravel().tolist())
    return bn


def _agrum_source_networks(files: Path) -> dict[str, object]:
    out = {"random": _random_agrum_bn(7)}
    for name in BUNDLED:
        bn = gum.loadBN(str(files / f"{name}.bif"))
        for node in bn.nodes():
            bn.cpt(node).normalizeAsCPT()
        out[name] = bn
    return out


def _agrum_queries(bn: object) -> list[tuple[str, dict[str, str]]]:
    """Every marginal, and three evidence queries built from the network's own names. Each piece
    of evidence is the most probable state given the evidence before it, so none is impossible."""
    names = sorted(bn.names())  # type: ignore[attr-defined]
    queries: list[tuple[str, dict[str, str]]] = [(n, {}) for n in names]
    ie = gum.LazyPropagation(bn)
    for k in range(3):
        target = names[k]
        ev: dict[str, str] = {}
        for e in (names[-1 - k], names[len(names) // 2 + k]):
            if e == target or e in ev:
                continue
            ie.setEvidence(ev)
            ie.makeInference()
            post = ie.posterior(e).tolist()
            ev[e] = bn.variable(e).labels()[int(np.argmax(post))]  # type: ignore[attr-defined]
        queries.append((target, ev))
    return queries


def _compare(net: Network, bn: object, tol: float) -> float:
    ie = gum.LazyPropagation(bn)
    worst = 0.0
    for target, ev in _agrum_queries(bn):
        ie.setEvidence(ev)
        ie.makeInference()
        ref = dict(zip(bn.variable(target).labels(), ie.posterior(target).tolist(), strict=True))  # type: ignore[attr-defined]
        ours = net.query(target, given=ev).to_dict()
        worst = max(worst, *(abs(ours[s] - p) for s, p in ref.items()))
    assert worst <= tol
    return worst


@pytest.mark.parametrize("fmt", ["bif", "xdsl"])
def test_import_pyagrum_written_files(fmt: str, files: Path, tmp_path: Path) -> None:
    for name, bn in _agrum_source_networks(files).items():
        path = tmp_path / f"{name}.{fmt}"
        gum.saveBN(bn, str(path))
        net = Network.from_file(path)
        if fmt == "bif":
            # pyAgrum writes every double; we read them all: compare with the network it saved.
            _compare(net, bn, 1e-9)
        else:
            # pyAgrum's XDSL writer keeps 6 significant digits: compare with pyAgrum's reading
            # of the same file (normalised, as we normalise), not with the network it saved.
            again = gum.loadBN(str(path))
            for node in again.nodes():
                again.cpt(node).normalizeAsCPT()
            _compare(net, again, 1e-9)


def test_import_normalises_small_deviations_only(tmp_path: Path) -> None:
    head = "network t {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
    ok = tmp_path / "ok.bif"
    ok.write_text(head + "probability ( a ) { table 0.3000004, 0.7000001; }\n")
    table = import_file(ok).variables[0].table
    assert table[0] == pytest.approx(0.3000004 / 1.0000005, abs=1e-16)
    assert abs(table.sum() - 1) <= 1e-15
    bad = tmp_path / "bad.bif"
    bad.write_text(head + "probability ( a ) {\n  table 0.3, 0.6;\n}\n")
    with pytest.raises(ModelError) as err:
        import_file(bad)
    [p] = err.value.problems
    assert (p.file.endswith("bad.bif"), p.line) == (True, 3)
    assert "sums to 0.9" in p.message and "1e-06" in p.expected


def test_import_sanitises_names(tmp_path: Path) -> None:
    path = tmp_path / "child.bif"
    path.write_text("network c {}\n"
                    "variable CO2Report { type discrete [ 2 ] { <7.5, >=7.5 }; }\n"
                    'variable "2nd test" { type discrete [ 3 ] { 0-3, 4+, "Less than 3" }; }\n'
                    "probability ( CO2Report ) { table 0.25, 0.75; }\n"
                    'probability ( "2nd test" | CO2Report ) { (<7.5) 0.2, 0.3, 0.5; (>=7.5) 0.6, 0.3, 0.1; }\n')
    spec = import_file(path)
    v = spec.variable("v_2nd_test")
    assert v.label == "2nd test"
    assert v.states == ["s_0_3", "s_4", "Less_than_3"]
    assert "'0-3' -> s_0_3" in v.description
    assert spec.variable("CO2Report").states == ["s_7_5", "s_7_5_2"]
    net = Network.from_spec(spec)
    assert net.query("v_2nd_test", given={"CO2Report": "s_7_5_2"})["s_0_3"] == pytest.approx(0.6, abs=1e-15)


# ------------------------------------------------------------------------------ broken files
BROKEN = {
    "truncated.bif": (lambda alarm: alarm[: alarm.index("probability ( HR |") + 60], "truncated"),
    "bad.xml": (lambda _: '<?xml version="1.0"?>\n<BIF VERSION="0.3">\n<NETWORK>\n<NAME>x</NAME>\n</BIF>\n',
                "mismatched tag"),
    "truncated.xdsl": (lambda _: '<?xml version="1.0"?>\n<smile version="1.0" id="t">\n  <nodes>\n    <cpt id="a">\n',
                       "truncated"),
    "entities.xdsl": (lambda _: '<?xml version="1.0"?>\n<!DOCTYPE smile [\n<!ENTITY a "aaaaaaaaaa">\n]>\n<smile/>\n',
                      "entities"),
    "missing_row.bif": (lambda _: "network t {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
                        "variable b { type discrete [ 2 ] { u, v }; }\nprobability ( a ) { table 0.5, 0.5; }\n"
                        "probability ( b | a ) {\n  (x) 0.1, 0.9;\n}\n", "no row for (a=y)"),
    "undeclared.net": (lambda _: 'net {}\nnode a { states = ("x" "y"); }\n'
                       "potential (a | ghost) { data = ((0.5 0.5) (0.5 0.5)); }\n", "undeclared parent 'ghost'"),
    "truncated.uai": (lambda _: "BAYES\n2\n2 2\n2\n1 0\n2 0 1\n\n2\n0.5 0.5\n4\n0.1 0.9\n", "truncated"),
    "cycle.bif": (lambda _: "network t {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
                  "variable b { type discrete [ 2 ] { u, v }; }\n"
                  "probability ( a | b ) { (u) 0.5, 0.5; (v) 0.5, 0.5; }\n"
                  "probability ( b | a ) { (x) 0.5, 0.5; (y) 0.5, 0.5; }\n", "cycle"),
    "empty.net": (lambda _: "   \n", "empty"),
}
BROKEN_LINES = {"truncated.bif": None, "bad.xml": 5, "truncated.xdsl": 5, "entities.xdsl": 3, "missing_row.bif": 5,
                "undeclared.net": 3, "truncated.uai": 11, "cycle.bif": (4, 5), "empty.net": None}


@pytest.mark.parametrize("fname", sorted(BROKEN))
def test_broken_files_name_file_and_line(fname: str, tmp_path: Path) -> None:
    make, words = BROKEN[fname]
    text = make(_bundled_bif("alarm"))
    path = tmp_path / fname
    path.write_text(text)
    with pytest.raises(ModelError) as err:
        import_file(path)
    p = err.value.problems[0]
    assert p.file is not None and p.file.endswith(fname)
    assert words in str(err.value)
    expected = BROKEN_LINES[fname] or (text.count("\n") + 1 if fname.startswith("truncated") else None)
    assert p.line in (expected if isinstance(expected, tuple) else (expected,))


def test_cli_query_on_bif_matches_pyagrum(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(files / "asia.bif"), "--target", "lung", "--given", "xray=yes", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    bn = gum.loadBN(str(files / "asia.bif"))
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({"xray": "yes"})
    ie.makeInference()
    ref = dict(zip(bn.variable("lung").labels(), ie.posterior("lung").tolist(), strict=True))
    for state, p in ref.items():  # pyAgrum read the BIF as float32
        assert out["probabilities"][state] == pytest.approx(p, abs=1e-7)


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "example.xdsl"
    assert main(["export", str(EXAMPLE), "--format", "xdsl", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    net = Network.from_file(EXAMPLE)
    assert report == {"ok": True, "model": "example", "hash": net.model_hash, "format": "xdsl",
                      "output": str(out), "variables": len(net.variables)}
    assert out.read_text() == export_text(net, "xdsl")
    assert main(["export", str(out), "--format", "bif", "-o", str(tmp_path / "again.bif")]) == 0
    assert "wrote" in capsys.readouterr().out
    again = Network.from_file(tmp_path / "again.bif")
    for v in net.variables:
        assert np.array_equal(again.cpt(v), net.cpt(v))


def test_cli_broken_file_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.bif"
    path.write_text(_bundled_bif("asia")[:300])
    run = subprocess.run([sys.executable, "-m", "estimative", "query", str(path), "--target", "asia"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"broken.bif:{_bundled_bif('asia')[:300].count(chr(10)) + 1}:" in run.stderr
    assert "truncated" in run.stderr


def test_bundled_networks_cover_every_parent_count() -> None:
    """Sanity of the fixtures: the networks exercise nodes with 0, 1, 2 and 3+ parents."""
    counts = set()
    for name in BUNDLED:
        text = _bundled_bif(name)
        for line in text.splitlines():
            if line.startswith("probability"):
                head = line.split("(")[1].split(")")[0]
                counts.add(min(3, len(head.split("|")[1].split(",")) if "|" in head else 0))
    assert counts == {0, 1, 2, 3}
