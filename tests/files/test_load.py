"""Validation of model files: every rule has a broken file in tests/data, and each message must
name the file, the line (read here from the file's own text) and the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from estimative import ModelError, load_model

DATA = Path(__file__).resolve().parents[1] / "data"


def line_of(path: Path, marker: str) -> int:
    """1-based line of the line containing ``marker`` in ``path`` (the reference); a marker
    ``"text#n"`` names the n-th such line."""
    text, _, nth = marker.partition("#")
    want = int(nth) if nth else 1
    for i, line in enumerate(
        path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
    ):
        if text in line:
            want -= 1
            if want == 0:
                return i
    raise AssertionError(f"{marker!r} not in {path}")


# (file, marker of the line the message must name, field it must name, words it must contain)
CASES = [
    ("unknown_key", "lable: B", "variables[1].lable", "did you mean 'label'"),
    ("duplicate_id", "- id: a#2", "variables[1].id", "duplicate id 'a'"),
    ("duplicate_state", "states: [low, low]", "variables[1].states", "duplicate state"),
    ("undefined_parent", "parents: [aa]", "variables[1].parents[0]", "did you mean 'a'"),
    ("cycle", "parents: [b]", "variables[0].parents", "a -> b -> a"),
    ("missing_row", "table:#2", "variables[1].cpt.table", "missing row(s) (a=yes)"),
    ("misnamed_row", 'when: {a: "yse"}', "variables[1].cpt.table[1].when.a", "did you mean 'yes'"),
    ("extra_row", 'when: {a: "yes"}#2', "variables[1].cpt.table[2].when", "duplicate row (a=yes)"),
    (
        "probability_range",
        "probs: {low: 1.2",
        "variables[1].cpt.table[0].probs.low",
        "outside [0, 1]",
    ),
    (
        "column_sum",
        "probs: {low: 0.5, high: 0.6}",
        "variables[1].cpt.table[1].probs",
        "sums to 1.1",
    ),
    (
        "quote_not_found",
        "quote: The quick brown cat",
        "variables[0].cpt.sources[0].quote",
        "not found verbatim",
    ),
    ("missing_source_doc", "path: sources/nowhere.txt", "sources[0].path", "does not exist"),
    ("policy_unknown_variable", 'do: {aa: "yes"}', "policies[0].do.aa", "unknown variable 'aa'"),
    ("scenario_unknown_state", "given: {b: hihg}", "scenarios[0].given.b", "did you mean 'high'"),
    ("python_tag", "title: !!python", "title", "not allowed"),
    ("not_yaml", "- id: a", None, "not valid YAML"),
]


def _problems(path: Path):
    with pytest.raises(ModelError) as exc:
        load_model(path)
    return exc.value.problems


@pytest.mark.parametrize(("name", "marker", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_broken_file_names_file_line_and_field(
    name: str, marker: str, field: str | None, words: str
) -> None:
    path = DATA / f"broken_{name}.yaml"
    problems = _problems(path)
    expected_line = line_of(path, marker)
    hits = [p for p in problems if words in p.message]
    assert hits, [str(p) for p in problems]
    p = hits[0]
    assert p.file is not None and p.file.endswith(f"broken_{name}.yaml")
    assert p.line == expected_line, str(p)
    if field is not None:
        assert p.field == field, str(p)


@pytest.mark.parametrize(
    ("name", "marker", "field", "words"), CASES[:6], ids=[c[0] for c in CASES[:6]]
)
def test_cli_validate_exits_2_without_traceback(
    name: str, marker: str, field: str | None, words: str
) -> None:
    path = DATA / f"broken_{name}.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "estimative", "validate", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"broken_{name}.yaml:{line_of(path, marker)}:" in proc.stderr
    assert words in proc.stderr


def test_valid_file_loads() -> None:
    spec = load_model(DATA / "valid.yaml")
    assert [v.id for v in spec.variables] == ["a", "b"]
    assert spec.variable("b").table.tolist() == [[0.9, 0.4], [0.1, 0.6]]


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    text = (DATA / "valid.yaml").read_text()
    text = text.replace("parents: [a]", "parents: [aa]").replace(
        'do: {a: "yes"}', 'do: {a: "maybe"}'
    )
    text = text.replace("quote: The quick brown fox", "quote: The slow brown fox")
    f = tmp_path / "m.yaml"
    f.write_text(text)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_text((DATA / "sources" / "doc.txt").read_text())
    messages = " | ".join(p.message for p in _problems(f))
    assert "undefined parent 'aa'" in messages
    assert "'maybe' is not a state of 'a'" in messages
    assert "not found verbatim" in messages


def test_empty_binary_and_oversized_files(tmp_path: Path) -> None:
    for name, words, line in [("empty", "empty", 1), ("binary", "binary", 2)]:
        (p,) = _problems(DATA / f"broken_{name}.yaml")
        assert words in p.message and p.file.endswith(f"broken_{name}.yaml")
        assert p.line == line  # the binary file's NUL byte is on its second line
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (6 * 1024 * 1024) + "\n")
    (p,) = _problems(big)
    assert "too large" in p.message and p.found is not None and "MiB" in p.found


def test_missing_path_and_folder_without_model(tmp_path: Path) -> None:
    (p,) = _problems(tmp_path / "nope.yaml")
    assert "not found" in p.message
    (p,) = _problems(tmp_path)
    assert "no model.yaml" in p.message


def test_yes_no_on_off_stay_strings(tmp_path: Path) -> None:
    f = tmp_path / "m.yaml"
    f.write_text(
        "title: t\nas_of: 2017-05-15\nvariables:\n"
        "  - id: s\n    label: S\n    states: [off, on]\n    cpt:\n      table: {off: 0.5, on: 0.5}\n      assumption: true\n      rationale: r\n"
        "  - id: x\n    label: X\n    states: [no, yes]\n    parents: [s]\n    cpt:\n      table:\n"
        "        - when: {s: off}\n          probs: {no: 1, yes: 0}\n"
        "        - when: {s: on}\n          probs: {no: 0.25, yes: 0.75}\n      assumption: true\n      rationale: r\n"
    )
    spec = load_model(f)
    assert spec.variable("x").states == ["no", "yes"]
    assert spec.variable("s").states == ["off", "on"]
    assert spec.variable("x").table[1, 1] == 0.75


def test_quote_matching_normalises_line_breaks_hyphens_and_curly_quotes(tmp_path: Path) -> None:
    text = (DATA / "valid.yaml").read_text()
    for quote in [
        "A well-known sentence about foxes",
        'breaks and "curly quotes" in',
        "the lazy dog, and the dog",
    ]:
        t = text.replace("quote: The quick brown fox jumps over the lazy dog", f"quote: '{quote}'")
        d = tmp_path / quote[:5].replace(" ", "_")
        (d / "sources").mkdir(parents=True)
        (d / "sources" / "doc.txt").write_text(
            (DATA / "sources" / "doc.txt").read_text(encoding="utf-8"), encoding="utf-8"
        )
        (d / "m.yaml").write_text(t)
        load_model(d / "m.yaml")


def test_sibling_section_files_and_conflicts(tmp_path: Path) -> None:
    text = (DATA / "valid.yaml").read_text()
    main, _, rest = text.partition("policies:\n")
    pol, _, scen = rest.partition("scenarios:\n")
    d = tmp_path / "m"
    (d / "sources").mkdir(parents=True)
    (d / "sources" / "doc.txt").write_text(
        (DATA / "sources" / "doc.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (d / "model.yaml").write_text(main + "scenarios:\n" + scen)
    (d / "policies.yaml").write_text("policies:\n" + pol)
    spec = load_model(d)
    assert spec.policy("force").do == {"a": "yes"}
    (d / "scenarios.yaml").write_text("scenarios:\n" + scen)
    (p,) = _problems(d)
    assert "both here and in scenarios.yaml" in p.message
