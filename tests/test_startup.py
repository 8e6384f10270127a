"""The command line starts at once: what `import estimative`, `estimative --help` and
`estimative show` load, checked in a fresh interpreter's sys.modules (no timings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "scipy", "matplotlib", "pgmpy", "pyagrum", "fpdf", "pyarrow", "dask")


def loaded_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running ``code`` in a new interpreter."""
    probe = (
        code
        + "\nimport sys, json\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    res = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    return set(json.loads(res.stdout.strip().splitlines()[-1]))


def test_import_estimative_loads_nothing_heavy_and_the_names_still_resolve() -> None:
    mods = loaded_after("import estimative")
    assert not mods & {*HEAVY, "numpy", "pydantic"}
    mods = loaded_after("import estimative\nestimative.Network")
    assert "pydantic" in mods and not mods & set(HEAVY)  # the core loads on first use


def test_help_loads_neither_numpy_nor_pydantic() -> None:
    code = (
        "import contextlib, io\nfrom estimative.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass"
    )
    assert not loaded_after(code) & {*HEAVY, "numpy", "pydantic"}


def test_show_loads_no_plotting_statistics_or_reference_library() -> None:
    code = (
        "import contextlib, io\nfrom estimative.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    main(['show', 'models/korea_2017'])"
    )
    mods = loaded_after(code)
    assert "estimative" in mods and not mods & set(HEAVY)
