"""Seeded fuzzing of every reader through the command line: 500 mutants of the example models
and 500 of the example model exported to each exchange format.

Each mutant must exit 0 (valid) or 2 (an error the user can fix) within 10 s, never 1 (a bug)
or a hang, and every error line must name the file it is about. The mutants come from
``random.Random(seed)``, so a failure is reproduced by its seed and index
(``tests/mutate.py``).
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from estimative.files import export_text, load_model
from mutate import mutate, run_cli, write_mutant  # tests/ is on the path (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
#: (model folder, mutants): 500 model mutants in all.
MODELS = (("example", 200), ("umbrella", 200), ("oil_wildcatter", 100))
#: (format, suffix): 100 mutants of each, 500 in all.
IMPORTS = (("bif", ".bif"), ("xmlbif", ".xml"), ("xdsl", ".xdsl"), ("net", ".net"), ("uai", ".uai"))
LIMIT_SECONDS = 10.0


def _check(outcome, where: str, name: str, label: str) -> None:
    assert outcome.code in (0, 2), f"{label}: exit {outcome.code}\n{outcome.stderr[:2000]}"
    if outcome.code == 2:
        errors = [ln for ln in outcome.stderr.splitlines() if ln.startswith("error:")]
        assert errors, f"{label}: exit 2 without an error line\n{outcome.stderr[:500]}"
        for ln in errors:
            assert name in ln, f"{label}: the error does not name {where}: {ln}"


@pytest.mark.parametrize(("model", "count"), MODELS)
def test_model_mutants_exit_0_or_2_and_name_the_file(
    model: str, count: int, tmp_path: Path
) -> None:
    rng = random.Random(f"model:{model}:19")
    src = ROOT / "models" / model
    text = (src / "model.yaml").read_text(encoding="utf-8")
    seen = {0: 0, 2: 0}
    for k in range(count):
        folder = tmp_path / f"m{k}"
        shutil.copytree(src, folder)
        write_mutant(folder, "model.yaml", mutate(text, rng))
        outcome = run_cli(["validate", str(folder)], timeout=LIMIT_SECONDS)
        _check(outcome, "the model", folder.name, f"{model} mutant {k}")
        seen[int(outcome.code)] += 1
        shutil.rmtree(folder)
    assert seen[2] > count // 2  # the mutator does break files (it is not testing nothing)


@pytest.mark.parametrize(("fmt", "suffix"), IMPORTS)
def test_import_mutants_exit_0_or_2_and_name_the_file(
    fmt: str, suffix: str, tmp_path: Path
) -> None:
    rng = random.Random(f"import:{fmt}:19")
    text = export_text(load_model(ROOT / "models" / "example"), fmt)
    seen = {0: 0, 2: 0}
    for k in range(100):
        path = write_mutant(tmp_path, f"mutant{k}{suffix}", mutate(text, rng))
        outcome = run_cli(["validate", str(path)], timeout=LIMIT_SECONDS)
        _check(outcome, "the file", path.name, f"{fmt} mutant {k}")
        seen[int(outcome.code)] += 1
    assert seen[2] > 30


def test_errors_point_at_a_line() -> None:
    """A YAML error names the line as well as the file (``file:line:``)."""
    outcome = run_cli(["validate", str(ROOT / "tests" / "data" / "broken_not_yaml.yaml")])
    assert outcome.code == 2
    assert re.search(r"broken_not_yaml\.yaml:\d+:", outcome.stderr)


def test_a_hang_is_caught_by_the_harness() -> None:
    """The harness's time limit works (so a passing fuzz run really had no hang)."""
    import time

    from mutate import _Timeout, time_limit

    with pytest.raises(_Timeout), time_limit(0.05):
        time.sleep(5)
