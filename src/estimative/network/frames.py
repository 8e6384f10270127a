"""Tables of a network's numbers as pandas frames (for notebooks and ``to_frame``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def cpt_frame(
    variable: str,
    states: Mapping[str, Sequence[str]],
    parents: Sequence[str],
    cpt: np.ndarray,
) -> pd.DataFrame:
    """A CPT as a frame: one row per combination of parent states, one column per state.

    Parameters
    ----------
    variable : str
        The child variable.
    states : mapping of str to sequence of str
        Every variable's states (the child's and its parents' at least).
    parents : sequence of str
        The child's parents, in the CPT's axis order.
    cpt : numpy.ndarray
        Shape ``(card, *parent cards)``.

    Returns
    -------
    pandas.DataFrame
        Rows indexed by parent states (``"(prior)"`` for a root), columns by the child's states.

    Examples
    --------
    >>> cpt_frame("wet", {"wet": ("no", "yes"), "rain": ("no", "yes")}, ["rain"],
    ...           np.array([[0.9, 0.2], [0.1, 0.8]])).loc["yes", "yes"]
    np.float64(0.8)
    """
    import pandas as pd

    cols = list(states[variable])
    flat = cpt.reshape(len(cols), -1).T
    index: pd.Index
    if len(parents) == 1:
        index = pd.Index(list(states[parents[0]]), name=parents[0])
    elif parents:
        index = pd.MultiIndex.from_product([list(states[p]) for p in parents], names=list(parents))
    else:
        index = pd.Index(["(prior)"])
    return pd.DataFrame(flat, index=index, columns=pd.Index(cols, name=variable))
