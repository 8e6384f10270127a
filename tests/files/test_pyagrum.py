"""pyAgrum reads what we write, and we read what pyAgrum writes.

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

import json
from pathlib import Path

import numpy as np
import pytest

from estimative import Network
from estimative.cli import main
from estimative.files import FORMATS, export_network, import_file

gum = pytest.importorskip("pyagrum")

#: Tolerance of pyAgrum's marginals against ours, per format (see the module docstring).
TOLERANCE = {"xmlbif": 1e-9, "xdsl": 1e-9, "bif": 1e-7, "net": 1e-7, "uai": 1e-7}
FLOAT32_READERS = {"bif", "net", "uai"}


# ------------------------------------------------------------------------------ pyAgrum helpers
def _agrum_array(bn: object, name: str, order: list[str]) -> np.ndarray:
    """pyAgrum's CPT of ``name`` as an array with axes in ``order`` (names as pyAgrum has them)."""
    pot = bn.cpt(name)  # type: ignore[attr-defined]
    axes = list(reversed(pot.names))  # toarray() lists the variables last-to-first
    return np.transpose(pot.toarray(), [axes.index(n) for n in order])


def _probe_text(fmt: str) -> str:
    """c | a, b with P(c=c0 | a=i, b=j) = 0.1 * (1 + 3i + j): the standard layout, row-major over
    (a, b, c), as SMILE's documentation and the UAI format define it."""
    flat = [
        x
        for i in range(2)
        for j in range(3)
        for x in (0.1 * (1 + 3 * i + j), 1 - 0.1 * (1 + 3 * i + j))
    ]
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
        pot.fillWith(
            np.transpose(table, [*reversed(range(len(parents))), len(parents)]).ravel().tolist()
        )


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


# ------------------------------------------------------------------------------ pyAgrum reads our files
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "dne"])  # pyAgrum reads no DNE
def test_pyagrum_reads_export_with_same_marginals(
    fmt: str,
    network_name: str,
    networks: dict[str, Network],
    marginals: dict,
    agrum_first_parent_fastest: dict,
    agrum_suffix: dict[str, str],
    tmp_path: Path,
) -> None:
    name = network_name
    net = networks[name]
    path = export_network(net, fmt, tmp_path / f"{name}{agrum_suffix[fmt]}", as_bn=True)
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
        worst = max(
            worst,
            *(abs(agrum[lab] - ours[s]) for lab, s in zip(labels, net.states[v], strict=True)),
        )
    assert worst <= TOLERANCE[fmt], f"{fmt} {name}: max marginal difference {worst:.3g}"
    if fmt in FLOAT32_READERS:
        # pyAgrum holds exactly our numbers rounded to float32: the layout is right, the file is
        # as precise as this reader allows.
        for v in net.variables:
            order = [names[v], *(names[p] for p in net.parents[v])]
            got = _agrum_array(bn, names[v], order)
            assert np.array_equal(got, net.cpt(v).astype(np.float32).astype(float)), v


def test_pyagrum_reader_precision(tmp_path: Path) -> None:
    """The claim in DESIGN.md, measured: pyAgrum's BIF (and NET, UAI) reader rounds numbers to
    float32; its XMLBIF and XDSL readers keep doubles."""
    p = 0.1234567890123456
    q = repr(1 - p)
    texts = {
        "bif": f"network t {{}}\nvariable a {{ type discrete [ 2 ] {{ x, y }}; }}\nprobability ( a ) {{ table {p!r}, {q}; }}\n",
        "net": f'net {{}}\nnode a {{ states = ("x" "y"); }}\npotential (a) {{ data = ({p!r} {q}); }}\n',
        "uai": f"BAYES\n1\n2\n1\n1 0\n\n2\n{p!r} {q}\n",
        "bifxml": (
            '<?xml version="1.0"?><BIF VERSION="0.3"><NETWORK><NAME>t</NAME><VARIABLE TYPE="nature">'
            f"<NAME>a</NAME><OUTCOME>x</OUTCOME><OUTCOME>y</OUTCOME></VARIABLE><DEFINITION><FOR>a</FOR>"
            f"<TABLE>{p!r} {q}</TABLE></DEFINITION></NETWORK></BIF>"
        ),
        "xdsl": (
            '<?xml version="1.0"?><smile version="1.0" id="t"><nodes><cpt id="a"><state id="x"/><state id="y"/>'
            f'<probabilities>{p!r} {q}</probabilities></cpt></nodes><extensions><genie version="1.0" app="hand" '
            'name="t"><node id="a"><name>a</name></node></genie></extensions></smile>'
        ),
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


# ------------------------------------------------------------------------------ we read pyAgrum's files
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


def _agrum_source_networks(files: Path, names: tuple[str, ...]) -> dict[str, object]:
    out = {"random": _random_agrum_bn(7)}
    for name in names:
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
def test_import_pyagrum_written_files(
    fmt: str, files: Path, bundled_names: tuple[str, ...], tmp_path: Path
) -> None:
    for name, bn in _agrum_source_networks(files, bundled_names).items():
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


def test_cli_query_on_bif_matches_pyagrum(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["query", str(files / "asia.bif"), "--target", "lung", "--given", "xray=yes", "--json"]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    bn = gum.loadBN(str(files / "asia.bif"))
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({"xray": "yes"})
    ie.makeInference()
    ref = dict(zip(bn.variable("lung").labels(), ie.posterior("lung").tolist(), strict=True))
    for state, p in ref.items():  # pyAgrum read the BIF as float32
        assert out["probabilities"][state] == pytest.approx(p, abs=1e-7)
