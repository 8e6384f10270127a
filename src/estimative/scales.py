"""Verbal probability scales analysts are trained to use.

ICD 203 (ODNI, 2015) and the UK PHIA probability yardstick. Each term has a numeric band;
a model's verbal CPT maps a term to the midpoint of its band and keeps the band as the
parameter's uncertainty. Briefs map numbers back to words with :func:`term_for`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    word: str
    low: float
    high: float

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    def range_text(self) -> str:
        lo, hi = round(self.low * 100), round(self.high * 100)
        if lo == 0:
            return f"≤{hi}%"
        if hi == 100:
            return f"≥{lo}%"
        return f"{lo}-{hi}%"


ICD203: tuple[Term, ...] = (
    Term("almost no chance", 0.01, 0.05),
    Term("very unlikely", 0.05, 0.20),
    Term("unlikely", 0.20, 0.45),
    Term("roughly even chance", 0.45, 0.55),
    Term("likely", 0.55, 0.80),
    Term("very likely", 0.80, 0.95),
    Term("almost certain", 0.95, 0.99),
)

#: ICD 203's second row of terms, with the same bands.
ICD203_SYNONYMS: dict[str, str] = {
    "remote": "almost no chance",
    "highly improbable": "very unlikely",
    "improbable": "unlikely",
    "roughly even odds": "roughly even chance",
    "probable": "likely",
    "highly probable": "very likely",
    "nearly certain": "almost certain",
    "almost certainly": "almost certain",
}

PHIA: tuple[Term, ...] = (
    Term("remote chance", 0.0, 0.05),
    Term("highly unlikely", 0.10, 0.20),
    Term("unlikely", 0.25, 0.35),
    Term("realistic possibility", 0.40, 0.50),
    Term("likely", 0.55, 0.75),
    Term("highly likely", 0.80, 0.90),
    Term("almost certain", 0.95, 1.0),
)

SCALES: dict[str, tuple[Term, ...]] = {"icd203": ICD203, "phia": PHIA}


def icd203_term(word: str) -> Term | None:
    """The ICD 203 term for a word of either row, case and spacing ignored.

    >>> icd203_term("Likely").midpoint
    0.675
    >>> icd203_term("highly probable").word
    'very likely'
    """
    key = " ".join(str(word).lower().replace("_", " ").replace("-", " ").split())
    key = ICD203_SYNONYMS.get(key, key)
    for t in ICD203:
        if t.word == key:
            return t
    return None


def term_for(p: float, scale: str = "icd203") -> Term:
    """The scale's term for probability ``p``.

    Bands that share an edge give the edge to the band nearer 50% (so 0.80 is "likely", not
    "very likely"; 0.20 is "unlikely"); PHIA's deliberate gaps go to the nearest band; values
    outside the scale's ends take the end terms.

    >>> term_for(0.68).word
    'likely'
    >>> term_for(0.8).word
    'likely'
    >>> term_for(0.37, "phia").word
    'unlikely'
    """
    terms = SCALES[scale]
    inside = [t for t in terms if t.low <= p <= t.high]
    if inside:
        return min(inside, key=lambda t: abs(t.midpoint - 0.5))
    return min(terms, key=lambda t: min(abs(p - t.low), abs(p - t.high)))


def pct(p: float) -> str:
    """A probability as a percentage for a reader: whole percent between 1% and 99%, one
    decimal nearer the ends, and ``<0.1%`` / ``>99.9%`` beyond.

    >>> pct(0.6789), pct(0.0042), pct(0.00001), pct(0.9951), pct(float("nan")), pct(0.0), pct(1.0)
    ('68%', '0.4%', '<0.1%', '99.5%', 'n/a', '0%', '100%')
    """
    if p is None or not math.isfinite(p):
        return "n/a"
    return pct_number(p) + "%"


def pct_number(p: float) -> str:
    """:func:`pct` without the percent sign (for the lower end of a range).

    >>> pct_number(0.52), pct_number(0.004)
    ('52', '0.4')
    """
    if p is None or not math.isfinite(p):
        return "n/a"
    x = 100.0 * float(p)
    if x == 0.0 or x == 100.0:
        return f"{x:.0f}"
    if x < 0.1:
        return "<0.1"
    if x > 99.9:
        return ">99.9"
    if x < 0.995 or x > 99.0:
        # One decimal near the ends; values between 0.995 and 1 round to "1.0" -> show "1".
        s = f"{x:.1f}"
        return "1" if s == "1.0" else s
    return f"{x:.0f}"
