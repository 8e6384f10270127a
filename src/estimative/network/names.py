"""Names as users write them, made into the ids and states the network computes with.

A variable is named by its id or by any of its aliases (``VariableSpec.aliases``: a file's own
name where the model needed another id, a label from another tool), a state by its name or
any of its aliases (``VariableSpec.state_aliases``). Aliases are never ambiguous (the rules
refuse an alias that is another variable's id or alias), so each name means one thing. Every
query method of :class:`~estimative.network.Network` turns the names it is given into ids here
first, so that results, conditions in words and JSON always speak in ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..spec import ModelSpec
    from .network import Network


def state_alias_map(spec: ModelSpec) -> dict[str, dict[str, str]]:
    """``{variable id: {alias: state}}`` for the variables whose states have aliases."""
    return {
        v.id: {a: s for s, names in v.state_aliases.items() for a in names}
        for v in spec.variables
        if v.state_aliases
    }


def named(net: Network, conditions: Mapping[str, Any] | None) -> dict[str, Any]:
    """``{variable: state}`` (or per-row states, or likelihoods by state) with every variable
    named by its id and every state by its name; names that are neither are left as they are,
    for the caller's "unknown variable" error with its did-you-mean.

    >>> from estimative import Network
    >>> named(Network.from_file("models/example"), {"armed_clash": "yes"})
    {'armed_clash': 'yes'}
    """
    out: dict[str, Any] = {}
    for name, value in (conditions or {}).items():
        var = net.name_of(name)
        if isinstance(value, str):
            out[var] = net.state_of(var, value)
        elif isinstance(value, Mapping):  # soft evidence by state
            out[var] = {net.state_of(var, s): x for s, x in value.items()}
        elif isinstance(value, Sequence) and any(isinstance(x, str) for x in value):
            out[var] = [None if x is None else net.state_of(var, x) for x in value]
        else:
            out[var] = value  # likelihoods in state order, per-row likelihood arrays
    return out


def assignment_cuts(net: Network, text: str) -> list[int]:
    """The positions of the ``=`` in ``VARIABLE=STATE`` whose left side names a variable of
    ``net`` (an alias may hold ``=`` itself, so more than one may): those whose right side also
    names one of that variable's states when any does; none when no left side names one.

    >>> from estimative import Network
    >>> assignment_cuts(Network.from_file("models/example"), "armed_clash=yes")
    [11]
    """
    cuts = [
        i for i, c in enumerate(text) if c == "=" and net.name_of(text[:i].strip()) in net.states
    ]

    def is_state(i: int) -> bool:
        var = net.name_of(text[:i].strip())
        return net.state_of(var, text[i + 1 :].strip()) in net.states[var]

    return [i for i in cuts if is_state(i)] or cuts
