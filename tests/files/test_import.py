"""Import of files others wrote: pgmpy's bundled networks, small deviations normalised, names
kept as written, and broken files reported with their file and line."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network
from estimative.files import import_file


def test_import_bundled_bif_matches_pgmpy(bundled_name: str, networks: dict[str, Network]) -> None:
    from pgmpy.utils import get_example_model

    name = bundled_name

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = get_example_model(name)
    net = networks[name]
    assert set(model.nodes()) == set(net.variables)
    for cpd in model.get_cpds():
        v = cpd.variable
        cpd = cpd.copy()
        if list(cpd.variables[1:]) != list(net.parents[v]):
            cpd.reorder_parents(list(net.parents[v]))
        index = np.ix_(
            *[
                [list(map(str, cpd.state_names[x])).index(s) for s in net.states[x]]
                for x in [v, *net.parents[v]]
            ]
        )
        ref = cpd.values[index]
        assert np.abs(ref.sum(axis=0) - 1).max() <= 1e-6  # bnlearn columns miss 1 by up to 1e-7
        assert np.allclose(net.cpt(v), ref / ref.sum(axis=0), rtol=0, atol=1e-15), v
        assert np.abs(net.cpt(v).sum(axis=0) - 1).max() <= 1e-15
    spec = net.spec
    assert all(
        v.cpt.assumption and v.cpt.rationale.startswith("imported from") for v in spec.variables
    )


def test_import_normalises_small_deviations_only(tmp_path: Path) -> None:
    head = "network t {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
    ok = tmp_path / "ok.bif"
    ok.write_text(head + "probability ( a ) { table 0.3000004, 0.7000001; }\n")
    table = import_file(ok).variables[0].table
    assert table[0] == pytest.approx(0.3000004 / 1.0000005, abs=1e-16)
    assert abs(table.sum() - 1) <= 1e-15
    bad = tmp_path / "bad.bif"
    bad.write_text(head + "probability ( a ) {\n  table 0.3, 0.6;\n}\n")
    with pytest.raises(ModelError) as err:
        import_file(bad)
    [p] = err.value.problems
    assert (p.file.endswith("bad.bif"), p.line) == (True, 3)
    assert "sums to 0.9" in p.message and "1e-06" in p.expected


def test_import_keeps_names_as_written(tmp_path: Path) -> None:
    path = tmp_path / "child.bif"
    path.write_text(
        "network c {}\n"
        "variable CO2Report { type discrete [ 2 ] { <7.5, >=7.5 }; }\n"
        'variable "2nd test" { type discrete [ 3 ] { 0-3, 4+, "Less than 3" }; }\n'
        "probability ( CO2Report ) { table 0.25, 0.75; }\n"
        'probability ( "2nd test" | CO2Report ) { (<7.5) 0.2, 0.3, 0.5; (>=7.5) 0.6, 0.3, 0.1; }\n'
    )
    spec = import_file(path)
    v = spec.variable("2nd test")
    assert v.label == "2nd test"
    assert v.states == ["0-3", "4+", "Less than 3"]
    assert spec.variable("CO2Report").states == ["<7.5", ">=7.5"]
    net = Network.from_spec(spec)
    assert net.query("2nd test", given={"CO2Report": ">=7.5"})["0-3"] == pytest.approx(
        0.6, abs=1e-15
    )


def test_bundled_networks_cover_every_parent_count(
    bundled_names: tuple[str, ...], bundled_bif: Callable[[str], str]
) -> None:
    """Sanity of the fixtures: the networks exercise nodes with 0, 1, 2 and 3+ parents."""
    counts = set()
    for name in bundled_names:
        text = bundled_bif(name)
        for line in text.splitlines():
            if line.startswith("probability"):
                head = line.split("(")[1].split(")")[0]
                counts.add(min(3, len(head.split("|")[1].split(",")) if "|" in head else 0))
    assert counts == {0, 1, 2, 3}


# ------------------------------------------------------------------------------ broken files
BROKEN = {
    "truncated.bif": (lambda alarm: alarm[: alarm.index("probability ( HR |") + 60], "truncated"),
    "bad.xml": (
        lambda _: '<?xml version="1.0"?>\n<BIF VERSION="0.3">\n<NETWORK>\n<NAME>x</NAME>\n</BIF>\n',
        "mismatched tag",
    ),
    "truncated.xdsl": (
        lambda _: (
            '<?xml version="1.0"?>\n<smile version="1.0" id="t">\n  <nodes>\n    <cpt id="a">\n'
        ),
        "truncated",
    ),
    "entities.xdsl": (
        lambda _: (
            '<?xml version="1.0"?>\n<!DOCTYPE smile [\n<!ENTITY a "aaaaaaaaaa">\n]>\n<smile/>\n'
        ),
        "entities",
    ),
    "missing_row.bif": (
        lambda _: (
            "network t {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
            "variable b { type discrete [ 2 ] { u, v }; }\nprobability ( a ) { table 0.5, 0.5; }\n"
            "probability ( b | a ) {\n  (x) 0.1, 0.9;\n}\n"
        ),
        "no row for (a=y)",
    ),
    "undeclared.net": (
        lambda _: (
            'net {}\nnode a { states = ("x" "y"); }\n'
            "potential (a | ghost) { data = ((0.5 0.5) (0.5 0.5)); }\n"
        ),
        "undeclared parent 'ghost'",
    ),
    "truncated.uai": (
        lambda _: "BAYES\n2\n2 2\n2\n1 0\n2 0 1\n\n2\n0.5 0.5\n4\n0.1 0.9\n",
        "truncated",
    ),
    "cycle.bif": (
        lambda _: (
            "network t {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
            "variable b { type discrete [ 2 ] { u, v }; }\n"
            "probability ( a | b ) { (u) 0.5, 0.5; (v) 0.5, 0.5; }\n"
            "probability ( b | a ) { (x) 0.5, 0.5; (y) 0.5, 0.5; }\n"
        ),
        "cycle",
    ),
    "empty.net": (lambda _: "   \n", "empty"),
}


BROKEN_LINES = {
    "truncated.bif": None,
    "bad.xml": 5,
    "truncated.xdsl": 5,
    "entities.xdsl": 3,
    "missing_row.bif": 5,
    "undeclared.net": 3,
    "truncated.uai": 11,
    "cycle.bif": (4, 5),
    "empty.net": 1,  # an empty file is reported at its first line
}


@pytest.mark.parametrize("fname", sorted(BROKEN))
def test_broken_files_name_file_and_line(
    fname: str, tmp_path: Path, bundled_bif: Callable[[str], str]
) -> None:
    make, words = BROKEN[fname]
    text = make(bundled_bif("alarm"))
    path = tmp_path / fname
    path.write_text(text)
    with pytest.raises(ModelError) as err:
        import_file(path)
    p = err.value.problems[0]
    assert p.file is not None and p.file.endswith(fname)
    assert words in str(err.value)
    expected = BROKEN_LINES[fname] or (
        text.count("\n") + 1 if fname.startswith("truncated") else None
    )
    assert p.line in (expected if isinstance(expected, tuple) else (expected,))


def test_cli_broken_file_exits_2_without_traceback(
    tmp_path: Path, bundled_bif: Callable[[str], str]
) -> None:
    path = tmp_path / "broken.bif"
    path.write_text(bundled_bif("asia")[:300])
    run = subprocess.run(
        [sys.executable, "-m", "estimative", "query", str(path), "--target", "asia"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"broken.bif:{bundled_bif('asia')[:300].count(chr(10)) + 1}:" in run.stderr
    assert "truncated" in run.stderr
