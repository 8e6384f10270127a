"""Files from other tools kept as their authors wrote them: names survive (a rename never takes a
name the file uses), decisions and utilities go in and out of XMLBIF, XDSL and NET, HUGIN's
6-digit rounding is accepted, counts only with ``normalize``.

References: pgmpy's readers and exact inference (child, files we write), pyAgrum's influence
diagrams (``loadID``, ``saveID``, ``ShaferShenoyLIMIDInference``), Raiffa's 22.5 for the oil
wildcatter, and hand calculations written in the tests.
"""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network
from estimative.cli import main
from estimative.decision import solve
from estimative.files import InteropWarning, export_network, export_text, import_file, load_model

gum = pytest.importorskip("pyagrum")
ROOT = Path(__file__).resolve().parents[2]
OIL = ROOT / "models" / "oil_wildcatter"
EXAMPLE = ROOT / "models" / "example"


def _child_bif(tmp_path: Path) -> Path:
    import pgmpy

    src = Path(pgmpy.__file__).parent / "utils" / "example_models" / "child.bif.gz"
    path = tmp_path / "child.bif"
    path.write_bytes(gzip.decompress(src.read_bytes()))
    return path


def _quiet_export(net: Network, fmt: str, path: Path, **kw: bool) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        return export_network(net, fmt, path, **kw)


# ------------------------------------------------------------------------------ names
def test_rename_can_never_take_a_name_the_file_uses(tmp_path: Path) -> None:
    path = tmp_path / "collide.bif"
    path.write_text(
        "network c {}\n"
        "variable rain-fall { type discrete [ 2 ] { a, b }; }\n"
        "variable rain_fall { type discrete [ 2 ] { a, b }; }\n"
        "probability ( rain-fall ) { table 0.9, 0.1; }\n"
        "probability ( rain_fall ) { table 0.2, 0.8; }\n"
    )
    net = Network.from_spec(import_file(path))
    assert net.variables == ("rain-fall", "rain_fall")  # both kept as written
    assert net.query("rain_fall")["a"] == 0.2  # the file's own table for each
    assert net.query("rain-fall")["a"] == 0.9
    # A name the model cannot hold ('=' separates variable and state) is renamed, and the new
    # name is none the file uses: 'x_y' stays the file's own x_y.
    xml = tmp_path / "eq.xmlbif"
    xml.write_text(
        '<BIF VERSION="0.3"><NETWORK><NAME>n</NAME>'
        "<VARIABLE><NAME>x=y</NAME><OUTCOME>a</OUTCOME><OUTCOME>b</OUTCOME></VARIABLE>"
        "<VARIABLE><NAME>x_y</NAME><OUTCOME>a</OUTCOME><OUTCOME>b</OUTCOME></VARIABLE>"
        "<DEFINITION><FOR>x=y</FOR><TABLE>0.9 0.1</TABLE></DEFINITION>"
        "<DEFINITION><FOR>x_y</FOR><TABLE>0.2 0.8</TABLE></DEFINITION>"
        "</NETWORK></BIF>"
    )
    with pytest.warns(InteropWarning, match="'x=y' -> 'x_y_2'"):
        spec = import_file(xml)
    net = Network.from_spec(spec)
    assert net.query("x_y")["a"] == 0.2 and net.query("x_y_2")["a"] == 0.9
    assert spec.variable("x_y_2").label == "x=y"


def test_child_keeps_its_state_names_and_cli_takes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import BIFReader

    path = _child_bif(tmp_path)
    net = Network.from_file(path)
    assert net.states["CO2Report"] == ("<7.5", ">=7.5")
    assert (
        main(["query", str(path), "--target", "Disease", "--given", "CO2Report=<7.5", "--json"])
        == 0
    )
    ours = json.loads(capsys.readouterr().out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BIFReader(str(path)).get_model()
    ref = VariableElimination(model).query(["Disease"], evidence={"CO2Report": "<7.5"})
    probs = ours["posterior"] if "posterior" in ours else ours["probabilities"]
    for state, p in zip(ref.state_names["Disease"], ref.values, strict=True):
        assert probs[state] == pytest.approx(p, abs=1e-12)


def test_unicode_and_numeric_names_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "cn.xdsl"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<smile version="1.0" id="网络">\n<nodes>\n'
        '<cpt id="天气"><state id="晴"/><state id="雨"/><probabilities>0.7 0.3</probabilities></cpt>\n'
        '<cpt id="地面"><state id="干"/><state id="湿"/><parents>天气</parents>'
        "<probabilities>0.9 0.1 0.2 0.8</probabilities></cpt>\n"
        '</nodes>\n<extensions><genie version="1.0" app="GeNIe 2.0" name="网络">'
        '<node id="天气"><name>今天的天气</name><position>10 10 60 40</position></node>'
        "</genie></extensions>\n</smile>\n",
        encoding="utf-8",
    )
    net = Network.from_file(path)
    assert net.variables == ("天气", "地面") and net.states["地面"] == ("干", "湿")
    assert net.spec.variable("天气").label == "今天的天气"
    # hand calculation: P(湿) = 0.7 x 0.1 + 0.3 x 0.8
    assert net.query("地面")["湿"] == pytest.approx(0.31, abs=1e-15)
    back = Network.from_file(_quiet_export(net, "xdsl", tmp_path / "back.xdsl"))
    assert back.variables == net.variables and back.states == net.states
    # pyAgrum writes numeric states 0, 1: they stay 0, 1
    bn = gum.fastBN("a->b")
    gum.saveBN(bn, str(tmp_path / "agrum.bif"))
    assert Network.from_file(tmp_path / "agrum.bif").states["a"] == ("0", "1")


def test_names_a_format_cannot_hold_are_restored(tmp_path: Path) -> None:
    path = tmp_path / "odd.xmlbif"
    path.write_text(
        '<BIF VERSION="0.3"><NETWORK><NAME>n</NAME>'
        "<VARIABLE><NAME>2nd test</NAME><OUTCOME>Less than 3</OUTCOME><OUTCOME>&gt;=3</OUTCOME>"
        "</VARIABLE><VARIABLE><NAME>v_2nd_test</NAME><OUTCOME>a</OUTCOME><OUTCOME>b</OUTCOME>"
        "</VARIABLE><DEFINITION><FOR>2nd test</FOR><TABLE>0.25 0.75</TABLE></DEFINITION>"
        "<DEFINITION><FOR>v_2nd_test</FOR><GIVEN>2nd test</GIVEN><TABLE>0.1 0.9 0.6 0.4</TABLE>"
        "</DEFINITION></NETWORK></BIF>"
    )
    net = Network.from_file(path)
    assert net.states["2nd test"] == ("Less than 3", ">=3")
    from pgmpy.readwrite import BIFReader, NETReader

    for fmt, reader in (("bif", BIFReader), ("net", NETReader)):
        with pytest.warns(InteropWarning, match="restores them on import"):
            out = export_network(net, fmt, tmp_path / f"odd.{fmt}")
        back = Network.from_file(out)
        assert back.variables == net.variables and back.states == net.states, fmt
        for v in net.variables:
            assert np.array_equal(back.cpt(v), net.cpt(v))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = reader(str(out)).get_model()  # pgmpy reads the safe names
        assert len(model.nodes()) == 2 and "2nd test" not in model.nodes()
        # the safe name never takes the file's own v_2nd_test
        assert model.get_cpds("v_2nd_test").values.shape == (2, 2)


# ------------------------------------------------------------------------------ decisions, utilities
@pytest.mark.parametrize("fmt", ["xdsl", "net", "xmlbif"])
def test_oil_wildcatter_export_decides_22_5(fmt: str, tmp_path: Path) -> None:
    net = Network.from_file(OIL)
    out = _quiet_export(net, fmt, tmp_path / f"oil.{fmt}")
    back = Network.from_file(out)
    assert solve(back).meu == pytest.approx(22.5, abs=1e-12)  # Raiffa (1968)
    for v in net.spec.variables:
        w = back.spec.variable(v.id)
        assert (w.kind, w.observes, w.label) == (v.kind, v.observes, v.label), (fmt, v.id)
        assert np.array_equal(back.cpt(v.id), net.cpt(v.id))
    assert back.spec.utilities is not None and net.spec.utilities is not None
    assert back.spec.utilities.unit == net.spec.utilities.unit
    for a in net.spec.utilities.attributes:
        b = back.spec.utilities.attribute(a.id)
        assert (b.over, b.weight) == (a.over, a.weight)
        assert np.array_equal(b.table, a.table)


def test_cli_decide_on_exported_xdsl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "oil.xdsl"
    assert main(["export", str(OIL), "--format", "xdsl", "-o", str(out)]) == 0
    assert "outcomes" in capsys.readouterr().err  # the one warning lists what was dropped
    assert main(["decide", str(out), "--json", "--draws", "10"]) == 0
    assert json.loads(capsys.readouterr().out)["meu"] == pytest.approx(22.5, abs=1e-12)


def test_pyagrum_loadid_reads_our_xmlbif(tmp_path: Path) -> None:
    net = Network.from_file(OIL)
    out = _quiet_export(net, "xmlbif", tmp_path / "oil.bifxml")
    diagram = gum.loadID(str(out))
    assert diagram.decisionNodeSize() == 2 and diagram.utilityNodeSize() == 2
    ie = gum.ShaferShenoyLIMIDInference(diagram)
    ie.makeInference()
    assert ie.MEU()["mean"] == pytest.approx(22.5, abs=1e-9)


def test_weights_survive_and_tools_see_weighted_values(tmp_path: Path) -> None:
    spec = load_model(OIL)
    assert spec.utilities is not None
    attrs = [a.model_copy(update={"weight": 0.5}) for a in spec.utilities.attributes]
    for old, new in zip(spec.utilities.attributes, attrs, strict=True):
        new._table = old._table
    utilities = spec.utilities.model_copy(update={"attributes": attrs})
    half = spec.model_copy(update={"utilities": utilities})
    for old, new in zip(spec.variables, half.variables, strict=True):
        new._table = old._table
    net = Network.from_spec(half)
    for fmt in ("xdsl", "net", "xmlbif"):
        back = Network.from_file(_quiet_export(net, fmt, tmp_path / f"half.{fmt}"))
        assert back.spec.utilities is not None
        assert back.spec.utilities.weights == {"drilling": 0.5, "test_cost": 0.5}
        assert solve(back).meu == pytest.approx(11.25, abs=1e-12)  # half of Raiffa's 22.5
    diagram = gum.loadID(str(_quiet_export(net, "xmlbif", tmp_path / "half.bifxml")))
    ie = gum.ShaferShenoyLIMIDInference(diagram)
    ie.makeInference()
    assert ie.MEU()["mean"] == pytest.approx(11.25, abs=1e-9)


def test_import_pyagrum_influence_diagram(tmp_path: Path) -> None:
    gum.initRandom(20170515)  # fastID draws its tables at random: fix them
    diagram = gum.fastID("*test->res<-oil->$u<-*drill;res->drill;test->$c")
    path = tmp_path / "id.bifxml"
    gum.saveID(diagram, str(path))
    # estimative's decisions remember the earlier ones: pyAgrum's no-forgetting assumption
    ie = gum.ShaferShenoyLIMIDInference(gum.loadID(str(path)))
    ie.addNoForgettingAssumption(["test", "drill"])
    ie.makeInference()
    net = Network.from_file(path)
    assert {v.id for v in net.spec.variables if v.kind == "decision"} == {"test", "drill"}
    assert net.spec.variable("drill").observes == ["res"]
    # pyAgrum's writer rounds each probability to a few significant digits, so a column may
    # miss 1 by ~1e-7, which our reader renormalises and pyAgrum's does not
    assert solve(net).meu == pytest.approx(ie.MEU()["mean"], rel=1e-6)


def test_decisions_keep_their_baseline(tmp_path: Path) -> None:
    net = Network.from_file(EXAMPLE)
    for fmt in ("xdsl", "net", "xmlbif"):
        back = Network.from_file(_quiet_export(net, fmt, tmp_path / f"ex.{fmt}"))
        assert back.spec.variable("us_rhetoric").kind == "decision"
        for v in net.variables:
            assert np.array_equal(back.cpt(v), net.cpt(v)), (fmt, v)


def test_bn_formats_warn_what_they_drop(tmp_path: Path) -> None:
    net = Network.from_file(OIL)
    with pytest.warns(InteropWarning, match=r"2 decisions .*2 utility attributes"):
        export_text(net, "bif")
    with pytest.warns(InteropWarning, match="every name"):
        export_text(net, "uai")


# ------------------------------------------------------------------------------ rounding, counts
def _hugin_text(digits: int) -> tuple[str, np.ndarray]:
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.ones(15))
    shown = np.array([float(f"{x:.{digits}g}") for x in p])
    states = " ".join(f'"s{i}"' for i in range(15))
    text = (
        f"net\n{{\n}}\nnode big\n{{\n    states = ({states});\n"
        f'    HR_Desc = "A description HUGIN keeps";\n}}\n'
        f"potential (big)\n{{\n    data = ({' '.join(f'{x:.{digits}g}' for x in p)});\n}}\n"
    )
    return text, shown


def test_hugin_six_digit_rounding_is_renormalised(tmp_path: Path) -> None:
    text, shown = _hugin_text(6)
    for seed in range(200):  # a column that misses 1 by more than 1e-6, as HUGIN files do
        if abs(shown.sum() - 1) > 1e-6:
            break
        rng = np.random.default_rng(seed)
        p = rng.dirichlet(np.ones(15) * 0.3)
        shown = np.array([float(f"{x:.6g}") for x in p])
        text = text.split("data = (")[0] + f"data = ({' '.join(f'{x:.6g}' for x in p)});\n}}\n"
    assert abs(shown.sum() - 1) > 1e-6
    path = tmp_path / "big.net"
    path.write_text(text)
    with pytest.warns(InteropWarning, match="6 significant digits"):
        spec = import_file(path)
    assert np.allclose(spec.variable("big").table, shown / shown.sum(), rtol=0, atol=1e-16)
    assert spec.variable("big").description == "A description HUGIN keeps"
    bif = tmp_path / "big.bif"  # a BIF file with the same numbers is refused: BIF is not HUGIN
    states = ", ".join(f"s{i}" for i in range(15))
    bif.write_text(
        f"network n {{}}\nvariable big {{ type discrete [ 15 ] {{ {states} }}; }}\n"
        f"probability ( big ) {{ table {', '.join(repr(float(x)) for x in shown)}; }}\n"
    )
    with pytest.raises(ModelError, match="sums to"):
        import_file(bif)


def test_counts_need_normalize(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "counts.bif"
    path.write_text(
        "network n {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
        "variable b { type discrete [ 2 ] { u, v }; }\n"
        "probability ( a ) { table 30, 10; }\n"
        "probability ( b | a ) { (x) 1, 3; (y) 5, 5; }\n"
    )
    with pytest.raises(ModelError, match="--normalize"):
        import_file(path)
    with pytest.warns(InteropWarning, match="as counts"):
        spec = import_file(path, normalize=True)
    net = Network.from_spec(spec)
    assert net.query("b")["u"] == pytest.approx(0.75 * 0.25 + 0.25 * 0.5, abs=1e-15)  # by hand
    out = tmp_path / "counts.yaml"
    assert main(["import", str(path), "--normalize", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["output"] == str(out) and "counts" in report["notes"][0]
    text = out.read_text()
    assert "normalize: true" in text
    again = load_model(out)
    assert again.model_hash == spec.model_hash
    assert np.array_equal(again.variable("b").table, net.cpt("b"))


# ------------------------------------------------------------------------------ readable by others
def test_pgmpy_reads_xmlbif_with_equals_in_text(tmp_path: Path) -> None:
    from pgmpy.readwrite import XMLBIFReader

    spec = import_file(_child_bif(tmp_path))
    v0 = spec.variables[0]
    new = spec.model_copy(
        update={
            "variables": [
                v0.model_copy(update={"description": "x = 1 when a=b", "label": "P(a=b)"}),
                *spec.variables[1:],
            ]
        }
    )
    for old, v in zip(spec.variables, new.variables, strict=True):
        v._table = old._table
    net = Network.from_spec(new)
    out = _quiet_export(net, "xmlbif", tmp_path / "child.bifxml")
    model = XMLBIFReader(str(out)).get_model()
    assert set(model.nodes()) == set(net.variables)
    back = import_file(out)
    assert back.variable(v0.id).description == "x = 1 when a=b"
    assert back.variable(v0.id).label == "P(a=b)"
    assert gum.loadBN(str(out)).size() == len(net.variables)  # .bifxml: pyAgrum takes it


def test_uai_comment_does_not_switch_layout(tmp_path: Path) -> None:
    flat = [0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6]
    body = "3\n2 2 2\n3\n1 0\n1 1\n3 0 1 2\n\n2\n0.5 0.5\n2\n0.5 0.5\n8\n" + " ".join(
        map(str, flat)
    )
    plain, commented = tmp_path / "plain.uai", tmp_path / "commented.uai"
    plain.write_text("BAYES\n" + body + "\n")
    commented.write_text("BAYES # a note\n" + body.replace("3 0 1 2", "3 0 1 2 # c") + "\n")
    a, b = import_file(plain).variable("v2").table, import_file(commented).variable("v2").table
    assert np.array_equal(a, b)
    # the UAI layout, by hand: P(v2=0 | v0=1, v1=0) is the 3rd column, 0.3
    assert a[0, 1, 0] == 0.3
