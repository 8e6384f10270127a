"""The prior of a verbal term: a Beta whose mean is the term's point value and whose central
mass (90% by default) lies inside the term's band.

A term of the ICD 203 scale names a band ("likely": 55-80%) and the model uses its midpoint.
A draw of the term must stay a plausible reading of the word, so its Beta is fitted to the
band: the concentration ``k`` of ``Beta(k m, k (1 - m))`` is solved (scipy's ``brentq`` on the
Beta CDF) so that ``P(low < X < high) = mass``. Fixing the mean keeps the mean of the draws
at the model's number; fixing the mass in the band keeps "likely" likely in 90% of the draws.
(PreliZ's ``maxent`` finds the maximum-entropy Beta with that mass in the band instead; its
mean is not the midpoint, so the draws' mean would drift from the model's number.)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

#: The share of a verbal term's draws that lies inside its band.
BAND_MASS = 0.9


@lru_cache(maxsize=256)
def _fit(mean: float, low: float, high: float, mass: float) -> float:
    from scipy import optimize, stats  # on first use: the command line starts without scipy

    def inside(logk: float) -> float:
        k = np.exp(logk)
        a, b = k * mean, k * (1 - mean)
        return float(stats.beta.cdf(high, a, b) - stats.beta.cdf(low, a, b)) - mass

    lo, hi = np.log(1e-2), np.log(1e9)
    if inside(hi) < 0:  # the band is too narrow to hold the mass at any strength
        return float(np.exp(hi))
    if inside(lo) > 0:
        return float(np.exp(lo))
    return float(np.exp(optimize.brentq(inside, lo, hi, xtol=1e-12, rtol=1e-12)))


def band_strength(mean: float, low: float, high: float, *, mass: float = BAND_MASS) -> float:
    """The concentration ``k`` of the Beta with mean ``mean`` and ``mass`` inside ``(low, high)``.

    Parameters
    ----------
    mean : float
        The Beta's mean (a verbal term's point value, strictly between 0 and 1).
    low, high : float
        The band.
    mass : float
        The probability the Beta puts inside the band.

    Returns
    -------
    float
        ``k``: the Beta is ``Beta(k mean, k (1 - mean))``.

    Examples
    --------
    >>> from scipy import stats
    >>> k = band_strength(0.675, 0.55, 0.80)
    >>> a, b = k * 0.675, k * 0.325
    >>> round(float(stats.beta.cdf(0.80, a, b) - stats.beta.cdf(0.55, a, b)), 6)
    0.9
    """
    if not (0.0 < mean < 1.0 and low < high):
        raise ValueError(f"need 0 < mean < 1 and low < high, got {mean}, {low}, {high}")
    return _fit(float(mean), float(low), float(high), float(mass))


def band_concentration(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Elementwise :func:`band_strength`: the ``a + b`` of each column's band-fitted Beta.

    >>> k = band_concentration(np.array([0.675]), np.array([0.55]), np.array([0.80]))
    >>> bool(np.isclose(k[0], band_strength(0.675, 0.55, 0.80)))
    True
    """
    m, lo, hi = np.broadcast_arrays(
        np.asarray(mean, float), np.asarray(low, float), np.asarray(high, float)
    )
    out = np.empty(m.shape)
    for idx in np.ndindex(m.shape):
        out[idx] = band_strength(float(m[idx]), float(lo[idx]), float(hi[idx]))
    return out
