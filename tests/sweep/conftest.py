"""Fixtures of the sweep tests: the example model and a small design over it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from estimative.network import Network
from estimative.sweep import ParameterGrid, SweepDesign

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"


@pytest.fixture(scope="module")
def net() -> Network:
    return Network.from_file(EXAMPLE)


def _small_design(
    net: Network, *, draws: int = 60, chunk_size: int = 25, seed: int = 11
) -> SweepDesign:
    return SweepDesign(
        net,
        targets=(
            ("armed_clash", ("yes",)),
            ("misread_intent", ("no", "yes")),
            ("us_rhetoric", ("bluster",)),
        ),
        policies=("baseline", "status_quo", "private_channel"),
        scenarios=("baseline", "high_provocation", "ambiguous_reports"),
        parameters=(
            # partial 'when': every column with a high-provocation period
            ParameterGrid("misread_intent", "yes", (0.1, 0.7), (("nk_provocation", "high"),)),
            ParameterGrid(
                "armed_clash",
                "yes",
                (0.5,),
                (("misread_intent", "yes"),),
                id="clash_after_misreading",
            ),
        ),
        draws=draws,
        seed=seed,
        chunk_size=chunk_size,
    )


@pytest.fixture(scope="session")
def small_design() -> Callable[..., SweepDesign]:
    """``small_design(net, draws=60, chunk_size=25, seed=11)``: 3 policies x 3 scenarios x
    4 parameter settings x 4 target states per draw."""
    return _small_design
