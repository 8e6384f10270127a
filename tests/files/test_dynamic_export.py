"""Dynamic models out and back: the unrolled network in every format (checked against pyAgrum
and pgmpy reading the same files), and GeNIe's temporal plate (XDSL ``<dynamic>``) written and
read back, and read from a GeNIe-style file whose answers are worked out by hand below."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from estimative import Network
from estimative.errors import UsageError
from estimative.files.interop import (
    DEFAULT_SUFFIX,
    FORMATS,
    InteropWarning,
    export_network,
    export_text,
    import_file,
)

MODEL = "models/escalation_dynamic"


@pytest.fixture(scope="module")
def net() -> Network:
    return Network.from_file(MODEL)


def _copies(net: Network) -> list[str]:
    return [v.id for v in net.spec.variables if "@" in v.id and ".." not in v.id]


def _export(net: Network, fmt: str, path, **kw):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropWarning)
        out = export_network(net, fmt, path, **kw)
    return out, " ".join(str(w.message) for w in caught)


@pytest.mark.parametrize("fmt", FORMATS)
def test_unrolled_round_trip_every_format(net: Network, fmt: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, message = _export(net, fmt, tmp_path / f"m{DEFAULT_SUFFIX[fmt]}", unrolled=True)
    assert "clash@2017H2..2018H2" in message  # the window nodes dropped are named
    back = Network.from_spec(import_file(path))
    assert back.spec.time is None
    written = [v.id for v in net.spec.variables if ".." not in v.id]
    ids = [v.id for v in back.spec.variables]
    assert len(ids) == len(written)
    # UAI keeps no names: its variables come in the order written (the same topological order)
    name = dict(zip(written, ids, strict=True)) if fmt == "uai" else {v: v for v in written}
    given = {"nk_icbm_test@2017H2": "yes", "talks@2018H2": "no"}
    for vid in _copies(net):
        a = net.query(vid, given=given)
        states = {k: net.spec.variable(k).states.index(v) for k, v in given.items()}
        b = back.query(
            name[vid],
            given={name[k]: back.spec.variable(name[k]).states[i] for k, i in states.items()},
        )
        assert np.allclose(list(a.values()), list(b.values()), atol=1e-9), vid


def test_unrolled_warning_names_time(net: Network) -> None:
    with pytest.warns(InteropWarning) as rec:
        export_text(net, "bif")
    msg = str(rec[0].message)
    for part in ("time slices (2017H2, 2018H1, 2018H2)", "discount", "red_line", "window nodes"):
        assert part in msg
    assert "names of 'clash@2017H2'" in msg  # '@' made safe, restored on import


def test_unrolled_xmlbif_read_by_pyagrum_and_pgmpy(net: Network, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gum = pytest.importorskip("pyagrum")
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import XMLBIFReader

    path, _ = _export(net, "xmlbif", tmp_path / "m.bifxml", as_bn=True)
    bn = gum.loadBN(str(path))
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({"tension@2018H1": "high"})
    ie.makeInference()
    pg = VariableElimination(XMLBIFReader(str(path)).get_model())
    for vid in _copies(net):
        ours = net.query(vid, given={"tension@2018H1": "high"})
        if vid == "tension@2018H1":
            continue
        theirs = ie.posterior(vid).toarray()
        assert np.allclose(list(ours.values()), theirs, atol=1e-9), vid
        pgv = pg.query([vid], evidence={"tension@2018H1": "high"}, show_progress=False)
        assert np.allclose(list(ours.values()), pgv.values, atol=1e-9), vid


# ------------------------------------------------------------------------------ the plate
SMALL = """\
format: estimative/1
title: A small chain
as_of: 2020-01-01
time:
  slices: [2020-03-31, 2020-06-30, 2020-09-30, 2020-12-31]
  labels: [q1, q2, q3, q4]
variables:
  - id: regime
    label: Regime
    states: [calm, tense]
    static: true
    cpt: {table: {calm: 0.7, tense: 0.3}, assumption: true, rationale: r}
  - id: crisis
    label: Crisis
    states: ["no", "yes"]
    parents: [crisis@t-1, regime]
    initial:
      table:
        - {when: {regime: calm}, probs: {"no": 0.9, "yes": 0.1}}
        - {when: {regime: tense}, probs: {"no": 0.6, "yes": 0.4}}
      assumption: true
      rationale: r
    cpt:
      table:
        - {when: {crisis@t-1: "no", regime: calm}, probs: {"no": 0.85, "yes": 0.15}}
        - {when: {crisis@t-1: "no", regime: tense}, probs: {"no": 0.55, "yes": 0.45}}
        - {when: {crisis@t-1: "yes", regime: calm}, probs: {"no": 0.3, "yes": 0.7}}
        - {when: {crisis@t-1: "yes", regime: tense}, probs: {"no": 0.1, "yes": 0.9}}
      assumption: true
      rationale: r
  - id: report
    label: Report
    states: ["no", "yes"]
    parents: [crisis]
    cpt:
      table:
        - {when: {crisis: "no"}, probs: {"no": 0.8, "yes": 0.2}}
        - {when: {crisis: "yes"}, probs: {"no": 0.25, "yes": 0.75}}
      assumption: true
      rationale: r
"""


def test_plate_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "small.yaml").write_text(SMALL)
    net = Network.from_file(tmp_path / "small.yaml")
    text = export_text(net, "xdsl")
    assert '<dynamic numslices="4">' in text and '<cpt id="crisis" order="1">' in text
    assert text.index("<nodes>") < text.index('<cpt id="regime">') < text.index("<dynamic")
    (tmp_path / "plate.xdsl").write_text(text)
    spec = import_file(tmp_path / "plate.xdsl")
    assert spec.time is not None and spec.time.labels == ["q1", "q2", "q3", "q4"]
    assert str(spec.time.slices[-1]) == "2020-12-31" and str(spec.as_of) == "2020-01-01"
    assert spec.template is not None and spec.template.variable("regime").static
    back = Network.from_spec(spec)
    for given in ({}, {"report@q2": "yes"}, {"crisis@q1": "no", "regime": "tense"}):
        for vid in ("crisis@q1", "crisis@q4", "report@q3", "regime"):
            if vid in given:
                continue
            a, b = net.query(vid, given=given), back.query(vid, given=given)
            assert np.allclose(list(a.values()), list(b.values()), atol=1e-9)


def test_plate_keeps_positions_and_what_cannot_be_watched(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The plate's nodes are drawn where the model places them (GeNIe's rectangles centred on
    each position) and ``observable: false`` is GeNIe's role ``auxiliary``; both read back, and
    what cannot be watched cannot in any slice."""
    import xml.etree.ElementTree as ET

    at = {"regime": (100, 40), "crisis": (300, 160), "report": (300, 300)}
    text = SMALL
    for vid, (x, y) in at.items():
        text = text.replace(f"  - id: {vid}\n", f"  - id: {vid}\n    position: [{x}, {y}]\n")
    text = text.replace("  - id: crisis\n", "  - id: crisis\n    observable: false\n")
    (tmp_path / "small.yaml").write_text(text)
    net = Network.from_file(tmp_path / "small.yaml")
    assert not net.spec.variable("crisis@q3").observable  # every copy of the template's
    path, message = _export(net, "xdsl", tmp_path / "plate.xdsl")
    assert "observable" not in message
    root = ET.parse(path).getroot()
    drawn = {n.get("id"): n.find("position").text for n in root.iter("node")}
    assert drawn == {vid: f"{x - 70} {y - 30} {x + 70} {y + 30}" for vid, (x, y) in at.items()}
    roles = {
        el.get("id"): el.get("diagtype") for el in root.iter("cpt") if "order" not in el.attrib
    }
    assert roles == {"regime": "observation", "crisis": "auxiliary", "report": "observation"}
    spec = import_file(path)
    assert spec.template is not None
    assert {v.id: v.position for v in spec.template.variables} == {
        vid: (float(x), float(y)) for vid, (x, y) in at.items()
    }
    hidden = sorted(v.id for v in spec.variables if not v.observable)
    assert hidden == ["crisis@q1", "crisis@q2", "crisis@q3", "crisis@q4"]
    # without a position for every variable, the layered layout places them apart
    (tmp_path / "plain.yaml").write_text(SMALL)
    plain = _export(Network.from_file(tmp_path / "plain.yaml"), "xdsl", tmp_path / "plain.xdsl")[0]
    boxes = [n.find("position").text for n in ET.parse(plain).getroot().iter("node")]
    assert len(set(boxes)) == 3 and "diagtype" not in plain.read_text()


def test_genie_plate_positions_and_roles_are_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    drawn = "".join(
        f'<node id="{vid}"><name>{vid}</name><position>{box}</position></node>'
        for vid, box in (
            ("Area", "100 20 172 56"),
            ("Rain", "200 120 272 156"),
            ("Umbrella", "200 220 272 256"),
        )
    )
    text = GENIE.replace(
        "</smile>",
        f'<extensions><genie version="1.0" name="U">{drawn}</genie></extensions></smile>',
    )
    text = text.replace('<cpt id="Rain">', '<cpt id="Rain" diagtype="target">')
    text = text.replace('<cpt id="Umbrella">', '<cpt id="Umbrella" diagtype="observation">')
    (tmp_path / "umbrella.xdsl").write_text(text)
    with pytest.warns(InteropWarning, match="diagnostic roles"):
        spec = import_file(tmp_path / "umbrella.xdsl")
    assert spec.template is not None
    assert {v.id: v.position for v in spec.template.variables} == {
        "Area": (136.0, 38.0),  # the centres of GeNIe's rectangles
        "Rain": (236.0, 138.0),
        "Umbrella": (236.0, 238.0),
    }
    # GeNIe's target (Rain) and the node without a role (Area) cannot be watched, in any slice
    assert sorted(v.id for v in spec.variables if v.observable) == [
        "Umbrella@t0",
        "Umbrella@t1",
        "Umbrella@t2",
    ]


def test_plate_warning_names_what_it_cannot_hold(tmp_path) -> None:  # type: ignore[no-untyped-def]
    net = Network.from_file(MODEL)
    with pytest.warns(InteropWarning) as rec:
        export_text(net, "xdsl")
    msg = str(rec[0].message)
    assert "temporal plate" in msg
    for part in ("nk_icbm_test (2018H2)", "red_line", "discount", "window nodes", "utility"):
        assert part in msg
    # every slice before the override reads back with the model's own numbers
    path, _ = _export(net, "xdsl", tmp_path / "m.xdsl")
    back = Network.from_spec(import_file(path))
    for vid in ("clash@2018H1", "talks@2018H2", "tension@2018H2", "nk_icbm_test@2018H1"):
        assert np.allclose(list(net.query(vid).values()), list(back.query(vid).values()), atol=1e-9)
    # and the one slice the plate could not hold does differ: the warning was needed
    a, b = net.query("nk_icbm_test@2018H2")["yes"], back.query("nk_icbm_test@2018H2")["yes"]
    assert abs(a - b) > 0.05


def test_lag_beyond_one_slice_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = SMALL.replace("parents: [crisis@t-1, regime]", "parents: [crisis@t-2, regime]")
    text = text.replace("crisis@t-1:", "crisis@t-2:")
    text = text.replace(
        "  - id: report",
        "    slices:\n      q2:\n        table:\n"
        '          - {when: {regime: calm}, probs: {"no": 0.9, "yes": 0.1}}\n'
        '          - {when: {regime: tense}, probs: {"no": 0.6, "yes": 0.4}}\n'
        "        assumption: true\n        rationale: r\n  - id: report",
    )
    (tmp_path / "lag2.yaml").write_text(text)
    net = Network.from_file(tmp_path / "lag2.yaml")
    with pytest.raises(UsageError) as err:
        export_text(net, "xdsl")
    assert err.value.problems[0].field == "unrolled"
    assert "<dynamic" not in export_text(net, "xdsl", unrolled=True)


# A GeNIe-style file written by hand: Area outside the plate, Rain and Umbrella inside, Rain
# carried over from the slice before (order 1).
GENIE = """\
<?xml version="1.0" encoding="ISO-8859-1"?>
<smile version="1.0" id="Umbrella" numsamples="10000" discsamples="10000">
\t<nodes>
\t\t<cpt id="Area">
\t\t\t<state id="Pittsburgh" />
\t\t\t<state id="Sahara" />
\t\t\t<probabilities>0.6 0.4</probabilities>
\t\t</cpt>
\t</nodes>
\t<dynamic numslices="3">
\t\t<cpt id="Rain">
\t\t\t<state id="True" />
\t\t\t<state id="False" />
\t\t\t<parents>Area</parents>
\t\t\t<probabilities>0.7 0.3 0.01 0.99</probabilities>
\t\t</cpt>
\t\t<cpt id="Umbrella">
\t\t\t<state id="True" />
\t\t\t<state id="False" />
\t\t\t<parents>Rain</parents>
\t\t\t<probabilities>0.9 0.1 0.2 0.8</probabilities>
\t\t</cpt>
\t\t<cpt id="Rain" order="1">
\t\t\t<parents>Rain</parents>
\t\t\t<probabilities>0.7 0.3 0.3 0.7 0.001 0.999 0.01 0.99</probabilities>
\t\t</cpt>
\t</dynamic>
</smile>
"""


def test_genie_plate_by_hand(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "umbrella.xdsl").write_text(GENIE)
    spec = import_file(tmp_path / "umbrella.xdsl")
    assert spec.time is not None and spec.time.labels == ["t0", "t1", "t2"]
    net = Network.from_spec(spec)
    # By hand: P(rain_0 | area) = (0.7, 0.01); the transition given (area, rain_prev):
    # Pittsburgh: T->0.7, F->0.3; Sahara: T->0.001, F->0.01.
    area = {"P": 0.6, "S": 0.4}
    r0 = {"P": 0.7, "S": 0.01}
    step = {("P", True): 0.7, ("P", False): 0.3, ("S", True): 0.001, ("S", False): 0.01}
    total = {1: 0.0, 2: 0.0}
    for a, pa in area.items():
        p = r0[a]
        for t in (1, 2):
            p = p * step[(a, True)] + (1 - p) * step[(a, False)]
            total[t] += pa * p
    assert net.query("Rain@t1")["True"] == pytest.approx(total[1], abs=1e-12)
    assert net.query("Rain@t2")["True"] == pytest.approx(total[2], abs=1e-12)
    # Evidence: the umbrella seen in t0 and t2; enumerate the six binary variables by hand.
    num = den = 0.0
    for a, x0, x1, x2 in itertools.product("PS", *([(True, False)] * 3)):
        p = area[a] * (r0[a] if x0 else 1 - r0[a])
        for prev, cur in ((x0, x1), (x1, x2)):
            q = step[(a, prev)]
            p *= q if cur else 1 - q
        p *= (0.9 if x0 else 0.2) * (0.9 if x2 else 0.2)
        den += p
        num += p if x1 else 0.0
    got = net.query("Rain@t1", given={"Umbrella@t0": "True", "Umbrella@t2": "True"})
    assert got["True"] == pytest.approx(num / den, abs=1e-12)


def test_genie_plate_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from estimative.errors import ModelError

    bad = GENIE.replace('order="1"', 'order="2"')
    (tmp_path / "o2.xdsl").write_text(bad)
    with pytest.raises(ModelError) as err:
        import_file(tmp_path / "o2.xdsl")
    assert "order 2" in str(err.value) and "o2.xdsl" in str(err.value)
    short = GENIE.replace("0.7 0.3 0.3 0.7 0.001 0.999 0.01 0.99", "0.7 0.3")
    (tmp_path / "short.xdsl").write_text(short)
    with pytest.raises(ModelError) as err:
        import_file(tmp_path / "short.xdsl")
    assert "temporal table of 'Rain' has 2 numbers" in str(err.value)


def test_cli_export_plate_and_unrolled(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from estimative.cli import main

    assert main(["export", MODEL, "--format", "xdsl", "-o", str(tmp_path / "p.xdsl")]) == 0
    assert '<dynamic numslices="3">' in (tmp_path / "p.xdsl").read_text()
    args = ["export", MODEL, "--format", "xdsl", "--unrolled", "-o", str(tmp_path / "u.xdsl")]
    assert main(args) == 0
    text = (tmp_path / "u.xdsl").read_text()
    assert "<dynamic" not in text and "estimative_names" in text
    assert "temporal plate" in capsys.readouterr().err
