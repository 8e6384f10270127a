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


def split_pair(item: str, flag: str, net: Network | None = None) -> tuple[str, str]:
    """``VARIABLE=STATE`` as ``(variable, state)``. A variable's alias may hold ``=`` (a
    file's own name): with ``net``, the cut is the one ``=`` whose left side names a variable;
    without, or when none does, the first.

    >>> split_pair("icbm_test = yes", "--given")
    ('icbm_test', 'yes')
    """
    if "=" not in item:
        raise UsageError(
            f"{flag} takes VARIABLE=STATE", found=repr(item), fix=f"write e.g. {flag} icbm_test=yes"
        )
    cuts = [i for i, c in enumerate(item) if c == "="]
    if net is not None and len(cuts) > 1:
        from ..network.names import assignment_cuts

        named = assignment_cuts(net, item)
        if len(named) > 1:
            readings = " or ".join(
                f"'{item[:i].strip()}' = '{item[i + 1 :].strip()}'" for i in named
            )
            raise UsageError(
                f"{flag} {item!r} can be read as {readings}",
                fix="name the variable by its id (estimative show lists ids and aliases)",
            )
        cuts = named or cuts
    return item[: cuts[0]].strip(), item[cuts[0] + 1 :].strip()


def pairs(items: Sequence[str] | None, flag: str, net: Network | None = None) -> dict[str, str]:
    """``["a=x", "b=y"]`` as ``{"a": "x", "b": "y"}`` (``--given``, ``--do``); see
    :func:`split_pair` for names that hold ``=``.

    >>> pairs(["icbm_test = yes"], "--given")
    {'icbm_test': 'yes'}
    """
    return dict(split_pair(item, flag, net) for item in items or [])


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
        k, v = item.rsplit("=", 1)  # the likelihoods hold no '='; a variable's alias may
        try:
            result[k.strip()] = [float(x) for x in v.split(",")]
        except ValueError:
            raise UsageError("--soft likelihoods must be numbers", found=repr(v)) from None
    return result


def conditions(args: argparse.Namespace, net: Network | None = None) -> dict[str, Any]:
    """The keyword conditions of a query (given, do, soft, policy, scenario) from the flags
    :func:`add_conditions` adds (names may be aliases; ``net`` tells where an alias holding
    ``=`` ends)."""
    return dict(
        given=pairs(args.given, "--given", net),
        do=pairs(args.do, "--do", net),
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
    """``VAR=STATE``, or ``VAR`` alone: the state of the model's outcome on VAR, else its last
    state. VAR may be an alias (one holding ``=`` too); it comes back as the variable's id."""
    if net.name_of(text.strip()) in net.states:
        var, state = text.strip(), ""
    else:
        var, state = split_pair(text, "--target", net) if "=" in text else (text.strip(), "")
    var = net.name_of(var)
    net.index(var)
    if not state:
        outcome = next((o for o in net.spec.outcomes if o.target == var), None)
        state = outcome.state if outcome is not None else net.states[var][-1]
    net.state_index(var, state)
    return var, net.state_of(var, state)
