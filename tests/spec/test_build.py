"""The one builder: rules, then tables attached once; derived specs are new objects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network, load_model
from estimative.spec import Locator, derive, finish
from estimative.spec.models import ModelSpec
from estimative.spec.rules import check_spec

EXAMPLE = "models/example"


def test_check_spec_reports_and_expands_without_writing_into_the_spec() -> None:
    loaded = load_model(EXAMPLE)
    fresh = ModelSpec.model_validate(loaded.model_dump())  # the same content, never built
    problems, expanded = check_spec(fresh, Locator.nowhere(), Path(EXAMPLE))
    assert problems == []
    assert set(expanded.tables) == {v.id for v in loaded.variables}
    for v in loaded.variables:
        np.testing.assert_array_equal(expanded.tables[v.id], v.table)
    with pytest.raises(RuntimeError, match="not expanded"):
        _ = fresh.variables[0].table  # check_spec left it alone


def test_finish_raises_every_problem_at_once() -> None:
    data = load_model(EXAMPLE).model_dump()
    data["variables"][0]["parents"] = ["nowhere"]
    data["variables"][1]["parents"] = ["also_nowhere"]
    spec = ModelSpec.model_validate(data)
    with pytest.raises(ModelError) as exc:
        finish(spec, Locator.nowhere(), Path(EXAMPLE))
    messages = [p.message for p in exc.value.problems]
    assert any("nowhere" in m for m in messages) and any("also_nowhere" in m for m in messages)


def test_derive_builds_new_objects_and_keeps_the_original_intact() -> None:
    spec = load_model(EXAMPLE)
    root = spec.variables[0]
    cut = root.model_copy(update={"label": "cut"})
    flat = np.full(len(root.states), 1.0 / len(root.states))
    new = derive(spec, [cut, *spec.variables[1:]], tables={root.id: flat})
    np.testing.assert_array_equal(new.variable(root.id).table, flat)
    assert not np.array_equal(spec.variable(root.id).table, flat)  # the original is untouched
    assert new.variable(root.id) is not root and new.variables[1] is not spec.variables[1]
    assert new.model_hash != spec.model_hash
    # P(child) changes as a hand calculation says: with a uniform root, the root's
    # marginal is 1/2, and the network reads the derived table.
    assert Network(new).query(root.id)[root.states[0]] == pytest.approx(0.5)


def test_derive_refuses_a_new_variable_without_its_table() -> None:
    spec = load_model(EXAMPLE)
    stranger = spec.variables[0].model_copy(update={"id": "stranger"})
    with pytest.raises(ModelError, match="no table for the derived variable 'stranger'"):
        derive(spec, [*spec.variables, stranger], tables={})
