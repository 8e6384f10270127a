"""Every name the package exports is documented: numpydoc sections and a running example."""

from __future__ import annotations

import inspect

import pytest

import estimative as est


@pytest.mark.parametrize("name", sorted(est.__all__))
def test_every_exported_name_has_a_docstring_with_an_example(name: str) -> None:
    obj = getattr(est, name)
    if name == "__version__":
        assert isinstance(obj, str)
        return
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    assert ">>>" in doc, f"{name}'s docstring has no running example"
    if inspect.isfunction(obj):
        params = [
            p for p in inspect.signature(obj).parameters.values() if p.name not in ("self", "cls")
        ]
        if params:
            assert "Parameters\n----------" in doc, (
                f"{name}'s docstring has no numpydoc Parameters section"
            )
        assert "Returns\n-------" in doc or "Yields\n------" in doc, (
            f"{name}'s docstring has no Returns section"
        )
