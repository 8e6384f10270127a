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

from .errors import (
    EstimativeError,
    ImpossibleEvidenceError,
    ModelError,
    Problem,
    QueryError,
    UsageError,
)
from .modelfile import load_model
from .network import Network
from .results import Explanation, JointPosterior, Posterior
from .spec import ModelSpec
from .uncertainty import (
    PolicyComparison,
    ProbabilityInterval,
    compare_policies,
    draw_cpts,
    query_interval,
)

__version__ = "0.1.0"

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
]
