"""One-way sensitivity on the numbers the analyst entered (issue 13).

Reference: the model file itself, edited. For each entered number we write the model with
that number changed (as the analyst would re-elicit it), load it afresh and enumerate the
posterior by brute force; the sensitivity function must agree at its range's ends and in
between, and its derivative must agree with finite differences of the same recomputation."""

from __future__ import annotations

import copy
import itertools
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from estimative import Network
from estimative.sensitivity import one_way, parameters
from reference import enumerate_posterior

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
KINDS = ("table", "verbal", "noisy_or_link", "noisy_or_leak", "noisy_max_link", "noisy_max_leak")


def _doc(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _edited(doc: dict, p, x: float) -> dict:
    """The model document with parameter ``p`` set to ``x``, the way each form defines it."""
    doc = copy.deepcopy(doc)
    var = next(v for v in doc["variables"] if v["id"] == p.variable)
    cpt = var["cpt"]
    if p.kind == "noisy_or_link":
        ((par, st),) = p.parents
        cpt["noisy_or"]["causes"][par][st] = x
    elif p.kind == "noisy_or_leak":  # each cause's net link 1 - (1 - c)/(1 - leak) kept
        spec = cpt["noisy_or"]
        old = spec["leak"]
        for given in spec["causes"].values():
            for st, c in given.items():
                given[st] = 1 - (1 - x) * (1 - c) / (1 - old)
        spec["leak"] = x
    elif p.kind in ("noisy_max_link", "noisy_max_leak"):
        spec = cpt["noisy_max"]
        states = var["states"]
        leak = np.array([spec["leak"][s] for s in states])

        def covary(d: np.ndarray) -> np.ndarray:
            k = states.index(p.state)
            out = d * (1 - x) / (1 - d[k])
            out[k] = x
            return out

        if p.kind == "noisy_max_link":
            ((par, st),) = p.parents
            d = np.array([spec["causes"][par][st][s] for s in states])
            spec["causes"][par][st] = dict(zip(states, covary(d).tolist(), strict=True))
        else:  # the leak co-varied; each cause's CDF ratio to the leak's kept
            new = covary(leak)
            for given in spec["causes"].values():
                for st, probs in given.items():
                    cdf = np.cumsum([probs[s] for s in states])
                    cdf2 = np.cumsum(new) * cdf / np.cumsum(leak)
                    given[st] = dict(zip(states, np.diff(cdf2, prepend=0).tolist(), strict=True))
            spec["leak"] = dict(zip(states, new.tolist(), strict=True))
    elif p.kind == "table":
        cond = dict(p.parents)
        rows = cpt["table"]
        row = rows if isinstance(rows, dict) else next(r for r in rows if r["when"] == cond)
        probs = row if isinstance(rows, dict) else row["probs"]
        rest = 1 - probs[p.state]
        for s in probs:
            probs[s] = x if s == p.state else probs[s] * (1 - x) / rest
    return doc


def _verbal_as_table(net: Network, doc: dict, p, x: float) -> dict:
    doc = copy.deepcopy(doc)
    var = next(v for v in doc["variables"] if v["id"] == p.variable)
    table = net.cpt(p.variable).copy()
    flat = table.reshape(2, -1)
    flat[p.state_index, p.column], flat[1 - p.state_index, p.column] = x, 1 - x
    pars = net.parents[p.variable]
    rows = []
    for col, cfg in enumerate(itertools.product(*(net.states[q] for q in pars))):
        probs = dict(zip(net.states[p.variable], flat[:, col].tolist(), strict=True))
        rows.append({"when": dict(zip(pars, cfg, strict=True)), "probs": probs})
    var["cpt"] = {"table": rows if pars else rows[0]["probs"], "assumption": True, "rationale": "x"}
    return doc


def _recomputed(tmp: Path, net: Network, doc: dict, p, x: float, target, state, kw) -> float:
    new = _verbal_as_table(net, doc, p, x) if p.kind == "verbal" else _edited(doc, p, x)
    path = tmp / "edited.yaml"
    path.write_text(yaml.safe_dump(new, sort_keys=False))
    moved = Network.from_file(path)
    ev = moved.resolve(**kw)
    post = enumerate_posterior(moved, target, given=ev.given, do=ev.do, soft=ev.soft)
    return float(post[moved.states[target].index(state)])


CASES = [
    (DATA / "flood.yaml", "report", "yes", {}),
    (DATA / "flood.yaml", "flood", "yes", {"given": {"report": "yes"}}),
    (DATA / "flood.yaml", "breach", "yes", {"given": {"damage": "heavy"}}),
    (ROOT / "models" / "example" / "model.yaml", "armed_clash", "yes", {"policy": "status_quo"}),
    (ROOT / "models" / "example" / "model.yaml", "misread_intent", "yes", {}),
]


@pytest.mark.parametrize(("path", "target", "state", "kw"), CASES)
def test_entered_numbers_equal_recomputation_from_the_edited_file(
    tmp_path: Path, path: Path, target, state, kw
) -> None:
    if (path.parent / "sources").is_dir():  # quotes are checked against the sources
        shutil.copytree(path.parent / "sources", tmp_path / "sources")
    net = Network.from_file(path)
    doc = _doc(path)
    sens = one_way(net, target, state, **kw)
    kinds = {f.parameter.kind for f in sens.functions}
    assert kinds <= set(KINDS) and "cell" not in kinds
    for f in sens.functions:
        p = f.parameter
        assert p.bounds[0] <= f.low_x <= p.value <= f.high_x <= p.bounds[1], p.description
        for x in (f.low_x, f.high_x, 0.5 * (f.low_x + p.value)):
            ref = _recomputed(tmp_path, net, doc, p, x, target, state, kw)
            assert f(x) == pytest.approx(ref, abs=1e-10), (p.description, x)
        h = 1e-5
        up = _recomputed(tmp_path, net, doc, p, p.value + h, target, state, kw)
        dn = _recomputed(tmp_path, net, doc, p, p.value - h, target, state, kw)
        assert f.derivative == pytest.approx((up - dn) / (2 * h), abs=1e-6), p.description


def test_labels_say_what_the_analyst_wrote() -> None:
    net = Network.from_file(DATA / "flood.yaml")
    got = {p.description for p in parameters(net, variables=["flood", "backup", "damage"])}
    assert "P(flood=yes | breach=yes only) = 0.6, noisy-OR link" in got
    assert "P(flood=yes | no cause) = 0.05, noisy-OR leak" in got
    assert "P(backup=yes) = likely (0.675), verbal term" in got
    assert "P(damage=heavy | flood=yes only) = 0.4, noisy-MAX link" in got
    # no cell the analyst never entered, such as P(flood=yes | both causes) = 0.916
    assert not any("breach=yes, backup=yes" in d for d in got)


def test_the_flagship_tornado_names_only_numbers_in_the_model_file() -> None:
    folder = ROOT / "models" / "korea_2017"
    text = "\n".join(p.read_text() for p in folder.glob("*.yaml"))
    written = {float(m) for m in re.findall(r"(?<![\w.])(\d*\.\d+|\d+)(?![\w.])", text)}
    net = Network.from_file(folder)
    spec = net.spec
    outcome = spec.outcomes[0]
    sens = one_way(net, outcome.target, outcome.state)
    assert sens.functions
    for f in sens.functions:
        p = f.parameter
        if p.kind == "verbal":
            assert p.term is not None and p.term in text, p.description
        else:
            assert p.kind != "cell"
            assert any(abs(p.value - w) < 1e-12 for w in written), p.description
