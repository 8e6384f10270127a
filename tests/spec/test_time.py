"""Dynamic models: the format's new parts validate with file, line and fix, and unroll into
the network the analyses run on (ids, parents and CPTs per slice, windows, policies)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, load_model

DYNAMIC = "models/escalation_dynamic"

HEAD = """\
format: estimative/1
title: t
as_of: 2017-05-15
time:
  slices: [2017-12-31, 2018-06-30, 2018-12-31]
  labels: [A, B, C]
variables:
"""

TENSION = """\
  - id: tension
    label: Tension
    states: [low, high]
    parents: [tension@t-1]
    initial:
      table: {low: 0.5, high: 0.5}
      assumption: true
      rationale: start
    cpt:
      table:
        - when: {tension@t-1: low}
          probs: {low: 0.8, high: 0.2}
        - when: {tension@t-1: high}
          probs: {low: 0.3, high: 0.7}
      assumption: true
      rationale: persistence
"""


def write(tmp_path: Path, body: str, head: str = HEAD) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(head + textwrap.dedent(body) if body.startswith("\n") else head + body)
    return path


def problems(path: Path) -> list:
    with pytest.raises(ModelError) as exc:
        load_model(path)
    return exc.value.problems


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_chain_unrolls_into_one_copy_per_slice_with_the_right_cpts(tmp_path: Path) -> None:
    spec = load_model(write(tmp_path, TENSION))
    assert [v.id for v in spec.variables] == ["tension@A", "tension@B", "tension@C"]
    assert spec.variable("tension@A").parents == []
    assert spec.variable("tension@C").parents == ["tension@B"]
    np.testing.assert_allclose(spec.variable("tension@A").table, [0.5, 0.5])
    # the transition as written: columns are the previous slice's states
    np.testing.assert_allclose(spec.variable("tension@B").table, [[0.8, 0.3], [0.2, 0.7]])
    assert spec.template is not None and spec.template.variables[0].id == "tension"
    assert spec.dynamic and spec.time is not None and spec.time.labels == ["A", "B", "C"]


def test_every_copy_keeps_the_template_s_observable_flag(tmp_path: Path) -> None:
    # a latent variable (observable: false) stays latent in every slice, so no brief lists a
    # copy of it as an indicator to watch
    body = TENSION.replace("    label: Tension\n", "    label: Tension\n    observable: false\n")
    spec = load_model(write(tmp_path, body))
    assert [v.observable for v in spec.variables] == [False, False, False]
    assert all(v.observable for v in load_model(write(tmp_path, TENSION)).variables)


def test_a_temporal_arc_to_an_unknown_variable_names_file_line_and_a_near_name(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, TENSION.replace("parents: [tension@t-1]", "parents: [tensoin@t-1]"))
    (p,) = [p for p in problems(path) if "unknown variable" in p.message]
    assert "tensoin" in p.message and "did you mean 'tension'" in p.message
    assert p.file.endswith("model.yaml") and p.line == line_of(path, "tensoin@t-1")


def test_a_lag_beyond_the_first_slice_is_refused_with_the_number_of_slices(tmp_path: Path) -> None:
    path = write(tmp_path, TENSION.replace("parents: [tension@t-1]", "parents: [tension@t-3]"))
    msgs = problems(path)
    (p,) = [p for p in msgs if "reaches beyond the first slice" in p.message]
    assert "3 slices" in p.message and "at most 2" in (p.fix or "")
    assert p.line == line_of(path, "tension@t-3")


def test_a_cpt_missing_for_a_slice_says_which_and_how_to_add_it(tmp_path: Path) -> None:
    body = TENSION.replace(
        "    initial:\n      table: {low: 0.5, high: 0.5}\n      assumption: true\n      rationale: start\n",
        "",
    )
    path = write(tmp_path, body)
    (p,) = problems(path)
    assert "no CPT for 'tension' in slice A" in p.message and "initial:" in (p.fix or "")
    assert p.line == line_of(path, "parents: [tension@t-1]")
    # a lag of 2: the second slice has one lagged parent but not the other, so it needs its own
    lag2 = TENSION.replace("parents: [tension@t-1]", "parents: [tension@t-1, tension@t-2]")
    (p,) = problems(write(tmp_path, lag2))
    assert "slice B" in p.message and "slices: {B:" in (p.fix or "")


def test_a_problem_in_a_template_cpt_is_reported_once_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, TENSION.replace("probs: {low: 0.3, high: 0.7}", "probs: {low: 0.3, hgh: 0.7}")
    )
    found = problems(path)
    # used in slices B and C, each problem reported once, at the template's line, by its name
    assert len({p.message for p in found}) == len(found) == 2
    assert all(p.line == line_of(path, "hgh: 0.7") for p in found)
    assert any("cpt of tension (slice B): 'hgh' is not a state" in p.message for p in found)


def test_per_slice_cpts_override_the_transition(tmp_path: Path) -> None:
    body = TENSION + textwrap.indent(
        "slices:\n  C:\n    table:\n      - when: {tension@t-1: low}\n        probs: {low: 0.1, high: 0.9}\n"
        "      - when: {tension@t-1: high}\n        probs: {low: 0.1, high: 0.9}\n"
        "    assumption: true\n    rationale: late\n",
        "    ",
    )
    spec = load_model(write(tmp_path, body))
    np.testing.assert_allclose(spec.variable("tension@C").table, [[0.1, 0.1], [0.9, 0.9]])
    np.testing.assert_allclose(spec.variable("tension@B").table, [[0.8, 0.3], [0.2, 0.7]])
    path = write(tmp_path, body.replace("  C:\n", "  Z:\n"))
    (p,) = [p for p in problems(path) if "unknown slice" in p.message]
    assert "'Z'" in p.message and p.line == line_of(path, "Z:")


STYLE = """\
  - id: style
    label: Style
    states: [calm, loud]
    static: true
    cpt: {table: {calm: 0.4, loud: 0.6}, assumption: true, rationale: r}
  - id: mood
    label: Mood
    states: [low, high]
    parents: [mood@t-1, style]
    initial:
      table:
        - when: {style: calm}
          probs: {low: 0.5, high: 0.5}
        - when: {style: loud}
          probs: {low: 0.4, high: 0.6}
      assumption: true
      rationale: r
    cpt:
      table:
        - when: {mood@t-1: low, style: calm}
          probs: {low: 0.8, high: 0.2}
        - when: {mood@t-1: high, style: calm}
          probs: {low: 0.3, high: 0.7}
        - when: {mood@t-1: low, style: loud}
          probs: {low: 0.7, high: 0.3}
        - when: {mood@t-1: high, style: loud}
          probs: {low: 0.2, high: 0.8}
      assumption: true
      rationale: r
"""


def test_static_variables_keep_one_copy_and_cannot_depend_on_time(tmp_path: Path) -> None:
    spec = load_model(write(tmp_path, STYLE))
    assert [v.id for v in spec.variables] == ["style", "mood@A", "mood@B", "mood@C"]
    assert spec.variable("mood@B").parents == ["mood@A", "style"]
    np.testing.assert_allclose(spec.variable("mood@C").table[1], [[0.2, 0.3], [0.7, 0.8]])
    bad = STYLE.replace("    static: true\n", "    static: true\n    parents: [mood]\n", 1)
    path = write(tmp_path, bad)
    (p,) = [p for p in problems(path) if "cannot depend on" in p.message]
    assert "'style'" in p.message and "'mood'" in p.message
    lagged = STYLE.replace("[mood@t-1, style]", "[mood@t-1, style@t-1]")
    assert any("is static" in p.message for p in problems(write(tmp_path, lagged)))


def test_time_features_in_a_model_without_time_are_refused(tmp_path: Path) -> None:
    head = HEAD.replace(
        "time:\n  slices: [2017-12-31, 2018-06-30, 2018-12-31]\n  labels: [A, B, C]\n", ""
    )
    path = write(tmp_path, TENSION, head=head)
    found = problems(path)
    assert any(
        "temporal arc" in p.message and p.line == line_of(path, "tension@t-1]") for p in found
    )
    assert any("'initial' is for dynamic models" in p.message for p in found)


def test_the_first_slice_must_end_after_as_of(tmp_path: Path) -> None:
    path = write(tmp_path, TENSION, head=HEAD.replace("as_of: 2017-05-15", "as_of: 2018-01-01"))
    assert any("not after the model's as_of" in p.message for p in problems(path))


def test_names_elsewhere_unroll_do_every_slice_windows_and_bare_names_refused(
    tmp_path: Path,
) -> None:
    extra = (
        "policies:\n  - id: calm\n    label: Calm\n    do: {tension: low}\n"
        "outcomes:\n  - id: hot\n    label: Hot at some point\n    target: tension\n    state: high\n"
        "scenarios:\n  - id: s\n    label: S\n    given: {tension: high}\n"
    )
    path = write(tmp_path, TENSION + extra)
    (p,) = problems(path)
    assert "changes over time: name a slice or a window" in p.message
    assert "tension@A" in (p.fix or "") and "tension@A..C" in (p.fix or "")
    assert p.line == line_of(path, "given: {tension: high}")
    spec = load_model(
        write(tmp_path, TENSION + extra.replace("{tension: high}", "{tension@B: high}"))
    )
    assert spec.policy("calm").do == {"tension@A": "low", "tension@B": "low", "tension@C": "low"}
    assert spec.outcomes[0].target == "tension@A..C"
    window = spec.variable("tension@A..C")
    assert window.parents == ["tension@A..B", "tension@C"]
    # deterministic running maximum: high if either is high
    np.testing.assert_array_equal(window.table[1], [[0, 1], [1, 1]])


def test_question_windows_map_to_the_slices_they_cover(tmp_path: Path) -> None:
    q = (
        "questions:\n  - id: q\n    text: Hot in 2018?\n    resolution: r\n"
        "    window: [2018-01-01, 2018-12-31]\n    query: {target: tension, state: high}\n"
    )
    spec = load_model(write(tmp_path, TENSION + q))
    assert spec.questions[0].query.target == "tension@B..C"
    assert spec.questions[0].horizon == dt.date(2018, 12, 31)
    path = write(tmp_path, TENSION + q.replace("2018-01-01, 2018-12-31", "2018-02-01, 2018-12-31"))
    (p,) = problems(path)
    assert "does not match the slices" in p.message and "2018-01-01" in (p.fix or "")
    path = write(tmp_path, TENSION + q.replace("2018-01-01", "2017-01-01"))
    (p,) = problems(path)
    assert "before the model's as_of" in p.message


def test_a_reacting_rule_becomes_one_concrete_rule_per_slice(tmp_path: Path) -> None:
    strike = (
        "  - id: strike\n    label: Strike\n    states: ['no', 'yes']\n"
        "    cpt: {table: {'no': 0.9, 'yes': 0.1}, assumption: true, rationale: r}\n"
    )
    pol = (
        "policies:\n  - id: red\n    label: Red line\n    react:\n"
        "      - set: {strike: 'yes'}\n        when: {tension@t-1: high}\n"
        "        otherwise: {strike: 'no'}\n"
    )
    spec = load_model(write(tmp_path, TENSION + strike + pol))
    red = spec.policy("red")
    assert red.do == {"strike@A": "no"}  # no slice before the first: the condition fails
    assert [(r.variable, r.when, r.fallback) for r in red.react] == [
        ("strike@B", {"tension@A": ["high"]}, "no"),
        ("strike@C", {"tension@B": ["high"]}, "no"),
    ]
    path = write(tmp_path, TENSION + strike + pol.replace("tension@t-1: high", "tension@t-1: hot"))
    assert any("'hot' is not a state of 'tension'" in p.message for p in problems(path))
    path = write(tmp_path, TENSION + strike + pol.replace("tension@t-1", "tension"))
    same = pol.replace("tension@t-1", "tension@t")  # conditioned on its own slice: allowed ...
    assert load_model(write(tmp_path, TENSION + strike + same)).policy("red").react
    assert load_model(path).policy("red").react  # a bare name is the same slice


def test_the_worked_example_loads_and_is_dynamic() -> None:
    spec = load_model(DYNAMIC)
    assert spec.time is not None and len(spec.time.labels) == 3
    assert spec.template is not None
    ids = {v.id for v in spec.variables}
    assert {"clash@2017H2", "clash@2018H2", "clash@2017H2..2018H2", "us_bluster"} <= ids
    # the ICBM test's own CPT for the last half-year, the transition before it
    assert spec.variable("nk_icbm_test@2018H2").table[1].tolist() == [0.35, 0.5]
    assert spec.variable("nk_icbm_test@2018H1").table[1].tolist() == [0.25, 0.4]
    # utilities: 'each' split over slices with discounted weights adding up to the weight
    attrs = {a.id: a for a in spec.utilities.attributes}
    each = [attrs[f"talks_going@{lab}"].weight for lab in spec.time.labels]
    assert sum(each) == pytest.approx(0.2) and each[0] / each[1] == pytest.approx(1 / 0.9)
    assert attrs["no_clash"].over == ["clash@2017H2..2018H2"]
    assert attrs["no_icbm_late"].over == ["nk_icbm_test@2018H2"]
