"""GeNIe's noisy-MAX nodes in XDSL: our noisy-OR and noisy-MAX CPTs written as ``<noisymax>``
and read back in their form, GeNIe files' ``<noisymax>`` nodes read as the model's noisy CPTs,
and a CPT's provenance carried in its node comment.

References: the noisy-MAX formula of SMILE's ``DSL_noisyMAX`` (Díez's net parameters per parent
state in strength order, then the leak; P(Y >= y | x) = P_leak(Y >= y) prod_i P_i(Y >= y | x_i),
cumulating from the distinguished, last-listed state), computed by hand in this file from the
numbers the file holds; the original model's own numbers for the round trips.
"""

from __future__ import annotations

import itertools
import os
import re
import textwrap
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network
from estimative.files import InteropWarning, export_network, export_text, import_file, load_model

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"

MODEL = """\
format: estimative/1
title: Noisy forms through GeNIe
as_of: 2020-01-01
variables:
  - id: tension
    label: Tension
    states: [low, mid, high]
    cpt:
      table: {low: 0.5, mid: 0.3, high: 0.2}
      assumption: true
      rationale: a root
  - id: trigger
    label: Trigger
    states: ["off", "on"]
    cpt:
      table: {"off": 0.7, "on": 0.3}
      assumption: true
      rationale: a root
  - id: weather
    label: Weather
    states: [storm, calm, fog]
    cpt:
      table: {storm: 0.2, calm: 0.5, fog: 0.3}
      assumption: true
      rationale: a root
  - id: crisis
    label: Crisis
    description: How bad it gets.
    states: [none, minor, major]
    parents: [tension, trigger, weather]
    cpt:
      noisy_max:
        leak: {none: 0.85, minor: 0.1, major: 0.05}
        causes:
          tension:
            mid: {none: 0.6, minor: 0.3, major: 0.1}
            high: {none: 0.3, minor: 0.4, major: 0.3}
          trigger:
            "on": {none: 0.5, minor: 0.3, major: 0.2}
          weather:
            storm: {none: 0.7, minor: 0.2, major: 0.1}
            fog: {none: 0.8, minor: 0.15, major: 0.05}
        absent: {weather: calm}
      assumption: true
      rationale: Causes act independently; calm weather is the baseline.
  - id: alarm
    label: Alarm
    states: ["no", "yes"]
    parents: [crisis, trigger]
    cpt:
      noisy_or:
        leak: 0.02
        causes:
          crisis: {minor: 0.3, major: 0.8}
          trigger: {"on": 0.1}
      assumption: true
      rationale: A noisy-OR over a noisy-MAX parent.
  - id: report
    label: Report
    states: [quiet, loud]
    parents: [crisis]
    cpt:
      table:
        - when: {crisis: none}
          probs: {quiet: 0.9, loud: 0.1}
        - when: {crisis: minor}
          probs: {quiet: 0.6, loud: 0.4}
        - when: {crisis: major}
          probs: {quiet: 0.2, loud: 0.8}
      assumption: true
      rationale: a table over a noisy-MAX parent
"""


def _model(tmp_path: Path) -> Network:
    path = tmp_path / "noisy.yaml"
    path.write_text(MODEL)
    return Network.from_file(path)


def _quiet(fn, *args, **kw):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        return fn(*args, **kw)


def _written(cpt) -> dict:  # type: ignore[no-untyped-def]
    """A noisy CPT's numbers as written: the leak and every cause's numbers, flattened."""
    spec = cpt.noisy_or or cpt.noisy_max
    out: dict = {"leak": spec.leak}
    for p, given in spec.causes.items():
        for s, value in given.items():
            out[(p, s)] = value
    return out


def _close(a, b, tol: float = 1e-12) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tol) for k in a)
    return abs(float(a) - float(b)) <= tol


# ------------------------------------------------------------------------------ round trip
def test_noisy_forms_round_trip_through_xdsl(tmp_path: Path) -> None:
    net = _model(tmp_path)
    path = _quiet(export_network, net, "xdsl", tmp_path / "noisy.xdsl")
    root = ET.parse(path).getroot()
    tags = {el.get("id"): el.tag for el in root.find("nodes")}
    assert tags["crisis"] == tags["alarm"] == "noisymax"
    assert tags["report"] == "cpt"
    crisis = next(el for el in root.find("nodes") if el.get("id") == "crisis")
    # GeNIe lists a noisy-MAX node's states from the highest to the distinguished (lowest) one
    assert [s.get("id") for s in crisis.findall("state")] == ["major", "minor", "none"]
    # each parent's states in strength order, its absent (distinguished) state last
    assert crisis.find("strengths").text.split() == ["1", "2", "0", "1", "0", "0", "2", "1"]

    back = import_file(path)
    for vid in ("crisis", "alarm"):
        ours, theirs = net.spec.variable(vid), back.variable(vid)
        assert theirs.cpt.form == ours.cpt.form
        assert theirs.states == ours.states
        form = ours.cpt.noisy_or or ours.cpt.noisy_max
        again = theirs.cpt.noisy_or or theirs.cpt.noisy_max
        assert again.absent == form.absent
        assert _close(_written(theirs.cpt), _written(ours.cpt)), vid
    again_net = Network.from_spec(back)
    for v in net.variables:
        assert np.abs(again_net.cpt(v) - net.cpt(v)).max() <= 1e-12, v
        q, r = net.query(v).to_dict(), again_net.query(v).to_dict()
        assert all(abs(q[s] - r[s]) <= 1e-12 for s in q), v


def test_what_cannot_be_watched_goes_to_genie_as_auxiliary_nodes(tmp_path: Path) -> None:
    """``observable: false`` is GeNIe's diagnostic role ``auxiliary`` (the others are
    ``observation``), on ``<noisymax>`` nodes as on ``<cpt>`` ones, and reads back as it was."""
    path = tmp_path / "noisy.yaml"
    path.write_text(MODEL.replace("    description: How bad it gets.\n", "    observable: false\n"))
    net = Network.from_file(path)
    assert not net.spec.variable("crisis").observable
    with warnings.catch_warnings():
        warnings.simplefilter("error", InteropWarning)  # nothing is dropped
        text = export_text(net, "xdsl")
    out = tmp_path / "noisy.xdsl"
    out.write_text(text)
    nodes = {el.get("id"): el for el in ET.parse(out).getroot().find("nodes")}
    assert nodes["crisis"].tag == "noisymax" and nodes["crisis"].get("diagtype") == "auxiliary"
    assert {k: el.get("diagtype") for k, el in nodes.items() if k != "crisis"} == {
        v: "observation" for v in net.variables if v != "crisis"
    }
    back = _quiet(import_file, out)
    assert {v.id: v.observable for v in back.variables} == {
        v.id: v.observable for v in net.spec.variables
    }
    # a model that marks nothing writes no roles (GeNIe's default)
    assert "diagtype" not in _quiet(export_text, _model(tmp_path), "xdsl")


def test_the_example_keeps_its_noisy_max_and_its_provenance(tmp_path: Path) -> None:
    net = Network.from_file(EXAMPLE)
    with pytest.warns(InteropWarning) as rec:
        text = export_text(net, "xdsl")
    (message,) = [str(w.message) for w in rec]
    # verbal CPTs have no place in XDSL; the noisy-MAX and the provenance do
    assert "verbal) of private_channel, armed_clash, written" in message
    assert "misread_intent" not in message and "provenance" not in message
    assert '<noisymax id="misread_intent">' in text
    assert "which may increase the risk of miscalculation" in text  # a quote, in the comment
    path = tmp_path / "example.xdsl"
    path.write_text(text)
    back = import_file(path)
    v, ours = back.variable("misread_intent"), net.spec.variable("misread_intent")
    assert v.cpt.form == "noisy_max" and _close(_written(v.cpt), _written(ours.cpt))
    # the description comes back alone; the provenance is in the rationale
    assert (
        back.variable("nk_provocation").description
        == net.spec.variable("nk_provocation").description
    )
    assert "which may increase the risk of miscalculation" in (v.cpt.rationale or "")
    assert (v.cpt.rationale or "").startswith("imported from example.xdsl")


def test_other_formats_and_bn_exports_write_noisy_cpts_as_tables(tmp_path: Path) -> None:
    net = _model(tmp_path)
    with pytest.warns(InteropWarning, match="of crisis, alarm, written as full tables"):
        export_text(net, "bif")
    with pytest.warns(InteropWarning, match="of crisis, alarm, written as full tables"):
        text = export_text(net, "xdsl", as_bn=True)  # pgmpy and pyAgrum read only <cpt>
    assert "<noisymax" not in text
    path = tmp_path / "bn.xdsl"
    path.write_text(text)
    back = import_file(path)
    assert back.variable("crisis").cpt.form == "table"
    for v in net.variables:
        assert np.array_equal(back.variable(v).table, net.spec.variable(v).table), v


# ------------------------------------------------------------------------------ GeNIe's files
def _genie_cpt(
    path: Path, node: str
) -> tuple[list[str], list[str], dict[tuple[int, ...], list[float]]]:
    """The CPT of the <noisymax> ``node`` by SMILE's formula, computed here from the file's
    numbers: (states as listed, parents, {parent state indices: column in listed order})."""
    root = ET.parse(path).getroot()
    nodes = {el.get("id"): el for el in root.find("nodes")}
    el = nodes[node]
    states = [s.get("id") for s in el.findall("state")]
    parents = el.find("parents").text.split()
    pstates = {p: [s.get("id") for s in nodes[p].findall("state")] for p in parents}
    strengths = [int(x) for x in el.find("strengths").text.split()]
    params = [float(x) for x in el.find("parameters").text.split()]
    k = len(states)
    blocks = [params[i : i + k] for i in range(0, len(params), k)]
    net_dist: dict[tuple[str, int], list[float]] = {}
    at = 0
    for p in parents:
        n = len(pstates[p])
        for rank, state in enumerate(strengths[at : at + n]):  # state indices, strongest first
            net_dist[(p, state)] = blocks[at + rank]
        at += n
    leak = blocks[at]

    def at_least(d: list[float], y: int) -> float:  # P(Y >= y): from the listed state y on
        return sum(d[y:])

    cpt = {}
    for combo in itertools.product(*(range(len(pstates[p])) for p in parents)):
        f = [at_least(leak, y) for y in range(k)] + [0.0]
        for p, i in zip(parents, combo, strict=True):
            for y in range(k):
                f[y] *= at_least(net_dist[(p, i)], y)
        cpt[combo] = [f[y] - f[y + 1] for y in range(k)]
    return states, parents, cpt


# Written to SMILE's documented layout: the second parent's strengths are a 3-cycle ("2 0 1":
# state 2 strongest, state 1 distinguished), which tells "state indices in strength order"
# from "the strength rank of each state"; the distinguished blocks are point masses.
LAYOUT = """\
<?xml version="1.0" encoding="UTF-8"?>
<smile version="1.0" id="layout" numsamples="1000" discsamples="10000">
  <nodes>
    <cpt id="A"><state id="yes" /><state id="no" /><probabilities>0.3 0.7</probabilities></cpt>
    <cpt id="B"><state id="b0" /><state id="b1" /><state id="b2" />
      <probabilities>0.2 0.5 0.3</probabilities></cpt>
    <noisymax id="Y">
      <state id="high" /><state id="mid" /><state id="low" />
      <parents>A B</parents>
      <strengths>0 1 2 0 1</strengths>
      <parameters>0.2 0.3 0.5 0 0 1 0.1 0.6 0.3 0.05 0.15 0.8 0 0 1 0.01 0.04 0.95</parameters>
    </noisymax>
    <cpt id="Z"><state id="z0" /><state id="z1" /><parents>Y</parents>
      <probabilities>0.9 0.1 0.5 0.5 0.05 0.95</probabilities></cpt>
  </nodes>
  <extensions>
    <genie version="1.0" app="GeNIe 2.0" name="layout">
      <node id="Y"><name>Y</name><comment>the graded effect</comment></node>
    </genie>
  </extensions>
</smile>
"""


def _check_against_formula(path: Path, node: str) -> Network:
    with pytest.warns(InteropWarning, match="listed lowest first"):
        spec = import_file(path)
    net = Network.from_spec(spec)
    states, parents, cpt = _genie_cpt(path, node)
    assert list(net.states[node]) == states[::-1]  # lowest first: the model's order
    assert list(net.parents[node]) == parents
    table = net.cpt(node)
    for combo, column in cpt.items():
        ours = table[(slice(None), *combo)]
        for s, p in zip(states, column, strict=True):
            assert abs(ours[net.states[node].index(s)] - p) <= 1e-12, (combo, s)
    return net


def test_a_genie_layout_file_reads_as_smiles_formula(tmp_path: Path) -> None:
    path = tmp_path / "layout.xdsl"
    path.write_text(LAYOUT)
    net = _check_against_formula(path, "Y")
    spec = net.spec.variable("Y")
    assert spec.cpt.form == "noisy_max"
    assert spec.cpt.noisy_max.absent == {"A": "no", "B": "b1"}  # the distinguished states
    assert spec.description == "the graded effect"
    # P(Y = high | A = yes, B = b2): the net distributions (A=yes) 0.2 0.3 0.5 and (B=b2)
    # 0.1 0.6 0.3 with the leak 0.01 0.04 0.95: P(Y = high) = 1 - P(Y <= mid), and
    # P(Y <= mid) = (0.3 + 0.5)(0.6 + 0.3)(0.04 + 0.95)
    assert net.cpt("Y")[net.states["Y"].index("high"), 0, 2] == pytest.approx(
        1 - 0.8 * 0.9 * 0.99, abs=1e-15
    )
    # Z's table is over Y as the file lists it (high, mid, low): it follows Y's new order
    z = net.cpt("Z")
    assert z[:, net.states["Y"].index("high")].tolist() == [0.9, 0.1]
    assert z[:, net.states["Y"].index("low")].tolist() == [0.05, 0.95]


@pytest.mark.skipif(
    not os.environ.get("ESTIMATIVE_GENIE_NOISYMAX"),
    reason="set ESTIMATIVE_GENIE_NOISYMAX to a GeNIe-written XDSL file with a <noisymax> node "
    "(tests/data/README names one; its repository has no licence, so it is not copied here)",
)
def test_a_genie_written_noisymax_file_reads_as_smiles_formula() -> None:
    path = Path(os.environ["ESTIMATIVE_GENIE_NOISYMAX"])
    root = ET.parse(path).getroot()
    nodes = [el.get("id") for el in root.find("nodes") if el.tag == "noisymax"]
    assert nodes
    for node in nodes:
        _check_against_formula(path, node)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("0.01 0.04 0.95</parameters>", "0.01 0.04</parameters>"), r"are 17 numbers"),
        (("<strengths>0 1 2 0 1</strengths>", "<strengths>0 1 2 2 1</strengths>"), "not an order"),
        (("0.2 0.3 0.5 0 0 1", "0.2 0.3 0.6 0 0 1"), "not a distribution"),
    ],
)
def test_broken_noisymax_nodes_are_refused_with_their_line(
    change: tuple[str, str], message: str, tmp_path: Path
) -> None:
    path = tmp_path / "broken.xdsl"
    path.write_text(LAYOUT.replace(*change))
    with pytest.raises(ModelError, match=message) as err:
        import_file(path)
    (problem,) = err.value.problems
    assert problem.file and problem.file.endswith("broken.xdsl")
    lines = LAYOUT.splitlines()
    assert problem.line == next(
        i + 1 for i, line in enumerate(lines) if re.search("<parameters>|<strengths>", line)
    ) + (0 if "strengths" in change[0] else 1)


def test_a_distinguished_block_that_is_not_a_point_mass_is_kept_as_a_table(
    tmp_path: Path,
) -> None:
    path = tmp_path / "loose.xdsl"
    # A's distinguished state ("no") given 0.1 0.1 0.8: no model form holds it, the CPT is
    # the table SMILE's formula gives with the file's numbers
    path.write_text(LAYOUT.replace("0.2 0.3 0.5 0 0 1", "0.2 0.3 0.5 0.1 0.1 0.8"))
    net = _check_against_formula(path, "Y")
    assert net.spec.variable("Y").cpt.form == "table"


def test_load_model_reads_noisymax_files(tmp_path: Path) -> None:
    path = tmp_path / "layout.xdsl"
    path.write_text(textwrap.dedent(LAYOUT))
    spec = _quiet(load_model, path)
    assert spec.variable("Y").cpt.form == "noisy_max"
