"""The corpus of files other tools wrote (tests/data/thirdparty; origins, commits, licences and
checksums in tests/data/README): every file imports and gives the numbers an independent reader
gives.

Oracles: pgmpy's readers and exact variable elimination where pgmpy reads the file right (BIF,
NET, XDSL of chance nodes; every marginal, and every posterior under two sets of evidence), the
same network in another format for the UAI files (pgmpy's UAI reader is wrong for CPTs with
parents and pyAgrum's reads them in aGrUM's own layout), pyAgrum's LIMID inference for the
XMLBIF influence diagram, a brute-force expected utility from the file's numbers (parsed here
with ElementTree) for the XDSL one (pyAgrum reads no XDSL influence diagram), and hand
calculations for the Netica files (tests/files/test_dne.py; no other open-source tool reads DNE),
and pgmpy reading the same network in another format where the corpus has one (Water).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from estimative import Network
from estimative.decision import solve

DATA = Path(__file__).resolve().parents[1] / "data"
THIRD = DATA / "thirdparty"
CORPUS = sorted(p.relative_to(THIRD).as_posix() for p in THIRD.rglob("*") if p.is_file())
TOL = 1e-9

#: Files pgmpy reads right, by its reader.
PGMPY = {
    "bnlearn/asia.bif": "bif",
    "bnlearn/cancer.bif": "bif",
    "bnlearn/sachs.bif": "bif",
    "bnlearn/child.bif": "bif",
    "bnlearn/alarm.bif": "bif",
    "bnlearn/water.bif": "bif",
    "agrum/alarm.net": "net",
    "bnma/Habitat_Suitability.xdsl": "xdsl",
}
#: The asia network as UAI files of two other tools: each variable's name in bnlearn's asia.bif
#: (the structure and the tables say which is which; state 0 is "yes").
ASIA_UAI = {
    "merlin/ChestClinic.uai": ["smoke", "bronc", "lung", "asia", "tub", "either", "xray", "dysp"],
    "agrum/asia.uai": ["asia", "smoke", "bronc", "lung", "tub", "either", "dysp", "xray"],
}
#: Influence diagrams and their oracle.
DIAGRAMS = {"agrum/OilWildcatter.xml": "pyagrum", "agrum/Pinball.xdsl": "brute force"}
#: Netica files of a network the corpus also holds in another format, checked against pgmpy
#: reading that other file.
SAME_NETWORK = {"bnma/Water.dne": "bnlearn/water.bif"}
#: Netica files, checked by hand in tests/files/test_dne.py.
BY_HAND = {
    "rnetica/System.dne": "test_rnetica_system",
    "rnetica/GeometricPM.dne": "test_rnetica_geometric_old_mac_file",
    "rnetica/CostOfTesting.dne": "test_rnetica_cost_of_testing_influence_diagram",
    "bnma/Koalas.dne": "test_bnma_koalas_decision_network",
}


def test_every_file_has_an_oracle_and_its_origin_in_the_readme() -> None:
    assert CORPUS, "the corpus is empty"
    assert set(CORPUS) == set(PGMPY) | set(ASIA_UAI) | set(DIAGRAMS) | set(BY_HAND) | set(
        SAME_NETWORK
    )
    readme = (DATA / "README").read_text()
    listed = dict(re.findall(r"`thirdparty/([^`]+)`.*?sha256 `([0-9a-f]{64})`", readme))
    assert sorted(listed) == CORPUS
    for name, digest in listed.items():  # kept exactly as their authors wrote them
        assert hashlib.sha256((THIRD / name).read_bytes()).hexdigest() == digest, name
    assert sum((THIRD / n).stat().st_size for n in CORPUS) < 1.5 * 2**20
    dne_tests = (Path(__file__).parent / "test_dne.py").read_text()
    for test in BY_HAND.values():
        assert f"def {test}(" in dne_tests


def _load(name: str) -> Network:
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # the import notes (renormalised columns) are tested elsewhere
        return Network.from_file(THIRD / name)


def _evidence(net: Network) -> list[dict[str, str]]:
    """Two sets of evidence with positive probability: a leaf in its likeliest state, then
    another leaf and a root, each in a state the network allows."""
    parents = {p for v in net.variables for p in net.parents[v]}
    leaves = [v for v in net.variables if v not in parents]
    roots = [v for v in net.variables if not net.parents[v]]
    first = net.query(leaves[0]).to_dict()
    one = {leaves[0]: max(first, key=first.__getitem__)}
    two = {leaves[-1]: max(net.query(leaves[-1]).to_dict().items(), key=lambda kv: kv[1])[0]}
    root = next(r for r in roots if r not in two)
    given = net.query(root, given=two).to_dict()
    two[root] = max(given, key=given.__getitem__)
    return [one, two]


def _pgmpy_model(path: Path, fmt: str) -> Any:
    from pgmpy.readwrite import BIFReader, NETReader, XDSLReader

    reader = {"bif": BIFReader, "net": NETReader, "xdsl": XDSLReader}[fmt]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = reader(str(path)).get_model()
    for cpd in model.get_cpds():  # bnlearn's 4-7 digit columns miss 1 by up to 1e-7: our
        cpd.normalize(inplace=True)  # import renormalises them, so pgmpy's tables are too
    return model


def _pgmpy_posterior(ve: Any, v: str, evidence: dict[str, str]) -> dict[str, float]:
    factor = ve.query([v], evidence=evidence or None, show_progress=False)
    return {str(s): float(p) for s, p in zip(factor.state_names[v], factor.values, strict=True)}


@pytest.mark.parametrize("name", sorted(PGMPY))
def test_marginals_and_posteriors_match_pgmpy(name: str) -> None:
    from pgmpy.inference import VariableElimination

    net = _load(name)
    model = _pgmpy_model(THIRD / name, PGMPY[name])
    assert set(model.nodes()) == set(net.variables)
    ve = VariableElimination(model)
    worst, compared = 0.0, 0
    for evidence in [{}, *_evidence(net)]:
        for v in net.variables:
            if v in evidence:
                continue
            ref = _pgmpy_posterior(ve, v, evidence)
            ours = net.query(v, given=evidence).to_dict()
            assert ours.keys() == ref.keys(), v
            worst = max(worst, *(abs(ours[s] - ref[s]) for s in ours))
            compared += 1
    assert compared >= 3 * len(net.variables) - 3
    assert worst <= TOL, f"{name}: worst difference {worst:.3g}"


@pytest.mark.parametrize("name", sorted(ASIA_UAI))
def test_uai_files_of_asia_match_bnlearns_asia(name: str) -> None:
    from pgmpy.inference import VariableElimination

    net = _load(name)
    names = ASIA_UAI[name]
    assert net.variables == tuple(f"v{i}" for i in range(len(names)))  # UAI has no names
    ve = VariableElimination(_pgmpy_model(THIRD / "bnlearn" / "asia.bif", "bif"))
    ours_of = dict(zip(names, net.variables, strict=True))
    state = {"yes": "s0", "no": "s1"}
    worst = 0.0
    for evidence in ({}, {"dysp": "yes"}, {"xray": "yes", "smoke": "no"}):
        given = {ours_of[k]: state[s] for k, s in evidence.items()}
        for asia_name, v in ours_of.items():
            if asia_name in evidence:
                continue
            ref = _pgmpy_posterior(ve, asia_name, evidence)
            ours = net.query(v, given=given).to_dict()
            worst = max(worst, *(abs(ours[state[s]] - p) for s, p in ref.items()))
    assert worst <= TOL, f"{name}: worst difference {worst:.3g}"


@pytest.mark.parametrize("name", sorted(SAME_NETWORK))
def test_netica_file_matches_the_same_network_in_another_format(name: str) -> None:
    """BNMA's Water.dne is bnlearn's WATER as Netica 5.12 wrote it. Netica names states with
    identifiers (a letter first: ``3`` -> ``N3``, ``20_MG_L`` -> ``N20_MG_L``) and keeps the
    original names as ``statetitles``, which the import makes aliases of the states: every
    query below names states as the BIF file does. Netica writes its (float) numbers with up
    to 7 significant digits, the digits of bnlearn's BIF, so the two files agree to rounding
    in the last bit; both renormalise their ``0.3333333`` columns alike."""
    from pgmpy.inference import VariableElimination

    net = _load(name)
    other = SAME_NETWORK[name]
    model = _pgmpy_model(THIRD / other, PGMPY[other])
    assert set(model.nodes()) == set(net.variables)
    states = {v: [str(s) for s in model.get_cpds(v).state_names[v]] for v in model.nodes()}
    for v, theirs in states.items():  # each of the other file's names is one state, in order
        assert [net.state_of(v, s) for s in theirs] == list(net.states[v]), v
    ve = VariableElimination(model)
    findings = [
        {},
        *_evidence(_load(other)),
        {"CBODD_12_45": "20_MG_L", "CKNN_12_45": "1_MG_L", "C_NI_12_30": "5"},
    ]
    worst, compared = 0.0, 0
    for evidence in findings:
        for v in net.variables:
            if v in evidence:
                continue
            ref = _pgmpy_posterior(ve, v, evidence)
            ours = net.query(v, given=evidence)
            worst = max(worst, *(abs(ours[s] - p) for s, p in ref.items()))
            compared += 1
    assert compared == 4 * len(net.variables) - 6
    assert worst <= TOL, f"{name}: worst difference {worst:.3g}"


def test_xmlbif_influence_diagram_matches_pyagrum() -> None:
    gum = pytest.importorskip("pyagrum")
    path = THIRD / "agrum" / "OilWildcatter.xml"
    diagram = gum.loadID(str(path))
    for node in diagram.nodes():
        if diagram.isChanceNode(node):
            diagram.cpt(node).normalizeAsCPT()  # its 0.333333 columns, as our import does
    ie = gum.ShaferShenoyLIMIDInference(diagram)
    ie.makeInference()
    result = solve(_load("agrum/OilWildcatter.xml"))
    assert result.meu == pytest.approx(ie.MEU()["mean"], abs=TOL)


def _brute_force_meu(path: Path) -> float:
    """The maximum expected utility of a GeNIe influence diagram whose decisions observe only
    earlier decisions, by enumeration over the file's tables (last parent fastest, as SMILE
    lays them out)."""
    nodes = {el.get("id"): el for el in ET.parse(path).getroot().find("nodes")}
    states = {k: [s.get("id") for s in el.findall("state")] for k, el in nodes.items()}

    def parents(k: str) -> list[str]:
        p = nodes[k].find("parents")
        return p.text.split() if p is not None and p.text else []

    def table(k: str, tag: str, card: int) -> np.ndarray:
        values = np.array([float(x) for x in nodes[k].find(tag).text.split()])
        return values.reshape(*(len(states[p]) for p in parents(k)), card)

    chance = [k for k, el in nodes.items() if el.tag == "cpt"]
    decisions = [k for k, el in nodes.items() if el.tag == "decision"]
    utilities = [k for k, el in nodes.items() if el.tag == "utility"]
    assert all(nodes[p].tag == "decision" for d in decisions for p in parents(d))
    cpts = {k: table(k, "probabilities", len(states[k])) for k in chance}
    values = {k: table(k, "utilities", 1)[..., 0] for k in utilities}
    best = -np.inf
    for choice in itertools.product(*(range(len(states[d])) for d in decisions)):
        fixed = dict(zip(decisions, choice, strict=True))
        eu = 0.0
        for combo in itertools.product(*(range(len(states[c])) for c in chance)):
            at = {**fixed, **dict(zip(chance, combo, strict=True))}
            p = np.prod([cpts[c][(*(at[q] for q in parents(c)), at[c])] for c in chance])
            eu += p * sum(values[u][tuple(at[q] for q in parents(u))] for u in utilities)
        best = max(best, eu)
    return float(best)


def test_xdsl_influence_diagram_matches_brute_force() -> None:
    path = THIRD / "agrum" / "Pinball.xdsl"
    result = solve(_load("agrum/Pinball.xdsl"))
    assert result.meu == pytest.approx(_brute_force_meu(path), abs=TOL)


# ------------------------------------------------------------------------------ the others' readings
def test_the_misreadings_the_readme_names() -> None:
    """README.md says which readers misread which files; these are those claims, measured (a
    failure here means a reader changed and the README must say so)."""
    gum = pytest.importorskip("pyagrum")
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import UAIReader

    def agrum_worst(name: str, names: dict[str, str]) -> float:
        bn = gum.loadBN(str(THIRD / name))
        ie = gum.LazyPropagation(bn)
        ie.makeInference()
        net = _load(name)
        return max(
            abs(a - b)
            for v in net.variables
            for a, b in zip(
                ie.posterior(names[v]).tolist(), net.query(v).to_dict().values(), strict=True
            )
        )

    # pyAgrum 3.3.1 reads 2+-parent XDSL and UAI tables with the first parent fastest
    habitat = _load("bnma/Habitat_Suitability.xdsl")
    labels = {v: habitat.spec.variable(v).label for v in habitat.variables}
    assert agrum_worst("bnma/Habitat_Suitability.xdsl", labels) > 0.05
    assert agrum_worst("agrum/asia.uai", {f"v{i}": str(i) for i in range(8)}) > 0.03
    with pytest.raises(gum.FatalError):  # functions not in the variables' order
        gum.loadBN(str(THIRD / "merlin" / "ChestClinic.uai"))
    for name in ASIA_UAI:  # pgmpy 1.1.2 reads UAI tables of CPTs with parents transposed
        with pytest.raises(ValueError, match="not equal to 1"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            VariableElimination(UAIReader(str(THIRD / name)).get_model())  # checks the model
