"""Sweep files: a valid file parsed into the design; bad files name file, line and field, with
a "did you mean" for misspelt names."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimative import ModelError
from estimative.cli import main
from estimative.sweep import BASELINE, ParameterGrid, load_sweep, load_sweep_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"


def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if marker in line)


GOOD = f"""\
model: {EXAMPLE}
targets:
  - {{variable: armed_clash, state: "yes"}}
  - misread_intent
policies: [baseline, status_quo]
scenarios: [baseline, high_provocation]
parameters:
  - variable: misread_intent
    state: "yes"
    when: {{nk_provocation: high}}
    values: [0.2, 0.4]
draws: 100
seed: 1
"""

# (replace this, with that, the line marker, the field, words the message must hold)
BAD = [
    ("draws: 100", "draw: 100", "draw: 100", "draw", "did you mean 'draws'"),
    (
        "variable: armed_clash",
        "varible: armed_clash",
        "varible",
        "targets[0].varible",
        "did you mean 'variable'",
    ),
    (
        "variable: armed_clash",
        "variable: armed_clsh",
        "armed_clsh",
        "targets[0].variable",
        "did you mean 'armed_clash'",
    ),
    ('state: "yes"}', 'state: "yse"}', '"yse"', "targets[0].state", "did you mean 'yes'"),
    (
        "  - misread_intent",
        "  - misread_intnt=yes",
        "misread_intnt",
        "targets[1]",
        "did you mean 'misread_intent'",
    ),
    (
        "[baseline, status_quo]",
        "[baseline, status_qou]",
        "status_qou",
        "policies[1]",
        "did you mean 'status_quo'",
    ),
    (
        "[baseline, high_provocation]",
        "[baseline, high_provocaton]",
        "high_provocaton",
        "scenarios[1]",
        "did you mean 'high_provocation'",
    ),
    (
        "{nk_provocation: high}",
        "{nk_provocaton: high}",
        "nk_provocaton",
        "parameters[0].when.nk_provocaton",
        "did you mean 'nk_provocation'",
    ),
    (
        "{nk_provocation: high}",
        "{nk_provocation: hihg}",
        "hihg",
        "parameters[0].when.nk_provocation",
        "did you mean 'high'",
    ),
    (
        "values: [0.2, 0.4]",
        "values: [0.2, 1.4]",
        "1.4",
        "parameters[0].values[1]",
        "less than or equal to 1",
    ),
    ("draws: 100", "draws: 0", "draws: 0", "draws", "greater than or equal to 1"),
    ("seed: 1", "seed: one", "seed: one", "seed", "valid integer"),
    (f"model: {EXAMPLE}", "model: no/such/model", "model:", "model", "does not load"),
    (
        "policies: [baseline, status_quo]",
        "policies: every",
        "policies: every",
        "policies",
        "the word all",
    ),
    (
        "targets:",
        "targets:\n  - armed_clash\n  - armed_clash",
        "  - armed_clash#2",
        "targets[1]",
        "listed twice",
    ),
    ("draws: 100", "draws: [100", "seed: 1", None, "not valid YAML"),
    (
        "seed: 1",
        "seed: 1\nstrengths: {armed_clsh: 5}",
        "armed_clsh",
        "strengths.armed_clsh",
        "did you mean 'armed_clash'",
    ),
    (
        "seed: 1",
        "seed: 1\nchunk_size: -5",
        "chunk_size",
        "chunk_size",
        "greater than or equal to 1",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "marker", "field", "words"), BAD, ids=[b[3] or "yaml" for b in BAD]
)
def test_bad_sweep_file_names_line_and_field(
    tmp_path: Path, old: str, new: str, marker: str, field: str | None, words: str
) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as exc:
        load_sweep(f)
    marker, _, nth = marker.partition("#")
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if marker in line]
    want = lines[int(nth) - 1 if nth else 0]
    hits = [p for p in exc.value.problems if words in str(p)]
    assert hits, [str(p) for p in exc.value.problems]
    p = hits[0]
    assert p.file is not None and p.file.endswith("bad.yaml")
    if field is not None:
        assert p.field == field
        assert p.line == want, str(p)
    else:
        assert p.line in (want, want - 1), str(p)  # YAML reports the flow error where it is noticed


def test_bad_sweep_via_cli_exits_2_and_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(GOOD.replace("[baseline, status_quo]", "[baseline, status_qou]"), encoding="utf-8")
    assert main(["sweep", str(f), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert (
        f"bad.yaml:{line_of(GOOD, 'policies:')}: policies[1]: unknown policy 'status_qou' (did you mean 'status_quo'?)"
        in err
    )
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------------- the loader itself
def _write(tmp_path: Path, text: str, name: str = "good.yaml") -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def test_a_valid_file_is_parsed_into_the_design(tmp_path: Path) -> None:
    f = _write(tmp_path, GOOD)
    sf = load_sweep_file(f)
    net = sf.net
    assert (
        sf.path == f and sf.output == tmp_path / "out" / "good"
    )  # default out/<file stem>, beside the file
    assert sf.targets == [
        ("armed_clash", ["yes"]),
        ("misread_intent", list(net.states["misread_intent"])),
    ]
    assert sf.policies == [BASELINE, "status_quo"] and sf.scenarios == [
        BASELINE,
        "high_provocation",
    ]
    assert (sf.spec.draws, sf.spec.seed, sf.spec.chunk_size) == (100, 1, 500)
    d = load_sweep(f)
    assert d.targets == (
        ("armed_clash", ("yes",)),
        ("misread_intent", tuple(net.states["misread_intent"])),
    )
    assert d.policies == (BASELINE, "status_quo") and d.scenarios == (BASELINE, "high_provocation")
    assert d.parameters == (
        ParameterGrid("misread_intent", "yes", (0.2, 0.4), (("nk_provocation", "high"),)),
    )
    assert d.parameters[0].label == "misread_intent=yes | nk_provocation=high"
    assert (d.draws, d.seed, d.chunk_size, d.output) == (100, 1, 500, sf.output)
    assert d.source == str(f) and d.source_sha256 == sf.sha256 and len(sf.sha256) == 64
    over = load_sweep(f, draws=7, seed=3, chunk_size=2)
    assert (over.draws, over.seed, over.chunk_size, over.n_chunks) == (7, 3, 2, 4)


def test_all_means_the_baseline_and_every_id(tmp_path: Path) -> None:
    text = GOOD.replace("policies: [baseline, status_quo]", "policies: all").replace(
        "scenarios: [baseline, high_provocation]", "scenarios: all"
    )
    sf = load_sweep_file(_write(tmp_path, text))
    assert sf.policies == [BASELINE, *(p.id for p in sf.net.spec.policies)]
    assert sf.scenarios == [BASELINE, *(s.id for s in sf.net.spec.scenarios)]


def test_unknown_policy_names_file_line_field_and_the_nearest_id(tmp_path: Path) -> None:
    text = GOOD.replace("[baseline, status_quo]", "[baseline, status_qou]")
    with pytest.raises(ModelError) as exc:
        load_sweep_file(_write(tmp_path, text, "bad.yaml"))
    [p] = exc.value.problems
    assert (p.line, p.field) == (line_of(text, "policies:"), "policies[1]")
    assert str(p).startswith(
        f"{p.file}:{p.line}: policies[1]: unknown policy 'status_qou' (did you mean 'status_quo'?)"
    )


def test_unknown_target_and_bad_key_are_reported_together(tmp_path: Path) -> None:
    text = GOOD.replace("variable: armed_clash", "variable: armed_clsh").replace(
        "draws: 100", "draw: 100"
    )
    with pytest.raises(ModelError) as exc:
        load_sweep_file(_write(tmp_path, text, "bad.yaml"))
    # the schema is checked first: the bad key is reported (the names follow once it passes)
    assert [(p.field, p.line) for p in exc.value.problems] == [("draw", line_of(text, "draw: 100"))]
    assert "did you mean 'draws'" in str(exc.value.problems[0])
    text = GOOD.replace("variable: armed_clash", "variable: armed_clsh").replace(
        "[baseline, status_quo]", "[baseline, status_qou]"
    )
    with pytest.raises(ModelError) as exc:
        load_sweep_file(_write(tmp_path, text, "bad2.yaml"))
    fields = {p.field: p for p in exc.value.problems}
    assert set(fields) == {"targets[0].variable", "policies[1]"}
    assert fields["targets[0].variable"].line == line_of(text, "armed_clsh")
    assert "unknown variable 'armed_clsh' (did you mean 'armed_clash'?)" in str(
        fields["targets[0].variable"]
    )
    assert all(p.file is not None and p.file.endswith("bad2.yaml") for p in exc.value.problems)


def test_all_mixed_with_ids_and_an_empty_list_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace("[baseline, status_quo]", "[baseline, all]").replace(
        "[baseline, high_provocation]", "[]"
    )
    with pytest.raises(ModelError) as exc:
        load_sweep_file(_write(tmp_path, text, "bad.yaml"))
    msgs = {p.field: str(p) for p in exc.value.problems}
    assert "'all' cannot be mixed with named policies" in msgs["policies[1]"]
    assert (
        "an empty list of scenarios" in msgs["scenarios"]
        and f"{BASELINE} means no evidence" in msgs["scenarios"]
    )


def test_a_top_level_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="must be a mapping") as exc:
        load_sweep_file(_write(tmp_path, "- model: x\n", "bad.yaml"))
    assert exc.value.problems[0].line == 1
