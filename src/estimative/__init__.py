"""estimative: Bayesian networks for policy analysis.

Turn an analyst's reading of a policy problem into a Bayesian network with provenance on
every number, ask it "what if we do X?", and measure how much the answer rests on shaky
numbers.

>>> import estimative as est
>>> net = est.Network.from_file("models/example")
>>> post = net.query("armed_clash", policy="private_channel")
>>> 0 < post["yes"] < 1
True
"""

from __future__ import annotations

from ._version import __version__
from .errors import (
    EstimativeError,
    ImpossibleEvidenceError,
    ModelError,
    Problem,
    QueryError,
    UsageError,
)
from .files import load_model
from .network import Explanation, JointPosterior, Network, Posterior, Trajectory
from .spec import ModelSpec
from .uncertainty import (
    PolicyComparison,
    ProbabilityInterval,
    TrajectoryInterval,
    compare_policies,
    draw_cpts,
    query_interval,
    trajectory_interval,
)

# The analyses are imported on first use (PEP 562): `import estimative` stays fast for the
# command line, while `estimative.one_way`, `estimative.write_brief`, ... work as if imported.
_LAZY: dict[str, str] = {
    # claims ledger and forecasts
    "evaluate_claims": "claims",
    "check_claims": "claims",
    "forecasts": "scoring",
    "score": "scoring",
    "load_resolutions": "scoring",
    "reference_table": "baserates",
    "check_references": "baserates",
    # interoperability
    "export_network": "files",
    "import_file": "files",
    # sensitivity
    "one_way": "sensitivity",
    "indicators": "sensitivity",
    "global_sensitivity": "sensitivity",
    "sobol_indices": "sensitivity",
    "flip_points": "sensitivity",
    "target_probability": "sensitivity",
    "load_sweep": "sweep",
    "run_sweep": "sweep",
    "read_sweep": "sweep",
    # decision analysis
    "analyze": "decision",
    "solve": "decision",
    "expected_utilities": "decision",
    "decision_table": "decision",
    "decision_tree": "decision",
    "value_of_information": "decision",
    "weight_map": "decision",
    # result types (what the analyses return; notebooks index and display them)
    "BatchPosterior": "network",
    "Prepared": "network",
    "OneWaySensitivity": "sensitivity",
    "SensitivityFunction": "sensitivity",
    "Indicators": "sensitivity",
    "SobolIndices": "sensitivity",
    "FlipPoints": "sensitivity",
    "ExpectedUtilities": "decision",
    "DecisionSolution": "decision",
    "ValueOfInformation": "decision",
    "DecisionTree": "decision",
    "WeightMap": "decision",
    "DecisionAnalysis": "decision",
    "SweepDesign": "sweep",
    "ParameterGrid": "sweep",
    "SweepResult": "sweep",
    "Brief": "brief",
    # figures (matplotlib; never shown)
    "tornado_figure": "charts",
    "indicators_figure": "charts",
    "sobol_figure": "charts",
    "interval_figure": "charts",
    "trajectory_figure": "charts",
    "sensitivity_function_figure": "charts",
    "expected_utility_figure": "charts",
    "decision_tree_figure": "charts",
    "weight_map_figure": "charts",
    "save_figure": "charts",
    # several analysts; CPTs learned from cases
    "analyst_split": "uncertainty",
    "AnalystSplit": "uncertainty",
    "learn": "priors",
    "Learned": "priors",
    "write_learned": "priors",
    # briefs
    "build_brief": "brief",
    "write_brief": "brief",
    "graph_figure": "charts",
    # exploring by clicking: the Jupyter widget (needs anywidget) and the offline page
    "explore": "explorer",
    "Explorer": "explorer",
    "write_explore_page": "explorer",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'estimative' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "EstimativeError",
    "Explanation",
    "ImpossibleEvidenceError",
    "JointPosterior",
    "ModelError",
    "ModelSpec",
    "Network",
    "PolicyComparison",
    "Posterior",
    "ProbabilityInterval",
    "Problem",
    "QueryError",
    "UsageError",
    "__version__",
    "compare_policies",
    "draw_cpts",
    "load_model",
    "query_interval",
    "trajectory_interval",
    "Trajectory",
    "TrajectoryInterval",
    *_LAZY,
]
