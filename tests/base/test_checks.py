"""Argument checks: each names the parameter, its allowed range and what was given."""

from __future__ import annotations

import numpy as np
import pytest

from estimative import UsageError
from estimative.checks import check_count, check_level, check_probability


@pytest.mark.parametrize("good", [0.5, 0.9, np.float64(0.99), 1e-9])
def test_levels_strictly_inside_zero_and_one_pass(good: float) -> None:
    assert check_level(good) == float(good)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, float("nan"), True, "0.9"])
def test_other_levels_name_the_parameter(bad: object) -> None:
    with pytest.raises(UsageError) as exc:
        check_level(bad, name="credible_level")
    p = exc.value.problems[0]
    assert p.field == "credible_level"
    assert "strictly between 0 and 1" in p.message
    assert p.found == repr(bad)


def test_counts_check_both_ends() -> None:
    assert check_count(np.int64(3), name="top", minimum=1, maximum=5) == 3
    with pytest.raises(UsageError, match="from 1 to 5"):
        check_count(6, name="top", minimum=1, maximum=5)
    with pytest.raises(UsageError, match="at least 2") as exc:
        check_count(1, name="draws", minimum=2, example=2000)
    assert exc.value.problems[0].field == "draws"
    with pytest.raises(UsageError):
        check_count(2.0, name="draws")
    with pytest.raises(UsageError):
        check_count(True, name="draws")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (0, True),
        (1, True),
        (0.3, True),
        (1.01, False),
        (-0.01, False),
        (float("inf"), False),
        (float("nan"), False),
    ],
)
def test_probabilities(value: float, ok: bool) -> None:
    if ok:
        assert check_probability(value, name="p") == value
    else:
        with pytest.raises(UsageError, match="probability from 0 to 1"):
            check_probability(value, name="p")
