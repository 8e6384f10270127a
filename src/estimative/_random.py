"""Random streams: one generator made from a seed, and independent named streams spawned
from it, so adding draws to one analysis never changes another's numbers.

Every public function that draws takes ``rng`` (a :class:`numpy.random.Generator`). The
command line and the brief make one with :func:`make_rng` from ``--seed`` and give each
analysis its own :func:`stream`.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from .errors import UsageError

#: The number of parameter draws every command and analysis takes unless told otherwise, so
#: the brief and ``decide`` print the same P(best) for the same seed.
DEFAULT_DRAWS = 2000
if TYPE_CHECKING:  # numpy loads on first call: the command line starts without it
    import numpy as np


def make_rng(seed: int | np.random.Generator | None, *, name: str = "seed") -> np.random.Generator:
    """A generator from a seed (a whole number of 0 or more), or ``seed`` itself when it is one.

    >>> int(make_rng(7).integers(100)) == int(make_rng(7).integers(100))
    True
    """
    import numpy as np

    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise UsageError(
            f"{name} must be a whole number of 0 or more",
            field=name,
            found=repr(seed),
            fix=f"e.g. {name}=0",
        )
    return np.random.default_rng(np.random.SeedSequence(int(seed)))


def stream(rng: np.random.Generator, name: str) -> np.random.Generator:
    """The independent stream of the analysis called ``name``, spawned from ``rng``'s seed.

    The same ``rng`` seed and ``name`` always give the same stream, whatever other streams
    were taken or how many numbers they drew; different names give independent streams
    (numpy's ``SeedSequence`` spawn keys). ``rng`` itself is not advanced.

    >>> root = make_rng(3)
    >>> a = stream(root, "interval").random(2)
    >>> _ = stream(root, "sobol").random(1000)
    >>> bool((stream(make_rng(3), "interval").random(2) == a).all())
    True
    """
    import numpy as np

    seq = getattr(rng.bit_generator, "seed_seq", None)
    if not isinstance(seq, np.random.SeedSequence):
        raise UsageError(
            "this random generator cannot spawn streams",
            field="rng",
            fix="make it with numpy.random.default_rng(SEED)",
        )
    key = (*seq.spawn_key, zlib.crc32(name.encode("utf-8")))
    return np.random.Generator(
        type(rng.bit_generator)(
            np.random.SeedSequence(seq.entropy, spawn_key=key, pool_size=seq.pool_size)
        )
    )


def seed_of(rng: np.random.Generator) -> int | None:
    """The seed ``rng`` was made from, to record beside results (``None`` if unknown).

    >>> seed_of(make_rng(2017))
    2017
    """
    import numpy as np

    seq = getattr(rng.bit_generator, "seed_seq", None)
    if (
        isinstance(seq, np.random.SeedSequence)
        and isinstance(seq.entropy, int)
        and not seq.spawn_key
    ):
        return int(seq.entropy)
    return None
