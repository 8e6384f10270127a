"""The brief's numbers recomputed independently (enumeration of the file's tables, the public
API on the brief's documented random streams), bad requests refused before any file, and the
random streams: each analysis its own, the seed recorded."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from estimative import ImpossibleEvidenceError, Network, UsageError
from estimative._random import make_rng, stream
from estimative.brief import build_brief, render_markdown, words
from estimative.cli import main
from estimative.uncertainty import draw_cpts, query_interval

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"
DATA = Path(__file__).resolve().parent / "data"
DATE = dt.date(2017, 5, 20)
DRAWS = 400
SEED = 7


def interval_draws(net: Network, n: int, seed: int) -> list[np.ndarray]:
    """The brief's documented draws: ``draw_cpts`` on the ``"intervals"`` stream of
    ``default_rng(seed)``, shared by every judgment, question, scenario and policy."""
    return draw_cpts(net, n, rng=stream(np.random.default_rng(seed), "intervals"))


# ----------------------------------------------------------------------------- references
def enumerate_probability(
    net: Network, target: str, state: str, *, given=None, do=None, soft=None
) -> float:
    """P(target = state | given, soft; do) by summing the full joint, built from the model file's
    tables (not the engine): do() replaces a CPT by a point mass."""
    spec = net.spec
    ids = [v.id for v in spec.variables]
    states = {v.id: v.states for v in spec.variables}
    given, do, soft = dict(given or {}), dict(do or {}), dict(soft or {})
    num = den = 0.0
    for combo in itertools.product(*(range(len(states[v])) for v in ids)):
        a = dict(zip(ids, combo, strict=True))
        if any(a[v] != states[v].index(s) for v, s in {**given, **do}.items()):
            continue
        p = 1.0
        for v in spec.variables:
            if v.id in do:
                continue
            p *= v.table[(a[v.id], *(a[q] for q in v.parents))]
        for v, lik in soft.items():
            p *= lik[states[v][a[v]]]
        den += p
        if a[target] == states[target].index(state):
            num += p
    return num / den


# ------------------------------------------------------------------------- the numbers
def test_key_judgments_recomputed(net, md):
    # The points by enumeration of the file's tables; the intervals through the public API with
    # the documented draws (draw_cpts on the "intervals" stream, shared by every judgment).
    draws = interval_draws(net, DRAWS, SEED)
    for outcome in net.spec.outcomes:
        p = enumerate_probability(net, outcome.target, outcome.state)
        iv = query_interval(net, outcome.target, outcome.state, draws=draws)
        assert iv.point == pytest.approx(p, abs=1e-12)
        text = words.likelihood_text(p, iv.low, iv.high, scale="icd203")
        assert f"{outcome.label} \u2014 {text}." in md


def test_the_clash_judgment_by_hand(md):
    # P(clash) = sum over misreading of P(clash | m) P(m); P(clash | m) are the verbal midpoints
    # 0.03 and 0.125, P(misread) = 0.48 -> 0.03 * 0.52 + 0.125 * 0.48 = 0.0756: "very unlikely", "8%".
    assert "An armed clash that no side chose \u2014 very unlikely (5-20%): 8%," in md


def test_policy_and_scenario_cells_recomputed(net, brief, md):
    # The matrix cell: the probability (by enumeration) and its change against the baseline
    # in points, bold where the interval of the change excludes zero.
    clash = next(o for o in net.spec.outcomes if o.id == "clash")
    base = enumerate_probability(net, clash.target, clash.state)
    for pol in net.spec.policies:
        p = enumerate_probability(net, clash.target, clash.state, do=pol.do)
        cell = f"{words.judged_pct(p, scale='icd203')} {words.points_text(p - base)}"
        assert re.search(
            rf"^\| {re.escape(pol.label)} \| (\*\*)?{re.escape(cell)}(\*\*)?( \(best\))? \|",
            md,
            flags=re.M,
        ), cell
    sc = net.spec.scenario("high_provocation")
    p = enumerate_probability(net, clash.target, clash.state, given=sc.given)
    assert re.search(rf"^\| {re.escape(sc.label)} \| {re.escape(words.pct(p))} \(", md, flags=re.M)
    soft = net.spec.scenario("ambiguous_reports")
    p = enumerate_probability(net, clash.target, clash.state, soft=soft.soft)
    assert re.search(
        rf"^\| {re.escape(soft.label)} \| {re.escape(words.pct(p))} \(", md, flags=re.M
    )


def test_effect_is_the_difference_on_common_draws(net, brief):
    cmp = brief.policy.comparisons["clash"]
    d = cmp.difference("private_channel", "baseline")
    draws = interval_draws(net, DRAWS, SEED)
    a = query_interval(net, "armed_clash", "yes", policy="private_channel", draws=draws).values
    b = query_interval(net, "armed_clash", "yes", draws=draws).values
    np.testing.assert_allclose(d, a - b)


def test_confidence_follows_the_documented_rule(brief):
    for j in brief.judgments:
        sens = j.sensitivity.functions
        num = sum(
            f.swing**2 for f in sens if not brief.spec.variable(f.parameter.variable).cpt.sourced
        )
        den = sum(f.swing**2 for f in sens)
        assert j.assumption_share == pytest.approx(num / den)
        assert (
            j.confidence.level
            == words.confidence_for(j.interval.low, j.interval.high, num / den).level
        )


def test_high_impact_low_probability(md):
    # The clash is marked high impact and sits below 20%; the misreading is not high impact.
    sec = md.split("High impact, low probability\n")[1].split("\n## ")[0]
    assert "We cannot rule out an armed clash that no side chose: very unlikely (5-20%)" in sec
    assert "misreading of intentions" not in sec


def test_assumptions_and_every_quote(net, md):
    # The assumptions and the sources are annexes, after the body of the brief.
    sec = md.split("Key assumptions\n")[1].split("\n## ")[0]
    src = md.split(": Sources\n")[1].split("\n## ")[0]
    assert md.index("Key assumptions\n") > md.index("High impact, low probability\n")
    for v in net.spec.variables:
        if not v.cpt.sourced:
            assert f"**{v.label}**" in sec
        for c in v.cpt.sources:
            assert " ".join(c.quote.split()) in src


# ------------------------------------------------------------------------ bad requests
def test_unknown_policy_is_refused_before_any_file(net, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(UsageError, match="did you mean 'status_quo'"):
        build_brief(net, policies=["status_qou"], date=DATE)
    assert main(["brief", str(EXAMPLE), "--policy", "status_qou", "-o", str(out)]) == 2
    assert not out.exists()


def test_impossible_scenario_is_refused_and_old_files_survive(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "brief.md").write_text("old")
    with pytest.raises(ImpossibleEvidenceError, match="scenario 'channel_seen'"):
        build_brief(Network.from_file(DATA / "impossible.yaml"), scenario="channel_seen", date=DATE)
    code = main(
        ["brief", str(DATA / "impossible.yaml"), "--scenario", "channel_seen", "-o", str(out)]
    )
    assert code == 2
    assert "probability zero" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["brief.md"]
    assert (out / "brief.md").read_text() == "old"


def test_impossible_scenario_row_when_not_chosen(tmp_path):
    b = build_brief(
        Network.from_file(DATA / "impossible.yaml"),
        draws=200,
        rng=np.random.default_rng(0),
        date=DATE,
    )
    assert "| A channel is observed | impossible under the model |" in render_markdown(b)


def test_unknown_scenario_and_bad_draws(net):
    with pytest.raises(UsageError, match="did you mean 'high_provocation'"):
        build_brief(net, scenario="high_provokation", date=DATE)
    with pytest.raises(UsageError, match="draws"):
        build_brief(net, draws=0, date=DATE)


# ------------------------------------------------------------------------------- CLI
def test_cli_writes_three_files_and_json(tmp_path, capsys):
    out = tmp_path / "b"
    code = main(
        [
            "brief",
            str(EXAMPLE),
            "--draws",
            "300",
            "--seed",
            "3",
            "--date",
            "2017-05-20",
            "--scenario",
            "high_provocation",
            "--scale",
            "phia",
            "-o",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in out.iterdir()) == ["brief.html", "brief.md", "brief.pdf"]
    assert doc["files"]["pdf"] == str(out / "brief.pdf")
    clash = next(j for j in doc["judgments"] if j["outcome"] == "clash")
    net = Network.from_file(EXAMPLE)
    assert clash["point"] == pytest.approx(
        enumerate_probability(net, "armed_clash", "yes", given={"nk_provocation": "high"})
    )
    assert clash["term"] == words.likelihood_term(clash["point"], scale="phia").word
    md = (out / "brief.md").read_text()
    assert "given the scenario \u201cA high-provocation period is observed\u201d" in md


# ------------------------------------------------------------------- event questions
def test_event_question_interval_recomputed_draw_by_draw(tmp_path):
    shutil.copytree(EXAMPLE / "sources", tmp_path / "sources")
    text = (EXAMPLE / "model.yaml").read_text()
    event = (
        "  - id: Q99\n    text: A misreading or a clash.\n    resolution: Either is reported.\n"
        "    horizon: 2018-12-31\n"
        '    query: {event: {any_of: [{misread_intent: "yes"}, {armed_clash: "yes"}]}}\n\noutcomes:'
    )
    (tmp_path / "model.yaml").write_text(text.replace("\noutcomes:", "\n" + event, 1))
    net = Network.from_file(tmp_path)
    n = 60
    b = build_brief(net, draws=n, rng=np.random.default_rng(5), date=DATE)
    answer = next(a for a in b.questions if a.question.id == "Q99")
    # P(misread or clash) = 1 - P(no misread, no clash) = 1 - 0.52 * 0.97, by enumeration.
    p = 1 - enumerate_probability(net, "misread_intent", "no") * (1 - 0.03)
    assert answer.point == pytest.approx(p, abs=1e-12)
    draws = interval_draws(net, n, 5)
    ref = []
    q = answer.question.query
    for k in range(n):
        one = net.with_cpts({v: d[..., k] for v, d in zip(net.variables, draws, strict=True)})
        ref.append(one.probability(q))
    np.testing.assert_allclose(answer.interval.values, ref, rtol=1e-10)
    lo, hi = np.quantile(ref, [0.05, 0.95])
    assert (
        f"| Q99: A misreading or a clash. | 2018-12-31 | {words.likelihood_text(p, lo, hi, scale='icd203')} |"
        in render_markdown(b)
    )


# ---------------------------------------------------------------- decisions in the brief
def test_expected_utility_of_the_oil_wildcatter(tmp_path):
    # Raiffa's oil wildcatter: the optimal rules (test, then drill unless the seismic result is
    # diffuse) are worth 22.5 (thousand dollars); drilling without a test 20. The model names no
    # policies, so every combination of the decisions is weighed.
    from estimative.decision import expected_utilities

    net = Network.from_file(ROOT / "models" / "oil_wildcatter")
    b = build_brief(net, draws=200, rng=np.random.default_rng(2), date=DATE)
    md = render_markdown(b)
    bottom = md.split("## Bottom line\n")[1].split("\n## ")[0]
    assert bottom.strip().startswith("We recommend Optimal decision rules")
    rows = {
        line.split(" | ")[0].lstrip("| "): line for line in md.splitlines() if line.startswith("| ")
    }
    assert " | 22.5 | " in next(
        v for k, v in rows.items() if k.startswith("Optimal decision rules")
    )
    assert rows["test=no, drill=yes"].startswith("| test=no, drill=yes | 20.0 | ")
    ref = expected_utilities(net, draws=200, rng=stream(np.random.default_rng(2), "decide"))
    np.testing.assert_allclose(b.policy.utilities.prob_best, ref.prob_best)


# ---------------------------------------------------------------------- random streams
def test_a_generator_made_from_a_seed_gives_the_same_brief_and_records_the_seed(net, brief):
    # numpy's default_rng(SEED) and estimative's make_rng(SEED) are the same generator: the
    # brief is the same and both record SEED (the command line makes it with make_rng).
    from estimative._random import make_rng

    again = build_brief(net, draws=DRAWS, rng=make_rng(SEED), date=DATE)
    assert render_markdown(again) == render_markdown(brief)
    assert again.parameters.seed == brief.parameters.seed == SEED


def test_each_analysis_draws_from_its_own_stream(tmp_path):
    # The intervals and the expected utilities come from different named streams of one
    # generator: neither is the root generator's own sequence, and each is reproducible alone.
    net = Network.from_file(ROOT / "models" / "oil_wildcatter")
    b = build_brief(net, draws=200, rng=np.random.default_rng(2), date=DATE)
    from estimative.decision import expected_utilities

    mine = expected_utilities(net, draws=200, rng=stream(make_rng(2), "decide"))
    root = expected_utilities(net, draws=200, rng=make_rng(2))
    np.testing.assert_allclose(b.policy.utilities.low, mine.low)
    assert not np.allclose(b.policy.utilities.low, root.low)


def test_the_seed_is_recorded_or_said_unknown(net, brief, md):
    assert brief.parameters.seed == SEED
    assert f"| seed | {SEED} |" in md and f"--seed {SEED}" in md
    spawned = build_brief(net, draws=50, rng=stream(make_rng(1), "elsewhere"), date=DATE)
    assert spawned.parameters.seed is None
    text = render_markdown(spawned)
    assert "| seed | not recorded" in text and "--seed" not in text


def test_errors_name_parameters_not_flags(net):
    cases = [
        ({"draws": 0}, "draws"),
        ({"draws": 2.5}, "draws"),
        ({"level": 1.0}, "level"),
        ({"policies": ["nope"]}, "policies"),
        ({"scenario": "nope"}, "scenario"),
        ({"rng": 3}, "rng"),
    ]
    for kwargs, field in cases:
        with pytest.raises(UsageError) as info:
            build_brief(net, date=DATE, **kwargs)
        assert info.value.problems[0].field == field, kwargs
