"""Hostile and unlucky input, one case each: refused with exit 2 and a message naming the file
(and line), never a hang, a memory blow-up, an internal error or a silent wrong answer.

The reference for each case is the documented limit or rule (docs/model-format.md, "Limits")
and a hand-written file that breaks it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from estimative.errors import ModelError
from estimative.files import load_model
from estimative.spec import limits
from mutate import run_cli

ROOT = Path(__file__).resolve().parents[2]
UMBRELLA = ROOT / "models" / "umbrella"


@pytest.fixture
def model(tmp_path: Path):
    """Write a copy of the umbrella model with ``edit(text) -> text`` applied; return its folder."""

    def make(edit=lambda t: t, extra: dict[str, str] | None = None) -> Path:
        folder = tmp_path / "m"
        shutil.copytree(UMBRELLA, folder)
        text = edit((folder / "model.yaml").read_text(encoding="utf-8"))
        (folder / "model.yaml").write_text(text, encoding="utf-8")
        for name, body in (extra or {}).items():
            (folder / name).write_text(body, encoding="utf-8")
        return folder

    return make


def _refused(path: Path, *needles: str) -> str:
    out = run_cli(["validate", str(path)], timeout=10)
    assert out.code == 2, (out.code, out.stderr)
    errors = [ln for ln in out.stderr.splitlines() if ln.startswith("error:")]
    assert errors and all(path.name in ln for ln in errors), out.stderr
    for needle in needles:
        assert needle in out.stderr, out.stderr
    return out.stderr


# ------------------------------------------------------------------------------------- YAML
def test_billion_laughs_is_refused(model) -> None:
    lol = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
        for i in range(9)
    )  # 10^10 values if expanded
    err = _refused(model(lambda t: lol + t), "aliases expand to too many values")
    assert "ESTIMATIVE_MAX_YAML_ALIAS_VALUES=" in err and "model.yaml:" in err


def test_a_few_aliases_still_work(model) -> None:
    folder = model(
        lambda t: t.replace(
            "authors: [estimative developers]", "authors: &who [a, b]\nx-copy: *who"
        )
    )
    out = run_cli(["validate", str(folder)])
    assert out.code == 2 and "unknown key 'x-copy'" in out.stderr  # parsed; then the schema speaks


def test_recursive_alias_is_refused(model) -> None:
    _refused(
        model(lambda t: "x: &a [1, *a]\n" + t), "refers to the value that holds it", "model.yaml:1:"
    )


@pytest.mark.parametrize("nest", ["[" * 3000 + "]" * 3000, "{a: " * 500 + "1" + "}" * 500])
def test_deep_nesting_is_refused(model, nest: str) -> None:
    _refused(model(lambda t: f"x: {nest}\n" + t), "nested too deeply", "model.yaml:1:")


def test_nesting_limit_can_be_raised(model, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = model(lambda t: "x: " + "[" * 70 + "]" * 70 + "\n" + t)
    _refused(folder, "nested too deeply")
    monkeypatch.setenv("ESTIMATIVE_MAX_YAML_DEPTH", "100")
    err = _refused(folder, "unknown key 'x'")
    assert "nested" not in err


def test_huge_integer_is_a_located_error(model) -> None:
    _refused(
        model(lambda t: t.replace("no_rain: 0.7", "no_rain: " + "7" * 5000)),
        "cannot read the value",
        "model.yaml:15:",
    )


def test_impossible_date_is_a_located_error(model) -> None:
    _refused(
        model(lambda t: t.replace("as_of: 2017-01-01", "as_of: 2017-02-30")),
        "as_of",
        "model.yaml:7:",
    )


def test_lone_surrogate_is_a_located_error(model) -> None:
    _refused(
        model(lambda t: t.replace("title: The", 'title: "\\ud800" #')),
        "lone surrogate",
        "model.yaml:6:",
    )


@pytest.mark.parametrize("states", ["[]", "[only]"])
def test_a_variable_without_two_states_is_a_located_error(model, states: str) -> None:
    """A parent (weather) with no states: once an IndexError in its children's CPTs."""
    err = _refused(
        model(lambda t: t.replace("states: [no_rain, rain]", f"states: {states}")),
        "model.yaml:13: variables[0].states: a variable needs at least two states",
        'states: ["no", "yes"]',
    )
    assert "internal error" not in err


@pytest.mark.parametrize("body", ["# none yet\n", ""])
def test_empty_section_file_says_what_to_write(model, body: str) -> None:
    err = _refused(model(extra={"policies.yaml": body}), "policies.yaml:1: file is empty")
    assert "write its 'policies:' section, or delete the file" in err
    assert "Fix: write the model" not in err


def test_an_empty_exchange_file_names_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "empty.bif"
    path.write_text("  \n")
    _refused(path, "empty.bif:1: file is empty")


def test_binary_file_names_the_line(model) -> None:
    folder = model()
    (folder / "model.yaml").write_bytes(b"title: x\nvariables:\n  \x00\x01")
    _refused(folder, "model.yaml:3:", "binary")


def test_fifo_model_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "model.yaml"
    os.mkfifo(fifo)
    _refused(fifo, "not a regular file")


# ------------------------------------------------------------------------------------- values
def test_a_policy_named_baseline_is_refused_with_a_fix(model) -> None:
    """Otherwise `compare` shows two 'baseline' rows, both with the policy's numbers."""
    policy = "policies:\n  - id: baseline\n    label: sneaky\n    do: {umbrella: take}\n"
    err = _refused(model(lambda t: t + policy), "'baseline' is a reserved name", "policies[0].id")
    assert "Fix: rename it, e.g. 'baseline_policy'" in err


def test_a_scenario_named_all_is_refused(model) -> None:
    scen = "scenarios:\n  - id: ALL\n    label: x\n    given: {weather: rain}\n"
    _refused(model(lambda t: t + scen), "'ALL' is a reserved name and cannot be a scenario id")


def test_weights_whose_sum_overflows_are_refused(model) -> None:
    """1e308 + 1e308 is inf; normalising would give a column of zeros."""
    edit = lambda t: t.replace(  # noqa: E731
        "table: {no_rain: 0.7, rain: 0.3}",
        "table: {no_rain: 1e308, rain: 1e308}\n      normalize: true",
    )
    _refused(model(edit), "sums to more than the largest number", "variables[0].cpt.table")


def test_a_full_table_over_the_parents_limit_is_a_clean_error(tmp_path: Path) -> None:
    """40 parents written as a full table (2^40 rows): refused before a row is read, naming
    the limit (a noisy-OR over them is factorised instead: tests/network/test_factorised.py)."""
    parents = [f"c{i}" for i in range(40)]
    lines = ["format: estimative/1", "title: wide", "as_of: 2017-01-01", "variables:"]
    for p in parents:
        lines += [
            f"  - id: {p}",
            f"    label: {p}",
            "    states: [off, on]",
            "    cpt:",
            "      table: {off: 0.9, on: 0.1}",
            "      assumption: true",
            "      rationale: test",
        ]
    lines += [
        "  - id: y",
        "    label: y",
        "    states: [off, on]",
        f"    parents: [{', '.join(parents)}]",
        "    cpt:",
        "      table:",
        "        - when: {" + ", ".join(f"{p}: off" for p in parents) + "}",
        "          probs: {off: 0.5, on: 0.5}",
        "      assumption: true",
        "      rationale: test",
    ]
    path = tmp_path / "wide.yaml"
    path.write_text("\n".join(lines) + "\n")
    err = _refused(path, "40 parents", "ESTIMATIVE_MAX_PARENTS=", "wide.yaml:")
    assert "MemoryError" not in err


def test_states_limit_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTIMATIVE_MAX_STATES", "2")
    with pytest.raises(ModelError, match="the variable has 3 states"):
        load_model(UMBRELLA)


def test_table_problem_matches_a_hand_count() -> None:
    # 3 states x 2 x 4 parent states = 24 numbers: fits; 2 x 2^20 = 2,097,152 > 1,048,576: not
    assert limits.table_problem(3, [2, 4]) is None
    msg, extra = limits.table_problem(2, [2] * 20)  # type: ignore[misc]
    assert msg == "the CPT would hold 2097152 numbers" and extra["found"] == "2097152"


# ------------------------------------------------------------------------------------- sources
def _with_source(path: str, allow: bool = False):
    def edit(t: str) -> str:
        t = t.replace(
            "      rationale: Poole and Mackworth's prior.",
            "      sources:\n        - source: s\n          quote: the root of the matter",
        )
        return (
            t
            + f"sources:\n  - id: s\n    path: {path}\n"
            + ("    allow_outside: true\n" if allow else "")
        )

    return edit


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../../../etc/passwd"])
def test_sources_outside_the_model_folder_are_refused(model, path: str) -> None:
    err = _refused(model(_with_source(path)), "is outside the model folder", "allow_outside: true")
    assert "quote not found" not in err  # nothing about the file's contents leaks


def test_a_symlink_out_of_the_folder_is_refused(model) -> None:
    folder = model(_with_source("doc.txt"))
    (folder / "doc.txt").symlink_to("/etc/passwd")
    _refused(folder, "is outside the model folder")


def test_allow_outside_reads_a_document_elsewhere(model, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("the root of the matter")
    folder = model(_with_source(str(outside), allow=True))
    out = run_cli(["validate", str(folder)])
    assert (
        out.code == 2 and "is outside the model folder" not in out.stderr
    )  # read; other rules apply
    assert "quote not found" not in out.stderr


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_devices_fifos_and_folders_are_refused_even_when_allowed(
    model, tmp_path: Path, kind: str
) -> None:
    folder = model(_with_source("x", allow=True))
    target = folder / "x"
    if kind == "device":
        target.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    _refused(folder, "not a file")


def test_a_huge_sparse_source_is_refused_unread(model) -> None:
    folder = model(_with_source("big.txt"))
    with open(folder / "big.txt", "wb") as fh:  # sparse: no disk used
        fh.truncate((limits.SOURCE_MIB.value() + 1) * 2**20)
    _refused(folder, "is too large", "ESTIMATIVE_MAX_SOURCE_MIB=")


# ------------------------------------------------------------------------------------- imports
def _bif_wide(k: int) -> str:
    lines = ["network n {}"]
    lines += [f"variable x{i} {{ type discrete [ 2 ] {{ a, b }}; }}" for i in range(k + 1)]
    lines += [f"probability ( x{i} ) {{ table 0.5, 0.5; }}" for i in range(k)]
    lines.append(
        f"probability ( x{k} | {', '.join(f'x{i}' for i in range(k))} ) {{ default 0.5, 0.5; }}"
    )
    return "\n".join(lines) + "\n"


def test_bif_node_with_20_parents_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.bif"
    path.write_text(_bif_wide(20))
    _refused(path, "1048576 parent configurations", "wide.bif:")


def test_an_oversized_import_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESTIMATIVE_MAX_IMPORT_MIB", "1")
    path = tmp_path / "big.bif"
    with open(path, "wb") as fh:  # sparse: 2 MiB of nothing, never read whole
        fh.truncate(2 * 2**20)
    _refused(path, "big.bif", "at most 1 MiB", "ESTIMATIVE_MAX_IMPORT_MIB=2")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "none.bif",
            "network n {}\nvariable a { type discrete [ 0 ] { }; }\n"
            "variable b { type discrete [ 2 ] { x, y }; }\n"
            "probability ( a ) { table ; }\nprobability ( b | a ) { default 0.5, 0.5; }\n",
        ),
        ("none.uai", "BAYES\n2\n0 2\n2\n1 0\n2 0 1\n\n0\n\n0\n"),
        (
            "none.net",
            'net { }\nnode a { states = (); }\nnode b { states = ("x" "y"); }\n'
            "potential ( a ) { data = (); }\npotential ( b | a ) { data = (); }\n",
        ),
    ],
)
def test_an_imported_variable_without_states_is_a_located_error(
    tmp_path: Path, name: str, text: str
) -> None:
    """Its child's table has no columns: once an internal error (argmax of nothing)."""
    path = tmp_path / name
    path.write_text(text)
    _refused(path, f"{name}:", "needs two or more distinct states; found []")


def test_uai_cardinality_of_a_billion_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.uai"
    path.write_text("BAYES\n1\n1000000000\n1\n1 0\n\n2\n0.5 0.5\n")
    _refused(path, "1000000000 states", "big.uai:3:")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("sup.uai", "BAYES\n\u00b2\n2\n1\n1 0\n\n2\n0.5 0.5\n"),
        (
            "sup.bif",
            "network n {}\nvariable a { type discrete [ \u00b2 ] { x, y }; }\nprobability ( a ) { table 0.5, 0.5; }\n",
        ),
    ],
)
def test_superscript_digits_are_syntax_errors(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    _refused(path, f"{name}:2:")


def test_xml_in_utf7_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(
        '<?xml version="1.0" encoding="UTF-7"?>\n<BIF VERSION="0.3"><NETWORK><NAME>n</NAME></NETWORK></BIF>'.encode(
            "utf-7"
        )
    )
    _refused(path, "x.xml")


def test_deeply_nested_net_is_read_or_refused(tmp_path: Path) -> None:
    """Parentheses nested 5000 deep around a NET table: never a RecursionError."""
    path = tmp_path / "deep.net"
    path.write_text(
        'net { }\nnode a { states = ("x" "y"); }\npotential ( a ) { data = '
        + "(" * 5000
        + "0.5 0.5"
        + ")" * 5000
        + "; }\n"
    )
    out = run_cli(["validate", str(path)], timeout=10)
    assert out.code in (0, 2), out.stderr
    assert out.code == 0 or "deep.net" in out.stderr


# ------------------------------------------------------------------------------------- outputs
def test_every_kind_of_output_follows_the_umask(tmp_path: Path) -> None:
    """export, charts, the decision tree (as a figure and as a table) and the brief: 0666 less
    the umask, like any Unix tool (they once came out 0600 whatever the umask)."""
    import stat

    example, umbrella = str(ROOT / "models" / "example"), str(UMBRELLA)
    runs = [
        ["export", example, "--format", "xdsl", "-o", str(tmp_path / "m.xdsl")],
        ["sensitivity", example, "--target", "armed_clash=yes", "--draws", "100",
         "--sobol-n", "64", "--chart-dir", str(tmp_path / "charts")],
        ["decide", umbrella, "--draws", "100", "--tree", str(tmp_path / "tree.svg")],
        ["decide", umbrella, "--draws", "100", "--tree", str(tmp_path / "tree.md")],
        ["brief", example, "-o", str(tmp_path / "brief"), "--draws", "100"],
    ]  # fmt: skip
    old = os.umask(0o027)
    try:
        for argv in runs:
            out = run_cli(argv, timeout=120)
            assert out.code == 0, (argv, out.stderr)
    finally:
        os.umask(old)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".xdsl", ".svg", ".md", ".html", ".pdf"} <= kinds and len(files) >= 8
    modes = {p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in files}
    assert set(modes.values()) == {0o640}, modes
