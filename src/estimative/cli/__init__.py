"""The ``estimative`` command. The only package that parses arguments and prints.

Exit status: 0 success, 2 usage or model error (the message names file, line and field),
1 anything else. ``--debug`` shows a traceback for unexpected errors.

Every command that prints results takes ``--json``; its output is one JSON object on stdout
(documented in docs/cli.md), encoded by :func:`estimative._io.dumps_json`. On an error with
``--json``, stdout holds ``{"ok": false, "error": {"kind": ..., "problems": [...]}}`` and the
text goes to stderr.

One module per group of commands, each adding its commands with ``register(add)``:
:mod:`.model` (validate, show, query, compare, map, export), :mod:`.analysis` (sensitivity,
sweep), :mod:`.decide`, :mod:`.forecast` (forecast, score), :mod:`.brief`, :mod:`.explore`
and :mod:`.learn`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .._io import machine_failure
from .._version import __version__
from ..errors import EstimativeError, ResourceError, TextWarning
from . import analysis, brief, decide, explore, forecast, learn, model
from ._errors import report

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]

#: The groups of commands, in the order ``estimative --help`` lists them.
GROUPS = (model, analysis, decide, forecast, brief, explore, learn)


def build_parser() -> tuple[
    argparse.ArgumentParser, dict[str, Command], dict[str, argparse.ArgumentParser]
]:
    """The argument parser with every group's commands; each command's function and parser.

    >>> parser, commands, _ = build_parser()
    >>> sorted(commands)[:5]
    ['brief', 'compare', 'decide', 'explore', 'export']
    """
    parser = argparse.ArgumentParser(
        prog="estimative",
        description="Bayesian networks for policy analysis. PATH is a model folder (with model.yaml), "
        "a model YAML file, or a BIF, XMLBIF, XDSL, NET, UAI or DNE file.",
    )
    parser.add_argument("--version", action="version", version=f"estimative {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback on unexpected errors"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands: dict[str, Command] = {}
    parsers: dict[str, argparse.ArgumentParser] = {}

    def add(name: str, fn: Command, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument(
            "--json", action="store_true", help="print one JSON object (see docs/cli.md)"
        )
        p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
        commands[name] = fn
        parsers[name] = p
        return p

    for group in GROUPS:
        group.register(add)
    return parser, commands, parsers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv
        The arguments after ``estimative`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 for a usage or model error, 1 for a bug, 130 when interrupted.

    Examples
    --------
    >>> main(["validate", "models/example"])  # doctest: +ELLIPSIS
    models/example: valid (...)
    ...
    0
    """
    parser, commands, parsers = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return _run(commands[args.command], args)
    except EstimativeError as exc:
        options = {s for a in parsers[args.command]._actions for s in a.option_strings}
        return report(exc, options=options, as_json=getattr(args, "json", False))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:  # e.g. `estimative show ... | head`: the reader left, nothing is wrong
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        if args.debug:
            raise
        failure = machine_failure(exc, "the output")
        if failure is None:
            return _internal(exc)
        err = ResourceError(
            failure[0],
            fix=failure[1]
            + "; files written before are intact (each is written whole or not at all)",
        )
        return report(err, options=set(), as_json=getattr(args, "json", False))
    except Exception as exc:
        if args.debug:
            raise
        return _internal(exc)


def _run(command: Command, args: argparse.Namespace) -> int:
    """Run ``command``; the :class:`~estimative.errors.TextWarning` s it raised (text changed
    so that it could be drawn or written) are printed once per kind at the end, as
    ``warning: ...`` on stderr, naming every character replaced; other warnings are shown as
    Python shows them."""
    import warnings

    original = warnings.showwarning
    chars: dict[str, set[str]] = {}

    def show(message: Warning | str, category: type[Warning], *rest: object, **kw: object) -> None:
        if isinstance(message, TextWarning):
            chars.setdefault(message.kind, set()).update(message.chars)
            return
        original(message, category, *rest, **kw)  # type: ignore[arg-type]

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", TextWarning)
            warnings.showwarning = show
            return command(args)
    finally:
        for kind, found in chars.items():
            sys.stderr.write(f"warning: {TextWarning.text(kind, found)}\n")


def _internal(exc: BaseException) -> int:
    sys.stderr.write(
        f"internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in estimative, not in your input. Rerun with --debug for a traceback.\n"
    )
    return 1
