"""The offline what-if page, opened from disk in headless Chromium: clicking a policy shows
the headline probabilities ``net.query`` gives (and ``estimative compare`` prints, and pgmpy
computes), and the page makes no request at all."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from pgmpy.inference import VariableElimination

from estimative import Network
from estimative.cli import main
from estimative.explorer import write_explore_page

ROOT = Path(__file__).resolve().parents[2]
KOREA = ROOT / "models" / "korea_2017"
#: The flagship is dynamic: a node is one half-year's copy.
CLASH = "miscalculation_clash@2018H1"


@pytest.fixture(scope="session")
def korea() -> Network:
    return Network.from_file(KOREA)


@pytest.fixture(scope="session")
def page_file(korea: Network, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explore") / "korea.html"
    return write_explore_page(korea, out, draws=50, rng=np.random.default_rng(3))


@pytest.fixture()
def page(browser, page_file: Path):
    ctx = browser.new_context()
    pg = ctx.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(page_file.as_uri())
    pg.wait_for_selector(".headline-p")
    yield pg, requests, errors
    ctx.close()


def headline(pg) -> dict[str, tuple[str, float]]:
    out = {}
    for el in pg.query_selector_all(".headline-p"):
        out[el.get_attribute("data-outcome")] = (el.inner_text(), float(el.get_attribute("data-p")))
    return out


def compare_json(*extra: str) -> dict:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["compare", str(KOREA), "--json", *extra]) == 0
    return json.loads(buf.getvalue())


def test_a_click_on_each_policy_shows_the_headline_net_query_gives(page, korea: Network) -> None:
    pg, requests, errors = page
    table = compare_json()
    shown = headline(pg)
    o0 = korea.spec.outcomes[0]
    p0 = korea.query(o0.target)[o0.state]
    assert shown[o0.id] == (f"{100 * p0:.1f}%", pytest.approx(p0, abs=1e-15))
    for policy in [p.id for p in korea.spec.policies]:
        pg.click(f"button.policy[data-id='{policy}']")
        assert pg.get_attribute(f"button.policy[data-id='{policy}']", "class") == "policy on"
        shown = headline(pg)
        for o in korea.spec.outcomes:
            p = korea.query(o.target, policy=policy)[o.state]
            text, raw = shown[o.id]
            assert raw == pytest.approx(p, abs=1e-15), (policy, o.id)
            assert text == f"{100 * p:.1f}%"
            # two outcomes share the graded conflict: a row is its target and its state
            row = next(r for r in table["rows"] if (r["target"], r["state"]) == (o.target, o.state))
            assert row["probabilities"][policy] == pytest.approx(raw, abs=1e-15)
    assert not errors
    assert requests == [pg.url], "the page requested nothing beyond itself"


def test_the_headline_matches_pgmpy_under_a_policy_and_a_scenario(page, korea: Network) -> None:
    pg, requests, errors = page
    policy = korea.spec.policy("maximum_pressure")
    scenario = next(s for s in korea.spec.scenarios if s.given and not s.soft)
    pg.click(f"button.scenario[data-id='{scenario.id}']")
    pg.click(f"button.policy[data-id='{policy.id}']")
    shown = headline(pg)
    ve = VariableElimination(korea.to_pgmpy(do=policy.do))
    for o in korea.spec.outcomes[:3]:
        f = ve.query([o.target], evidence=dict(scenario.given), show_progress=False)
        ref = float(f.values[f.state_names[o.target].index(o.state)])
        assert shown[o.id][1] == pytest.approx(ref, abs=1e-10)
    # The graph's bars moved too: the clash node's row shows the same number.
    clash = korea.query(CLASH, policy=policy.id, scenario=scenario.id)
    row = pg.query_selector(f".state[data-var='{CLASH}'][data-state='yes']")
    assert float(row.get_attribute("data-p")) == pytest.approx(clash["yes"], abs=1e-15)
    assert row.query_selector(".p").text_content() == f"{100 * clash['yes']:.1f}%"
    # The comparison table highlights the chosen policy under this scenario.
    on = pg.query_selector(".comparison tr.on")
    assert on.get_attribute("data-policy") == policy.id
    assert not errors and requests == [pg.url]


def test_a_click_on_a_node_shows_its_table_and_its_quotes(page, korea: Network) -> None:
    pg, requests, _ = page
    var = next(v for v in korea.spec.variables if v.cpt.sources)
    pg.click(f".node[data-id='{var.id}'] .label")
    panel = pg.inner_text(".panel")
    assert var.label in panel
    quote = re.sub(r"\s+", " ", var.cpt.sources[0].quote.strip())
    assert quote[:40] in re.sub(r"\s+", " ", panel)
    assert f"{korea.cpt(var.id).reshape(len(korea.states[var.id]), -1)[0, 0]:.3f}" in panel
    assert requests == [pg.url]


def test_the_file_is_self_contained(page_file: Path, korea: Network) -> None:
    text = page_file.read_text()
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", text), "no external reference"
    assert "https://" not in text
    assert korea.model_hash in text
