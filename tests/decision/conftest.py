"""Shared fixtures of the decision tests: the textbook models, Raiffa's oil wildcatter rolled
back by hand, and the example model with utilities added.

Reference values never come from estimative's decision code:
- the oil wildcatter (Raiffa, 1968, Decision Analysis, Addison-Wesley; numbers as in Shenoy,
  1992, "Valuation-based systems for Bayesian decision analysis", Operations Research 40(3),
  and in aGrUM's OilWildcatter test: MEU 22.5, test, then drill unless the structure is diffuse;
  without the test, drill for an expected 20);
- the umbrella problem (Shachter's network; Poole and Mackworth, Artificial Intelligence:
  Foundations of Computational Agents, 2nd ed., Example 9.11; Netica's Umbrella example gives
  EU(take) = 35 and EU(leave) = 70 before the forecast; the optimal policy is worth 77);
- hand roll-backs written out below, enumeration of every strategy, and pyAgrum's
  ShaferShenoyLIMIDInference.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from estimative import Network

ROOT = Path(__file__).resolve().parents[2]
OIL = ROOT / "models" / "oil_wildcatter"
UMBRELLA = ROOT / "models" / "umbrella"
KOREA = ROOT / "models" / "korea_2017"


@pytest.fixture(scope="module")
def oil() -> Network:
    return Network.from_file(OIL)


@pytest.fixture(scope="module")
def umbrella() -> Network:
    return Network.from_file(UMBRELLA)


# ------------------------------------------------------------------------------ hand roll-backs
# Raiffa's numbers, typed from the textbook rather than read from the model file.
P_OIL = {"dry": 0.5, "wet": 0.3, "soaking": 0.2}
P_SEISMIC = {  # P(structure | amount)
    "dry": {"closed": 0.1, "open": 0.3, "diffuse": 0.6},
    "wet": {"closed": 0.3, "open": 0.4, "diffuse": 0.3},
    "soaking": {"closed": 0.5, "open": 0.4, "diffuse": 0.1},
}
PAYOFF = {"dry": -70.0, "wet": 50.0, "soaking": 200.0}
TEST_COST = 10.0


def hand_oil() -> dict[str, object]:
    """Roll the oil wildcatter's tree back by hand."""
    ev_drill_no_test = sum(P_OIL[o] * PAYOFF[o] for o in P_OIL)  # 20
    no_test = max(ev_drill_no_test, 0.0)
    rule = {}
    with_test = 0.0
    for s in ("closed", "open", "diffuse"):
        joint = {o: P_OIL[o] * P_SEISMIC[o][s] for o in P_OIL}
        ps = sum(joint.values())
        ev_drill = sum(joint[o] * PAYOFF[o] for o in P_OIL) / ps
        rule[s] = "yes" if ev_drill > 0 else "no"
        with_test += ps * max(ev_drill, 0.0)
    evpi = sum(P_OIL[o] * max(PAYOFF[o], 0.0) for o in P_OIL) - no_test
    return {
        "no_test": no_test,
        "with_test": with_test - TEST_COST,
        "gross_with_test": with_test,
        "rule": rule,
        "evpi": evpi,
        "evsi": with_test - no_test,
    }


@pytest.fixture
def hand() -> dict[str, object]:
    """The oil wildcatter rolled back by hand (:func:`hand_oil`)."""
    return hand_oil()


# ------------------------------------------------------------------------------ policies, draws
def _example_with_utilities(tmp_path: Path) -> Path:
    """The example model (models/example) with two weighted utility attributes."""
    folder = tmp_path / "example"
    folder.mkdir()
    (folder / "sources").mkdir()
    for f in (ROOT / "models" / "example" / "sources").iterdir():
        (folder / "sources" / f.name).write_text(f.read_text())
    (folder / "model.yaml").write_text((ROOT / "models" / "example" / "model.yaml").read_text())
    (folder / "utilities.yaml").write_text("""utilities:
  attributes:
    - id: peace
      label: No clash
      over: [armed_clash]
      values: {"no": 100, "yes": 0}
      weight: 0.6
      rationale: a clash is the worst outcome
    - id: clarity
      label: No misreading, calm
      over: [misread_intent, nk_provocation]
      values:
        - {when: {misread_intent: "no", nk_provocation: low}, value: 100}
        - {when: {misread_intent: "no", nk_provocation: medium}, value: 80}
        - {when: {misread_intent: "no", nk_provocation: high}, value: 50}
        - {when: {misread_intent: "yes", nk_provocation: low}, value: 40}
        - {when: {misread_intent: "yes", nk_provocation: medium}, value: 20}
        - {when: {misread_intent: "yes", nk_provocation: high}, value: 0}
      weight: 0.4
      rationale: clear intentions and fewer provocations
""")
    return folder


@pytest.fixture
def example_with_utilities(tmp_path: Path) -> Path:
    """A copy of models/example with utilities, in ``tmp_path``."""
    return _example_with_utilities(tmp_path)
