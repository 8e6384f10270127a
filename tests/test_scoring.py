"""Forecasts and scores: probabilities checked against pgmpy, scores against hand calculations
and scikit-learn, resolutions files checked for every error a user can make."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from pgmpy.inference import VariableElimination
from sklearn.metrics import brier_score_loss, log_loss

from estimative import ModelError, Network, UsageError
from estimative.cli import main
from estimative.scoring import Forecast, ForecastTable, forecasts, load_resolutions, score

ROOT = Path(__file__).resolve().parents[1]
KOREA = ROOT / "models" / "korea_2017"
RESOLUTIONS = ROOT / "tests" / "data" / "resolutions_example.yaml"
QIDS = [f"Q{i:02d}" for i in range(1, 24)]


@pytest.fixture(scope="module")
def korea() -> Network:
    return Network.from_file(KOREA)


@pytest.fixture(scope="module")
def korea_table(korea: Network) -> ForecastTable:
    return forecasts(korea)


def _table(probs: dict[str, float]) -> ForecastTable:
    h = dt.date(2018, 12, 31)
    return ForecastTable(
        "m", "hash", dt.date(2017, 5, 15), tuple(Forecast(k, k, p, h, "") for k, p in probs.items())
    )


# ------------------------------------------------------------------------------------ forecasts
def test_forecasts_answer_every_question_like_pgmpy(
    korea: Network, korea_table: ForecastTable
) -> None:
    # The flagship is dynamic: a question over a window of dates is the highest state of its
    # variable over the half-years it covers, computed here from pgmpy's exact joint of the
    # slices' copies (not from estimative's window nodes); a static question from its node.
    assert korea_table.ids == tuple(QIDS)
    assert korea_table.model_hash == korea.model_hash and korea_table.as_of == dt.date(2017, 5, 15)
    ve = VariableElimination(korea.to_pgmpy())
    labels = korea.spec.time.labels
    windows = 0
    for q, f in zip(korea.spec.questions, korea_table, strict=True):
        assert 0.0 < f.probability < 1.0
        assert f.horizon == dt.date(2018, 12, 31)
        assert q.query.event is None
        wanted = set(q.query.target_states())
        var, _, when = q.query.target.partition("@")
        if ".." in when:
            first, last = when.split("..")
            nodes = [f"{var}@{s}" for s in labels[labels.index(first) : labels.index(last) + 1]]
            joint = ve.query(nodes, joint=True, show_progress=False)
            states = korea.states[nodes[0]]
            ref = sum(
                float(joint.get_value(**dict(zip(nodes, combo, strict=True))))
                for combo in itertools.product(states, repeat=len(nodes))
                if max(combo, key=states.index) in wanted
            )
            windows += 1
        else:
            marg = ve.query([q.query.target], show_progress=False)
            ref = sum(float(marg.get_value(**{q.query.target: s})) for s in wanted)
        assert f.probability == pytest.approx(ref, abs=1e-10), q.id
    assert windows >= 15  # most questions are about the whole period


def test_forecasts_of_the_example_model(example_net: Network) -> None:
    t = forecasts(example_net)
    ref = VariableElimination(example_net.to_pgmpy()).query(["armed_clash"], show_progress=False)
    assert t.ids == ("Q05",)
    assert t.probability("Q05") == pytest.approx(ref.get_value(armed_clash="yes"), abs=1e-12)
    with pytest.raises(UsageError, match="did you mean 'Q05'"):
        t.probability("Q5")
    frame = t.to_frame()
    assert list(frame.columns) == ["id", "probability", "horizon", "text"] and len(frame) == 1


# -------------------------------------------------------------------------------------- scoring
def test_score_by_hand() -> None:
    t = _table({"A": 0.9, "B": 0.2, "C": 0.6, "D": 0.35})
    r = score(t, {"A": 1, "B": 1, "C": 0, "D": 0}, bins=2)
    # Brier: ((0.1)^2 + (0.8)^2 + (0.6)^2 + (0.35)^2) / 4
    assert r.brier == pytest.approx((0.01 + 0.64 + 0.36 + 0.1225) / 4, abs=1e-15)
    # log score: (ln 0.9 + ln 0.2 + ln 0.4 + ln 0.65) / 4
    assert r.log_score == pytest.approx(
        (math.log(0.9) + math.log(0.2) + math.log(0.4) + math.log(0.65)) / 4, abs=1e-15
    )
    assert r.n == 4 and r.unresolved == ()
    # Two bins: [0, 0.5) holds B (0.2, yes) and D (0.35, no); [0.5, 1] holds A (0.9, yes) and C (0.6, no).
    low, high = r.calibration
    assert (low.low, low.high, low.count) == (0.0, 0.5, 2)
    assert low.mean_forecast == pytest.approx(0.275) and low.observed_frequency == 0.5
    assert (high.count, high.observed_frequency) == (
        2,
        0.5,
    ) and high.mean_forecast == pytest.approx(0.75)


def test_score_edges_of_bins_and_certain_forecasts() -> None:
    t = _table({"A": 1.0, "B": 0.0, "C": 0.2, "D": 0.4})
    r = score(t, {"A": 1, "B": 1, "C": 0}, bins=5)
    assert r.unresolved == ("D",)
    counts = [b.count for b in r.calibration]
    assert counts == [
        1,
        1,
        0,
        0,
        1,
    ]  # 0.0 -> first bin; 0.2 -> [0.2, 0.4); 1.0 -> last bin (closed)
    assert math.isnan(r.calibration[2].mean_forecast) and math.isnan(
        r.calibration[2].observed_frequency
    )
    # A certain, wrong forecast costs ln(eps), not minus infinity (scikit-learn clips the same way).
    assert r.questions[1].log_score == pytest.approx(math.log(np.finfo(float).eps))
    assert r.brier == pytest.approx((0 + 1 + 0.04) / 3)
    assert json.dumps(r.to_dict())  # NaN bins become null: the report is valid JSON
    assert r.to_dict()["calibration"][2]["mean_forecast"] is None


def test_score_of_korea_against_sklearn(korea_table: ForecastTable) -> None:
    outcomes = load_resolutions(RESOLUTIONS, questions=korea_table.ids)
    r = score(korea_table, outcomes)
    ids = [q for q in QIDS if q in outcomes]
    y = np.array([outcomes[q] for q in ids])
    p = np.array([korea_table.probability(q) for q in ids])
    assert r.n == 20 and r.unresolved == ("Q21", "Q22", "Q23")
    assert r.brier == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert r.log_score == pytest.approx(-log_loss(y, p, labels=[0, 1]), abs=1e-12)
    assert 0.0 <= r.brier <= 1.0 and r.log_score < 0
    # Calibration, recomputed independently with numpy's digitize.
    bins = np.minimum(np.floor(p * 5).astype(int), 4)
    for k, b in enumerate(r.calibration):
        members = bins == k
        assert b.count == int(members.sum())
        if b.count:
            assert b.mean_forecast == pytest.approx(p[members].mean())
            assert b.observed_frequency == pytest.approx(y[members].mean())
    assert sum(b.count for b in r.calibration) == 20


def test_score_refuses_bad_mappings() -> None:
    t = _table({"Q01": 0.5, "Q02": 0.5})
    with pytest.raises(UsageError, match="did you mean 'Q01'"):
        score(t, {"Q1": 1})
    with pytest.raises(UsageError, match="must be 0 or 1"):
        score(t, {"Q01": 2})
    with pytest.raises(UsageError, match="no question has a resolution"):
        score(t, {})
    with pytest.raises(UsageError, match="bins"):
        score(t, {"Q01": 1}, bins=0)


# ---------------------------------------------------------------------------------- resolutions
def test_resolutions_file_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "res.yaml"
    bad.write_text("Q01: 1\nQ1O: 0\nQ03: 2\nQ04: yes\nQ05: true\nQ06: 0.5\nQ07: 0\n")
    with pytest.raises(ModelError) as info:
        load_resolutions(bad, questions=QIDS)
    problems = info.value.problems
    assert [(p.line, p.field) for p in problems] == [
        (2, "Q1O"),
        (3, "Q03"),
        (4, "Q04"),
        (5, "Q05"),
        (6, "Q06"),
    ]
    assert all(p.file is not None and p.file.endswith("res.yaml") for p in problems)
    assert (
        "unknown question 'Q1O'" in problems[0].message
        and "did you mean 'Q10'" in problems[0].message
    )
    assert all("must be 0 or 1" in p.message for p in problems[1:])
    assert problems[2].found == "'yes'" and problems[3].found == "True"


@pytest.mark.parametrize(
    "text, message",
    [
        ("- Q01\n- Q02\n", "must be a mapping"),
        ("{}\n", "empty"),
        ("# nothing\n", "empty"),
        ("Q01: [1\n", "not valid YAML"),
    ],
)
def test_resolutions_file_shape_errors(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "r.yaml"
    f.write_text(text)
    with pytest.raises(ModelError, match=message):
        load_resolutions(f, questions=QIDS)


def test_resolutions_example_file_reads(korea_table: ForecastTable) -> None:
    raw = yaml.safe_load(RESOLUTIONS.read_text())
    assert load_resolutions(RESOLUTIONS, questions=korea_table.ids) == {
        k: int(v) for k, v in raw.items()
    }


# ------------------------------------------------------------------------------------------ cli
def test_cli_forecast(capsys: pytest.CaptureFixture[str], korea_table: ForecastTable) -> None:
    assert main(["forecast", str(KOREA), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["model_hash"] == korea_table.model_hash
    assert [f["id"] for f in out["forecasts"]] == QIDS
    assert [f["probability"] for f in out["forecasts"]] == pytest.approx(
        [f.probability for f in korea_table], abs=1e-15
    )
    assert main(["forecast", str(KOREA)]) == 0
    text = capsys.readouterr().out
    assert "Q23" in text and korea_table.model_hash in text and "%" in text


def test_cli_score(capsys: pytest.CaptureFixture[str], korea_table: ForecastTable) -> None:
    r = score(korea_table, load_resolutions(RESOLUTIONS, questions=korea_table.ids))
    assert main(["score", str(KOREA), str(RESOLUTIONS), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["n"] == 20 and out["model_hash"] == korea_table.model_hash
    assert out["brier"] == pytest.approx(r.brier, abs=1e-15) and out["log_score"] == pytest.approx(
        r.log_score, abs=1e-15
    )
    assert len(out["calibration"]) == 5 and out["unresolved"] == ["Q21", "Q22", "Q23"]
    assert main(["score", str(KOREA), str(RESOLUTIONS), "--bins", "4"]) == 0
    text = capsys.readouterr().out
    assert "mean squared error" in text and "0 to 1" in text and f"{r.brier:.4f}" in text
    assert "Calibration" in text and "not scored" in text


def test_cli_score_bad_file_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "res.yaml"
    bad.write_text("Q01: 1\nQ24: 0\n")
    assert main(["score", str(KOREA), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "res.yaml:2" in err and "unknown question 'Q24'" in err and "Traceback" not in err
    assert main(["score", str(KOREA), str(tmp_path / "missing.yaml"), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and "not found" in out["error"]["problems"][0]["message"]


# ------------------------------------------------------------------------------ windows
def test_questions_over_a_window_score_unchanged_on_the_dynamic_example() -> None:
    """A question with ``window:`` is the event over the slices it covers; its forecast is
    pyAgrum's P(yes in any of them) on the unrolled tables, and it is scored as any other."""
    pytest.importorskip("pyagrum")
    import dynamic_reference as ref

    net = Network.from_file(ROOT / "models" / "escalation_dynamic")
    table = forecasts(net)
    bn = ref.pyagrum_for(net, None)
    clash = 1 - ref.prob(bn, {f"clash@{s}": "no" for s in ref.SLICES})
    test = 1 - ref.prob(bn, {"nk_icbm_test@2018H1": "no", "nk_icbm_test@2018H2": "no"})
    assert table.probability("q_clash_by_2018") == pytest.approx(clash, abs=1e-9)
    assert table.probability("q_test_in_2018") == pytest.approx(test, abs=1e-9)
    assert {f.horizon for f in table} == {dt.date(2018, 12, 31)}
    path = ROOT / "tests" / "data" / "resolutions_dynamic.yaml"
    outcomes = load_resolutions(path, questions=table.ids)
    report = score(table, outcomes)
    assert report.brier == pytest.approx((clash**2 + test**2) / 2, abs=1e-9)
    assert report.log_score == pytest.approx((math.log(1 - clash) + math.log(1 - test)) / 2)
    assert report.brier == pytest.approx(brier_score_loss([0, 0], [clash, test]), abs=1e-12)
