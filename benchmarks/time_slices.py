"""Inference over time: query cost as the number of slices grows (4, 8, 16, 32, 64).

Run by hand, never in the test suite::

    .venv/bin/python benchmarks/time_slices.py            # 4..64 slices, best of 7
    .venv/bin/python benchmarks/time_slices.py --quick    # 4..32 slices, best of 3

A random dynamic model (five variables, one of them static, lags of one slice, three-state
and two-state variables) is written as an estimative model file and as pyAgrum's 2TBN with the
same tables; pyAgrum unrolls its own (``dynamicBN.unroll2TBN``) and pgmpy gets ours as a
``DiscreteBayesianNetwork``. Three queries, each timed best-of-k with the same repeats for
every tool, in the same run:

- ``last``: P(c in the last slice | b in the first slice);
- ``window``: P(c in any slice | b in the first slice); ours on the window node, pyAgrum and
  pgmpy as 1 - P(no c in every slice | evidence), computed from their P(evidence);
- ``trajectory``: P(c) in every slice (ours: ``Network.trajectory``; pyAgrum: one inference,
  every posterior read; pgmpy: one query per slice).

Ours reuses its compiled plans (the first call is shown apart); pyAgrum's LazyPropagation is
made once per repeat (the junction tree is built each time, as a new question would); pgmpy's
VariableElimination is made once and reused. Every answer is checked against pyAgrum's.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import yaml

TEMPLATE = {
    "w": (2, [], None),
    "a": (3, ["a@t-1", "w"], ["w"]),
    "b": (2, ["a", "b@t-1"], ["a"]),
    "c": (2, ["b", "a@t-1"], ["b"]),
    "u": (2, [], None),
}


def tables(rng: np.random.Generator) -> dict:
    def table(k: int, ps: list[str]) -> np.ndarray:
        cards = [TEMPLATE[p.split("@")[0]][0] for p in ps]
        return rng.dirichlet(np.ones(k), size=cards).transpose(-1, *range(len(cards)))

    out = {}
    for name, (k, parents, first) in TEMPLATE.items():
        out[name] = {"cpt": table(k, parents)}
        if first is not None:
            out[name]["initial"] = table(k, first)
    return out


def cpt_yaml(name: str, parents: list[str], table: np.ndarray) -> dict:
    k = TEMPLATE[name][0]
    states = [f"v{i}" for i in range(k)]
    if not parents:
        return {
            "table": {s: float(table[i]) for i, s in enumerate(states)},
            "assumption": True,
            "rationale": "random",
        }
    cards = [TEMPLATE[p.split("@")[0]][0] for p in parents]
    rows = [
        {
            "when": {p: f"v{j}" for p, j in zip(parents, combo, strict=True)},
            "probs": {s: float(table[(i, *combo)]) for i, s in enumerate(states)},
        }
        for combo in itertools.product(*(range(c) for c in cards))
    ]
    return {"table": rows, "assumption": True, "rationale": "random"}


def model_file(folder: Path, tab: dict, n: int) -> Path:
    variables = []
    for name, (k, parents, first) in TEMPLATE.items():
        var = {
            "id": name,
            "label": name,
            "states": [f"v{i}" for i in range(k)],
            "parents": parents,
            "cpt": cpt_yaml(name, parents, tab[name]["cpt"]),
        }
        if name == "w":
            var["static"] = True
        if first is not None:
            var["initial"] = cpt_yaml(name, first, tab[name]["initial"])
        variables.append(var)
    data = {
        "format": "estimative/1",
        "title": f"random 2TBN, {n} slices",
        "as_of": "2017-05-15",
        "time": {
            "slices": [f"{2018 + i}-01-01" for i in range(n)],
            "labels": [f"s{i}" for i in range(n)],
        },
        "variables": variables,
        "outcomes": [{"id": "c_any", "label": "c at some point", "target": "c", "state": "v1"}],
    }
    path = folder / f"model_{n}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def pyagrum_2tbn(gum, tab: dict):
    bn = gum.BayesNet()
    for name, (k, _, _) in TEMPLATE.items():
        if name == "w":
            bn.add(gum.LabelizedVariable("W", "W", k))
        else:
            bn.add(gum.LabelizedVariable(f"{name}0", name, k))
            bn.add(gum.LabelizedVariable(f"{name}t", name, k))

    def pname(p: str, s: str) -> str:
        var, _, lag = p.partition("@")
        return "W" if var == "w" else (f"{var}0" if lag == "t-1" else f"{var}{s}")

    fill = []
    for name, (_, parents, first) in TEMPLATE.items():
        if name == "w":
            fill.append(("W", [], tab[name]["cpt"]))
            continue
        fp = first if first is not None else parents
        ft = tab[name]["initial"] if first is not None else tab[name]["cpt"]
        fill.append((f"{name}0", [pname(p, "0") for p in fp], ft))
        fill.append((f"{name}t", [pname(p, "t") for p in parents], tab[name]["cpt"]))
    for child, parents, table in fill:
        for p in parents:
            bn.addArc(p, child)
        for combo in itertools.product(*(range(c) for c in table.shape[1:])):
            bn.cpt(child)[dict(zip(parents, combo, strict=True))] = table[
                (slice(None), *combo)
            ].tolist()
    return bn


def best(fn, k: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(k):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sizes = (4, 8, 16, 32) if args.quick else (4, 8, 16, 32, 64)
    k = 3 if args.quick else 7
    logging_off()
    print(
        f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; "
        f"best of {k}; python {sys.version.split()[0]}"
    )
    tab = tables(np.random.default_rng(2017))
    folder = Path(tempfile.mkdtemp())
    rows = []
    for n in sizes:
        rows.extend(run_size(n, tab, folder, k))
    print(
        f"{'slices':>6} {'query':<10} {'ours ms':>9} {'pyAgrum ms':>11} {'pgmpy ms':>9} {'x pyAgrum':>10} {'x pgmpy':>8}"
    )
    for n, name, a, b, c, _ in rows:
        print(
            f"{n:>6} {name:<10} {1e3 * a:9.3f} {1e3 * b:11.3f} {1e3 * c:9.3f} {b / a:10.1f} {c / a:8.1f}"
        )
    print("growth of our time per doubling of slices (linear: about 2):")
    for name in ("last", "window", "trajectory"):
        ts = [a for n, q, a, *_ in rows if q == name]
        print(f"  {name:<10} " + " ".join(f"{b / a:.2f}" for a, b in itertools.pairwise(ts)))
    return 0


def run_size(n: int, tab: dict, folder: Path, k: int) -> list[tuple]:
    """Time the three queries on ``n`` slices; every answer checked against pyAgrum's."""
    import pyagrum as gum
    from pgmpy.inference import VariableElimination

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from pyagrum.lib import dynamicBN

    from estimative import Network

    out: list[tuple] = []
    net = Network.from_file(model_file(folder, tab, n))
    bn = dynamicBN.unroll2TBN(pyagrum_2tbn(gum, tab), n)
    pg = net.to_pgmpy()
    ve = VariableElimination(pg)
    last, window = f"c@s{n - 1}", f"c@s0..s{n - 1}"
    ev = {"b@s0": "v1"}
    t0 = time.perf_counter()
    net.query(last, given=ev)
    first_call = time.perf_counter() - t0

    def agrum_last():
        ie = gum.LazyPropagation(bn)
        ie.setEvidence({"b0": 1})
        ie.makeInference()
        return ie.posterior(f"c{n - 1}").toarray()[1]

    def agrum_window():
        ie = gum.LazyPropagation(bn)
        ie.setEvidence({"b0": 1})
        ie.makeInference()
        p_ev = ie.evidenceProbability()
        ie = gum.LazyPropagation(bn)
        ie.setEvidence({"b0": 1, **{f"c{i}": 0 for i in range(n)}})
        ie.makeInference()
        return 1 - ie.evidenceProbability() / p_ev

    def agrum_traj():
        ie = gum.LazyPropagation(bn)
        ie.setEvidence({"b0": 1})
        ie.makeInference()
        return [ie.posterior(f"c{i}").toarray()[1] for i in range(n)]

    def pgmpy_last():
        return ve.query([last], evidence=ev, show_progress=False).values[1]

    def pgmpy_window():

        joint = ve.query(
            [f"c@s{i}" for i in range(n)] if n <= 8 else [last],
            evidence=ev,
            show_progress=False,
            joint=True,
        )
        return 1 - joint.values.flat[0] if n <= 8 else float("nan")

    def pgmpy_traj():
        return [ve.query([f"c@s{i}"], evidence=ev, show_progress=False).values[1] for i in range(n)]

    cases = {
        "last": (lambda: net.query(last, given=ev)["v1"], agrum_last, pgmpy_last),
        "window": (
            lambda: net.query(window, given=ev)["v1"],
            agrum_window,
            pgmpy_window if n <= 8 else None,
        ),
        "trajectory": (
            lambda: list(net.trajectory("c", given=ev).prob("v1")),
            agrum_traj,
            pgmpy_traj if n <= 32 else None,
        ),
    }
    for name, (ours, agrum, pgm) in cases.items():
        ours()  # compile once
        t_ours, v_ours = best(ours, k)
        t_agrum, v_agrum = best(agrum, k)
        np.testing.assert_allclose(v_ours, v_agrum, atol=1e-9)
        t_pg = float("nan")
        if pgm is not None:
            t_pg, v_pg = best(pgm, k)
            if not (isinstance(v_pg, float) and np.isnan(v_pg)):
                np.testing.assert_allclose(v_pg, v_agrum, atol=1e-9)
        out.append((n, name, t_ours, t_agrum, t_pg, first_call))
    return out


def logging_off() -> None:
    import logging

    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")


if __name__ == "__main__":
    raise SystemExit(main())
