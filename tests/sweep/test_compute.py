"""Sweep rows: equal pgmpy on the drawn CPTs, a parameter grid is the sensitivity line in every
draw, and strengths override the Dirichlet."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from estimative import Network
from estimative.sweep import (
    COLUMNS,
    ParameterGrid,
    SweepDesign,
    read_sweep,
    run_sweep,
)
from estimative.uncertainty import draw_cpts


# ------------------------------------------------------------------------- independent reference
def pgmpy_posteriors(
    net: Network,
    cpts: list[np.ndarray],
    targets: list[str],
    *,
    do: dict[str, str],
    given: dict[str, str],
    soft: dict[str, dict[str, float]],
) -> dict[str, dict[str, float]]:
    """P(target | given, soft; do) for each target by pgmpy variable elimination on a model with
    these CPTs.

    do() is surgery in the pgmpy model (Network.to_pgmpy(do=...)). Soft evidence
    is a virtual child whose CPT is the likelihood (scaled to <= 1), observed in state 1.
    """
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination

    model = net.with_cpts(dict(zip(net.variables, cpts, strict=True))).to_pgmpy(do=do)
    evidence = dict(given)
    for var, lik in soft.items():
        vec = np.array([lik.get(s, 0.0) for s in net.states[var]])
        vec = vec / vec.max()
        node = f"soft_{var}"
        model.add_edge(var, node)
        model.add_cpds(
            TabularCPD(
                node,
                2,
                np.vstack([1 - vec, vec]),
                evidence=[var],
                evidence_card=[len(vec)],
                state_names={node: ["0", "1"], var: list(net.states[var])},
            )
        )
        evidence[node] = "1"
    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ve = VariableElimination(model)
        for target in targets:
            if target in do:
                out[target] = {s: 1.0 if s == do[target] else 0.0 for s in net.states[target]}
                continue
            factor = ve.query([target], evidence=evidence or None, show_progress=False)
            out[target] = {s: float(factor.get_value(**{target: s})) for s in net.states[target]}
    return out


def hand_covary(cpt: np.ndarray, state: int, parent_index: dict[int, int], x: float) -> np.ndarray:
    """Set P(state | matching columns) = x, scaling the column's other entries by (1-x)/(1-old)."""
    out = cpt.copy()
    for col in np.ndindex(*cpt.shape[1:]):
        if all(col[a] == i for a, i in parent_index.items()):
            old = out[(state, *col)]
            for s in range(cpt.shape[0]):
                out[(s, *col)] = x if s == state else out[(s, *col)] * (1 - x) / (1 - old)
    return out


def test_rows_equal_pgmpy_on_the_drawn_cpts(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    design = small_design(net)
    result = run_sweep(design, out=tmp_path / "s", workers=1)
    df = read_sweep(result.out)
    assert (
        len(df) == result.rows == 60 * 3 * 3 * 4 * 4
    )  # draws x policies x scenarios x settings x states
    assert list(df.columns) == [c for c, _, _ in COLUMNS]
    # Draw 37 sits in chunk 1 (draws 25..49) at position 12; chunk k uses SeedSequence(seed).spawn(K)[k].
    ss = np.random.SeedSequence(11).spawn(3)[1]
    drawn = [d[..., 12] for d in draw_cpts(net, 25, rng=np.random.default_rng(ss))]
    mi = net.index("misread_intent")
    ac = net.index("armed_clash")
    high = net.states["nk_provocation"].index("high")
    prov_axis = net.parents["misread_intent"].index("nk_provocation")
    settings = {
        (None, None): drawn,
        ("misread_intent=yes | nk_provocation=high", 0.1): None,
        ("misread_intent=yes | nk_provocation=high", 0.7): None,
        ("clash_after_misreading", 0.5): None,
    }
    for label, x in list(settings):
        if label is None:
            continue
        cpts = list(drawn)
        if label.startswith("misread"):
            cpts[mi] = hand_covary(drawn[mi], 1, {prov_axis: high}, x)
        else:
            cpts[ac] = hand_covary(drawn[ac], 1, {0: 1}, x)
        settings[(label, x)] = cpts
    rows = df[df["draw"] == 37]
    assert len(rows) == 3 * 3 * 4 * 4
    checked = 0
    for (label, x), cpts in settings.items():
        for pol in ("baseline", "status_quo", "private_channel"):
            do = {} if pol == "baseline" else dict(net.spec.policy(pol).do)
            for sc in ("baseline", "high_provocation", "ambiguous_reports"):
                scen = None if sc == "baseline" else net.spec.scenario(sc)
                given = dict(scen.given) if scen else {}
                soft = {k: dict(v) for k, v in scen.soft.items()} if scen else {}
                targets = ["armed_clash", "misread_intent", "us_rhetoric"]
                refs = pgmpy_posteriors(net, cpts, targets, do=do, given=given, soft=soft)
                for target in targets:
                    ref = refs[target]
                    sel = rows[
                        (rows.policy == pol) & (rows.scenario == sc) & (rows.target == target)
                    ]
                    sel = (
                        sel[sel.parameter.isna()]
                        if label is None
                        else sel[(sel.parameter == label) & (sel.parameter_value == x)]
                    )
                    assert (
                        len(sel)
                        == {"armed_clash": 1, "misread_intent": 2, "us_rhetoric": 1}[target]
                    )
                    for _, row in sel.iterrows():
                        assert row.evidence_ok
                        assert row.probability == pytest.approx(ref[row.state], abs=1e-10), (
                            label,
                            x,
                            pol,
                            sc,
                            target,
                        )
                        checked += 1
    assert checked == 3 * 3 * 4 * 4
    # Common random numbers: every cell of draw 37 used the same CPTs (checked above against
    # one set of drawn CPTs); and the baseline cell's evidence probability is 1.
    base = df[(df.scenario == "baseline")]
    assert np.allclose(base.evidence_probability, 1.0)


def test_parameter_grid_is_the_sensitivity_line_in_every_draw(net: Network, tmp_path: Path) -> None:
    # P(clash=yes) = P(m=no) q_no + P(m=yes) x with x = P(clash=yes | m=yes): a line in x whose
    # slope is P(m=yes) of that draw, and the draw's own value of x lies on it.
    design = SweepDesign(
        net,
        targets=(("armed_clash", ("yes",)),),
        policies=("baseline",),
        parameters=(
            ParameterGrid("armed_clash", "yes", (0.25, 0.5), (("misread_intent", "yes"),)),
        ),
        draws=30,
        chunk_size=30,
        seed=3,
    )
    rows = read_sweep(run_sweep(design, out=tmp_path / "p", workers=1).out)
    # P(clash) = P(m=no) q_no + P(m=yes) x: linear in x with slope P(m=yes) > 0 in each draw.
    wide = rows.pivot_table(
        index="draw", columns="parameter_value", values="probability", observed=True
    )
    free = rows[rows.parameter.isna()].set_index("draw").probability
    slope = (wide[0.5] - wide[0.25]) / 0.25
    assert (slope > 0).all() and (slope < 1).all()
    # The free draw lies on the same line at its own drawn value of the parameter.
    ss = np.random.SeedSequence(3).spawn(1)[0]
    drawn = draw_cpts(net, 30, rng=np.random.default_rng(ss))[net.index("armed_clash")][1, 1, :]
    assert np.allclose(wide[0.25] + slope * (drawn - 0.25), free.loc[wide.index], atol=1e-12)


def test_strengths_override_the_dirichlet(net: Network, tmp_path: Path) -> None:
    # With a huge equivalent sample size every draw sits on the model's point CPTs, so each
    # row equals pgmpy on the point values.
    design = SweepDesign(
        net,
        targets=(("armed_clash", ("yes",)),),
        policies=("baseline", "status_quo"),
        strengths={v: 1e9 for v in net.variables},
        draws=20,
        chunk_size=20,
        seed=1,
    )
    df = read_sweep(run_sweep(design, out=tmp_path / "st", workers=1).out)
    for pol in ("baseline", "status_quo"):
        do = {} if pol == "baseline" else dict(net.spec.policy(pol).do)
        ref = pgmpy_posteriors(net, list(net.cpts), ["armed_clash"], do=do, given={}, soft={})[
            "armed_clash"
        ]["yes"]
        got = df[df.policy == pol].probability.to_numpy()
        assert np.allclose(got, ref, atol=1e-4) and got.std() < 1e-4
    # and with the file's strengths the same query spreads out
    wide = read_sweep(
        run_sweep(
            SweepDesign(net, targets=(("armed_clash", ("yes",)),), draws=20, chunk_size=20, seed=1),
            out=tmp_path / "wide",
            workers=1,
        ).out
    )
    assert wide.probability.std() > 100 * df[df.policy == "baseline"].probability.std()
