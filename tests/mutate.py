"""A seeded mutator of model and exchange-format files, and a runner that feeds each mutant to
the command line in this process and classifies what came back.

Deterministic: every mutant comes from ``random.Random(seed)``. Each run is bounded by an
interval timer (``SIGALRM``), so a hang shows as a ``"hang"`` outcome instead of stalling the
suite. Used by ``tests/files/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Hostile values put in place of a number or a word.
HOSTILE_NUMBERS = (
    "0",
    "-1",
    "1e308",
    "1e-400",
    "nan",
    ".inf",
    "-0.0",
    "1" * 5000,
    "\u00b2",
    "0x1F",
    "1_000",
    "2017-02-30",
    "99999999999",
    "1e999",
)
HOSTILE_WORDS = (
    "baseline",
    "[]",
    "{}",
    "~",
    "''",
    "*a",
    "&a x",
    "!!python/object:os.system",
    "yes",
    "\u00b2",
    '"\\ud800"',
    "$x_y_z$",
    "<script>",
    "../../../../etc/passwd",
    "/dev/zero",
    "x" * 1000,
    "[" * 300,
    "{a: " * 200,
    "- - - - - - - -",
    "\t",
    ":",
    "%YAML 1.1",
    "2017-02-30",
)
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])")
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def mutate(text: str, rng: random.Random) -> str:
    """One to three random edits of ``text``: lines deleted, duplicated, swapped, re-indented;
    numbers and words replaced by hostile values; bytes inserted; the text truncated."""
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        op = rng.randrange(10)
        i = rng.randrange(len(lines))
        if op == 0 and len(lines) > 1:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            lines[i] = (
                " " * rng.choice((1, 2, 3, 4)) + lines[i]
                if rng.random() < 0.5
                else lines[i].lstrip()
            )
        elif op in (4, 5):
            hits = list(_NUMBER.finditer(text))
            if hits:
                m = rng.choice(hits)
                text = text[: m.start()] + rng.choice(HOSTILE_NUMBERS) + text[m.end() :]
                continue
        elif op in (6, 7):
            hits = list(_WORD.finditer(text))
            if hits:
                m = rng.choice(hits)
                pool = HOSTILE_WORDS if rng.random() < 0.6 else [w.group() for w in hits[:200]]
                text = text[: m.start()] + rng.choice(pool) + text[m.end() :]
                continue
        elif op == 8:
            pos = rng.randrange(len(text) + 1)
            junk = rng.choice(
                (
                    "\x00",
                    "\ufeff",
                    "\u2028",
                    "\r",
                    "\\",
                    '"',
                    "'",
                    "#",
                    "&",
                    "*",
                    "|",
                    ">",
                    "<!--",
                    "]]>",
                )
            )
            text = text[:pos] + junk + text[pos:]
            continue
        else:
            text = text[: rng.randrange(len(text) + 1)]
            continue
        text = "\n".join(lines)
    return text


@dataclass(frozen=True)
class Outcome:
    """What one run gave: ``code`` (0, 2, 1) or ``"hang"``, and the text of stderr."""

    code: int | str
    stderr: str
    stdout: str


class _Timeout(BaseException):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_Timeout` inside the block after ``seconds`` (wall clock)."""

    def _fire(signum: int, frame: object) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGALRM, _fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_cli(argv: list[str], *, timeout: float = 10.0) -> Outcome:
    """Run ``estimative argv`` in this process with stdout and stderr captured."""
    from estimative.cli import main

    out, err = io.StringIO(), io.StringIO()
    try:
        with time_limit(timeout), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code: int | str = main(argv)
    except _Timeout:
        code = "hang"
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    except MemoryError:
        code = "memory"
    return Outcome(code, err.getvalue(), out.getvalue())


def write_mutant(folder: Path, name: str, text: str) -> Path:
    """Write a mutant as UTF-8 (lone surrogates kept as the bytes they would escape to)."""
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path
