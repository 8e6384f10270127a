"""Errors raised by estimative.

Every error a user can cause is an :class:`EstimativeError`. It carries one or more
:class:`Problem` records, each saying where (file, line, field), what is wrong, what was
expected, what was found and how to fix it, so that a command can report every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input.

    Examples
    --------
    >>> p = Problem("broken cpt", file="m/model.yaml", line=12, field="variables[0].cpt",
    ...             expected="sums to 1", found="1.1", fix="set normalize: true")
    >>> print(p)
    m/model.yaml:12: variables[0].cpt: broken cpt; expected sums to 1, found 1.1. Fix: set normalize: true
    """

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    expected: str | None = None
    found: str | None = None
    fix: str | None = None

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def __str__(self) -> str:
        text = self.message
        if self.expected is not None or self.found is not None:
            bits = []
            if self.expected is not None:
                bits.append(f"expected {self.expected}")
            if self.found is not None:
                bits.append(f"found {self.found}")
            text += "; " + ", ".join(bits)
        if self.fix:
            text += f". Fix: {self.fix}"
        where = self.where()
        return f"{where}: {text}" if where else text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "expected": self.expected,
            "found": self.found,
            "fix": self.fix,
        }


class EstimativeError(Exception):
    """Base class of every error estimative raises on purpose.

    ``problems`` lists every problem found; ``str(error)`` prints them one per line.

    >>> err = EstimativeError([Problem("first", line=3), Problem("second", line=9)])
    >>> print(err)
    first
    second
    >>> [p.line for p in err.problems]
    [3, 9]
    """

    def __init__(self, problems: Problem | str | list[Problem], **kwargs: object) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, **kwargs)]  # type: ignore[arg-type]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ModelError(EstimativeError):
    """A model file (or sweep, resolutions, ... file) is invalid.

    >>> from estimative import load_model
    >>> try:
    ...     load_model("models/no_such_model")
    ... except Exception as err:  # a ModelError
    ...     print(err.problems[0].message)
    file not found
    """


class QueryError(EstimativeError):
    """A query names something the model does not have, or is malformed.

    >>> from estimative import Network
    >>> try:
    ...     Network.from_file("models/example").query("armed_clsh")
    ... except Exception as err:  # a QueryError
    ...     print(err.problems[0].message)
    unknown variable 'armed_clsh' (did you mean 'armed_clash'?)
    """


class ImpossibleEvidenceError(QueryError):
    """The evidence of a query has probability zero under the model.

    >>> import numpy as np
    >>> from estimative import Network
    >>> from estimative.spec import spec_from_arrays
    >>> net = Network(spec_from_arrays("t", [("a", ["no", "yes"], [], np.array([1.0, 0.0])),
    ...                                      ("b", ["no", "yes"], ["a"], np.eye(2))]))
    >>> try:
    ...     net.query("b", given={"a": "yes"})
    ... except Exception as err:  # an ImpossibleEvidenceError
    ...     print(type(err).__name__, "|", err.problems[0].message)
    ImpossibleEvidenceError | the evidence has probability zero under the model: a=yes
    """


class UsageError(EstimativeError):
    """A command-line or API argument is invalid; ``field`` names the parameter.

    >>> from estimative.checks import check_level
    >>> try:
    ...     check_level(2.0)
    ... except Exception as err:  # a UsageError
    ...     print(err.problems[0].field, "|", err.problems[0].found)
    level | 2.0
    """


class ResourceError(EstimativeError):
    """The machine, not the input, failed: a disk full, a worker or a scheduler lost. The
    message says what failed and what to do (a sweep is resumable: rerun the same command).

    >>> err = ResourceError("no space left on the device", fix="free space and rerun")
    >>> print(err)
    no space left on the device. Fix: free space and rerun
    """


class TextWarning(UserWarning):
    """Text was changed so that it can be drawn or written: a lone surrogate (which no font
    draws and UTF-8 cannot write; ``kind="surrogate"``) or a character the font of the charts
    and the PDF has no glyph for (``kind="font"``) was replaced by U+FFFD. ``chars`` holds the
    characters replaced; the command line prints one line per kind, naming them all.

    >>> print(TextWarning("font", ["\u4e2d"]))
    DejaVu Sans, the font of the charts and the PDF, has no glyph for some characters (U+4E2D); they are drawn as U+FFFD
    """

    def __init__(self, kind: str, chars: object) -> None:
        self.kind = kind
        self.chars = tuple(sorted(set(chars)))  # type: ignore[call-overload]
        super().__init__(self.text(self.kind, self.chars))

    @staticmethod
    def text(kind: str, chars: object) -> str:
        """The warning's words for characters ``chars`` of ``kind``."""
        names = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(chars)))  # type: ignore[call-overload]
        if kind == "surrogate":
            return (
                f"the model's text holds lone surrogates ({names}), which no font draws and "
                "UTF-8 cannot write; they are replaced by U+FFFD"
            )
        return (
            "DejaVu Sans, the font of the charts and the PDF, has no glyph for some characters "
            f"({names}); they are drawn as U+FFFD"
        )


def did_you_mean(name: str, options: object) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest option, or ``""``.

    >>> did_you_mean("icbm_tset", ["icbm_test", "nuclear_test"])
    " (did you mean 'icbm_test'?)"
    """
    import difflib

    opts = [str(o) for o in options]  # type: ignore[attr-defined]
    close = difflib.get_close_matches(str(name), opts, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
