"""Reading the arguments the commands share: the model path, query conditions, ``VAR=STATE``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from ..network import Network


def load(path: str) -> Network:
    """The network of a model folder, model YAML or BIF/XMLBIF/XDSL/NET/UAI file; what an
    import changed (names, renormalised columns) is printed to stderr as a note."""
    import warnings

    from ..files import InteropWarning
    from ..network import Network

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropWarning)
        net = Network.from_file(path)
    print_notes(caught)
    return net


def print_notes(caught: Sequence[Any]) -> None:
    """Print the :class:`~estimative.files.InteropWarning` notes caught to stderr."""
    import sys

    from ..files import InteropWarning

    for w in caught:
        if issubclass(w.category, InteropWarning):
            print(f"note: {w.message}", file=sys.stderr)


def pairs(items: Sequence[str] | None, flag: str) -> dict[str, str]:
    """``["a=x", "b=y"]`` as ``{"a": "x", "b": "y"}`` (``--given``, ``--do``).

    >>> pairs(["icbm_test = yes"], "--given")
    {'icbm_test': 'yes'}
    """
    result: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(
                f"{flag} takes VARIABLE=STATE",
                found=repr(item),
                fix=f"write e.g. {flag} icbm_test=yes",
            )
        k, v = item.split("=", 1)
        result[k.strip()] = v.strip()
    return result


def soft(items: Sequence[str] | None) -> dict[str, list[float]]:
    """``["v=0.2,0.8"]`` as ``{"v": [0.2, 0.8]}`` (``--soft``).

    >>> soft(["china_enforcement=0.2,0.8"])
    {'china_enforcement': [0.2, 0.8]}
    """
    result: dict[str, list[float]] = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(
                "--soft takes VARIABLE=L1,L2,...",
                found=repr(item),
                fix="write e.g. --soft china_enforcement=0.2,0.8",
            )
        k, v = item.split("=", 1)
        try:
            result[k.strip()] = [float(x) for x in v.split(",")]
        except ValueError:
            raise UsageError("--soft likelihoods must be numbers", found=repr(v)) from None
    return result


def conditions(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword conditions of a query (given, do, soft, policy, scenario) from the flags
    :func:`add_conditions` adds."""
    return dict(
        given=pairs(args.given, "--given"),
        do=pairs(args.do, "--do"),
        soft=soft(args.soft),
        policy=args.policy or None,
        scenario=args.scenario,
    )


def add_conditions(p: argparse.ArgumentParser) -> None:
    """Add ``--given``, ``--do``, ``--soft``, ``--policy`` and ``--scenario`` to a command."""
    p.add_argument(
        "--given", action="append", metavar="VAR=STATE", help="hard evidence (repeatable)"
    )
    p.add_argument(
        "--do",
        action="append",
        metavar="VAR=STATE",
        help="intervention, do(VAR=STATE) (repeatable)",
    )
    p.add_argument(
        "--soft",
        action="append",
        metavar="VAR=L1,L2,..",
        help="likelihood evidence, one number per state",
    )
    p.add_argument(
        "--policy", action="append", metavar="NAME", help="a named policy of the model (repeatable)"
    )
    p.add_argument("--scenario", metavar="NAME", help="a named scenario of the model")


def target_state(net: Network, text: str) -> tuple[str, str]:
    """``VAR=STATE``, or ``VAR`` alone: the state of the model's outcome on VAR, else its last state."""
    var, _, state = text.partition("=")
    var, state = var.strip(), state.strip()
    net.index(var)
    if not state:
        outcome = next((o for o in net.spec.outcomes if o.target == var), None)
        state = outcome.state if outcome is not None else net.states[var][-1]
    net.state_index(var, state)
    return var, state
