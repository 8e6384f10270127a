"""Random streams: one seed, independent named streams, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from estimative import UsageError
from estimative._random import make_rng, seed_of, stream


def test_a_stream_does_not_depend_on_what_other_streams_drew() -> None:
    # The interval draws 500 or 2,000 numbers from its stream; the Sobol stream is the same.
    root_a, root_b = make_rng(2017), make_rng(2017)
    stream(root_a, "interval").random(500)
    stream(root_b, "interval").random(2000)
    assert np.array_equal(stream(root_a, "sobol").random(64), stream(root_b, "sobol").random(64))


def test_streams_of_different_names_differ_and_the_root_is_not_advanced() -> None:
    root = make_rng(5)
    a, b = stream(root, "a").random(8), stream(root, "b").random(8)
    assert not np.array_equal(a, b)
    # Taking streams leaves the root where numpy's own generator with that seed starts.
    assert root.random() == np.random.default_rng(np.random.SeedSequence(5)).random()


def test_the_same_seed_and_name_give_the_same_stream_and_another_seed_does_not() -> None:
    assert np.array_equal(stream(make_rng(1), "x").random(4), stream(make_rng(1), "x").random(4))
    assert not np.array_equal(
        stream(make_rng(1), "x").random(4), stream(make_rng(2), "x").random(4)
    )


def test_nested_streams_are_independent_of_their_parent() -> None:
    root = make_rng(9)
    child = stream(root, "decision")
    assert not np.array_equal(stream(child, "voi").random(4), stream(root, "voi").random(4))


def test_seed_is_recorded_and_a_generator_passes_through() -> None:
    g = make_rng(2017)
    assert seed_of(g) == 2017
    assert make_rng(g) is g
    assert seed_of(stream(g, "x")) is None  # a spawned stream is named by its parent's seed


@pytest.mark.parametrize("bad", [-1, 1.5, "7", None, True])
def test_a_bad_seed_names_the_parameter(bad: object) -> None:
    with pytest.raises(UsageError) as exc:
        make_rng(bad)  # type: ignore[arg-type]
    assert exc.value.problems[0].field == "seed"
    assert repr(bad) in str(exc.value)
