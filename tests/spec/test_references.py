"""Reference classes, the background source, quote tags and the strength rule: each rule refuses
a broken model with the file and line of the fault; the listing and the warning say what the
model holds. Expected numbers are worked out by hand in each test."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from estimative import Network, load_model
from estimative.baserates import check_references, evidence_warnings, reference_table
from estimative.cli import main
from estimative.errors import ModelError

BACKGROUND = """\
background:
  - id: test_a
    date: 2013-02-12
    text: The first test of the series took place.
    citation: A record of 12 February 2013
  - id: test_b
    date: 2016-01-06
    text: The second test of the series took place.
    citation: A record of 6 January 2016
  - id: test_c
    date: 2016-09-09
    text: The third test of the series took place.
    citation: A record of 9 September 2016
    uncertain: true
"""

MODEL = """\
format: estimative/1
title: Tests, in miniature
as_of: 2017-05-15
sources:
  - id: background
    path: sources/background.yaml
    date: "2017-05-15"
variables:
  - id: test
    label: A test in the period
    states: ["no", "yes"]
    cpt:
      table: {"no": 0.4, "yes": 0.6}
      references:
        - ref: tests
          applies_to: table.yes
          adjusted: 0.6
          reason: held at the rate of the last five years
      sources:
        - source: background
          quote: The second test of the series took place.
          tag: magnitude
      strength: 6
references:
  - id: tests
    label: Tests, 2012-2016
    events: [test_a, test_b, test_c]
    n: 3
    window: {start: 2012-01-01, end: 2016-12-31}
    out_of: 5
    base_rate: 0.6
questions:
  - id: Q1
    text: A test takes place.
    resolution: Yes if a test takes place.
    horizon: 2018-05-15
    query: {target: test, state: "yes"}
    references:
      - ref: tests
        adjusted: 0.6
        reason: the model holds the rate
"""


def write(tmp_path: Path, model: str = MODEL, background: str = BACKGROUND) -> Path:
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "background.yaml").write_text(background, encoding="utf-8")
    (tmp_path / "model.yaml").write_text(model, encoding="utf-8")
    return tmp_path


def problems(folder: Path) -> list:
    with pytest.raises(ModelError) as err:
        load_model(folder)
    return err.value.problems


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth line holding ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth - 1]


# ------------------------------------------------------------------------------- valid model
def test_valid_model_loads_with_its_facts_and_classes(tmp_path: Path) -> None:
    spec = load_model(write(tmp_path))
    assert [f.id for f in spec.background] == ["test_a", "test_b", "test_c"]
    assert spec.references[0].window.years == pytest.approx(1827 / 365.25)
    assert spec.variables[0].cpt.sources[0].tag == "magnitude"


def test_a_quote_from_the_background_must_be_one_of_its_facts(tmp_path: Path) -> None:
    bad = MODEL.replace("quote: The second test", "quote: The fourth test")
    (p,) = problems(write(tmp_path, bad))
    assert "quote not found verbatim in source 'background'" in p.message
    assert p.line == line_of(bad, "quote: The fourth test")


# --------------------------------------------------------------------------------- the dates
def test_bad_date_of_a_fact_is_located_in_the_background_file(tmp_path: Path) -> None:
    bg = BACKGROUND.replace("date: 2016-01-06", "date: 2016-13-06")
    (p,) = problems(write(tmp_path, background=bg))
    assert p.file.endswith("background.yaml")
    assert p.line == line_of(bg, "2016-13-06")
    assert p.field == "background[1].date"


def test_a_fact_after_as_of_is_refused(tmp_path: Path) -> None:
    bg = BACKGROUND.replace("date: 2016-09-09", "date: 2017-07-04")
    found = problems(write(tmp_path, background=bg))
    fact = [p for p in found if "dated after the model's as_of" in p.message]
    assert len(fact) == 1 and fact[0].file.endswith("background.yaml")
    assert fact[0].line == line_of(bg, "2017-07-04")
    assert fact[0].fix
    # the class counting it is told the event falls outside its window, in model.yaml
    window = [p for p in found if "outside the window" in p.message]
    assert window and window[0].line == line_of(MODEL, "events: [test_a")


def test_a_source_after_as_of_and_a_bad_source_date_are_refused(tmp_path: Path) -> None:
    late = MODEL.replace('date: "2017-05-15"', 'date: "2017-06"')
    (p,) = problems(write(tmp_path, late))
    assert "dated after the model's as_of" in p.message
    assert p.line == line_of(late, 'date: "2017-06"')
    odd = MODEL.replace('date: "2017-05-15"', 'date: "May 2017"')
    (p,) = problems(write(tmp_path, odd))
    assert p.message.startswith("bad date") and p.line == line_of(odd, "May 2017")


def test_a_question_closing_by_as_of_is_refused(tmp_path: Path) -> None:
    bad = MODEL.replace("horizon: 2018-05-15", "horizon: 2017-05-15")
    (p,) = problems(write(tmp_path, bad))
    assert "not after the model's as_of" in p.message
    assert p.line == line_of(bad, "horizon: 2017-05-15")


def test_a_window_past_as_of_is_refused(tmp_path: Path) -> None:
    bad = MODEL.replace("end: 2016-12-31}", "end: 2017-12-31}").replace(
        "out_of: 5\n", "out_of: 6\n"
    )
    bad = bad.replace("base_rate: 0.6\n", "base_rate: 0.5\n")
    (p,) = problems(write(tmp_path, bad))
    assert "ends after the model's as_of" in p.message
    assert p.line == line_of(bad, "window: {start")


# ------------------------------------------------------------------------------- the counts
def test_n_must_match_the_events_listed(tmp_path: Path) -> None:
    bad = MODEL.replace("    n: 3\n", "    n: 4\n")
    found = problems(write(tmp_path, bad))
    (p,) = [p for p in found if p.field == "references[0].n"]
    assert "n is 4 but 3 event(s) are listed" in p.message
    assert p.line == line_of(bad, "    n: 4")


def test_base_rate_must_follow_from_n_and_out_of(tmp_path: Path) -> None:
    # 3 events in 5 years is 0.6 per year; 0.65 is more than rounding away
    bad = MODEL.replace("base_rate: 0.6\n", "base_rate: 0.65\n")
    (p,) = problems(write(tmp_path, bad))
    assert p.field == "references[0].base_rate" and "3 / 5 = 0.6000" in p.message
    assert p.line == line_of(bad, "base_rate: 0.65")
    # rounded to three places is accepted: 2 events in 3 trials is 0.667
    ok = (
        BACKGROUND
        + "  - id: trial_c\n    date: 2015-01-01\n    text: A third trial happened.\n    citation: A record\n"
    )
    trials = (
        MODEL.replace(
            "    out_of: 5\n    base_rate: 0.6\n",
            "    per: trial\n    trials: [test_a, test_b, trial_c]\n    out_of: 3\n    base_rate: 0.667\n",
        )
        .replace("events: [test_a, test_b, test_c]", "events: [test_a, test_b]")
        .replace("n: 3", "n: 2")
    )
    trials = trials.replace(
        "adjusted: 0.6\n        reason: the model", "adjusted: 0.6\n        reason: the model"
    )
    load_model(write(tmp_path, trials, ok))


def test_out_of_must_be_the_window_in_years(tmp_path: Path) -> None:
    bad = MODEL.replace("out_of: 5\n", "out_of: 4\n").replace(
        "base_rate: 0.6\n", "base_rate: 0.75\n"
    )
    (p,) = problems(write(tmp_path, bad))
    assert p.field == "references[0].out_of" and "window is 5.00 years" in p.message


def test_an_unknown_fact_gets_a_did_you_mean(tmp_path: Path) -> None:
    bad = MODEL.replace("events: [test_a, test_b, test_c]", "events: [test_a, test_b, tset_c]")
    (p,) = problems(write(tmp_path, bad))
    assert "did you mean 'test_c'" in p.message


def test_adjusted_must_be_the_number_the_cpt_holds(tmp_path: Path) -> None:
    bad = MODEL.replace("          adjusted: 0.6\n", "          adjusted: 0.5\n")
    (p,) = problems(write(tmp_path, bad))
    assert "the CPT holds 0.6 at table.yes" in p.message
    assert p.line == line_of(bad, "          adjusted: 0.5")


DYNAMIC = (
    MODEL.replace(
        "as_of: 2017-05-15\n",
        "as_of: 2017-05-15\ntime:\n  slices: [2017-12-31, 2018-06-30]\n  labels: [2017H2, 2018H1]\n",
    )
    .replace(
        """    cpt:
      table: {"no": 0.4, "yes": 0.6}
      references:
        - ref: tests
          applies_to: table.yes
          adjusted: 0.6
""",
        """    parents: [pressure, test@t-1]
    initial:
      noisy_or: {leak: 0.1, causes: {pressure: {"yes": 0.4}}}
      assumption: true
      rationale: the first half-year has no test before it
    cpt:
      noisy_or: {leak: 0.1, causes: {pressure: {"yes": 0.4}, test@t-1: {"yes": 0.5}}}
      references:
        - ref: tests
          applies_to: noisy_or.causes.test@t-1.yes
          adjusted: 0.5
""",
    )
    .replace(
        "references:\n  - id: tests",
        """  - id: pressure
    label: Pressure
    static: true
    states: ["no", "yes"]
    cpt:
      table: {"no": 0.5, "yes": 0.5}
      assumption: true
      rationale: even odds
      strength: 2
references:
  - id: tests""",
    )
    .replace("target: test,", "target: test@2017H2..2018H1,")
)


def test_a_path_on_a_dynamic_template_names_the_parents_as_written(tmp_path: Path) -> None:
    # the unrolled copy test@2018H1 has causes pressure and test@2017H2; the template's names
    # (test@t-1, pressure) find them
    assert "test@t-1" in DYNAMIC and "2017H2..2018H1" in DYNAMIC
    spec = load_model(write(tmp_path, DYNAMIC.replace("adjusted: 0.6\n", "adjusted: 0.0\n")))
    assert "test@2018H1" in [v.id for v in spec.variables]
    bad = DYNAMIC.replace("          adjusted: 0.5\n", "          adjusted: 0.4\n")
    found = problems(write(tmp_path, bad.replace("adjusted: 0.6\n", "adjusted: 0.0\n")))
    msgs = [p.message for p in found if "the CPT holds" in p.message]
    assert msgs and all("holds 0.5 at noisy_or.causes.test@t-1.yes" in m for m in msgs), found
    same = DYNAMIC.replace(
        "applies_to: noisy_or.causes.test@t-1.yes", "applies_to: noisy_or.causes.pressure.yes"
    )
    found = problems(write(tmp_path, same.replace("adjusted: 0.6\n", "adjusted: 0.0\n")))
    assert any("holds 0.4 at noisy_or.causes.pressure.yes" in p.message for p in found), found
    assert not any("names no number" in p.message for p in found)


# ----------------------------------------------------------------------- the strength rule
def test_strength_rule_bounds(tmp_path: Path) -> None:
    # magnitude quote (10) + 5 years of precedent: at most 15, at least 2.5
    for strength, ok in ((15, True), (2.5, True), (16, False), (2, False)):
        text = MODEL.replace("strength: 6", f"strength: {strength}")
        if ok:
            load_model(write(tmp_path, text))
        else:
            (p,) = problems(write(tmp_path, text))
            assert "from 2.5 to 15" in (p.expected or "")
            assert p.line == line_of(text, f"strength: {strength}")
    # without the class, a direction quote carries at most 6
    plain = MODEL.replace("tag: magnitude", "tag: direction").replace("strength: 6", "strength: 7")
    plain = plain.replace(
        "      references:\n        - ref: tests\n          applies_to: table.yes\n"
        "          adjusted: 0.6\n          reason: held at the rate of the last five years\n",
        "",
    )
    (p,) = problems(write(tmp_path, plain))
    assert "from 0 to 6" in (p.expected or "")


# --------------------------------------------------------------- warnings, checks, listing
def test_context_only_cpt_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = MODEL.replace("tag: magnitude", "tag: context").replace("strength: 6", "strength: 3")
    text = text.replace(
        "      references:\n        - ref: tests\n          applies_to: table.yes\n"
        "          adjusted: 0.6\n          reason: held at the rate of the last five years\n",
        "",
    )
    folder = write(tmp_path, text)
    (w,) = evidence_warnings(load_model(folder))
    assert "rests only on context" in w.message and w.line == line_of(text, "      sources:")
    assert main(["validate", str(folder)]) == 0  # a warning does not fail validation
    assert "warning:" in capsys.readouterr().err
    # with a direction quote there is nothing to warn about
    assert evidence_warnings(load_model(write(tmp_path, MODEL))) == []


def test_a_question_adjustment_must_be_the_model_answer(tmp_path: Path) -> None:
    bad = MODEL.replace(
        "        adjusted: 0.6\n        reason: the model",
        "        adjusted: 0.7\n        reason: the model",
    )
    net = Network(load_model(write(tmp_path, bad)))
    (p,) = check_references(net)
    assert "adjusted is 0.7 but the model answers 0.600" in p.message
    assert p.line == line_of(bad, "        adjusted: 0.7")
    assert main(["validate", str(tmp_path)]) == 2


def test_reference_table_and_show_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write(tmp_path)
    (row,) = reference_table(Network(load_model(folder)))
    # the question runs 365 days past as_of: 1 - exp(-0.6 * 365 / 365.25)
    q, cpt = row.uses
    assert q.user == "question Q1" and q.implied == pytest.approx(1 - math.exp(-0.6 * 365 / 365.25))
    assert cpt.user == "cpt test at table.yes" and cpt.model == 0.6
    assert [e[0] for e in row.events] == ["test_a", "test_b", "test_c"]
    assert main(["show", str(folder), "--references"]) == 0
    text = capsys.readouterr().out
    assert "tests: Tests, 2012-2016" in text
    assert "n = 3 in 5 years; base rate 0.6 per year" in text
    assert "2016-09-09  The third test of the series took place.  [uncertain]" in text
    assert "question Q1: base rate 0.451 -> adjusted 0.600 (+15 points" in text
    assert main(["show", str(folder), "--references", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["references"][0]["n"] == 3 and len(data["references"][0]["uses"]) == 2
    assert data["model_hash"]


def test_flagship_lists_a_reference_class_for_every_question() -> None:
    net = Network.from_file("models/korea_2017")
    table = reference_table(net)
    used = {u.user for r in table for u in r.uses}
    assert {f"question {q.id}" for q in net.spec.questions} <= used
    assert all(e[1] < net.spec.as_of for r in table for e in (*r.events, *r.trials))
    assert check_references(net) == []
