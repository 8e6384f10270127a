"""The flagship model, models/korea_2017 (second edition: dynamic over three half-years, an
escalation block, latent common causes, a reacting red line): provenance, questions, the claims
ledger, the policies, the scenarios and the mechanisms, checked against pgmpy's exact inference
(variable elimination on the unrolled network; a window is computed from the joint of its
slices, not from estimative's window nodes)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from pgmpy.inference import VariableElimination

from estimative import Network, load_model
from estimative.claims import evaluate_claims
from estimative.spec import QueryRef
from estimative.spec.elicitation import default_strength
from estimative.spec.provenance import normalized_variants, quote_in

ROOT = Path(__file__).resolve().parents[1]
KOREA = ROOT / "models" / "korea_2017"
SEED = ROOT.parent / "shared" / "seed" / "000_0d898cc1359c3fab.txt"

# The questions exactly as worded in issue 3.
QUESTIONS = {
    "Q01": "North Korea flight-tests a missile of intercontinental range (an ICBM test, lofted or not).",
    "Q02": "North Korea conducts a nuclear explosive test.",
    "Q03": "The United States (alone or with allies) carries out a military strike on targets in North Korean territory.",
    "Q04": "The United States or an ally shoots down a North Korean test missile in flight.",
    "Q05": "An armed clash between North Korean forces and US or South Korean forces kills at least one person.",
    "Q06": "President Trump and Kim Jong Un meet in person.",
    "Q07": "The leaders of North and South Korea hold a summit meeting.",
    "Q08": "The Kaesong Industrial Complex resumes operation.",
    "Q09": "The six-party talks formally resume.",
    "Q10": "The UN Security Council adopts at least one new sanctions resolution on North Korea with China voting in favour.",
    "Q11": "The United States sanctions Chinese banks or firms for their dealings with North Korea.",
    "Q12": "The United States and South Korea announce a revised KORUS FTA.",
    "Q13": "The United States gives formal notice of withdrawal from the KORUS FTA.",
    "Q14": "The THAAD battery is withdrawn from South Korea.",
    "Q15": "South Korea formally asks Japan to renegotiate the December 2015 comfort women agreement.",
    "Q16": "The United States and South Korea suspend or cancel a major scheduled combined military exercise.",
    "Q17": "Wartime operational control of South Korean forces is transferred to South Korea.",
    "Q18": "The United States announces a reduction of its troop level in South Korea.",
    "Q19": "North Korea announces a moratorium on nuclear and ICBM testing.",
    "Q20": "North Korea accepts international inspections or takes an internationally verified denuclearization step.",
    "Q21": "The United States and South Korea conclude a new Special Measures Agreement on cost sharing.",
    "Q22": "China and South Korea publicly agree to move past the THAAD dispute and normalize exchanges.",
    "Q23": "A senior US official (cabinet level) holds direct talks with a senior North Korean official.",
}

SLICES = ("2017H2", "2018H1", "2018H2")
H = "@2017H2..2018H2"
INSTRUMENTS = {
    "us_economic_pressure": False,
    "us_covert_action": False,
    "us_preemption_posture": False,
    "us_diplomacy": False,
    "us_alliance_consultation": False,
    "us_strike": True,  # True: one copy per half-year
    "us_intercept_test": True,
}
# The claims ledger, pinned: removing or renaming a claim is a deliberate change.
CLAIMS_FILE = KOREA / "claims.yaml"


@pytest.fixture(scope="module")
def net() -> Network:
    return Network.from_file(KOREA)


@pytest.fixture(scope="module")
def pg(net: Network):
    return net.to_pgmpy()


def ever(
    pg,
    target: str,
    state: str | list[str],
    *,
    do: dict[str, str] | None = None,
    given: dict[str, str] | None = None,
    slices: tuple[str, ...] = SLICES,
) -> float:
    """P(the highest state of ``target`` over ``slices`` is in ``state``), by pgmpy's exact
    joint over the slices' copies (states in the model's order; for a yes/no variable: yes in
    any half-year)."""
    do = dict(do or {})
    model = pg.do(list(do)) if do else pg
    evidence = {**(given or {}), **do} or None
    nodes = [f"{target}@{s}" for s in slices]
    joint = VariableElimination(model).query(nodes, evidence=evidence, show_progress=False)
    states = net_states(pg, nodes[0])
    wanted = {state} if isinstance(state, str) else set(state)
    total = 0.0
    for combo in itertools.product(states, repeat=len(nodes)):
        if max(combo, key=states.index) in wanted:
            total += float(joint.get_value(**dict(zip(nodes, combo, strict=True))))
    return total


def single(pg, node: str, states: list[str], *, do=None, given=None) -> float:
    """P(node in states | given; do) by pgmpy on the mutilated graph."""
    do = dict(do or {})
    model = pg.do(list(do)) if do else pg
    evidence = {**(given or {}), **do}
    if node in evidence:
        return float(evidence[node] in states)
    f = VariableElimination(model).query([node], evidence=evidence or None, show_progress=False)
    return sum(float(f.get_value(**{node: s})) for s in states)


def reference(pg, net: Network, q: QueryRef) -> float:
    """A claim's or question's query by pgmpy: a window from its slices' joint."""
    do = {**(net.spec.policy(q.policy).do if q.policy else {}), **q.do}
    given = {**(net.spec.scenario(q.scenario).given if q.scenario else {}), **q.given}
    assert q.target is not None
    base, _, window = q.target.partition("@")
    if ".." in window:
        a, b = window.split("..")
        slices = SLICES[SLICES.index(a) : SLICES.index(b) + 1]
        return ever(pg, base, q.target_states(), do=do, given=given, slices=slices)
    return single(pg, q.target, list(q.target_states()), do=do, given=given)


def net_states(pg, node: str) -> list[str]:
    return list(pg.get_cpds(node).state_names[node])


# ----------------------------------------------------------------------------------- structure
def test_model_validates_and_every_quote_is_in_its_source() -> None:
    spec = load_model(KOREA)  # raises on any unproven quote or failing rule
    assert spec.as_of == dt.date(2017, 5, 15)
    copy = KOREA / "sources" / "seed_us_rok_2017.txt"
    if SEED.exists():
        assert copy.read_bytes() == SEED.read_bytes()
    seed = normalized_variants(copy.read_text(encoding="utf-8"))
    t = spec.template
    quotes = [c.quote for v in t.variables for c in v.cpt.sources if c.source == "seed"]
    quotes += [c.quote for c in t.claims if c.source == "seed"]
    assert len(quotes) >= 100
    assert [q for q in quotes if not quote_in(q, seed)] == []
    assert len(spec.time.labels) == 3 and tuple(spec.time.labels) == SLICES


def test_every_policy_sets_every_us_instrument_in_every_half_year() -> None:
    spec = load_model(KOREA)
    for p in spec.policies:
        set_ = set(p.do) | {k for r in p.react for k in r.set}
        for x, dynamic in INSTRUMENTS.items():
            ids = [f"{x}@{s}" for s in SLICES] if dynamic else [x]
            assert set(ids) <= set_, (p.id, x)
        # never an outcome that needs another government's consent
        consent = ("negotiations_open", "kaesong_reopened", "rok_engagement", "nk_test_moratorium")
        assert not [k for k in p.do if k.split("@")[0] in consent], p.id
    assert {"seed_recommendation", "red_line", "status_quo", "pressure_plus_channel"} <= {
        p.id for p in spec.policies
    }
    rec = spec.policy("seed_recommendation").do
    sq = spec.policy("status_quo").do
    # the recommendation as it stands: the current posture plus a channel, coordinated with Seoul
    assert {k: v for k, v in rec.items() if rec[k] != sq[k]} == {
        "us_diplomacy": "private_channel",
        "us_alliance_consultation": "consult",
    }
    rl = spec.policy("red_line")
    assert len(rl.react) == 2  # the first half-year has no test before it: held fire by do()
    assert rl.do["us_strike@2017H2"] == "no"


def test_rok_weight_set_names_the_utility_attributes() -> None:
    import yaml

    # read by hand from the file, not through the loader
    data = yaml.safe_load((KOREA / "utilities.yaml").read_text(encoding="utf-8"))["utilities"]
    us = {a["id"]: a["weight"] for a in data["attributes"]}
    (rok_set,) = data["weight_sets"]
    rok = rok_set["weights"]
    assert rok_set["id"] == "rok" and set(rok) == set(us)
    assert sum(rok.values()) == pytest.approx(1.0) and sum(us.values()) == pytest.approx(1.0)
    assert rok["war_avoided"] > us["war_avoided"] and rok["homeland_safe"] < us["homeland_safe"]
    spec = load_model(KOREA)
    assert spec.utilities.weight_set("rok").weights == rok


def test_variables_count_and_provenance() -> None:
    spec = load_model(KOREA)
    assert 30 <= len(spec.template.variables) <= 70
    for v in spec.template.variables:
        assert v.cpt.sources, f"{v.id} cites no quote"
        assert (v.cpt.rationale or "").strip(), f"{v.id} has no rationale"
        assert len(v.parents) <= 4, f"{v.id} has {len(v.parents)} parents"
    # Honest strength (docs/model-format.md, written out here by hand): a CPT without a reference
    # class is held no firmer than its best quote (magnitude 10, direction 6, context 3; an
    # assumption 5), and one backed by precedent is held at least half as firm as the years or
    # trials counted (a quarter of them for a loose analogy; at most 30).
    refs = {r.id: r for r in spec.references}
    for v in spec.variables:
        s = default_strength(v.cpt)
        tags = [c.tag for c in v.cpt.sources]
        assert None not in tags, f"{v.id} has an untagged quote"
        quote = (
            5.0
            if v.cpt.assumption
            else max({"magnitude": 10, "direction": 6, "context": 3}[t] for t in tags)
        )
        seen = [
            min(refs[u.ref].out_of, 30) * (0.25 if refs[u.ref].fit == "loose" else 1)
            for u in v.cpt.references
        ]
        precedent = max(seen, default=0.0)
        assert precedent / 2 <= s <= quote + precedent, (v.id, s, quote, precedent)
    # the precedent behind deliberate attacks (18 years) outweighs a direction quote
    attack = default_strength(spec.variable("nk_limited_attack@2017H2").cpt)
    assert attack > default_strength(spec.variable("us_bluster").cpt)
    decisions = {v.id for v in spec.template.variables if v.kind == "decision"}
    assert decisions == set(INSTRUMENTS)
    # Independent causes are elicited as noisy-OR / noisy-MAX, not as big tables.
    forms = [v.cpt.form for v in spec.template.variables]
    assert forms.count("noisy_or") + forms.count("noisy_max") >= 8


# ----------------------------------------------------------------------------------- questions
def test_questions_exact_wording_and_horizon() -> None:
    spec = load_model(KOREA)
    assert {q.id: q.text for q in spec.questions} == QUESTIONS
    assert [q.id for q in spec.questions] == list(QUESTIONS)
    for q in spec.questions:
        assert q.horizon == dt.date(2018, 12, 31)
        assert len(q.resolution.strip()) > 20


def test_every_question_answered_strictly_inside_0_1(net: Network) -> None:
    for q in net.spec.questions:
        p = net.probability(q.query)
        assert 0.0 < p < 1.0, q.id


def test_forecasts_a_may_2017_analyst_would_recognise(net: Network) -> None:
    p = {q.id: net.probability(q.query) for q in net.spec.questions}
    assert p["Q01"] > 0.6  # "will soon have the capability": an ICBM test is likely
    assert p["Q03"] < 0.1  # a strike "widely regarded as premature"
    assert p["Q08"] < 0.15
    assert p["Q14"] < 0.05 and p["Q17"] < 0.05
    assert p["Q06"] < 0.1 and p["Q20"] < 0.1
    assert p["Q10"] > 0.5
    assert p["Q05"] >= p["Q03"]  # a strike is one way to a deadly clash


@pytest.mark.parametrize("qid", ["Q01", "Q03", "Q05", "Q12", "Q22"])
def test_questions_match_pgmpy_over_the_three_half_years(net: Network, pg, qid: str) -> None:
    # a window from the joint of its slices (Q05: any deadly conflict, three states of the
    # graded conflict_level), a static question (Q12, Q22) from its one node
    q = next(q for q in net.spec.questions if q.id == qid)
    assert net.probability(q.query) == pytest.approx(reference(pg, net, q.query), abs=1e-10)
    if qid == "Q01":
        assert net.probability(q.query) == pytest.approx(ever(pg, "nk_icbm_test", "yes"), abs=1e-10)


# -------------------------------------------------------------------------------------- claims
def test_claims_ledger_size_kinds_and_all_hold(net: Network) -> None:
    results = evaluate_claims(net)
    assert len(results) >= 40
    assert [r.id for r in results if not r.holds] == []
    kinds = [
        line.split("#", 1)[1].strip()
        for line in CLAIMS_FILE.read_text(encoding="utf-8").splitlines()
        if line.startswith("  # ")
    ]
    assert len(kinds) == len(results)
    assert sum(k in {"band", "interaction", "comparison"} for k in kinds) >= 20
    ids = {r.id for r in results}
    assert {"bad_chemistry_risks_coordination", "xi_pushback_lowers_enforcement"} <= ids
    for c in net.spec.claims:
        assert c.tag in {"direction", "magnitude", "context"}, c.id


# ----------------------------------------------------------------------- mechanisms, by pgmpy
def test_a_strike_policy_moves_clash_retaliation_and_war(net: Network, pg) -> None:
    for target, state in [
        ("miscalculation_clash", "yes"),
        ("retaliation", "yes"),
        ("conflict_level", "war"),
    ]:
        sq = net.query(target + H, policy="status_quo")[state]
        strike = net.query(target + H, policy="preventive_strike")[state]
        assert sq == pytest.approx(
            ever(pg, target, state, do=net.spec.policy("status_quo").do), abs=1e-10
        )
        assert strike == pytest.approx(
            ever(pg, target, state, do=net.spec.policy("preventive_strike").do), abs=1e-10
        )
        assert strike > 2 * sq, (target, sq, strike)
    # the reacting red line moves them too (a strike only after a test)
    for target, state in [
        ("miscalculation_clash", "yes"),
        ("retaliation", "yes"),
        ("conflict_level", "war"),
    ]:
        assert (
            net.query(target + H, policy="red_line")[state]
            > 2 * net.query(target + H, policy="status_quo")[state]
        )


def test_channel_cuts_the_clash_more_when_signals_contradict(net: Network, pg) -> None:
    base = dict(net.spec.policy("status_quo").do)
    drop = {}
    for coh in ("coherent", "contradictory"):
        without = {**base, "us_signal_coherence": coh}
        with_ = {**without, "us_diplomacy": "private_channel"}
        a = ever(pg, "miscalculation_clash", "yes", do=without)
        b = ever(pg, "miscalculation_clash", "yes", do=with_)
        assert net.query("miscalculation_clash" + H, do=without)["yes"] == pytest.approx(
            a, abs=1e-10
        )
        assert net.query("miscalculation_clash" + H, do=with_)["yes"] == pytest.approx(b, abs=1e-10)
        drop[coh] = a - b
    assert drop["contradictory"] > 1.5 * drop["coherent"] > 0


def test_xi_backlash_pushes_enforcement_down(net: Network, pg) -> None:
    model = pg.do(["us_raises_tensions"])
    ve = VariableElimination(model)
    strict = {
        s: float(
            ve.query(
                ["china_enforcement@2017H2"],
                evidence={"us_raises_tensions": s},
                show_progress=False,
            ).get_value(**{"china_enforcement@2017H2": "strict"})
        )
        for s in ("no", "yes")
    }
    assert strict["yes"] < strict["no"]
    assert net.query("china_enforcement@2017H2", do={"us_raises_tensions": "yes"})[
        "strict"
    ] == pytest.approx(strict["yes"], abs=1e-10)


def test_us_conduct_shares_one_driver(net: Network) -> None:
    # joint tails: bluster and contradictory signals together are likelier than if independent
    j = net.probability(
        QueryRef(
            event={"all_of": {"us_bluster": "bluster", "us_signal_coherence": "contradictory"}}
        )
    )
    a = net.query("us_bluster")["bluster"]
    b = net.query("us_signal_coherence")["contradictory"]
    assert j > a * b + 0.01


# ----------------------------------------------------------------- policies, outcomes, scenarios
def test_policies_scenarios_outcomes() -> None:
    spec = load_model(KOREA)
    assert {p.id for p in spec.policies} == {
        "status_quo",
        "maximum_pressure",
        "seed_recommendation",
        "pressure_plus_channel",
        "red_line",
        "shoot_down_tests",
        "coordinated_engagement",
        "preventive_strike",
    }
    assert {
        "icbm_test_observed",
        "china_cuts_petroleum",
        "thaad_payment_demand",
        "contradictory_signals",
        "seoul_engages_alone",
        "korus_revision_push",
    } <= {s.id for s in spec.scenarios}
    # every outcome of a variable that changes is about the whole horizon; two outcomes share
    # the graded conflict_level, told apart by their state
    horizon = "@2017H2..2018H2"
    by_id = {o.id: o for o in spec.outcomes}
    assert by_id["no_deadly_conflict"].target == by_id["war"].target == "conflict_level" + horizon
    assert (by_id["no_deadly_conflict"].state, by_id["war"].state) == ("none", "war")
    assert by_id["no_deadly_conflict"].better == "higher" and by_id["war"].better == "lower"
    assert all(o.target.endswith(horizon) for o in spec.outcomes)


def test_every_policy_moves_some_headline_outcome(net: Network) -> None:
    base = {o.id: net.query(o.target, policy="status_quo")[o.state] for o in net.spec.outcomes}
    for p in net.spec.policies:
        if p.id == "status_quo":
            continue
        moved = max(
            abs(net.query(o.target, policy=p.id)[o.state] - base[o.id]) for o in net.spec.outcomes
        )
        assert moved > 0.01, p.id


@pytest.mark.parametrize(
    "claim_id",
    [
        "bluster_raises_miscalculation",
        "channel_lowers_miscalculation",
        "pressure_gains_some_help_from_china",
        "strike_strains_alliance",
        "bad_chemistry_risks_coordination",
        "recommendation_lowers_deadly_conflict",
    ],
)
def test_claim_values_match_pgmpy(net: Network, pg, claim_id: str) -> None:
    r = next(x for x in evaluate_claims(net) if x.id == claim_id)
    claim = next(c for c in net.spec.claims if c.id == claim_id)
    assert r.left == pytest.approx(reference(pg, net, claim.left), abs=1e-10)
    assert r.right == pytest.approx(reference(pg, net, claim.right), abs=1e-10)


def test_scenarios_update_in_the_expected_direction(net: Network, pg) -> None:
    def sc(target: str, state: str, scenario: str | None) -> float:
        given = dict(net.spec.scenario(scenario).given) if scenario else {}
        return single(pg, target, [state], given=given)

    # an ICBM test in 2017 makes a strike in 2018's first half likelier (the analyst's
    # expectation of US conduct, before any policy)
    assert sc("us_strike@2018H1", "yes", "icbm_test_observed") > sc("us_strike@2018H1", "yes", None)
    assert sc("china_enforcement@2017H2", "strict", "china_cuts_petroleum") > sc(
        "china_enforcement@2017H2", "strict", None
    )
    assert sc("thaad_review", "yes", "thaad_payment_demand") > sc("thaad_review", "yes", None)
    assert sc("misreading@2017H2", "yes", "contradictory_signals") > sc(
        "misreading@2017H2", "yes", None
    )
    assert net.query("thaad_review", scenario="thaad_payment_demand")["yes"] == pytest.approx(
        sc("thaad_review", "yes", "thaad_payment_demand"), abs=1e-12
    )
    # soft evidence ruling out "maintain": equal to conditioning on the other two states
    soft = net.query("leader_chemistry", scenario="korus_revision_push")["bad"]
    joint = VariableElimination(pg).query(
        ["leader_chemistry", "us_korus_stance"], joint=True, show_progress=False
    )
    pushed = ("push_revision", "threaten_withdrawal")
    num = sum(joint.get_value(leader_chemistry="bad", us_korus_stance=s) for s in pushed)
    den = num + sum(joint.get_value(leader_chemistry="good", us_korus_stance=s) for s in pushed)
    assert soft == pytest.approx(num / den, abs=1e-12)
