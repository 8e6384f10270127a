"""Aliases: a name a file writes is accepted wherever a variable or state is named, even where
the model needed another id, and never means two things.

Files are written the way their tools write them (a HUGIN NET influence of labels, an XMLBIF
file with ``=`` in a name, GeNIe's diagnostic XDSL with state labels); references are pyAgrum's
and pgmpy's exact inference reading the same file, with the file's own names.
"""

from __future__ import annotations

import json
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network, QueryError
from estimative.cli import main
from estimative.files import InteropWarning, export_network, import_file

gum = pytest.importorskip("pyagrum")

ROOT = Path(__file__).resolve().parents[2]

#: Lauritzen and Spiegelhalter's chest clinic as HUGIN writes it: ids, labels, positions and
#: HR_Desc descriptions. Two nodes share the label "Symptom", so it can name neither.
ASIA_NET = """net
{
    node_size = (80 40);
    HR_Desc = "";
}

node asia
{
    label = "Visit to Asia?";
    position = (60 40);
    states = ("yes" "no");
    HR_Desc = "Has the patient been to Asia recently?";
}

node smoke
{
    label = "Smoker?";
    position = (320 40);
    states = ("yes" "no");
}

node tub
{
    label = "Has tuberculosis";
    position = (60 140);
    states = ("yes" "no");
}

node lung
{
    label = "Has lung cancer";
    position = (240 140);
    states = ("yes" "no");
}

node bronc
{
    label = "Has bronchitis";
    position = (400 140);
    states = ("yes" "no");
}

node either
{
    label = "Tuberculosis or cancer";
    position = (150 240);
    states = ("yes" "no");
}

node xray
{
    label = "Symptom";
    position = (60 340);
    states = ("yes" "no");
}

node dysp
{
    label = "Symptom";
    position = (300 340);
    states = ("yes" "no");
}

potential (asia) { data = (0.01 0.99); }
potential (smoke) { data = (0.5 0.5); }
potential (tub | asia) { data = ((0.05 0.95) (0.01 0.99)); }
potential (lung | smoke) { data = ((0.1 0.9) (0.01 0.99)); }
potential (bronc | smoke) { data = ((0.6 0.4) (0.3 0.7)); }
potential (either | lung tub)
{
    data = (((1 0) (1 0)) ((1 0) (0 1)));
}
potential (xray | either) { data = ((0.98 0.02) (0.05 0.95)); }
potential (dysp | bronc either)
{
    data = (((0.9 0.1) (0.8 0.2)) ((0.7 0.3) (0.1 0.9)));
}
"""

#: An XMLBIF file (JavaBayes' format, as pgmpy reads it) whose names hold '=', which the
#: model format keeps for separating a variable from its state.
EQUALS_XMLBIF = """<?xml version="1.0"?>
<BIF VERSION="0.3">
<NETWORK>
<NAME>survey</NAME>
<VARIABLE TYPE="nature"><NAME>pollution=high</NAME><OUTCOME>yes</OUTCOME><OUTCOME>no</OUTCOME></VARIABLE>
<VARIABLE TYPE="nature"><NAME>smoker</NAME><OUTCOME>yes</OUTCOME><OUTCOME>no</OUTCOME></VARIABLE>
<VARIABLE TYPE="nature"><NAME>cancer</NAME><OUTCOME>yes</OUTCOME><OUTCOME>no</OUTCOME></VARIABLE>
<DEFINITION><FOR>pollution=high</FOR><TABLE>0.1 0.9</TABLE></DEFINITION>
<DEFINITION><FOR>smoker</FOR><TABLE>0.3 0.7</TABLE></DEFINITION>
<DEFINITION><FOR>cancer</FOR><GIVEN>pollution=high</GIVEN><GIVEN>smoker</GIVEN>
<TABLE>0.05 0.95 0.02 0.98 0.03 0.97 0.001 0.999</TABLE></DEFINITION>
</NETWORK>
</BIF>
"""

#: pgmpy's own GeNIe test file (diagnostic roles, state labels F5/F6 on the fault nodes).
DIAGNOSTIC_XDSL = """<?xml version="1.0" encoding="UTF-8"?>
<smile version="1.0" id="Asia" numsamples="10000" discsamples="10000">
    <nodes>
        <cpt id="asia" diagtype="observation" ranked="true">
            <state id="no" />
            <state id="yes" />
            <probabilities>0.99 0.01</probabilities>
        </cpt>
        <cpt id="tub" diagtype="target">
            <state id="no" label="F5" />
            <state id="yes" label="F6" fault="true" />
            <parents>asia</parents>
            <probabilities>0.99 0.01 0.95 0.05</probabilities>
        </cpt>
        <cpt id="smoke" diagtype="observation" ranked="true">
            <state id="no" />
            <state id="yes" />
            <probabilities>0.5 0.5</probabilities>
        </cpt>
        <cpt id="lung" diagtype="target">
            <state id="no" label="F9" />
            <state id="yes" label="F10" fault="true" />
            <parents>smoke</parents>
            <probabilities>0.99 0.01 0.9 0.1</probabilities>
        </cpt>
        <cpt id="either">
            <state id="Nothing" />
            <state id="CancerORTuberculosis" />
            <parents>tub lung</parents>
            <probabilities>1.00 0.0 1.00 0.0 1.00 0.0 0.0 1.0</probabilities>
        </cpt>
        <cpt id="xray" diagtype="observation" ranked="true">
            <state id="Normal" />
            <state id="Abnormal" />
            <parents>either</parents>
            <probabilities>0.95 0.05 0.02 0.98</probabilities>
        </cpt>
    </nodes>
</smile>
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(path: Path) -> tuple[Network, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropWarning)
        net = Network.from_spec(import_file(path))
    return net, [str(w.message) for w in caught if issubclass(w.category, InteropWarning)]


#: pyAgrum parses NET numbers into C float (see test_pyagrum): its answers carry ~1e-8.
AGRUM_NET = 1e-7


def _agrum(path: Path, target: str, evidence: dict[str, str]) -> dict[str, float]:
    bn = gum.loadBN(str(path))
    ie = gum.LazyPropagation(bn)
    ie.setEvidence(evidence)
    ie.makeInference()
    post = ie.posterior(target)
    var = bn.variable(target)
    return {var.label(i): float(post[i]) for i in range(var.domainSize())}


# ------------------------------------------------------------------------------ labels
def test_hugin_labels_are_aliases_and_answers_match_pyagrum(tmp_path: Path) -> None:
    path = _write(tmp_path, "asia.net", ASIA_NET)
    net, notes = _import(path)
    assert net.variables[0] == "asia"  # ids as the file writes them
    assert net.spec.variable("lung").aliases == ["Has lung cancer"]
    # "Symptom" labels two nodes: it is no alias, and the import says so
    assert net.spec.variable("xray").aliases == [] and net.spec.variable("dysp").aliases == []
    assert any("'Symptom'" in n for n in notes)
    with pytest.raises(QueryError, match="unknown variable 'Symptom'"):
        net.query("Symptom")
    ref = _agrum(path, "lung", {"smoke": "yes", "xray": "yes"})
    by_label = net.query("Has lung cancer", given={"Smoker?": "yes", "xray": "yes"})
    assert by_label.variable == "lung" and by_label.given == {"smoke": "yes", "xray": "yes"}
    for state, p in ref.items():
        assert by_label[state] == pytest.approx(p, abs=AGRUM_NET)
    # do(), soft evidence, marginals, batches and prepare take the aliases too
    assert net.query("lung", do={"Smoker?": "no"})["yes"] == pytest.approx(0.01, abs=1e-15)
    soft = net.query("Has tuberculosis", soft={"Visit to Asia?": {"yes": 1.0, "no": 0.0}})
    assert soft["yes"] == pytest.approx(0.05, abs=1e-15)  # the file's P(tub | asia=yes)
    m = net.marginals(given={"Smoker?": "yes", "xray": "yes"})
    assert m["Has lung cancer"]["yes"] == pytest.approx(ref["yes"], abs=AGRUM_NET)
    batch = net.query_batch("Has lung cancer", given={"Smoker?": ["yes", "no"], "xray": "yes"})
    assert float(batch.prob("yes")[0]) == pytest.approx(ref["yes"], abs=AGRUM_NET)
    prep = net.prepare("Has lung cancer", "yes", given={"Smoker?": "yes"})
    assert prep.target == "lung" and prep.conditions == "smoke=yes"


def test_cli_takes_labels_and_show_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "asia.net", ASIA_NET)
    args = ["query", str(path), "--target", "Has lung cancer", "--given", "Smoker?=yes"]
    assert main([*args, "--given", "xray=yes", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ref = _agrum(path, "lung", {"smoke": "yes", "xray": "yes"})
    assert out["target"] == "lung" and out["given"] == {"smoke": "yes", "xray": "yes"}
    for state, p in ref.items():
        assert out["probabilities"][state] == pytest.approx(p, abs=AGRUM_NET)
    assert main(["show", str(path), "--json"]) == 0
    shown = {v["id"]: v for v in json.loads(capsys.readouterr().out)["variables"]}
    assert shown["asia"]["aliases"] == ["Visit to Asia?"] and shown["dysp"]["aliases"] == []
    assert main(["show", str(path)]) == 0
    text = capsys.readouterr().out
    assert "'Visit to Asia?'" in text and "Other names (aliases)" in text
    assert main(["show", str(path), "--variable", "Has lung cancer"]) == 0
    assert "Has lung cancer" in capsys.readouterr().out


def test_sensitivity_and_intervals_name_targets_by_alias(tmp_path: Path) -> None:
    from estimative.sensitivity import indicators, one_way
    from estimative.uncertainty import query_interval

    net, _ = _import(_write(tmp_path, "asia.net", ASIA_NET))
    by_id = one_way(net, "lung", "yes", given={"xray": "yes"})
    by_alias = one_way(net, "Has lung cancer", "yes", given={"xray": "yes"})
    assert by_alias.target == "lung" and by_alias.point == by_id.point
    assert [f.parameter.label for f in by_alias.functions] == [
        f.parameter.label for f in by_id.functions
    ]
    ind = indicators(net, "Has lung cancer", "yes", candidates=["Smoker?", "xray"])
    assert {i.variable for i in ind.indicators} == {"smoke", "xray"}
    with pytest.raises(QueryError, match="cannot be its own indicator"):
        indicators(net, "Has lung cancer", "yes", candidates=["lung"])
    rng = np.random.default_rng(5)
    iv = query_interval(net, "Has lung cancer", "yes", draws=50, rng=rng)
    assert iv.target == "lung"
    assert iv.point == pytest.approx(0.5 * 0.1 + 0.5 * 0.01, abs=1e-15)  # hand calculation


def test_sweep_targets_and_parameters_take_aliases(tmp_path: Path) -> None:
    from estimative.sweep import load_sweep_file

    _write(tmp_path, "asia.net", ASIA_NET)
    sweep = _write(
        tmp_path,
        "s.yaml",
        "model: asia.net\n"
        "targets:\n  - Has lung cancer=yes\n  - {variable: Has bronchitis}\n"
        "parameters:\n  - {variable: 'Smoker?', state: 'yes', values: [0.2, 0.8]}\n"
        "strengths: {'Visit to Asia?': 10}\n",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        sf = load_sweep_file(sweep)
    assert sf.targets == [("lung", ["yes"]), ("bronc", ["yes", "no"])]
    assert sf.spec.parameters[0].variable == "smoke" and dict(sf.spec.strengths) == {"asia": 10}


# ------------------------------------------------------------------------------ renamed names
def test_a_renamed_name_is_an_alias_and_cli_cuts_at_the_right_equals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import XMLBIFReader

    path = _write(tmp_path, "survey.xmlbif", EQUALS_XMLBIF)
    net, notes = _import(path)
    assert "pollution_high" in net.variables
    assert net.spec.variable("pollution_high").aliases == ["pollution=high"]
    assert any("'pollution=high' -> 'pollution_high'" in n for n in notes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = VariableElimination(XMLBIFReader(str(path)).get_model()).query(
            ["cancer"], evidence={"pollution=high": "yes", "smoker": "no"}
        )
    expected = dict(zip(ref.state_names["cancer"], map(float, ref.values), strict=True))
    post = net.query("cancer", given={"pollution=high": "yes", "smoker": "no"})
    for state, p in expected.items():
        assert post[state] == pytest.approx(p, abs=1e-12)
    # on the command line the '=' that ends the variable's name is found: pollution=high=yes
    args = ["query", str(path), "--target", "cancer", "--given", "pollution=high=yes"]
    assert main([*args, "--given", "smoker=no", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["given"] == {"pollution_high": "yes", "smoker": "no"}
    for state, p in expected.items():
        assert out["probabilities"][state] == pytest.approx(p, abs=1e-12)
    # and the alias survives an export to every format and back
    for fmt in ("xmlbif", "xdsl", "net", "bif", "dne"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InteropWarning)
            back = Network.from_file(export_network(net, fmt, tmp_path / f"back.{fmt}"))
        # hand calculation: P(cancer | pollution=high) = 0.3 x 0.05 + 0.7 x 0.02
        assert back.query("cancer", given={"pollution=high": "yes"})["yes"] == pytest.approx(
            0.3 * 0.05 + 0.7 * 0.02, abs=1e-15
        ), fmt


def test_results_are_indexed_by_the_names_the_file_writes(tmp_path: Path) -> None:
    """Posteriors, joints, marginals and batches of a GeNIe file are indexed by its node names
    and state labels (aliases) as well as by the ids and states."""
    from estimative.network.view import all_marginals

    names = "".join(
        f'<node id="{i}"><name>{n}</name><position>0 0 10 10</position></node>'
        for i, n in (("tub", "Tuberculosis"), ("lung", "Lung cancer"))
    )
    text = DIAGNOSTIC_XDSL.replace(
        "</smile>",
        f'<extensions><genie version="1.0" name="Asia">{names}</genie></extensions></smile>',
    )
    net, _ = _import(_write(tmp_path, "asia.xdsl", text))
    assert net.spec.variable("tub").aliases == ["Tuberculosis"]
    # by hand from the file: P(tub=yes) = 0.01 x 0.05 + 0.99 x 0.01; P(lung=yes) = 0.5 x 0.1 +
    # 0.5 x 0.01 (0.1 given smoke=yes, 0.01 given no); tub and lung are independent
    tub, lung = 0.01 * 0.05 + 0.99 * 0.01, 0.5 * 0.1 + 0.5 * 0.01
    post = net.query("Tuberculosis")
    assert post["F6"] == post["yes"] == pytest.approx(tub, abs=1e-15)
    assert "F6" in post and "F7" not in post
    with pytest.raises(QueryError, match="'F7' is not a state of 'tub'"):
        post["F7"]
    joint = net.query_joint(["Tuberculosis", "lung"])
    assert joint.variables == ("tub", "lung")
    assert joint[{"Tuberculosis": "F6", "Lung cancer": "F10"}] == pytest.approx(
        tub * lung, abs=1e-15
    )
    assert joint[("F6", "yes")] == pytest.approx(tub * lung, abs=1e-15)
    assert joint.probability({"Lung cancer": ["F9", "F10"]}) == pytest.approx(1.0, abs=1e-15)
    assert joint.marginal("Lung cancer")["F10"] == pytest.approx(lung, abs=1e-15)
    m = net.marginals(given={"smoke": ["yes", "no"]})
    assert m.prob("Lung cancer", "F10").tolist() == pytest.approx([0.1, 0.01], abs=1e-15)
    assert m.posterior("lung", row=1)["F10"] == pytest.approx(0.01, abs=1e-15)
    assert m["Tuberculosis"]["F6"] == pytest.approx(tub, abs=1e-15)
    batch = net.query_batch(["Tuberculosis", "lung"], given={"smoke": ["yes", "no"]})
    assert batch.prob({"Tuberculosis": "F6", "Lung cancer": ["F10"]}).tolist() == pytest.approx(
        [tub * 0.1, tub * 0.01], abs=1e-15
    )
    assert all_marginals(net)["lung"]["F10"] == pytest.approx(lung, abs=1e-15)


def test_an_ambiguous_cut_is_refused_with_both_readings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 'a' is a variable with a state 'b=c'; 'a=b' is another variable's name with a state 'c'
    text = EQUALS_XMLBIF.replace("<NAME>smoker</NAME>", "<NAME>a</NAME>").replace(
        "<FOR>smoker</FOR>", "<FOR>a</FOR>"
    )
    text = text.replace("<GIVEN>smoker</GIVEN>", "<GIVEN>a</GIVEN>")
    text = text.replace(
        "<NAME>a</NAME><OUTCOME>yes</OUTCOME>", "<NAME>a</NAME><OUTCOME>b=c</OUTCOME>"
    )
    text = text.replace("pollution=high", "a=b").replace(
        "<NAME>a=b</NAME><OUTCOME>yes</OUTCOME>", "<NAME>a=b</NAME><OUTCOME>c</OUTCOME>"
    )
    path = _write(tmp_path, "amb.xmlbif", text)
    assert main(["query", str(path), "--target", "cancer", "--given", "a=b=c"]) == 2
    err = capsys.readouterr().err
    assert "'a' = 'b=c'" in err and "'a=b' = 'c'" in err


# ------------------------------------------------------------------------------ state labels
def test_genie_state_labels_are_state_aliases_and_diagnostic_roles_are_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import XDSLReader

    path = _write(tmp_path, "asia.xdsl", DIAGNOSTIC_XDSL)
    net, notes = _import(path)
    assert net.spec.variable("tub").state_aliases == {"no": ["F5"], "yes": ["F6"]}
    assert net.state_of("tub", "F6") == "yes"
    # GeNIe's targets and auxiliary nodes cannot be watched; its observations can
    observable = {v.id: v.observable for v in net.spec.variables}
    assert observable == {
        "asia": True,
        "tub": False,
        "smoke": True,
        "lung": False,
        "either": False,
        "xray": True,
    }
    assert any("diagnostic roles" in n for n in notes)
    model = XDSLReader(str(path)).get_model()
    ref = VariableElimination(model).query(["xray"], evidence={"tub": "yes", "lung": "no"})
    expected = dict(zip(ref.state_names["xray"], map(float, ref.values), strict=True))
    post = net.query("xray", given={"tub": "F6", "lung": "F9"})
    assert post.given == {"tub": "yes", "lung": "no"}
    for state, p in expected.items():
        assert post[state] == pytest.approx(p, abs=1e-12)
    assert main(["query", str(path), "--target", "xray", "--given", "tub=F6", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["given"] == {"tub": "yes"}
    # the labels and which nodes can be watched go back into GeNIe's file, with no warning:
    # the nodes that cannot are auxiliary (GeNIe's targets need fault states the model lacks)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InteropWarning)
        out = export_network(net, "xdsl", tmp_path / "back.xdsl")
    roles = {el.get("id"): el.get("diagtype") for el in ET.parse(out).getroot().find("nodes")}
    assert roles == {v: "observation" if seen else "auxiliary" for v, seen in observable.items()}
    back = _import(out)[0]
    assert back.spec.variable("lung").state_aliases == {"no": ["F9"], "yes": ["F10"]}
    assert {v.id: v.observable for v in back.spec.variables} == observable
    again = VariableElimination(XDSLReader(str(out)).get_model()).query(
        ["xray"], evidence={"tub": "yes", "lung": "no"}
    )  # pgmpy still reads the file, to the same numbers
    assert list(map(float, again.values)) == pytest.approx(list(expected.values()), abs=1e-12)
    # a format without diagnostic roles names what cannot be watched
    with pytest.warns(InteropWarning, match="observable: false of tub, lung, either"):
        export_network(net, "xmlbif", tmp_path / "back.bifxml")


# ------------------------------------------------------------------------------ never ambiguous
def _model_with(tmp_path: Path, aliases_a: str, aliases_b: str, state_aliases: str = "") -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(
        "title: t\nas_of: 2020-01-01\nvariables:\n"
        "  - id: a\n    label: A\n    states: [lo, hi]\n"
        f"    aliases: {aliases_a}\n{state_aliases}"
        "    cpt: {table: {lo: 0.3, hi: 0.7}, assumption: true, rationale: r}\n"
        "  - id: b\n    label: B\n    states: ['no', 'yes']\n    parents: [a]\n"
        f"    aliases: {aliases_b}\n"
        "    cpt:\n      assumption: true\n      rationale: r\n      table:\n"
        "        - {when: {a: lo}, probs: {'no': 0.9, 'yes': 0.1}}\n"
        "        - {when: {a: hi}, probs: {'no': 0.2, 'yes': 0.8}}\n"
    )
    return path


def test_an_alias_that_could_mean_two_things_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        Network.from_file(_model_with(tmp_path, "[b]", "[]"))
    assert "alias 'b' of 'a' is the id of variable 'b'" in str(err.value)
    assert "m.yaml:7" in str(err.value)  # the line of the alias
    with pytest.raises(ModelError, match="alias 'X' of 'b' is also an alias of 'a'"):
        Network.from_file(_model_with(tmp_path, "[X]", "[X]"))
    states = "    state_aliases: {lo: [low], hi: [low]}\n"
    with pytest.raises(ModelError, match="alias 'low' of state 'hi' of 'a' is also an alias"):
        Network.from_file(_model_with(tmp_path, "[]", "[]", states))
    net = Network.from_file(
        _model_with(tmp_path, "['A = level']", "[B]", "    state_aliases: {lo: [low]}\n")
    )
    # hand calculation: P(b=yes | a=lo) = 0.1
    assert net.query("B", given={"A = level": "low"})["yes"] == pytest.approx(0.1, abs=1e-15)


def test_aliases_in_a_dynamic_model_name_every_slice(tmp_path: Path) -> None:
    import yaml

    src = ROOT / "models" / "escalation_dynamic"
    data = yaml.safe_load((src / "model.yaml").read_text())
    var = next(v for v in data["variables"] if not v.get("static"))
    var["aliases"] = ["The first one"]
    folder = tmp_path / "dyn"
    folder.mkdir()
    for f in src.iterdir():
        if f.is_file() and f.name != "model.yaml":
            (folder / f.name).write_bytes(f.read_bytes())
    if (src / "sources").is_dir():
        (folder / "sources").mkdir()
        for f in (src / "sources").iterdir():
            (folder / "sources" / f.name).write_bytes(f.read_bytes())
    (folder / "model.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    net = Network.from_file(folder)
    vid = var["id"]
    slices = net.spec.time.labels if net.spec.time is not None else []
    last = f"{vid}@{slices[-1]}"
    state = net.states[last][-1]
    assert net.query(f"The first one@{slices[-1]}")[state] == net.query(last)[state]
    assert net.name_of("The first one") == vid  # the template's id: do() sets every slice
    do_all = net.query(last, do={"The first one": state})
    assert do_all[state] == pytest.approx(1.0, abs=1e-15)
