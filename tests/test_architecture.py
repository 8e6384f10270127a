"""The shape of the house (docs/architecture.md), checked on every test run.

- import-linter's layers contract holds, and fails when an upward import is added;
- no module in src/ is longer than 600 lines;
- only the spec builder writes the private fields of a frozen spec.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "estimative"
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(src_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src_parent)}
    return subprocess.run(
        [str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_layers_contract_is_kept() -> None:
    res = _lint(ROOT / "src")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Each stage of the flow imports only the stages below it KEPT" in res.stdout
    assert "No import cycle between the modules of a stage KEPT" in res.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "src" / "estimative"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "network" / "network.py"
    text = target.read_text()
    # The network stage reaching up into the brief: the kind of import the contract forbids.
    target.write_text(
        text.replace(
            "from ..engine import",
            "from ..brief import words as _words  # noqa\nfrom ..engine import",
            1,
        )
    )
    res = _lint(tmp_path / "src")
    assert res.returncode != 0
    assert "BROKEN" in res.stdout
    assert "estimative.network.network -> estimative.brief" in res.stdout


def test_no_module_over_600_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 600
    }
    assert not long, f"split these modules (lines): {long}"


#: The hash is a memo of the content (reset by ModelSpec.model_copy), not part of the content.
SPEC_PRIVATE = {"_table", "_bands", "_root", "_name", "_locator"}


def test_only_the_builder_writes_a_specs_private_fields() -> None:
    writers = []
    for p in SRC.rglob("*.py"):
        rel = p.relative_to(SRC).as_posix()
        for node in ast.walk(ast.parse(p.read_text())):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else []
            )
            for t in targets:
                if (
                    isinstance(t, ast.Attribute)
                    and t.attr in SPEC_PRIVATE
                    and not (isinstance(t.value, ast.Name) and t.value.id == "self")
                ):
                    writers.append(f"{rel}:{node.lineno}")
    assert writers == [], f"a frozen spec is written outside spec/build.py: {writers}"


@pytest.mark.parametrize("module", sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")))
def test_no_module_climbs_to_the_package_root(module: str) -> None:
    """``from . import x`` at the top of a subpackage, or ``from estimative import``, reaches the
    package root, which imports everything: the start of every late-import cycle."""
    tree = ast.parse((SRC / module).read_text())
    depth = module.count("/")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            climbs_to_root = node.level > 0 and node.level - 1 == depth and node.module is None
            absolute_root = node.level == 0 and node.module == "estimative"
            assert not (climbs_to_root or absolute_root) or module in {
                "__init__.py",
                "__main__.py",
            }, f"{module}:{node.lineno} imports from the package root"
