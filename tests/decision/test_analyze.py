"""decision.analyze: the three analyses in one call.
"""

from __future__ import annotations

import numpy as np
import pytest

from estimative import Network
from estimative.decision import (
    analyze,
)


def test_analyze_bundle(umbrella: Network) -> None:
    a = analyze(umbrella, draws=50, rng=np.random.default_rng(0))
    assert a.expected.n_draws == 50 and a.solution is not None
    assert a.solution.meu == pytest.approx(77.0) and a.information["forecast"] == pytest.approx(7.0)
    assert a.model_hash == umbrella.model_hash
