"""The notebooks: stored without outputs, parameterised, public API only, and executed top to
bottom in a real ipykernel (the project venv's python3 kernel) with a time limit per cell.

Each notebook runs with its working folder set to ``notebooks/`` (where ``make lab`` starts
JupyterLab) and with ``TMPDIR`` pointing at a pytest temporary folder, so anything a notebook
writes (the sweep, the brief) lands there and never in the repository.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
IDS = [p.stem for p in PATHS]
#: Per-cell time limit (seconds); each notebook as a whole runs well under a minute.
CELL_TIMEOUT = 180
#: Appended to the executed copy only: which interpreter and which estimative the kernel used.
PROBE = "import json, sys, estimative\nprint('PROBE' + json.dumps({'prefix': sys.prefix, 'estimative': estimative.__file__}))"


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[str]:
    """Each code cell as plain Python (IPython magics such as %matplotlib turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return [
        TransformerManager().transform_cell(c.source) for c in nb.cells if c.cell_type == "code"
    ]


def _parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    out: dict[str, Any] = {}
    for node in ast.parse(cells[0].source).body:
        assert isinstance(node, ast.Assign), "the parameters cell holds plain assignments only"
        for t in node.targets:
            assert isinstance(t, ast.Name)
            out[t.id] = ast.literal_eval(node.value)
    return out


# ---------------------------------------------------------------------------- static checks
def test_the_five_notebooks_exist() -> None:
    assert IDS == [
        "01_model_tour",
        "02_policy_interventions",
        "03_sensitivity",
        "04_decision_and_brief",
        "05_explore",
    ]


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_stored_without_outputs(path: Path) -> None:
    nb = _read(path)
    nbformat.validate(nb)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_parameters_cell(path: Path) -> None:
    nb = _read(path)
    params = _parameters(nb)
    assert {"MODEL", "POLICY", "SEED"} <= set(params)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", []), "the parameters cell comes first"
    assert (NOTEBOOKS / params["MODEL"]).exists(), "MODEL is relative to notebooks/"
    assert isinstance(params["SEED"], int)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_public_api_only(path: Path) -> None:
    """No underscore-prefixed names: neither imported, nor reached as attributes."""
    bad: list[str] = []
    for src in _code(_read(path)):
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.ImportFrom) and node.module:
                bad += (
                    [node.module] if any(p.startswith("_") for p in node.module.split(".")) else []
                )
                bad += [a.name for a in node.names if a.name.startswith("_")]
            elif isinstance(node, ast.Import):
                bad += [
                    a.name for a in node.names if any(p.startswith("_") for p in a.name.split("."))
                ]
            elif (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                bad.append(node.attr)
    assert not bad, f"{path.name} uses private names: {bad}"


# ---------------------------------------------------------------------------- execution
@dataclass
class Run:
    nb: nbformat.NotebookNode
    error: BaseException | None = None
    texts: list[str] = field(default_factory=list)  # every text, HTML and Markdown output
    images: int = 0
    probe: dict[str, Any] = field(default_factory=dict)

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)


def _collect(run: Run) -> None:
    for cell in run.nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                if out.text.startswith("PROBE"):
                    run.probe = json.loads(out.text[5:])
                run.texts.append(out.text)
            elif out.output_type in ("display_data", "execute_result"):
                run.images += "image/png" in out.data or "image/svg+xml" in out.data
                run.texts += [
                    out.data[k]
                    for k in ("text/html", "text/markdown", "text/plain")
                    if k in out.data
                ]


#: Papermill's convention: parameters injected in a cell after the one tagged "parameters".
#: Notebook 02 on the small example model, to show the notebooks are not tied to one model.
INJECTED = {
    "02_policy_interventions[example]": (
        "02_policy_interventions",
        {
            "MODEL": "../models/example",
            "TARGET": "armed_clash",
            "STATE": "yes",
            "POLICY": "private_channel",
            "BASELINE": "status_quo",
            "SEED": 7,
            "DRAWS": 500,
        },
    ),
}


def _inject(nb: nbformat.NotebookNode, values: dict[str, Any]) -> None:
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in values.items()))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at + 1, cell)


#: Run before each notebook in the shared kernel: a clean namespace (the imported modules
#: stay loaded, which is what starting a kernel per notebook would pay for again) and no figure
#: left open by the notebook before.
#: ``__spec__`` comes back as a fresh kernel has it (multiprocessing's workers read it).
RESET = (
    "%reset -f\n__spec__ = None\nimport matplotlib.pyplot as __plt\n__plt.close('all')\ndel __plt"
)


def _execute_all(paths: list[Path], tmp: Path) -> dict[str, Run]:
    """Every notebook (and the injected variants) top to bottom in one kernel, one after
    another, each after a reset of the namespace; a failing cell fails its own notebook only
    (its later cells are not run), as a kernel per notebook would."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # keep the inline backend
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["TMPDIR"] = str(tmp)
    todo: list[tuple[str, nbformat.NotebookNode]] = []
    for path in paths:
        todo.append((path.stem, _read(path)))
    for key, (name, values) in INJECTED.items():
        if (NOTEBOOKS / f"{name}.ipynb").exists():
            nb = _read(NOTEBOOKS / f"{name}.ipynb")
            _inject(nb, values)
            todo.append((key, nb))
    runs: dict[str, Run] = {}
    host = nbformat.v4.new_notebook(metadata=todo[0][1].metadata)
    client = NotebookClient(
        host,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    with client.setup_kernel(env=env):
        for key, nb in todo:
            nb.cells.insert(0, nbformat.v4.new_code_cell(RESET))
            nb.cells.append(nbformat.v4.new_code_cell(PROBE))
            run = runs[key] = Run(nb)
            client.nb = nb  # the client writes each cell's outputs into its own notebook
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, i)
                except CellExecutionError as exc:  # reported by the test of this notebook
                    run.error = exc
                    break
                except Exception as exc:  # a timeout, a dead kernel
                    run.error = exc
                    break
            del nb.cells[0]  # the reset is not the notebook's
            _collect(run)
    return runs


# Session scope: the worker running this module may interleave other modules' tests between
# these, and a module-scoped fixture would be set up again after each such interruption.
@pytest.fixture(scope="session")
def kernel_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kernels' TMPDIR: where the notebooks' sweep and brief land."""
    return tmp_path_factory.mktemp("notebooks")


@pytest.fixture(scope="session")
def runs(kernel_tmp: Path) -> dict[str, Run]:
    """Every notebook executed once (in one kernel), before any output is checked."""
    tmp = kernel_tmp
    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    out = _execute_all(PATHS, tmp)
    after = sorted(p.name for p in NOTEBOOKS.iterdir())
    assert before == after, (
        "a notebook wrote into notebooks/; write into tempfile.mkdtemp() instead"
    )
    return out


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_executes_in_the_venv_kernel(runs: dict[str, Run], path: Path) -> None:
    run = runs[path.stem]
    if run.error is not None:
        pytest.fail(f"{path.name} failed:\n{run.error}", pytrace=False)
    assert Path(run.probe["prefix"]).resolve() == Path(sys.prefix).resolve(), (
        "kernel ran outside the venv"
    )
    assert Path(run.probe["estimative"]).resolve().is_relative_to(ROOT / "src")
    assert "Traceback" not in run.all_text


def _model(nb_name: str) -> Any:
    import estimative as est

    params = _parameters(_read(NOTEBOOKS / f"{nb_name}.ipynb"))
    return params, est.Network.from_file(NOTEBOOKS / params["MODEL"])


def _ok(runs: dict[str, Run], name: str) -> Run:
    if name not in runs:
        pytest.skip(f"{name}.ipynb does not exist")
    run = runs[name]
    if run.error is not None:
        pytest.fail(
            f"{name}.ipynb failed to run; see test_executes_in_the_venv_kernel", pytrace=False
        )
    return run


def test_model_tour_shows_graph_variables_provenance(runs: dict[str, Run]) -> None:
    run = _ok(runs, "01_model_tour")
    params, net = _model("01_model_tour")
    text = run.all_text
    assert run.images >= 1, "the graph figure"
    assert net.model_hash in text and net.spec.title in text
    assert all(v in text for v in net.variables), "the variables table lists every variable"
    cited = [
        c.quote.strip()
        for v in [params["TARGET"], *net.parents[params["TARGET"]]]
        for c in net.spec.variable(v).cpt.sources
    ]
    assert cited and all(q in text for q in cited), "the key numbers' quotes"
    assert "<caption>P(" in text, "a posterior rendered as HTML"
    assert "90% interval" in text
    n = len(net.spec.claims)
    assert n and f"{n} of {n} claims hold" in text, "the claims ledger"
    assert all(c.id in text for c in net.spec.claims)
    assert net.spec.questions and all(q.id in text for q in net.spec.questions), (
        "the forecast table"
    )
    assert run.images >= 2


def test_policy_notebook_shows_every_policy_and_do_versus_observe(runs: dict[str, Run]) -> None:
    run = _ok(runs, "02_policy_interventions")
    params, net = _model("02_policy_interventions")
    text = run.all_text
    assert all(p.id in text for p in net.spec.policies)
    assert "same distribution: True" in text
    assert "do() leaves every cause at its prior: True" in text
    seen = re.search(r"Observing (\S+): .* = ([0-9.]+)", text)
    done = re.search(r"Setting +(\S+) by do\(\): .* = ([0-9.]+)", text)
    assert seen and done and seen[1] == done[1], "observing and intervening on the same variable"
    assert float(seen[2]) != float(done[2]), "the two numbers differ"
    assert f"P({params['POLICY']} beats {params['BASELINE']}) = " in text
    assert "is better" in text, "the policy comparison rendered as HTML"
    assert "if the two were independent" in text
    assert run.images >= 3


def test_sensitivity_notebook_shows_tornado_indicators_sobol_and_sweep(
    runs: dict[str, Run], kernel_tmp: Path
) -> None:
    run = _ok(runs, "03_sensitivity")
    params, net = _model("03_sensitivity")
    text = run.all_text
    assert "One-way sensitivity of" in text, "the tornado's table"
    assert "Indicators to watch for" in text
    assert "Sobol indices" in text
    assert re.search(
        r"the ranking reverses if|no single parameter within|no single-parameter change", text
    ), "the flip-point statement"
    assert f"model hash: {net.model_hash}" in text, "the sweep's sidecar carries the model hash"
    sidecars = list(kernel_tmp.glob("estimative-sweep-*/sweep/_sweep.json"))
    assert len(sidecars) == 1, "the sweep is written under the temporary folder"
    written = json.loads(sidecars[0].read_text())
    assert written["draws"] == params["DRAWS"] and written["seed"] == params["SEED"]
    parts = list(sidecars[0].parent.glob("part-*.parquet"))
    assert parts
    import pandas as pd

    rows = pd.read_parquet(sidecars[0].parent)
    assert f"{len(rows)} rows in" in text
    assert set(rows.policy.astype(str)) == {"baseline", params["POLICY"], params["ALTERNATIVE"]}
    assert run.images >= 6


def test_decision_notebook_shows_utilities_best_policy_voi_tree_and_brief(
    runs: dict[str, Run],
) -> None:
    run = _ok(runs, "04_decision_and_brief")
    params, net = _model("04_decision_and_brief")
    text = run.all_text
    assert "Expected utility (" in text, "the expected utilities rendered as HTML"
    assert "P(best)" in text
    assert "contributions add up to the expected utility: True" in text
    assert re.search(
        rf"P\({params['POLICY']} has a higher expected utility than {params['BASELINE']}\) = 0?\.\d+|1\.000",
        text,
    )
    assert "best without information:" in text and "observations could change the choice" in text
    assert "Decision tree" in text and "| policy |" in text, (
        "the tree as a figure and a Markdown table"
    )
    assert "## Bottom line" in text and "## 1. Key judgments" in text, "the brief rendered inline"
    assert f"model hash `{net.model_hash}`" in text
    assert all(a.id in text for a in net.spec.utilities.attributes)
    assert run.images >= 4


def test_injected_parameters_run_the_policy_notebook_on_another_model(runs: dict[str, Run]) -> None:
    key = "02_policy_interventions[example]"
    run = _ok(runs, key)
    values = INJECTED[key][1]
    import estimative as est

    net = est.Network.from_file(NOTEBOOKS / values["MODEL"])
    text = run.all_text
    assert f"<Network '{net.name}'" in text and "korea" not in text
    assert f"P({values['POLICY']} beats {values['BASELINE']}) = " in text
    assert f"over {values['DRAWS']} draws" in text, "the injected number of draws was used"


def test_explore_notebook_shows_the_widget_and_its_numbers_equal_net_query(
    runs: dict[str, Run],
) -> None:
    run = _ok(runs, "05_explore")
    params, net = _model("05_explore")
    text = run.all_text
    var, state = params["FINDING"]
    assert f"after clicking {var}={state}: " in text
    assert text.count("same: True") == 2 and "same: False" not in text
    exact = net.query(params["TARGET"], given={var: state})[params["STATE"]]
    assert f"net.query gives {exact:.4f}" in text
    assert "estimative-explore-static" in text, "the widget's static fallback"
    assert "estimative-network" in text and net.model_hash in text, "the Network's rich view"
    assert "wrote explore.html" in text
    assert run.images >= 1, "the still graph"
