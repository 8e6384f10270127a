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

from typing import TYPE_CHECKING

from ._version import __version__
from .errors import (
    EstimativeError,
    ImpossibleEvidenceError,
    ModelError,
    Problem,
    QueryError,
    UsageError,
)

if TYPE_CHECKING:  # for type checkers; at run time these load on first use (below)
    from .files import load_model as load_model
    from .network import Explanation as Explanation
    from .network import JointPosterior as JointPosterior
    from .network import Network as Network
    from .network import Posterior as Posterior
    from .network import Trajectory as Trajectory
    from .spec import ModelSpec as ModelSpec
    from .uncertainty import PolicyComparison as PolicyComparison
    from .uncertainty import ProbabilityInterval as ProbabilityInterval
    from .uncertainty import TrajectoryInterval as TrajectoryInterval
    from .uncertainty import compare_policies as compare_policies
    from .uncertainty import draw_cpts as draw_cpts
    from .uncertainty import query_interval as query_interval
    from .uncertainty import trajectory_interval as trajectory_interval

# Everything but the errors is imported on first use (PEP 562): `import estimative` and
# `estimative --help` load no pydantic, pandas, scipy or matplotlib, while `estimative.Network`,
# `estimative.one_way`, `estimative.write_brief`, ... work as if imported.
_LAZY: dict[str, str] = {
    # the core: models, networks, queries, parameter uncertainty
    "load_model": "files",
    "ModelSpec": "spec",
    "Network": "network",
    "Explanation": "network",
    "JointPosterior": "network",
    "Posterior": "network",
    "PolicyComparison": "uncertainty",
    "ProbabilityInterval": "uncertainty",
    "compare_policies": "uncertainty",
    "draw_cpts": "uncertainty",
    "query_interval": "uncertainty",
    # time
    "Trajectory": "network",
    "TrajectoryInterval": "uncertainty",
    "trajectory_interval": "uncertainty",
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
    "ImpossibleEvidenceError",
    "ModelError",
    "Problem",
    "QueryError",
    "UsageError",
    "__version__",
    *_LAZY,
]
