"""A dynamic model's horizon outcomes slice by slice, for the brief's "Over time" section: each
alternative's probability of the outcome over the slices up to the end of each one (the highest
state reached by then is the outcome's state: for an event, that it has happened; for a graded
variable such as a conflict's scale, that the worst so far is that scale), so the last slice
gives the key judgment. On the same parameter draws as the key judgments (the ``"intervals"``
stream)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..network import Network
from ..spec import BASELINE, OutcomeSpec
from ..uncertainty import TrajectoryInterval, trajectory_interval

#: Horizon outcomes of a dynamic model shown slice by slice (the first ones, in model order).
MAX_TRAJECTORIES = 3


def over_time(
    net: Network,
    outcomes: Sequence[OutcomeSpec],
    pols: Sequence[str],
    ref: str | None,
    scenario: str | None,
    cpts: Sequence[np.ndarray],
    level: float,
) -> dict[str, dict[str, TrajectoryInterval]]:
    """A dynamic model's horizon outcomes (``x@first..last``) slice by slice, under the
    reference and each compared policy, on the judgments' draws (``"intervals"``)."""
    time = net.spec.time
    if time is None:
        return {}
    horizon = f"@{time.labels[0]}..{time.labels[-1]}"
    out: dict[str, dict[str, TrajectoryInterval]] = {}
    for o in outcomes[:MAX_TRAJECTORIES]:
        if not o.target.endswith(horizon):
            continue
        var = o.target[: -len(horizon)]
        alts = [ref or BASELINE, *(p for p in pols if p != ref)]
        out[o.id] = {
            alt: trajectory_interval(
                net,
                var,
                o.state,
                draws=list(cpts),
                level=level,
                policy=None if alt == BASELINE else alt,
                scenario=scenario,
                exactly=True,  # the outcome is x@first..last = state: the highest so far
            )
            for alt in alts
        }
    return out
