"""Issue 15: the bottom line up front, the analyst's own decision as the frame, readable
charts, one rounding. The flood model (tests/brief/data/flood) is a council's own decision
with ``better: lower`` outcomes and a reference policy."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pytest

from estimative import Network, UsageError
from estimative._random import make_rng, stream
from estimative.brief import brief_context, build_brief, render_markdown, words, write_brief
from estimative.brief.figures import brief_figures
from estimative.cli import main
from estimative.uncertainty import compare_policies

from ..reference import enumerate_posterior

ROOT = Path(__file__).resolve().parents[2]
FLOOD = Path(__file__).resolve().parent / "data" / "flood"
DATE = dt.date(2024, 3, 1)
DRAWS, SEED = 300, 3


@pytest.fixture(scope="session")
def net() -> Network:
    return Network.from_file(FLOOD)


@pytest.fixture(scope="session")
def brief(net):
    return build_brief(net, draws=DRAWS, rng=np.random.default_rng(SEED), date=DATE)


@pytest.fixture(scope="session")
def files(brief, tmp_path_factory):
    return write_brief(brief, tmp_path_factory.mktemp("flood"))


def descendants(net: Network, roots: list[str]) -> set[str]:
    """Every variable below ``roots``, walked here from the model file's parent lists."""
    out: set[str] = set()
    frontier = list(roots)
    while frontier:
        v = frontier.pop()
        for c in net.spec.variables:
            if v in c.parents and c.id not in out:
                out.add(c.id)
                frontier.append(c.id)
    return out


# ------------------------------------------------------------------------------- the frame
def test_judgments_are_under_the_reference_policy(net, brief):
    # The model names reference_policy: do_nothing (defence = none): the key judgment is
    # P(flood | do(defence = none)) by enumeration of the joint, not the decision's prior.
    p = enumerate_posterior(net, "flood", do={"defence": "none"})[1]
    prior = enumerate_posterior(net, "flood")[1]
    assert abs(p - prior) > 0.01  # the test can tell the two apart
    assert brief.judgment("flood").interval.point == pytest.approx(p, abs=1e-12)
    assert brief.policy.reference == "do_nothing"
    assert "baseline" not in brief.policy.policies  # the decision's prior is no alternative


def test_drivers_and_indicators_leave_out_the_decision_and_its_consequences(net, brief):
    decisions = [v.id for v in net.spec.variables if v.kind == "decision"]
    below = descendants(net, decisions)
    assert {"flood", "economic_loss", "construction_disruption"} <= below
    for o in net.spec.outcomes:
        driven = {f.parameter.variable for f in brief.drivers[o.id].functions}
        assert not driven & set(decisions), o.id
        watched = {i.variable for i in brief.indicators[o.id].indicators}
        if o.id != "disruption":
            assert watched, o.id  # upstream rain and the gauge remain
        assert not watched & (below | set(decisions) | {o.target}), (o.id, watched)
        assert "soil_saturation" not in watched  # observable: false
    # Every headline outcome has its own drivers and indicators in the brief.
    md = render_markdown(brief)
    sec = md.split("What drives each judgment, and what to watch\n")[1].split("\n## ")[0]
    for o in net.spec.outcomes:
        assert f"### {o.label} (now " in sec
    # Under the reference (no works), traffic disruption depends on nothing that can be watched.
    assert sec.count("| Upstream gauge reads high in autumn |") == 2
    tail = sec.split("### Traffic disrupted by construction")[1]
    assert "No variable that can be watched before choosing tells us about it." in tail


def test_a_risk_is_ranked_lower_is_better(net, brief):
    # P(flood) by enumeration under each policy: the barrier is lowest, so it must be the one
    # most often best on the flood outcome (better: lower), not the riskiest.
    p = {pol.id: enumerate_posterior(net, "flood", do=pol.do)[1] for pol in net.spec.policies}
    lowest = min(p, key=p.get)
    assert lowest == "barrier" and max(p, key=p.get) == "do_nothing"
    cmp = brief.policy.comparisons["flood"]
    assert cmp.better == "lower"
    pb = cmp.prob_best()
    assert max(pb, key=pb.get) == lowest


def test_compare_policies_without_better_is_an_error_that_says_how_to_fix_it(net):
    # "Traffic disrupted" does not say which way is better: ranking on it needs `better`.
    with pytest.raises(UsageError) as err:
        compare_policies(net, "construction_disruption", "yes", draws=20, rng=make_rng(0))
    assert err.value.problems[0].field == "better"
    assert "better: lower" in str(err.value) and "better='lower'" in str(err.value)
    # An outcome that says takes it from the model; an explicit argument still wins.
    assert compare_policies(net, "flood", "yes", draws=20, rng=make_rng(0)).better == "lower"
    assert (
        compare_policies(net, "flood", "yes", draws=20, rng=make_rng(0), better="higher").better
        == "higher"
    )


def test_a_reference_that_is_not_a_policy_is_an_error(net):
    with pytest.raises(UsageError) as err:
        build_brief(net, draws=20, rng=make_rng(0), reference="levees")
    assert err.value.problems[0].field == "reference" and "did you mean" in str(err.value)


# ------------------------------------------------------------------------- the bottom line
def test_the_first_section_is_the_bottom_line_naming_the_best_policy(net, brief, files):
    from estimative.decision import expected_utilities

    # Independently: expected utilities on the "decide" stream of the same seed.
    eu = expected_utilities(net, draws=DRAWS, rng=stream(make_rng(SEED), "decide"))
    named = [i for i, k in enumerate(eu.kinds) if k != "baseline"]
    best = max(named, key=lambda i: eu.eu[i])
    label = net.spec.policy(eu.ids[best]).label
    pbest = words.judged_pct(eu.prob_best[best], scale="icd203")
    ctx = brief_context(brief)
    assert ctx["sections"][0]["kind"] == "bottom_line"
    md = files.markdown.read_text()
    first = md.split("\n## ")[1]
    assert first.startswith("Bottom line\n")
    assert f"We recommend {label}." in first and f"(P(best) {pbest})" in first
    assert "What would change our mind:" in first
    # Metadata (hash, seed) come at the end, not on page one.
    assert net.model_hash not in first
    assert md.index(net.model_hash) > md.index("Annex")
    # The PDF's first page holds the bottom line.
    from pypdf import PdfReader

    page1 = " ".join(PdfReader(files.pdf).pages[0].extract_text().split())
    assert "Bottom line" in page1 and f"We recommend {label}." in page1
    assert "What would change our mind" in page1


def test_brief_and_decide_print_the_same_p_best(net, brief, capsys):
    assert main(["decide", str(FLOOD), "--draws", str(DRAWS), "--seed", str(SEED), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    decided = {a["id"]: a["prob_best"] for a in out["alternatives"]}
    eu = brief.policy.utilities
    for i, aid in enumerate(eu.ids):
        if eu.kinds[i] != "baseline":
            assert decided[aid] == pytest.approx(float(eu.prob_best[i]))


def test_one_probability_prints_the_same_everywhere(brief):
    # The flood judgment prints one way in the front table, the key judgments, the matrix
    # and the per-outcome heading.
    p = brief.judgment("flood").interval.point
    text = words.judged_pct(p, scale="icd203")
    md = render_markdown(brief)
    assert f"| The old town floods | likely (55-80%): {text} |" in md or text in md
    for marker in (f": {text},", f"(now {text})", f"| {text} |"):
        assert marker in md, marker


# ---------------------------------------------------------------------------- the charts
def _texts(fig) -> list:
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_text().strip()]


def test_charts_speak_labels_not_ids_and_no_scientific_notation(net, brief):
    figs = brief_figures(brief)
    assert {"utility", "tornado", "indicators"} <= set(figs)
    # Ids that differ from any word of a label: none may appear in a chart a reader sees.
    ids = [v.id for v in net.spec.variables if "_" in v.id] + [
        p.id for p in net.spec.policies if "_" in p.id
    ]
    for name in ("utility", "tornado", "indicators"):
        for t in _texts(figs[name]):
            s = t.get_text()
            assert not any(i in s for i in ids), (name, s)
            # a number in scientific notation (the model hash's hex digits are not numbers)
            number_text = re.sub(r"model (hash )?[0-9a-f]{16}", "", s)
            assert not re.search(r"\d[eE][-+]?\d", number_text), (name, s)
            assert not re.search(r"\bP\(", s) or "P(best)" in s, (name, s)
            assert t.get_fontsize() >= 8, (name, s, t.get_fontsize())
        # Drawn at most a text column wide, so the PDF never shrinks the type.
        assert figs[name].get_figwidth() <= 6.85


def test_charts_have_legends(brief):
    figs = brief_figures(brief)
    for name in ("utility", "tornado", "indicators"):
        assert figs[name].legends, name


# ---------------------------------------------------------------------- in a real browser
@pytest.mark.parametrize("model", ["flood", "korea"])
def test_page_one_in_chromium_at_1280px(model, files, tmp_path, chromium_path, request):
    chromium = chromium_path
    from playwright.sync_api import sync_playwright

    if model == "flood":
        html = files.html
    else:  # the flagship's brief, built once per session (tests/brief/conftest.py)
        html = write_brief(request.getfixturevalue("flagship_brief"), tmp_path).html
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(html.as_uri())
        geo = page.evaluate(
            """() => {
              const first = document.querySelector('main, body').querySelector('section');
              const b = first.getBoundingClientRect();
              const over = [...document.querySelectorAll('body *')].filter(e => {
                const r = e.getBoundingClientRect();
                return r.width > 0 && r.right > document.documentElement.clientWidth + 1;
              }).map(e => e.tagName + '.' + e.className);
              return {id: first.id, text: first.innerText, bottom: b.bottom,
                      scroll: document.documentElement.scrollWidth,
                      client: document.documentElement.clientWidth, over: over};
            }"""
        )
        browser.close()
    assert geo["id"] == "bottom-line"
    assert "We recommend" in geo["text"] and "What would change our mind" in geo["text"]
    assert geo["bottom"] <= 1.5 * 800, geo["bottom"]  # within a screen and a half
    assert geo["scroll"] <= geo["client"] and not geo["over"], geo["over"][:5]
