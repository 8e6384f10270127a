"""Argument checks shared by every analysis: each raises a :class:`~estimative.errors.UsageError`
that names the parameter, its allowed range and what was given (the command line maps the
parameter's name to its flag when it prints the error).
"""

from __future__ import annotations

import math
from typing import Any

from .errors import UsageError


def check_level(level: Any, *, name: str = "level") -> float:
    """A credible level strictly between 0 and 1.

    >>> check_level(0.9)
    0.9
    >>> check_level(1.5)
    Traceback (most recent call last):
    estimative.errors.UsageError: level: level must be strictly between 0 and 1; found 1.5. Fix: e.g. level=0.9
    """
    import numpy as np

    if (
        isinstance(level, bool)
        or not isinstance(level, int | float | np.number)
        or not 0 < float(level) < 1
    ):
        raise UsageError(
            f"{name} must be strictly between 0 and 1",
            field=name,
            found=repr(level),
            fix=f"e.g. {name}=0.9",
        )
    return float(level)


def check_count(
    value: Any,
    *,
    name: str,
    minimum: int = 1,
    maximum: int | None = None,
    example: int | None = None,
) -> int:
    """A whole number in ``[minimum, maximum]`` (draws, sample sizes, top-k, bins); the error's
    fix suggests ``example`` (default: ``minimum``).

    >>> check_count(500, name="draws", minimum=2)
    500
    >>> check_count(1, name="draws", minimum=2, example=2000)
    Traceback (most recent call last):
    estimative.errors.UsageError: draws: draws must be a whole number of at least 2; found 1. Fix: e.g. draws=2000
    """
    import numpy as np

    ok = not isinstance(value, bool) and isinstance(value, int | np.integer)
    if not ok or value < minimum or (maximum is not None and value > maximum):
        span = f"of at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise UsageError(
            f"{name} must be a whole number {span}",
            field=name,
            found=repr(value),
            fix=f"e.g. {name}={example if example is not None else minimum}",
        )
    return int(value)


def check_probability(value: Any, *, name: str) -> float:
    """A probability in ``[0, 1]``.

    >>> check_probability(0.2, name="threshold")
    0.2
    """
    import numpy as np

    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.number)
        or not math.isfinite(float(value))
        or not 0 <= float(value) <= 1
    ):
        raise UsageError(f"{name} must be a probability from 0 to 1", field=name, found=repr(value))
    return float(value)
