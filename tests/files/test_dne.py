"""Netica's DNE: real files read (Netica-written, from RNetica's sample networks and the BNMA
repository, in tests/data/thirdparty), our exports read back exactly, bad files refused with
their line.

References: hand calculations from the numbers each file holds (written out in the tests),
Raiffa's 22.5 for the oil wildcatter, and the original model for the round trips. No other
open-source tool reads DNE.
"""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network
from estimative.decision import solve
from estimative.files import InteropWarning, export_network, export_text, import_file

ROOT = Path(__file__).resolve().parents[2]
THIRD = ROOT / "tests" / "data" / "thirdparty"
OIL = ROOT / "models" / "oil_wildcatter"
EXAMPLE = ROOT / "models" / "example"


def _choice(result: object, decision: str, **seen: str) -> str:
    """The decision rule's choice where the decision sees ``seen``."""
    rules = {r["decision"]: r for r in result.to_dict()["rules"]}  # type: ignore[attr-defined]
    return next(row["choice"] for row in rules[decision]["rows"] if row["configuration"] == seen)


def _quiet_export(net: Network, fmt: str, path: Path, **kw: bool) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        return export_network(net, fmt, path, **kw)


# ------------------------------------------------------------------------------ real files
def test_rnetica_system() -> None:
    net = Network.from_file(THIRD / "rnetica" / "System.dne")
    assert net.variables == ("Skill1", "Skill2", "Skill3")
    assert net.states["Skill1"] == ("High", "Medium", "Low")
    assert net.query("Skill1").to_dict() == {"High": 0.1, "Medium": 0.3, "Low": 0.6}
    # Skill3 | Skill2: (0.8, 0.2) given High, (0.4, 0.6) given Low; P(Skill2 = High) = 0.3
    assert net.query("Skill3")["High"] == pytest.approx(0.3 * 0.8 + 0.7 * 0.4, abs=1e-15)
    assert net.query("Skill2", given={"Skill3": "Low"})["High"] == pytest.approx(
        0.3 * 0.2 / (0.3 * 0.2 + 0.7 * 0.6), abs=1e-15
    )


def test_rnetica_geometric_old_mac_file() -> None:
    """Netica 2006 on a Mac: lines end with CR alone and the rows are nested per parent."""
    path = THIRD / "rnetica" / "GeometricPM.dne"
    assert b"\n" not in path.read_bytes() and b"\r" in path.read_bytes()
    net = Network.from_file(path)
    assert len(net.variables) == 13
    seq = (0.2, 0.5, 0.3)  # SolveSequenceProblems
    geo = {"High": (0.52, 0.096, 0.004), "Medium": (0.376, 0.365, 0.069)}  # | Sequence
    for state, column in geo.items():
        p = sum(a * b for a, b in zip(seq, column, strict=True))
        assert net.query("SolveGeometricProblems")[state] == pytest.approx(p, abs=1e-15)
    assert net.spec.variable("CommonRatio").parents == ["SolveGeometricProblems"]
    # its row for Medium sums to 1.00000000242: renormalised within the import tolerance
    row = net.cpt("CommonRatio")[:, 1]
    assert row.sum() == pytest.approx(1.0, abs=1e-15)
    assert row[0] == pytest.approx(0.96300006 / (0.96300006 + 0.036 + 0.00099994242), abs=1e-15)


def test_rnetica_cost_of_testing_influence_diagram() -> None:
    net = Network.from_file(THIRD / "rnetica" / "CostOfTesting.dne")
    spec = net.spec
    assert [v.id for v in spec.variables if v.kind == "decision"] == ["Test", "Instruction"]
    assert spec.variable("Instruction").observes == ["Screening"]  # and the earlier Test
    assert spec.utilities is not None
    assert [a.id for a in spec.utilities.attributes] == ["Benefit", "InstructionCost", "TestCost"]
    assert spec.variable("Skill1").label == "Skill At Time 1"  # Netica's title
    assert "C1" not in net.variables  # Netica's equation constants are left out
    # By hand. Without the test, Tier1: P(Skill2 = High) = 0.35 x 0.2 + 0.65 x 0.1, worth 5.
    # With it (cost 0.1): Pass -> Tier1, Fail -> Tier2 (cost 1), in all
    # 5 (0.035 x 0.2 + 0.5525 x 0.1) + 5 (0.315 x 0.5 + 0.0975 x 0.1) - 0.4125 - 0.1 = 0.635.
    no_test = 5 * (0.35 * 0.2 + 0.65 * 0.1)
    test = 5 * (0.035 * 0.2 + 0.5525 * 0.1) + 5 * (0.315 * 0.5 + 0.0975 * 0.1) - 0.4125 - 0.1
    assert test == pytest.approx(0.635) and no_test == pytest.approx(0.675)
    result = solve(net)
    assert result.meu == pytest.approx(max(test, no_test), abs=1e-12)
    assert _choice(result, "Test") == "No"


def test_bnma_koalas_decision_network() -> None:
    net = Network.from_file(THIRD / "bnma" / "Koalas.dne")
    spec = net.spec
    assert [v.id for v in spec.variables if v.kind == "decision"] == ["Cull", "Relocate"]
    assert spec.utilities is not None and len(spec.utilities.attributes) == 4
    # Expected utility of each (Cull, Relocate) by hand, from the file's tables
    koala = {
        ("Yes", "Yes"): (0.9, 0.08, 0.02),
        ("Yes", "No"): (0.5, 0.45, 0.05),
        ("Yes", "Maybe"): (0.85, 0.1, 0.05),
        ("No", "Yes"): (0.5, 0.45, 0.05),
        ("No", "No"): (0.1, 0.5, 0.4),
        ("No", "Maybe"): (0.1, 0.6, 0.3),
        ("Maybe", "Yes"): (0.7, 0.25, 0.05),
        ("Maybe", "No"): (0.5, 0.45, 0.05),
        ("Maybe", "Maybe"): (0.6, 0.35, 0.05),
    }
    cull = {"Yes": -100, "No": 0, "Maybe": -50}
    relocate = {"Yes": -10, "No": 0, "Maybe": -5}
    trees = [(0.05, 0.95), (0.6, 0.4), (0.9, 0.1)]  # TreeSpecies | KoalaPopulation; W = -100, 100
    tourists = [(0.9, 0.1), (0.3, 0.7), (0.1, 0.9)]  # Tourists | KoalaPopulation; X = -10, 10

    def eu(c: str, r: str) -> float:
        after = sum(
            pk * (100 * (t[1] - t[0]) + 10 * (s[1] - s[0]))
            for pk, t, s in zip(koala[(c, r)], trees, tourists, strict=True)
        )
        return cull[c] + relocate[r] + after

    best = max(koala, key=lambda cr: eu(*cr))
    result = solve(net)
    assert result.meu == pytest.approx(eu(*best), abs=1e-12)
    assert (_choice(result, "Cull"), _choice(result, "Relocate", Cull=best[0])) == best


# ------------------------------------------------------------------------------ our files
def test_bnma_water_answers_in_the_names_netica_renamed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Netica wrote bnlearn's WATER with its states renamed to identifiers (``3`` -> ``N3``) and
    the originals as titles: queries and their answers take the originals (the whole network
    against pgmpy on bnlearn's file: test_thirdparty.py)."""
    from estimative.cli import main

    path = THIRD / "bnma" / "Water.dne"
    net = Network.from_file(path)
    assert net.states["C_NI_12_00"] == ("N3", "N4", "N5", "N6")
    assert net.spec.variable("CKNI_12_00").state_aliases == {
        "N20_MG_L": ["20_MG_L"],
        "N30_MG_L": ["30_MG_L"],
        "N40_MG_L": ["40_MG_L"],
    }
    # the file's rows: C_NI_12_00 uniform; C_NI_12_15 given it is 6: (0, 0.15, 0.25, 0.6), and
    # 6 given 3, 4, 5: 0, 0.05, 0.1; CKNI_12_00 0.3333333 each (renormalised: 1/3), CKNI_12_15
    # 20_MG_L given each: 0.48, 0.2, 0.04; the two chains share no node
    assert net.query("C_NI_12_15", given={"C_NI_12_00": "6"})["6"] == pytest.approx(0.6, abs=1e-15)
    six = 0.25 * (0 + 0.05 + 0.1 + 0.6)
    low = (0.48 + 0.2 + 0.04) / 3
    assert net.query("C_NI_12_15")["6"] == pytest.approx(six, abs=1e-15)
    joint = net.query_joint(["C_NI_12_15", "CKNI_12_15"])
    assert joint[("6", "20_MG_L")] == pytest.approx(six * low, abs=1e-15)
    assert net.marginals().prob("CKNI_12_15", "20_MG_L")[0] == pytest.approx(low, abs=1e-15)
    args = ["query", str(path), "--target", "C_NI_12_15", "--given", "C_NI_12_00=6", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["given"] == {"C_NI_12_00": "N6"}
    assert out["probabilities"]["N6"] == pytest.approx(0.6, abs=1e-15)


def test_oil_wildcatter_through_dne_decides_22_5(tmp_path: Path) -> None:
    net = Network.from_file(OIL)
    path = _quiet_export(net, "dne", tmp_path / "oil.dne")
    text = path.read_text()
    assert "kind = DECISION;" in text and "kind = UTILITY;" in text
    back = Network.from_file(path)
    assert solve(back).meu == pytest.approx(22.5, abs=1e-12)  # Raiffa (1968)
    for v in net.spec.variables:
        w = back.spec.variable(v.id)
        assert (w.kind, w.observes, w.label) == (v.kind, v.observes, v.label), v.id
        assert np.array_equal(back.cpt(v.id), net.cpt(v.id))


def test_names_netica_cannot_hold_come_back(tmp_path: Path) -> None:
    import pgmpy

    src = Path(pgmpy.__file__).parent / "utils" / "example_models" / "child.bif.gz"
    bif = tmp_path / "child.bif"
    bif.write_bytes(gzip.decompress(src.read_bytes()))
    net = Network.from_file(bif)
    with pytest.warns(InteropWarning, match="identifiers DNE can hold"):
        text = export_text(net, "dne")
    # written as identifiers, the originals recorded in a user field
    assert all("<7.5" not in line for line in text.splitlines() if "states =" in line)
    assert "estimative_names = " in text
    path = tmp_path / "child.dne"
    path.write_text(text)
    back = Network.from_file(path)
    assert back.states["CO2Report"] == net.states["CO2Report"] == ("<7.5", ">=7.5")
    for v in net.variables:
        assert np.array_equal(back.cpt(v), net.cpt(v)), v
    assert (
        back.query("Disease", given={"CO2Report": "<7.5"}).to_dict()
        == net.query("Disease", given={"CO2Report": "<7.5"}).to_dict()
    )
    # and Netica shows the names as written, in the states' titles
    assert '\tstatetitles = ("<7.5", ">=7.5");' in text.splitlines()


def test_the_example_through_dne(tmp_path: Path) -> None:
    net = Network.from_file(EXAMPLE)
    with pytest.warns(InteropWarning) as rec:
        path = export_network(net, "dne", tmp_path / "example.dne")
    (message,) = [str(w.message) for w in rec]
    assert "the DNE file does not hold" in message and "provenance" in message
    assert "misread_intent" in message  # its noisy-MAX goes as a table
    back = Network.from_file(path)
    for v in net.variables:
        assert np.array_equal(back.cpt(v), net.cpt(v)), v
        assert back.spec.variable(v).description == net.spec.variable(v).description
    assert back.spec.variable("us_rhetoric").kind == "decision"


# ------------------------------------------------------------------------------ state titles
#: Netica's titles of states: any text, one per state ("" or an empty entry for none).
TITLES = """\
// ~->[DNET-1]->~
bnet Lawn {
node Weather {
\tkind = NATURE;
\tdiscrete = TRUE;
\tchance = CHANCE;
\tstates = (sunny, rain, fog);
\tstatetitles = ("Sunny", "Heavy rain", );
\tparents = ();
\tprobs = (0.6, 0.3, 0.1);
\t};
node Grass {
\tkind = NATURE;
\tdiscrete = TRUE;
\tchance = CHANCE;
\tstates = (dry, wet);
\tstatetitles = ("dry grass", "");
\tparents = (Weather);
\tprobs = ((0.9, 0.1), (0.2, 0.8), (0.5, 0.5));
\t};
};
"""


def test_state_titles_are_state_aliases_and_go_back_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from estimative.cli import main

    path = tmp_path / "lawn.dne"
    path.write_text(TITLES)
    net = Network.from_file(path)
    assert net.spec.variable("Weather").state_aliases == {
        "sunny": ["Sunny"],
        "rain": ["Heavy rain"],
    }
    assert net.spec.variable("Grass").state_aliases == {"dry": ["dry grass"]}
    # the file's rows: P(Grass = wet | Weather = rain) = 0.8; P(Grass = dry) by hand
    assert net.query("Grass", given={"Weather": "Heavy rain"})["wet"] == 0.8
    dry = 0.6 * 0.9 + 0.3 * 0.2 + 0.1 * 0.5
    assert net.query("Grass")["dry grass"] == pytest.approx(dry, abs=1e-15)
    args = ["query", str(path), "--target", "Weather", "--given", "Grass=dry grass", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["given"] == {"Grass": "dry"}
    assert out["probabilities"]["rain"] == pytest.approx(0.3 * 0.2 / dry, abs=1e-15)
    # written back as titles (the state's own name where it has none), and read back alike
    text = export_text(net, "dne")
    assert '\tstatetitles = ("Sunny", "Heavy rain", "fog");' in text.splitlines()
    assert '\tstatetitles = ("dry grass", "wet");' in text.splitlines()
    (tmp_path / "back.dne").write_text(text)
    back = Network.from_file(tmp_path / "back.dne")
    for v in net.variables:
        assert back.spec.variable(v).state_aliases == net.spec.variable(v).state_aliases
        assert np.array_equal(back.cpt(v), net.cpt(v))
    # titles are written only where they say something: not for the example's states
    assert "statetitles" not in _quiet_text(Network.from_file(EXAMPLE), "dne")


def _quiet_text(net: Network, fmt: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        return export_text(net, fmt)


# ------------------------------------------------------------------------------ the grammar
GRAMMAR = """\
// ~->[DNET-1]->~
/* a block comment */
bnet Grammar {
title = "A \\"quoted\\" title";
comment = "first line\\nsecond \\
    line";
visual V1 {nodefont = font {shape= "Arial"; size= 9;}; NodeSet Node {BuiltIn = 1; Color = 0x00E1E1E1;};};
node A {
\tkind = NATURE;
\tdiscrete = TRUE;
\tchance = CHANCE;
\tstates = (a0, a1);
\tparents = ();
\tprobs = (0.25, 0.75);
\t};
node B {
\tkind = NATURE;
\tdiscrete = TRUE;
\tchance = CHANCE;
\tstates = (b0, b1, b2);
\tinputs = (, );
\tparents = (A);
\tprobs =
\t\t// b0  b1  b2  // A
\t\t ((#2),           // a0: fixed on b2
\t\t  (0.5, 0.5, 0));  // a1
\ttitle = "The B node";
\t};
node C {
\tkind = NATURE;
\tdiscrete = TRUE;
\tchance = DETERMIN;
\tstates = (no, yes);
\tparents = (A, B);
\tfunctable = (no, yes, #1, yes, no, no);
\t};
node L {
\tkind = NATURE;
\tdiscrete = FALSE;
\tlevels = (-INFINITY, 10, INFINITY);
\tparents = (C);
\tprobs = (@imposs, @imposs, 0.3, 0.7);
\t};
NodeSet Grammar {Nodes = (A, B);};
ElimOrder = (A, B, C, L);
};
"""


def test_grammar_netica_writes(tmp_path: Path) -> None:
    path = tmp_path / "grammar.dne"
    path.write_text(GRAMMAR)
    with pytest.warns(InteropWarning, match="1 parent configurations Netica marks impossible"):
        net = Network.from_file(path)
    spec = net.spec
    assert spec.title == 'A "quoted" title'
    assert spec.description == "first line\nsecond line"
    assert spec.variable("B").label == "The B node"
    assert net.cpt("B")[:, 0].tolist() == [0.0, 0.0, 1.0]  # (#2): the row fixed on b2
    assert net.cpt("B")[:, 1].tolist() == [0.5, 0.5, 0.0]
    # C = functable over (A, B), B fastest: a0 -> no, yes, yes; a1 -> yes, no, no
    picks = net.cpt("C")[1].ravel().tolist()
    assert picks == [0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    assert net.states["L"] == ("-INFINITY to 10", "10 to INFINITY")
    assert net.cpt("L")[:, 0].tolist() == [0.5, 0.5]  # the impossible row: any row will do
    p_c_yes = 0.25 * (0 * 0 + 0 * 1 + 1 * 1) + 0.75 * (0.5 * 1 + 0.5 * 0 + 0 * 0)
    assert net.query("C")["yes"] == pytest.approx(p_c_yes, abs=1e-15)


@pytest.mark.parametrize(
    ("change", "message", "line"),
    [
        (("\tprobs = (0.25, 0.75);", "\tprobs = (0.25, 0.75, 0.1);"), "has 3 numbers", 14),
        (("\tparents = (A);", "\tparents = (Q);"), "undeclared parent 'Q'", 22),
        (("(a0, a1)", "(a0, , a1)"), "empty entry", 12),
        (("\tprobs = (0.25, 0.75);", '\tequation = "A = 1";'), r"only an equation", 8),
        (("node A {\n\tkind = NATURE;", "node A {\n\tkind = NOTHING;"), "of kind NOTHING", 8),
        (("ElimOrder = (A, B, C, L);\n};\n", "ElimOrder = (A, B"), "expected", 0),
    ],
)
def test_bad_dne_files_are_refused_with_their_line(
    change: tuple[str, str], message: str, line: int, tmp_path: Path
) -> None:
    path = tmp_path / "bad.dne"
    path.write_text(GRAMMAR.replace(*change))
    with pytest.raises(ModelError, match=message) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        import_file(path)
    problem = err.value.problems[0]
    assert problem.file is not None and problem.file.endswith("bad.dne")
    assert problem.line == (line or len(path.read_text().splitlines()))  # 0: the last line


def test_a_fragment_and_a_constant_parent_are_refused(tmp_path: Path) -> None:
    fragment = tmp_path / "fragment.dne"
    fragment.write_text(
        "bnet F {\nparam X_A {\n\tkind = DISCONNECTED;\n\tstates = (a, b);\n\t};\n"
        "node B {\n\tstates = (x, y);\n\tparents = (X_A);\n\tprobs = (0.5, 0.5, 0.5, 0.5);\n\t};\n};\n"
    )
    with pytest.raises(ModelError, match="network fragment") as err:
        import_file(fragment)
    assert err.value.problems[0].line == 2
    constant = tmp_path / "constant.dne"
    constant.write_text(
        "bnet K {\nnode C {\n\tkind = CONSTANT;\n\tdiscrete = FALSE;\n\tparents = ();\n\t};\n"
        "node B {\n\tstates = (x, y);\n\tparents = (C);\n\tprobs = (0.5, 0.5);\n\t};\n};\n"
    )
    with pytest.raises(ModelError, match="constant node 'C'"):
        import_file(constant)
