"""Where a file draws its nodes, and what it says about them, survive import and export, and
the drawings use a file's positions when every node has one.

Files come from the tools themselves where they are installed (pgmpy's BIF and XMLBIF writers
write ``position = (x, y)``), else are written as GeNIe and HUGIN write them. References: the
coordinates in the file, pgmpy's and pyAgrum's readers of our exports.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from estimative import Network
from estimative.files import InteropWarning, export_network
from estimative.network import graph_geometry

gum = pytest.importorskip("pyagrum")

#: Two causes of a wet lawn as GeNIe writes the file: node rectangles "left top right bottom",
#: the child drawn *left* of and *above* one of its parents (no layered layout would do that).
GENIE = """<?xml version="1.0" encoding="UTF-8"?>
<!-- This network was created in GeNIe Academic -->
<smile version="1.0" id="Lawn" numsamples="10000" discsamples="10000">
\t<nodes>
\t\t<cpt id="Rain">
\t\t\t<state id="no" />
\t\t\t<state id="yes" />
\t\t\t<probabilities>0.8 0.2</probabilities>
\t\t</cpt>
\t\t<cpt id="Sprinkler">
\t\t\t<state id="off" />
\t\t\t<state id="on" />
\t\t\t<probabilities>0.6 0.4</probabilities>
\t\t</cpt>
\t\t<cpt id="Wet">
\t\t\t<state id="dry" />
\t\t\t<state id="wet" />
\t\t\t<parents>Rain Sprinkler</parents>
\t\t\t<probabilities>1 0 0.1 0.9 0.2 0.8 0.01 0.99</probabilities>
\t\t</cpt>
\t</nodes>
\t<extensions>
\t\t<genie version="1.0" app="GeNIe 4.1.3402.0 ACADEMIC" name="Lawn">
\t\t\t<node id="Rain">
\t\t\t\t<name>Rain</name>
\t\t\t\t<interior color="e5f6f7" />
\t\t\t\t<outline color="000080" />
\t\t\t\t<font color="000000" name="Arial" size="9" />
\t\t\t\t<position>300 200 372 244</position>
\t\t\t\t<comment>Rain in the last hour</comment>
\t\t\t</node>
\t\t\t<node id="Sprinkler">
\t\t\t\t<name>Sprinkler</name>
\t\t\t\t<interior color="e5f6f7" />
\t\t\t\t<outline color="000080" />
\t\t\t\t<font color="000000" name="Arial" size="9" />
\t\t\t\t<position>40 220 112 264</position>
\t\t\t</node>
\t\t\t<node id="Wet">
\t\t\t\t<name>Wet grass</name>
\t\t\t\t<interior color="e5f6f7" />
\t\t\t\t<outline color="000080" />
\t\t\t\t<font color="000000" name="Arial" size="9" />
\t\t\t\t<position>160 40 232 84</position>
\t\t\t</node>
\t\t</genie>
\t</extensions>
</smile>
"""
#: The centres of GeNIe's rectangles above.
CENTRES = {"Rain": (336.0, 222.0), "Sprinkler": (76.0, 242.0), "Wet": (196.0, 62.0)}


def _quiet(fn, *args, **kw):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        return fn(*args, **kw)


def _genie(tmp_path: Path) -> Network:
    path = tmp_path / "lawn.xdsl"
    path.write_text(GENIE)
    return _quiet(Network.from_file, path)


def _pgmpy_model():  # type: ignore[no-untyped-def]
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    model = DiscreteBayesianNetwork([("smoker", "cancer"), ("pollution", "cancer")])
    model.add_cpds(
        TabularCPD("smoker", 2, [[0.3], [0.7]], state_names={"smoker": ["yes", "no"]}),
        TabularCPD("pollution", 2, [[0.1], [0.9]], state_names={"pollution": ["high", "low"]}),
        TabularCPD(
            "cancer",
            2,
            [[0.05, 0.02, 0.03, 0.001], [0.95, 0.98, 0.97, 0.999]],
            evidence=["smoker", "pollution"],
            evidence_card=[2, 2],
            state_names={
                "cancer": ["yes", "no"],
                "smoker": ["yes", "no"],
                "pollution": ["high", "low"],
            },
        ),
    )
    for node, pos in {
        "smoker": "(50, 40)",
        "pollution": "(250, 40)",
        "cancer": "(150, 160)",
    }.items():
        model.nodes[node]["position"] = pos
    return model


# ------------------------------------------------------------------------------ in and out
def test_genie_positions_and_comments_are_read(tmp_path: Path) -> None:
    net = _genie(tmp_path)
    assert {v.id: v.position for v in net.spec.variables} == CENTRES
    assert net.spec.variable("Rain").description == "Rain in the last hour"
    assert net.spec.variable("Wet").label == "Wet grass"


@pytest.mark.parametrize("fmt", ["xdsl", "net", "bif", "xmlbif", "dne"])
def test_positions_and_descriptions_survive_every_format(fmt: str, tmp_path: Path) -> None:
    net = _genie(tmp_path)
    back = _quiet(Network.from_file, _quiet(export_network, net, fmt, tmp_path / f"out.{fmt}"))
    assert {v.id: v.position for v in back.spec.variables} == CENTRES
    assert back.spec.variable("Rain").description == "Rain in the last hour"
    for v in net.variables:
        assert np.array_equal(back.cpt(v), net.cpt(v))


def test_pgmpy_written_positions_are_read_and_pgmpy_reads_ours(tmp_path: Path) -> None:
    from pgmpy.readwrite import BIFReader, BIFWriter, XMLBIFReader, XMLBIFWriter

    model = _pgmpy_model()
    want = {"smoker": (50.0, 40.0), "pollution": (250.0, 40.0), "cancer": (150.0, 160.0)}
    for fmt, writer in (("bif", BIFWriter), ("xmlbif", XMLBIFWriter)):
        path = tmp_path / f"pgmpy.{fmt}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = writer(model)
            (w.write_bif if fmt == "bif" else w.write_xmlbif)(str(path))
        net = _quiet(Network.from_file, path)
        assert {v.id: v.position for v in net.spec.variables} == want, fmt
        # pgmpy reads our export of it: the positions, and the same tables
        out = _quiet(export_network, net, fmt, tmp_path / f"ours.{fmt}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if fmt == "bif":
                again = BIFReader(str(out), include_properties=True).get_model()
            else:
                again = XMLBIFReader(str(out)).get_model()
        for node, pos in want.items():
            got = tuple(float(x) for x in again.nodes[node]["position"].strip("()").split(","))
            assert got == pos, (fmt, node)
            assert np.allclose(
                again.get_cpds(node).values, model.get_cpds(node).values, atol=0, rtol=0
            ), (fmt, node)


# XDSL is left out: pyAgrum 3.3.1 reads XDSL tables of nodes with two parents in another
# layout (see test_pyagrum.py), whatever the positions.
@pytest.mark.parametrize("fmt", ["net", "bif", "xmlbif"])
def test_pyagrum_reads_exports_that_carry_positions(fmt: str, tmp_path: Path) -> None:
    net = _genie(tmp_path)
    suffix = ".bifxml" if fmt == "xmlbif" else f".{fmt}"
    bn = gum.loadBN(str(_quiet(export_network, net, fmt, tmp_path / f"lawn{suffix}")))
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({"Rain": "yes"})
    ie.makeInference()
    post = ie.posterior("Wet")
    # hand calculation: P(wet | rain) = 0.6 x 0.8 + 0.4 x 0.99
    assert float(post[1]) == pytest.approx(0.6 * 0.8 + 0.4 * 0.99, abs=1e-7)


def test_hugin_descriptions_are_read_and_written_as_hr_desc(tmp_path: Path) -> None:
    path = tmp_path / "d.net"
    path.write_text(
        'net\n{\n}\nnode a\n{\n    label = "A";\n    position = (10 20);\n    states = ("x" "y");\n'
        '    HR_Desc = "What HUGIN shows in the node\'s description";\n}\n'
        "potential (a) { data = (0.5 0.5); }\n"
    )
    net = _quiet(Network.from_file, path)
    v = net.spec.variable("a")
    assert v.description == "What HUGIN shows in the node's description"
    assert v.position == (10.0, 20.0)
    text = _quiet(export_network, net, "net", tmp_path / "out.net").read_text()
    assert 'HR_Desc = "What HUGIN shows' in text and "position = (10 20);" in text


# ------------------------------------------------------------------------------ drawings
def test_the_graph_is_drawn_where_the_file_places_it(tmp_path: Path) -> None:
    net = _genie(tmp_path)
    g = graph_geometry(net)
    box = {n["id"]: (n["x"] + n["w"] / 2, n["y"] + n["h"] / 2) for n in g["nodes"]}
    # the file's order across and down: Sprinkler, Wet, Rain left to right; Wet on top
    assert sorted(box, key=lambda n: box[n][0]) == ["Sprinkler", "Wet", "Rain"]
    assert sorted(box, key=lambda n: box[n][1]) == ["Wet", "Rain", "Sprinkler"]
    # one scale for both axes: the file's proportions are kept
    dx_file = CENTRES["Rain"][0] - CENTRES["Sprinkler"][0]
    dy_file = CENTRES["Sprinkler"][1] - CENTRES["Wet"][1]
    dx = box["Rain"][0] - box["Sprinkler"][0]
    dy = box["Sprinkler"][1] - box["Wet"][1]
    assert dx / dy == pytest.approx(dx_file / dy_file, rel=1e-3)
    # boxes do not overlap, and edges run straight from the parents to the child
    nodes = g["nodes"]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            apart_x = abs(box[a["id"]][0] - box[b["id"]][0]) >= (a["w"] + b["w"]) / 2
            apart_y = abs(box[a["id"]][1] - box[b["id"]][1]) >= (a["h"] + b["h"]) / 2
            assert apart_x or apart_y, (a["id"], b["id"])
    assert {(e["from"], e["to"]) for e in g["edges"]} == {("Rain", "Wet"), ("Sprinkler", "Wet")}
    assert all(" L" in e["d"] and " C" not in e["d"] for e in g["edges"])


def test_the_figure_uses_the_file_positions(tmp_path: Path) -> None:
    from matplotlib.patches import FancyBboxPatch

    from estimative.charts import graph_figure

    net = _genie(tmp_path)
    fig = graph_figure(net, bars=False)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 3
    centres = [(b.get_x() + b.get_width() / 2, b.get_y() + b.get_height() / 2) for b in boxes]
    order = [v.id for v in net.spec.variables]  # boxes are drawn in the model's order
    by_x = [order[i] for i in np.argsort([c[0] for c in centres])]
    by_y = [order[i] for i in np.argsort([c[1] for c in centres])]
    assert by_x == ["Sprinkler", "Wet", "Rain"] and by_y == ["Wet", "Rain", "Sprinkler"]


def test_without_positions_for_every_node_the_layered_layout_is_used(tmp_path: Path) -> None:
    text = GENIE.replace("<position>160 40 232 84</position>", "")  # Wet has none
    path = tmp_path / "some.xdsl"
    path.write_text(text)
    net = _quiet(Network.from_file, path)
    assert net.spec.variable("Wet").position is None
    g = graph_geometry(net)
    x = {n["id"]: n["x"] for n in g["nodes"]}
    assert x["Wet"] > x["Rain"] and x["Wet"] > x["Sprinkler"]  # causes left of effects
    assert any(" C" in e["d"] for e in g["edges"])
    # two nodes at the same place cannot be drawn there either
    same = GENIE.replace("40 220 112 264", "300 200 372 244")
    path.write_text(same)
    g = graph_geometry(_quiet(Network.from_file, path))
    x = {n["id"]: n["x"] for n in g["nodes"]}
    assert x["Wet"] > x["Rain"]


def test_a_model_file_may_place_its_variables(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "title: t\nas_of: 2020-01-01\nvariables:\n"
        "  - id: a\n    label: A\n    states: [lo, hi]\n    position: [0, 100]\n"
        "    cpt: {table: {lo: 0.3, hi: 0.7}, assumption: true, rationale: r}\n"
        "  - id: b\n    label: B\n    states: ['no', 'yes']\n    parents: [a]\n"
        "    position: [0, 0]\n"
        "    cpt:\n      assumption: true\n      rationale: r\n      table:\n"
        "        - {when: {a: lo}, probs: {'no': 0.9, 'yes': 0.1}}\n"
        "        - {when: {a: hi}, probs: {'no': 0.2, 'yes': 0.8}}\n"
    )
    net = Network.from_file(path)
    g = graph_geometry(net)
    y = {n["id"]: n["y"] for n in g["nodes"]}
    assert y["b"] < y["a"]  # b above a, as written (y grows downwards)
    bad = path.read_text().replace("position: [0, 0]", "position: [0, .inf]")
    path.write_text(bad)
    from estimative import ModelError

    with pytest.raises(ModelError, match="position"):
        Network.from_file(path)


#: The dog problem as JavaBayes wrote it in 1997 (pgmpy's BIF tests carry the file): quoted
#: names and states, the whole property quoted.
JAVABAYES = """// Bayesian Network in the Interchange Format
// Produced by BayesianNetworks package in JavaBayes
// Output created Sun Nov 02 17:49:49 GMT+00:00 1997
// Bayesian network
network "Dog-Problem" { //5 variables and 5 probability distributions
        property "credal-set constant-density-bounded 1.1" ;
}
variable  "light-on" { //2 values
        type discrete[2] {  "true"  "false" };
        property "position = (218, 195)" ;
}
variable  "bowel-problem" { //2 values
        type discrete[2] {  "true"  "false" };
        property "position = (335, 99)" ;
}
variable  "dog-out" { //2 values
        type discrete[2] {  "true"  "false" };
        property "position = (300, 195)" ;
}
variable  "hear-bark" { //2 values
        type discrete[2] {  "true"  "false" };
        property "position = (296, 268)" ;
}
variable  "family-out" { //2 values
        type discrete[2] {  "true"  "false" };
        property "position = (257, 99)" ;
}
probability (  "light-on"  "family-out" ) { //2 variable(s) and 4 values
        table 0.6 0.05 0.4 0.95 ;
}
probability (  "bowel-problem" ) { //1 variable(s) and 2 values
        table 0.01 0.99 ;
}
probability (  "dog-out"  "bowel-problem"  "family-out" ) { //3 variable(s) and 8 values
        table 0.99 0.97 0.9 0.3 0.01 0.03 0.1 0.7 ;
}
probability (  "hear-bark"  "dog-out" ) { //2 variable(s) and 4 values
        table 0.7 0.01 0.3 0.99 ;
}
probability (  "family-out" ) { //1 variable(s) and 2 values
        table 0.15 0.85 ;
}
"""


def test_javabayes_quoted_positions_are_read_and_drawn(tmp_path: Path) -> None:
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import BIFReader

    path = tmp_path / "dog.bif"
    path.write_text(JAVABAYES)
    net = _quiet(Network.from_file, path)
    want = {
        "light-on": (218.0, 195.0),
        "bowel-problem": (335.0, 99.0),
        "dog-out": (300.0, 195.0),
        "hear-bark": (296.0, 268.0),
        "family-out": (257.0, 99.0),
    }
    assert {v.id: v.position for v in net.spec.variables} == want
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = VariableElimination(BIFReader(str(path)).get_model()).query(
            ["family-out"], evidence={"hear-bark": "true", "light-on": "false"}
        )
    post = net.query("family-out", given={"hear-bark": "true", "light-on": "false"})
    for state, p in zip(ref.state_names["family-out"], ref.values, strict=True):
        assert post[state] == pytest.approx(float(p), abs=1e-12)
    g = graph_geometry(net)
    y = {n["id"]: n["y"] for n in g["nodes"]}
    # the file's rows: bowel-problem and family-out on top, hear-bark at the bottom
    assert y["bowel-problem"] == y["family-out"] < y["light-on"] == y["dog-out"] < y["hear-bark"]


# ------------------------------------------------------------------------------ real files
THIRDPARTY = Path(__file__).resolve().parents[1] / "data" / "thirdparty"


def test_real_netica_and_genie_files_are_drawn_where_their_authors_put_them() -> None:
    import re

    # BNMA's Koalas (Netica): each node's visual block, utilities included
    text = (THIRDPARTY / "bnma" / "Koalas.dne").read_text(encoding="latin-1")
    centres = {
        m.group(1): (float(m.group(2)), float(m.group(3)))
        for m in re.finditer(
            r"^node (\w+) \{.*?center = \((-?\d+), (-?\d+)\);", text, flags=re.S | re.M
        )
    }
    net = _quiet(Network.from_file, THIRDPARTY / "bnma" / "Koalas.dne")
    spec = net.spec
    assert spec.utilities is not None
    got = {v.id: v.position for v in spec.variables}
    got |= {a.id: a.position for a in spec.utilities.attributes}
    assert got == {k: centres[k] for k in got} and len(got) >= 7
    g = graph_geometry(net)
    x = {n["id"]: n["x"] for n in g["nodes"]}
    assert sorted(x, key=x.__getitem__) == sorted(x, key=lambda n: centres[n][0])
    # BNMA's habitat model (GeNIe): the centres of GeNIe's rectangles
    path = THIRDPARTY / "bnma" / "Habitat_Suitability.xdsl"
    text = path.read_text(encoding="utf-8")
    rects = {
        m.group(1): [float(v) for v in m.group(2).split()]
        for m in re.finditer(r'<node id="([^"]+)">.*?<position>([^<]+)</position>', text, re.S)
    }
    net = _quiet(Network.from_file, path)
    for v in net.spec.variables:
        left, top, right, bottom = rects[v.id]
        assert v.position == ((left + right) / 2, (top + bottom) / 2), v.id
