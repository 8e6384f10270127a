"""A Bayesian network queried by name: :class:`Network` (single queries, joint posteriors,
MAP, do() by graph surgery), the batched layer behind :meth:`Network.query_batch`, and the
result types they return.

- :mod:`.network`: :class:`Network`: names, conditions (:meth:`Network.resolve`), queries,
  and :meth:`Network.prepare`, the opening every analysis shares.
- :mod:`.prepared`: :class:`Evidence` (resolved conditions) and :class:`Prepared`.
- :mod:`.batch`: batched named queries (:class:`BatchPosterior`).
- :mod:`.results`: :class:`Posterior`, :class:`JointPosterior`, :class:`Explanation`.
- :mod:`.mpe`: max-product elimination behind :meth:`Network.map`.
- :mod:`.view`: every posterior at once (:func:`all_marginals`), the graph's geometry and
  static SVG, the rich view of a :class:`Network`.
- :mod:`.reference`: the pgmpy model and brute-force joint tests compare against.
- :mod:`.react`: reacting policies, their rules written as CPTs.
- :mod:`.trajectory`: a dynamic model's variable over its slices (:class:`Trajectory`).

This is where names become engine indices: :mod:`estimative.engine` below knows only integers
and arrays.
"""

from __future__ import annotations

from .batch import BatchPosterior, query_batch
from .network import Network, Soft
from .prepared import Evidence, Prepared
from .reference import brute_force_joint
from .results import Explanation, JointPosterior, Posterior
from .trajectory import Trajectory, trajectory
from .view import all_marginals, graph_geometry, graph_svg

__all__ = [
    "BatchPosterior",
    "Evidence",
    "Explanation",
    "JointPosterior",
    "Network",
    "Posterior",
    "Prepared",
    "Soft",
    "Trajectory",
    "all_marginals",
    "brute_force_joint",
    "graph_geometry",
    "graph_svg",
    "query_batch",
    "trajectory",
]
