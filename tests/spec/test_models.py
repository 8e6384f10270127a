"""The spec objects: frozen, strict about unknown keys, hashed by content."""

from __future__ import annotations

import numpy as np
import pydantic
import pytest

from estimative import load_model
from estimative.spec import BASELINE, CptSpec, ModelSpec, VariableSpec, spec_from_arrays

EXAMPLE = "models/example"


def test_spec_objects_are_frozen() -> None:
    spec = load_model(EXAMPLE)
    with pytest.raises(pydantic.ValidationError):
        spec.title = "another"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        spec.variables[0].label = "x"  # type: ignore[misc]


def test_expanded_tables_are_computed_once_and_read_only_through_the_network() -> None:
    import estimative as est

    spec = load_model(EXAMPLE)
    v = spec.variable("armed_clash")
    assert v.table is v.table  # attached once, not recomputed on access
    net = est.Network(spec)
    with pytest.raises(ValueError):
        net.cpt("armed_clash")[0, 0] = 0.5  # the engine's copy is read-only


def test_a_variable_never_built_by_the_builder_says_so() -> None:
    v = VariableSpec(
        id="a",
        label="a",
        states=["no", "yes"],
        cpt=CptSpec(table={"no": 0.5, "yes": 0.5}, assumption=True, rationale="r"),
    )
    with pytest.raises(RuntimeError, match="not expanded"):
        _ = v.table


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="Extra inputs"):
        CptSpec(table={"no": 1.0}, assumption=True, rationale="r", strenght=3)  # type: ignore[call-arg]


def test_the_model_hash_follows_content_not_identity() -> None:
    a = spec_from_arrays("t", [("a", ["no", "yes"], [], np.array([0.25, 0.75]))])
    b = spec_from_arrays("t", [("a", ["no", "yes"], [], np.array([0.25, 0.75]))])
    c = spec_from_arrays("t", [("a", ["no", "yes"], [], np.array([0.25 + 1e-12, 0.75 - 1e-12]))])
    assert a.model_hash == b.model_hash
    assert a.model_hash != c.model_hash  # every expanded number is hashed
    assert len(a.model_hash) == 16 and int(a.model_hash, 16) >= 0
    renamed = a.model_copy(update={"title": "u"})
    assert renamed.model_hash != a.model_hash


def test_baseline_is_the_one_name_of_the_no_policy_alternative() -> None:
    assert BASELINE == "baseline"
    spec = load_model(EXAMPLE)
    assert BASELINE not in {p.id for p in spec.policies}


def test_lookups_find_by_id() -> None:
    spec: ModelSpec = load_model(EXAMPLE)
    assert spec.variable("armed_clash").states == ["no", "yes"]
    assert spec.policy(spec.policies[0].id) is spec.policies[0]
