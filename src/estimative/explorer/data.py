"""The explorer's numbers and texts, all computed here in Python: the graph's geometry, each
node's CPT with its provenance, the menus, and (for the offline page) every combination of
policy and scenario with every node's posterior and the headline outcomes' intervals.

The browser code only looks these up and draws them; it computes no probability.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import ImpossibleEvidenceError
from ..network import Network, all_marginals, graph_geometry
from ..spec import BASELINE
from ..uncertainty import compare_policies, draw_cpts

#: The scenario menu's "no scenario" entry.
NO_SCENARIO = ""


def combo_key(policy: str, scenario: str) -> str:
    """The key of one (policy, scenario) combination in the page's data.

    >>> combo_key("baseline", "")
    'baseline|'
    """
    return f"{policy}|{scenario}"


def _cpt_rows(net: Network, variable: str) -> list[dict[str, Any]]:
    if variable in net.chains:  # factorised: the rows the analyst wrote, not 2^n columns
        return _noisy_rows(net, variable)
    parents = net.parents[variable]
    flat = np.asarray(net.cpt(variable)).reshape(len(net.states[variable]), -1).T
    combos = list(itertools.product(*(net.states[p] for p in parents))) if parents else [()]
    return [
        {
            "when": ", ".join(f"{p}={s}" for p, s in zip(parents, combo, strict=True)) or "(prior)",
            "probs": [float(x) for x in row],
        }
        for combo, row in zip(combos, flat, strict=True)
    ]


def _noisy_rows(net: Network, variable: str) -> list[dict[str, Any]]:
    """A factorised noisy CPT's rows as written: the leak, then each cause alone."""
    pt = net.spec.variable(variable).factors
    leak = [1.0 - pt.leak, pt.leak] if pt.form == "noisy_or" else list(pt.leak)
    rows = [{"when": "no cause (leak)", "probs": [float(x) for x in leak]}]
    for (p, st), written in pt.written.items():
        probs = [1.0 - written, written] if pt.form == "noisy_or" else list(written)
        rows.append({"when": f"{p}={st} only", "probs": [float(x) for x in probs]})
    return rows


def node_details(net: Network) -> dict[str, dict[str, Any]]:
    """Each variable's side-panel text: label, description, states, parents, CPT rows, and its
    provenance (quotes with their sources, the assumption flag, the rationale, the strength).

    Parameters
    ----------
    net : Network
        The model.

    Returns
    -------
    dict of str to dict
        By variable.

    Examples
    --------
    >>> d = node_details(Network.from_file("models/example"))["armed_clash"]
    >>> d["cpt"][1], d["assumption"]
    ({'when': 'misread_intent=yes', 'probs': [0.875, 0.125]}, True)
    """
    spec = net.spec
    titles = {s.id: s.title or s.id for s in spec.sources}
    out: dict[str, dict[str, Any]] = {}
    for v in spec.variables:
        cpt = v.cpt
        out[v.id] = {
            "id": v.id,
            "label": v.label,
            "description": v.description,
            "kind": v.kind,
            "states": list(net.states[v.id]),
            "parents": list(net.parents[v.id]),
            "form": cpt.form,
            "cpt": _cpt_rows(net, v.id),
            "sources": [
                {
                    "source": c.source,
                    "title": titles.get(c.source, c.source),
                    "quote": c.quote,
                    "note": c.note or "",
                }
                for c in cpt.sources
            ],
            "assumption": cpt.assumption,
            "sourced": cpt.sourced,
            "rationale": cpt.rationale or "",
            "strength": cpt.strength,
        }
    return out


def menus(net: Network) -> dict[str, Any]:
    """The policy and scenario menus and the headline outcomes, as plain data.

    >>> m = menus(Network.from_file("models/example"))
    >>> [p["id"] for p in m["policies"]], [s["id"] for s in m["scenarios"]][:2]
    (['baseline', 'status_quo', 'private_channel'], ['', 'high_provocation'])
    """
    spec = net.spec
    return {
        "title": spec.title or net.name,
        "name": net.name,
        "model_hash": net.model_hash,
        "as_of": str(spec.as_of),
        "policies": [
            {"id": BASELINE, "label": "No policy: every decision at its prior", "do": {}},
            *({"id": p.id, "label": p.label, "do": dict(p.do)} for p in spec.policies),
        ],
        "scenarios": [
            {"id": NO_SCENARIO, "label": "No scenario", "given": {}},
            *({"id": s.id, "label": s.label, "given": dict(s.given)} for s in spec.scenarios),
        ],
        "outcomes": [
            {"id": o.id, "label": o.label, "target": o.target, "state": o.state}
            for o in spec.outcomes
        ],
    }


def fixed_states(
    net: Network, *, policy: str, scenario: str, given: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The states set by the conditions (a scenario's and the user's findings, a policy's
    do()), by variable: the bars drawn in red.

    >>> fixed_states(Network.from_file("models/example"), policy="private_channel", scenario="")
    {'us_rhetoric': 'measured', 'private_channel': 'yes'}
    """
    out: dict[str, str] = {}
    if scenario:
        out.update(net.spec.scenario(scenario).given)
    out.update(given or {})
    if policy != BASELINE:
        out.update(net.spec.policy(policy).do)
    return out


def view_state(
    net: Network, *, policy: str, scenario: str, given: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the graph and the headline show under one set of conditions: every node's
    posterior (``marginals``, state order), the states the conditions set (``fixed``) and each
    headline outcome's probability (``headline``).

    Parameters
    ----------
    net : Network
        The model.
    policy : str
        A policy of the model, or ``"baseline"``.
    scenario : str
        A scenario of the model, or ``""`` for none.
    given : mapping of str to str, optional
        Findings the user clicked.

    Returns
    -------
    dict
        ``{"marginals": {variable: [p, ...]}, "fixed": {variable: state},
        "headline": [{"id", "point"}], "error": ""}``.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> st = view_state(net, policy="baseline", scenario="", given={"misread_intent": "yes"})
    >>> st["marginals"]["armed_clash"], st["fixed"]
    ([0.875, 0.125], {'misread_intent': 'yes'})
    """
    post = all_marginals(
        net,
        given=given,
        policy=None if policy == BASELINE else policy,
        scenario=scenario or None,
    )
    return {
        "marginals": {v: [float(x) for x in p.probs] for v, p in post.items()},
        "fixed": fixed_states(net, policy=policy, scenario=scenario, given=given),
        "headline": [{"id": o.id, "point": post[o.target][o.state]} for o in net.spec.outcomes],
        "error": "",
    }


def page_data(
    net: Network,
    *,
    draws: int = 1000,
    rng: np.random.Generator,
    level: float = 0.9,
    policies: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Everything the offline page shows, computed once: the graph, the menus, the side
    panel's details and, for every (policy, scenario) combination, the view state with each
    headline outcome's ``level`` interval over ``draws`` parameter draws (the same draws for
    every combination: common random numbers).

    Parameters
    ----------
    net : Network
        The model.
    draws : int
        Parameter draws behind the intervals.
    rng : numpy.random.Generator
        Where the draws come from.
    level : float
        The credible level of the intervals.
    policies : sequence of str, optional
        The policies to offer (default: every policy of the model), besides the baseline.

    Returns
    -------
    dict
        ``{"graph", "meta", "details", "combos": {key: state}, "level", "draws"}``; a
        combination whose evidence is impossible holds ``{"error": ...}`` only.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> data = page_data(net, draws=200, rng=np.random.default_rng(0))
    >>> sorted(data["combos"])[:2], len(data["combos"])
    (['baseline|', 'baseline|ambiguous_reports'], 9)
    >>> row = data["combos"]["private_channel|"]["headline"][0]
    >>> row["point"] == net.query("armed_clash", policy="private_channel")["yes"], row["low"] < row["high"]
    (True, True)
    """
    meta = menus(net)
    if policies is not None:
        keep = {BASELINE, *policies}
        for p in policies:
            net.spec.policy(p)  # the one unknown-policy error
        meta["policies"] = [p for p in meta["policies"] if p["id"] in keep]
    cpts = draw_cpts(net, draws, rng=rng)
    combos: dict[str, dict[str, Any]] = {}
    pol_ids = [p["id"] for p in meta["policies"]]
    for sc in (s["id"] for s in meta["scenarios"]):
        intervals: dict[str, dict[str, tuple[float, float]]] = {}
        for o in net.spec.outcomes:
            try:
                cmp = compare_policies(
                    net,
                    o.target,
                    o.state,
                    [None if p == BASELINE else p for p in pol_ids],
                    scenario=sc or None,
                    draws=cpts,
                    level=level,
                )
            except ImpossibleEvidenceError:
                continue
            for p in pol_ids:
                iv = cmp.interval(p)
                intervals.setdefault(p, {})[o.id] = (iv.low, iv.high)
        for p in pol_ids:
            try:
                st = view_state(net, policy=p, scenario=sc)
            except ImpossibleEvidenceError as err:
                combos[combo_key(p, sc)] = {"error": str(err)}
                continue
            for row in st["headline"]:
                row["low"], row["high"] = intervals.get(p, {}).get(row["id"], (None, None))
            combos[combo_key(p, sc)] = st
    return {
        "graph": graph_geometry(net),
        "meta": meta,
        "details": node_details(net),
        "combos": combos,
        "level": level,
        "draws": draws,
    }
