"""The one way a query's conditions are written: ``do(x=a), y=b, z~[0.8, 0.2]``.

Interventions first, then hard findings, then soft findings with their likelihoods (one per
state, in the variable's state order when given as a mapping).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _lik(values: Any) -> str:
    seq = list(values.values()) if isinstance(values, Mapping) else list(values)
    return "[" + ", ".join(f"{float(x):g}" for x in seq) + "]"


def conditions_text(
    *,
    do: Mapping[str, Any] | None = None,
    given: Mapping[str, Any] | None = None,
    soft: Mapping[str, Mapping[str, float] | Sequence[float] | Any] | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
    rules: Sequence[Any] = (),
) -> str:
    """The conditions as one line ("" when there are none).

    >>> conditions_text(do={"channel": "open"}, given={"test": "yes"}, soft={"signal": {"no": 0.2, "yes": 0.8}})
    'do(channel=open), test=yes, signal~[0.2, 0.8]'
    >>> conditions_text(policy="sanctions", scenario="crisis")
    'policy sanctions, scenario crisis'
    >>> conditions_text()
    ''

    ``rules`` (a reacting policy's :class:`~estimative.spec.timing.RuleSpec` objects) are
    written after the interventions, each as ``react(x@B=yes if y@A=yes, else no)``.
    """
    parts: list[str] = []
    if policy:
        parts += [f"policy {p}" for p in ([policy] if isinstance(policy, str) else policy)]
    if scenario:
        parts.append(f"scenario {scenario}")
    parts += [f"do({k}={v})" for k, v in (do or {}).items()]
    parts += [f"react({r.text})" for r in rules]
    parts += [f"{k}={v}" for k, v in (given or {}).items()]
    parts += [f"{k}~{_lik(v)}" for k, v in (soft or {}).items()]
    return ", ".join(parts)
