"""A Bayesian network queried by name: :class:`Network` (single queries, joint posteriors,
MAP, do() by graph surgery), the batched layer behind :meth:`Network.query_batch`, and the
result types they return.

This is where names become engine indices: :mod:`estimative.engine` below knows only integers
and arrays.
"""

from __future__ import annotations

from .batch import BatchPosterior, query_batch
from .network import Network, Soft, brute_force_joint
from .prepared import Evidence, Prepared
from .results import Explanation, JointPosterior, Posterior

__all__ = [
    "BatchPosterior",
    "Evidence",
    "Explanation",
    "JointPosterior",
    "Network",
    "Posterior",
    "Prepared",
    "Soft",
    "brute_force_joint",
    "query_batch",
]
