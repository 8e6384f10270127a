"""What the commands print: text lines, aligned tables, and the one JSON encoding.

Every ``--json`` object goes through :func:`print_json`, that is through
:func:`estimative._io.dumps_json` (results by their ``to_dict()``, numpy as numbers, NaN and
infinities as ``null``, dates as ISO text).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from .._io import dumps_json

#: The key under which every ``--json`` object carries the model hash (docs/cli.md): the
#: same name as in the library and in every file estimative writes.
HASH_KEY = "model_hash"


def out(text: str = "") -> None:
    """Print one line of text output."""
    sys.stdout.write(text + "\n")


def print_json(obj: Any) -> None:
    """Print ``obj`` as one JSON object (the ``--json`` output of a command)."""
    sys.stdout.write(dumps_json(obj) + "\n")


def model_fields(name: str, model_hash: str) -> dict[str, str]:
    """The ``model`` and hash keys every ``--json`` object carries.

    >>> model_fields("example", "0123456789abcdef")
    {'model': 'example', 'model_hash': '0123456789abcdef'}
    """
    return {"model": name, HASH_KEY: model_hash}


def without_model(d: Mapping[str, Any]) -> dict[str, Any]:
    """A result's ``to_dict()`` without its model name and hash (printed by :func:`model_fields`).

    >>> without_model({"model": "m", "model_hash": "h", "n": 3})
    {'n': 3}
    """
    return {k: v for k, v in d.items() if k not in {"model", "model_hash"}}


def fmt_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: a header, a rule, and numeric columns aligned right.

    >>> print(fmt_table(["state", "p"], [("no", "0.25"), ("yes", "0.75")]))
    state     p
    -----  ----
    no     0.25
    yes    0.75
    """
    cells = [list(map(str, header))] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    numeric = [
        all(_looks_numeric(r[i]) for r in cells[1:]) and len(cells) > 1 for i in range(len(header))
    ]
    lines = []
    for k, r in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if numeric[j] else c.ljust(w)
                for j, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _looks_numeric(text: str) -> bool:
    t = text.strip().rstrip("%").replace(",", "")
    try:
        float(t)
    except ValueError:
        return False
    return True


@contextmanager
def progress_bar(what: str, *, quiet: bool = False) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar on the terminal (tqdm, on standard error) for long work, as a
    ``progress(done, total, step)`` callback; silent under ``--json`` (``quiet``) and when
    standard error is not a terminal."""
    if quiet or not sys.stderr.isatty():
        yield lambda done, total, step: None
        return
    from tqdm import tqdm

    bar = tqdm(total=1, desc=what, file=sys.stderr, leave=False, unit="step")

    def tell(done: int, total: int, step: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(step, refresh=False)
        bar.refresh()

    try:
        yield tell
    finally:
        bar.close()
