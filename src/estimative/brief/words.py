"""Estimative language: probabilities as a scale's words, and the confidence rule.

A brief speaks one scale (ICD 203 or the UK PHIA yardstick, see :mod:`estimative.scales`),
never both. Each likelihood is written as the scale's word, its numeric range and the model's
number with its credible interval, because readers agree on what the words mean far better with
the range beside them (Wintle et al. 2019; Budescu et al. 2014):

    likely (55-80%): 68%, 90% interval 52-81%

Confidence is a separate judgment, written in its own sentence and never beside a likelihood
word (ICD 203, section D.6.b). It follows a fixed rule, :func:`confidence_for`:

- **Interval width** is measured on the log-odds scale, so a 1-6% interval counts as wide as a
  50-85% one: ``w = logit(high) - logit(low)``; ``exp(w)`` is how many times larger the odds
  are at the interval's upper end than at its lower end. *Narrow*: ``exp(w) <= 3``; *wide*:
  ``exp(w) > 10``; *medium* in between.
- **Assumption share** is the fraction of the judgment's total squared one-way sensitivity
  carried by parameters of CPTs that rest on analyst assumptions (a CPT marked
  ``assumption: true`` or citing no source) rather than on quoted sources. Each parameter's
  sensitivity is its *swing*: how far the judgment moves as that parameter crosses its own 90%
  credible range (:mod:`estimative.sensitivity.oneway`). Squared swings add up like
  first-order variance contributions, so the share approximates the part of the judgment's
  parameter uncertainty that comes from assumptions. *Mostly sourced*: share ``< 1/3``;
  *mostly assumed*: share ``> 2/3``.
- **High** confidence: a narrow interval and a mostly sourced judgment. **Low** confidence: a
  wide interval or a mostly assumed judgment. **Moderate** otherwise.

A judgment that no parameter moves (every parameter's swing is zero) has a share of 0.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import UsageError, did_you_mean
from ..scales import SCALES, Term, term_for
from ..scales import pct as pct  # the one percentage rule, re-exported
from ..scales import pct_number as pct_number

ScaleName = Literal["icd203", "phia"]

#: How each scale is named in a brief.
SCALE_TITLES: dict[str, str] = {
    "icd203": "ICD 203 (US Intelligence Community Directive 203, Analytic Standards)",
    "phia": "UK PHIA Probability Yardstick (Professional Head of Intelligence Assessment)",
}

#: The odds ratio between an interval's ends at or below which it counts as narrow.
NARROW_ODDS_RATIO = 3.0
#: The odds ratio above which it counts as wide.
WIDE_ODDS_RATIO = 10.0
#: Assumption share below which a judgment counts as mostly sourced.
SOURCED_SHARE = 1 / 3
#: Assumption share above which a judgment counts as mostly assumed.
ASSUMED_SHARE = 2 / 3

#: Every word of every scale, for tests and checks that a text keeps to one scale.
ALL_TERMS: dict[str, tuple[str, ...]] = {
    name: tuple(t.word for t in terms) for name, terms in SCALES.items()
}


def check_scale(scale: str) -> str:
    """Return ``scale`` if it names a known scale, else raise a :class:`UsageError`.

    >>> check_scale("phia")
    'phia'
    """
    if scale not in SCALES:
        raise UsageError(
            f"unknown scale '{scale}'{did_you_mean(scale, SCALES)}",
            field="scale",
            expected=f"one of {sorted(SCALES)}",
            found=repr(scale),
        )
    return scale


def scale_terms(scale: str) -> tuple[Term, ...]:
    """The scale's terms, from the lowest band to the highest.

    >>> [t.word for t in scale_terms("icd203")][:2]
    ['almost no chance', 'very unlikely']
    """
    return SCALES[check_scale(scale)]


def likelihood_term(p: float, *, scale: str) -> Term:
    """The scale's term for probability ``p`` (see :func:`estimative.scales.term_for`).

    >>> likelihood_term(0.68, scale="icd203").word
    'likely'
    >>> likelihood_term(0.85, scale="phia").word
    'highly likely'
    """
    return term_for(float(p), check_scale(scale))


def interval_text(low: float, high: float) -> str:
    """An interval as ``52-81%``.

    >>> interval_text(0.523, 0.808), interval_text(0.004, 0.031), interval_text(0.9996, 1.0)
    ('52-81%', '0.4-3%', '>99.9-100%')
    >>> interval_text(0.9995, 0.9999)
    '>99.9%'
    """
    lo, hi = pct_number(low), pct(high)
    return hi if lo + "%" == hi else f"{lo}-{hi}"


def likelihood_phrase(p: float, *, scale: str) -> str:
    """The scale's word for ``p`` with its range; a probability in one of the PHIA yardstick's
    deliberate gaps is named by the two terms around it, with the gap as its range.

    >>> likelihood_phrase(0.68, scale="icd203")
    'likely (55-80%)'
    >>> likelihood_phrase(0.22, scale="phia")
    'between highly unlikely and unlikely (20-25%)'
    """
    terms = scale_terms(scale)
    for lower, upper in itertools.pairwise(terms):
        if lower.high < p < upper.low:
            return (
                f"between {lower.word} and {upper.word} ({pct_number(lower.high)}-{pct(upper.low)})"
            )
    t = likelihood_term(p, scale=scale)
    return f"{t.word} ({t.range_text()})"


def likelihood_text(p: float, low: float, high: float, *, scale: str, level: float = 0.9) -> str:
    """The scale's word, its range, the model's number and its credible interval.

    >>> likelihood_text(0.68, 0.52, 0.81, scale="icd203")
    'likely (55-80%): 68%, 90% interval 52-81%'
    >>> likelihood_text(0.68, 0.52, 0.81, scale="phia")
    'likely (55-75%): 68%, 90% interval 52-81%'
    >>> likelihood_text(0.06, 0.01, 0.14, scale="phia")
    'between remote chance and highly unlikely (5-10%): 6%, 90% interval 1-14%'
    """
    return f"{likelihood_phrase(p, scale=scale)}: {judged_pct(p, scale=scale)}, {level_text(level)} interval {interval_text(low, high)}"


def judged_pct(p: float, *, scale: str) -> str:
    """:func:`pct`, with one more decimal when rounding would land on an edge of a band
    (19.6% is "very unlikely (5-20%)"; printed as "20%" a reader would expect the next word).

    >>> judged_pct(0.196, scale="icd203"), judged_pct(0.68, scale="icd203"), judged_pct(0.2, scale="icd203")
    ('19.6%', '68%', '20%')
    """
    text = pct(p)
    if p is None or not math.isfinite(p):
        return text
    edges = {round(100 * e, 6) for t in scale_terms(scale) for e in (t.low, t.high)}
    shown = pct_number(p)
    try:
        value = float(shown)
    except ValueError:
        return text
    if value in edges and abs(100 * p - value) > 1e-9:
        return f"{100 * p:.1f}%"
    return text


def level_text(level: float) -> str:
    """``0.9`` -> ``'90%'``.

    >>> level_text(0.9), level_text(0.95)
    ('90%', '95%')
    """
    return f"{100 * level:g}%"


# ------------------------------------------------------------------------------ confidence
@dataclass(frozen=True)
class Confidence:
    """A judgment's confidence level and the two inputs of the rule that set it."""

    level: Literal["low", "moderate", "high"]
    odds_ratio: float
    assumption_share: float

    @property
    def width(self) -> Literal["narrow", "medium", "wide"]:
        if self.odds_ratio <= NARROW_ODDS_RATIO:
            return "narrow"
        return "wide" if self.odds_ratio > WIDE_ODDS_RATIO else "medium"

    @property
    def basis(self) -> Literal["mostly sourced", "mixed", "mostly assumed"]:
        if self.assumption_share < SOURCED_SHARE:
            return "mostly sourced"
        return "mostly assumed" if self.assumption_share > ASSUMED_SHARE else "mixed"

    def sentence(self, *, level: float = 0.9) -> str:
        """The confidence sentence of a brief. It carries no likelihood word and no
        probability, so a likelihood and a confidence never share a sentence.

        >>> Confidence("moderate", 3.9, 0.42).sentence()
        'We have moderate confidence in this judgment: its 90% interval is medium (odds 3.9 times higher at the upper end than at the lower) and analyst assumptions carry 42% of its sensitivity to the numbers.'
        """
        odds = "not computable" if not math.isfinite(self.odds_ratio) else f"{self.odds_ratio:.1f}"
        return (
            f"We have {self.level} confidence in this judgment: its {level_text(level)} interval is "
            f"{self.width} (odds {odds} times higher at the upper end than at the lower) and "
            f"analyst assumptions carry {100 * self.assumption_share:.0f}% of its sensitivity to the numbers."
        )


def odds_ratio(low: float, high: float) -> float:
    """How many times larger the odds are at ``high`` than at ``low`` (``exp`` of the
    interval's log-odds width); ends at 0 or 1 are clipped to 1e-6 from the edge.

    >>> round(odds_ratio(0.5, 0.75), 6)
    3.0
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return float("inf")
    eps = 1e-6
    lo, hi = min(max(low, eps), 1 - eps), min(max(high, eps), 1 - eps)
    return (hi / (1 - hi)) / (lo / (1 - lo))


def confidence_for(low: float, high: float, assumption_share: float) -> Confidence:
    """The confidence rule (see the module docstring).

    >>> confidence_for(0.5, 0.7, 0.1).level          # narrow, mostly sourced
    'high'
    >>> confidence_for(0.5, 0.7, 0.5).level          # narrow, mixed
    'moderate'
    >>> confidence_for(0.01, 0.2, 0.1).level         # wide
    'low'
    >>> confidence_for(0.5, 0.7, 0.8).level          # mostly assumed
    'low'
    """
    r = odds_ratio(low, high)
    share = float(assumption_share)
    if r > WIDE_ODDS_RATIO or share > ASSUMED_SHARE:
        level: Literal["low", "moderate", "high"] = "low"
    elif r <= NARROW_ODDS_RATIO and share < SOURCED_SHARE:
        level = "high"
    else:
        level = "moderate"
    return Confidence(level, r, share)


def assumption_share(swings: Iterable[float], assumed: Iterable[bool]) -> float:
    """The fraction of total squared swing carried by parameters of assumption CPTs.

    >>> assumption_share([0.3, 0.4], [True, False])   # 0.09 / (0.09 + 0.16)
    0.36
    >>> assumption_share([0.0], [True])
    0.0
    """
    sq = [(float(s) ** 2, bool(a)) for s, a in zip(swings, assumed, strict=True)]
    total = sum(s for s, _ in sq)
    if not total > 0:
        return 0.0
    return sum(s for s, a in sq if a) / total


# ------------------------------------------------------------------------------ checks
def terms_used(text: str, scale: str) -> set[str]:
    """The scale's words that occur in ``text`` as whole phrases (case ignored). "unlikely"
    inside "highly unlikely" counts only as the longer phrase.

    >>> sorted(terms_used("Highly unlikely, and not unlikely either.", "phia"))
    ['highly unlikely', 'unlikely']
    """
    found: set[str] = set()
    low = text.lower()
    for word in sorted(ALL_TERMS[check_scale(scale)], key=len, reverse=True):
        pattern = r"(?<![a-z])" + re.escape(word) + r"(?![a-z])"
        if re.search(pattern, low):
            found.add(word)
            low = re.sub(pattern, " ", low)
    return found


def foreign_terms(text: str, scale: str) -> set[str]:
    """Words of the *other* scales in ``text`` that the chosen scale does not share.

    >>> sorted(foreign_terms("It is very unlikely.", "phia"))
    ['very unlikely']
    >>> foreign_terms("It is unlikely.", "phia")
    set()
    """
    own = set(ALL_TERMS[check_scale(scale)])
    out: set[str] = set()
    for other in ALL_TERMS:
        if other != scale:
            out |= {w for w in terms_used(text, other) if w not in own}
    return out


def sentence_case(label: str) -> str:
    """A label as the start of a sentence (first letter upper case).

    >>> sentence_case("an armed clash")
    'An armed clash'
    """
    return label[:1].upper() + label[1:] if label else label


def in_sentence(label: str) -> str:
    """A label inside a sentence: the first letter lower-cased unless the first word is an
    acronym or a name (a second capital letter, or a digit).

    >>> in_sentence("An armed clash"), in_sentence("US strike"), in_sentence("China cuts oil")
    ('an armed clash', 'US strike', 'China cuts oil')
    """
    first = label.split(" ", 1)[0] if label else ""
    if len(first) > 1 and (any(c.isupper() for c in first[1:]) or any(c.isdigit() for c in first)):
        return label
    if first in _PROPER:
        return label
    return label[:1].lower() + label[1:] if label else label


#: First words that stay capitalised inside a sentence.
_PROPER = frozenset(
    {
        "China",
        "Chinese",
        "Japan",
        "Japanese",
        "Korea",
        "Korean",
        "North",
        "South",
        "Seoul",
        "Pyongyang",
        "Washington",
        "Beijing",
        "Tokyo",
        "Moon",
        "Trump",
        "Kim",
        "Congress",
        "Kaesong",
        "American",
        "America",
        "Russia",
        "Russian",
        "I",
    }
)


def join_words(items: Sequence[str]) -> str:
    """``['a', 'b', 'c']`` -> ``'a, b and c'``.

    >>> join_words(["a"]), join_words(["a", "b", "c"])
    ('a', 'a, b and c')
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def points_text(x: float) -> str:
    """A difference of probabilities in percentage points, with a true minus sign.

    >>> points_text(0.042), points_text(-0.003), points_text(0.0001)
    ('+4.2', '\u22120.3', '0')
    """
    v = 100 * x
    if abs(v) < 0.05:
        return "0"
    return f"{v:+.1f}".replace("-", "\u2212")


def utility_text(x: float) -> str:
    """A utility for a reader: one decimal (none from 1,000 up), a true minus sign.

    >>> utility_text(-56.94), utility_text(12345.6), utility_text(float("nan"))
    ('\u221256.9', '12,346', 'n/a')
    """
    if not math.isfinite(x):
        return "n/a"
    text = f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"
    return text.replace("-", "\u2212")


def evidence_words(
    *,
    given: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    soft: Mapping[str, Mapping[str, float]] | None = None,
    sep: str = "; ",
) -> str:
    """Conditions as a brief's reader reads them: ``variable = state``, and soft evidence
    with each likelihood named by its state.

    This is the brief's one prose form of conditions, on purpose not
    :func:`estimative.spec.conditions_text` (``signal~[0.2, 0.8]``): a decision maker should
    not have to learn a notation, nor guess which state each likelihood belongs to. It writes
    the scenarios' evidence and the CPT columns of the key drivers.

    >>> evidence_words(given={"test": "yes"}, soft={"signal": {"no": 0.2, "yes": 0.8}})
    'test = yes; soft evidence on signal (likelihoods no 0.2 : yes 0.8)'
    >>> evidence_words(given=[("a", "x"), ("b", "y")], sep=", ")
    'a = x, b = y'
    """
    pairs = list(given.items()) if isinstance(given, Mapping) else list(given or ())
    parts = [f"{k} = {v}" for k, v in pairs]
    parts += [
        f"soft evidence on {k} (likelihoods "
        + " : ".join(f"{st} {x:g}" for st, x in lik.items())
        + ")"
        for k, lik in (soft or {}).items()
    ]
    return sep.join(parts)
