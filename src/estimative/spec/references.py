"""The rules of a model's evidence in time: sources and background facts dated no later than
``as_of``, questions whose horizon lies after it, reference classes whose counts add up, the
strength rule, and the warning on a CPT supported only by context.

The strength rule (written out in ``docs/model-format.md``): a CPT's ``strength`` is a number of
pseudo-observations, so it may not claim more evidence than the CPT has. Its quotes give at most
:data:`QUOTE_SUPPORT` of their best tag (an assumption gives :data:`ASSUMPTION_SUPPORT`, whatever
it quotes); a reference class adds the opportunities it observed (``out_of``, at most
:data:`MAX_PRECEDENT`; a quarter of them for an analogy, ``fit: loose``). A CPT with a reference class may not be held weaker than half of those.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import Problem, did_you_mean
from .evidence import ReferenceClass, ReferenceUse
from .locate import Locator, Path_
from .models import CptSpec, ModelSpec

#: The pseudo-observations a CPT's quotes can carry, by their best tag.
QUOTE_SUPPORT = {"magnitude": 10.0, "direction": 6.0, "context": 3.0}
#: What a CPT marked ``assumption: true`` can carry from its quotes.
ASSUMPTION_SUPPORT = 5.0
#: A reference class adds at most this many opportunities to a CPT's strength.
MAX_PRECEDENT = 30.0
#: The share of its opportunities a class of ``fit: loose`` (an analogy) adds.
LOOSE_FIT = 0.25
#: How close ``base_rate`` must be to ``n / out_of`` (it may be rounded to two or three places).
RATE_TOLERANCE = 0.005
#: How close a year window's ``out_of`` must be to its length in years.
YEARS_TOLERANCE = 0.1

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def source_date(text: str) -> _dt.date | None:
    """The first day a source's date can mean (``2017``, ``2017-05`` or ``2017-05-15``), or
    ``None`` when the text is not such a date.

    >>> source_date("2017-05"), source_date("2017"), source_date("May 2017")
    (datetime.date(2017, 5, 1), datetime.date(2017, 1, 1), None)
    """
    m = _DATE.match(text.strip())
    if m is None:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def implied_probability(ref: ReferenceClass, years: float) -> float:
    """The base rate as a probability over ``years``: for a rate per year, the chance of at
    least one event in that time (Poisson); for a share of trials, the share itself.

    >>> from estimative.spec import ReferenceClass
    >>> r = ReferenceClass(id="t", label="tests", n=3, window={"start": "2012-01-01",
    ...     "end": "2016-12-31"}, out_of=5, base_rate=0.6)
    >>> round(implied_probability(r, 1.0), 3)
    0.451
    """
    if ref.per == "year":
        return 1.0 - math.exp(-ref.base_rate * years)
    return float(ref.base_rate)


def cpt_number(cpt: CptSpec, path: str, names: Mapping[str, str] | None = None) -> float | None:
    """The number at ``path`` (``noisy_or.leak``, ``table[2].probs.yes``) in a CPT, or ``None``.

    ``names`` maps the parents' names as the template writes them (``tension``, ``tension@t-1``)
    to their names in an unrolled copy (``tension@2018H1``, ``tension@2017H2``), so a path
    written on a dynamic model's template finds its number in every copy.

    >>> from estimative.spec import CptSpec
    >>> cpt_number(CptSpec(noisy_or={"leak": 0.1, "causes": {"a": {"yes": 0.4}}}), "noisy_or.causes.a.yes")
    0.4
    >>> cpt_number(CptSpec(noisy_or={"leak": 0.1, "causes": {"a@2018H1": {"yes": 0.4}}}),
    ...            "noisy_or.causes.a.yes", names={"a": "a@2018H1"})
    0.4
    """
    cur: Any = cpt.model_dump()
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            i = int(part[1:-1])
            if not isinstance(cur, list) or i >= len(cur):
                return None
            cur = cur[i]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, dict) and names and names.get(part) in cur:
            cur = cur[names[part]]
        else:
            return None
    return float(cur) if isinstance(cur, (int, float)) and not isinstance(cur, bool) else None


def strength_bounds(
    cpt: CptSpec, classes: Mapping[str, ReferenceClass]
) -> tuple[float, float] | None:
    """``(floor, ceiling)`` of the strength rule for a CPT, or ``None`` when the rule does not
    apply (a CPT with untagged quotes and no reference class keeps the old defaults)."""
    tags = [c.tag for c in cpt.sources]
    if not cpt.references and (not tags or any(t is None for t in tags)):
        return None
    if cpt.assumption:
        support = ASSUMPTION_SUPPORT
    else:
        support = max((QUOTE_SUPPORT[t or "direction"] for t in tags), default=0.0)
    precedent = max(
        (
            min(classes[u.ref].out_of, MAX_PRECEDENT)
            * (LOOSE_FIT if classes[u.ref].fit == "loose" else 1.0)
            for u in cpt.references
            if u.ref in classes
        ),
        default=0.0,
    )
    return precedent / 2.0, support + precedent


def _fact_in(
    fid: str,
    facts: Mapping[str, _dt.date],
    ref: ReferenceClass,
    loc: Locator,
    path: Path_,
    problems: list[Problem],
) -> None:
    if fid not in facts:
        problems.append(
            loc.problem(
                path,
                f"reference class '{ref.id}' counts '{fid}', which is not a background fact"
                f"{did_you_mean(fid, facts)}",
                fix="add the fact (with its date and citation) to the background source",
            )
        )
    elif not ref.window.start <= facts[fid] <= ref.window.end:
        problems.append(
            loc.problem(
                path,
                f"'{fid}' ({facts[fid]}) falls outside the window of '{ref.id}'",
                expected=f"a date from {ref.window.start} to {ref.window.end}",
                fix="widen the window or drop the event",
            )
        )


def _check_class(
    i: int,
    ref: ReferenceClass,
    spec: ModelSpec,
    facts: Mapping[str, _dt.date],
    loc: Locator,
    problems: list[Problem],
) -> None:
    path = ("references", i)
    w = ref.window
    if w.end < w.start:
        problems.append(loc.problem((*path, "window"), "the window ends before it starts"))
    if w.end > spec.as_of:
        problems.append(
            loc.problem(
                (*path, "window", "end"),
                f"the window of '{ref.id}' ends after the model's as_of ({spec.as_of})",
                found=str(w.end),
                fix=f"count only events up to {spec.as_of}: the model may not use hindsight",
            )
        )
    for j, fid in enumerate(ref.events):
        _fact_in(fid, facts, ref, loc, (*path, "events", j), problems)
    for j, fid in enumerate(ref.trials):
        _fact_in(fid, facts, ref, loc, (*path, "trials", j), problems)
    if len(set(ref.events)) != len(ref.events):
        problems.append(loc.problem((*path, "events"), "an event is counted twice"))
    if ref.n != len(ref.events):
        problems.append(
            loc.problem(
                (*path, "n"),
                f"n is {ref.n} but {len(ref.events)} event(s) are listed",
                expected=str(len(ref.events)),
                found=str(ref.n),
                fix="n is the number of events listed under events:",
            )
        )
    if ref.per == "year":
        if abs(ref.out_of - w.years) > YEARS_TOLERANCE:
            problems.append(
                loc.problem(
                    (*path, "out_of"),
                    f"out_of is {ref.out_of:g} years but the window is {w.years:.2f} years long",
                    expected=f"{w.years:.2f}",
                    fix="for a rate per year, out_of is the window's length in years",
                )
            )
        if ref.trials:
            problems.append(
                loc.problem(
                    (*path, "trials"),
                    "a rate per year lists no trials",
                    fix="set per: to what one trial is, or remove trials:",
                )
            )
    else:
        if ref.trials and ref.out_of != len(ref.trials):
            problems.append(
                loc.problem(
                    (*path, "out_of"),
                    f"out_of is {ref.out_of:g} but {len(ref.trials)} trial(s) are listed",
                    expected=str(len(ref.trials)),
                )
            )
        if ref.n > ref.out_of:
            problems.append(
                loc.problem(
                    (*path, "n"),
                    f"{ref.n} events in {ref.out_of:g} trials: a share of trials is at most 1",
                )
            )
    rate = ref.n / ref.out_of
    if abs(ref.base_rate - rate) > RATE_TOLERANCE:
        problems.append(
            loc.problem(
                (*path, "base_rate"),
                f"base_rate {ref.base_rate:g} does not follow from n / out_of = "
                f"{ref.n} / {ref.out_of:g} = {rate:.4f}",
                expected=f"{rate:.3f}",
                found=f"{ref.base_rate:g}",
            )
        )


def template_names(var: str, parents: Sequence[str], labels: Sequence[str]) -> dict[str, str]:
    """The template's name of each parent of an unrolled copy ``var`` -> its unrolled name.

    >>> template_names("x@2018H1", ["p@2018H1", "p@2017H2", "s"], ["2017H2", "2018H1"])
    {'p': 'p@2018H1', 'p@t': 'p@2018H1', 'p@t-1': 'p@2017H2'}
    """
    _, _, label = var.partition("@")
    if label not in labels:
        return {}
    here = list(labels).index(label)
    out: dict[str, str] = {}
    for p in parents:
        base, _, at = p.partition("@")
        if at in labels:
            lag = here - list(labels).index(at)
            for name in [base, f"{base}@t"] if lag == 0 else [f"{base}@t-{lag}"]:
                out[name] = p
    return out


def _check_uses(
    uses: Sequence[ReferenceUse],
    classes: Mapping[str, ReferenceClass],
    cpt: CptSpec | None,
    loc: Locator,
    path: Path_,
    problems: list[Problem],
    names: Mapping[str, str] | None = None,
) -> None:
    for j, use in enumerate(uses):
        upath = (*path, "references", j)
        if use.ref not in classes:
            problems.append(
                loc.problem(
                    (*upath, "ref"),
                    f"unknown reference class '{use.ref}'{did_you_mean(use.ref, classes)}",
                    fix="define it under references:",
                )
            )
        if cpt is None or use.applies_to is None:
            continue
        value = cpt_number(cpt, use.applies_to, names)
        if value is None:
            problems.append(
                loc.problem(
                    (*upath, "applies_to"),
                    f"'{use.applies_to}' names no number of this CPT",
                    fix="a path such as noisy_or.leak, noisy_or.causes.<parent>.<state> or table[2].probs.yes",
                )
            )
        elif abs(value - use.adjusted) > 1e-9:
            problems.append(
                loc.problem(
                    (*upath, "adjusted"),
                    f"adjusted is {use.adjusted:g} but the CPT holds {value:g} at {use.applies_to}",
                    fix="state the number the CPT holds after the adjustment",
                )
            )


def check_evidence(spec: ModelSpec, loc: Locator, problems: list[Problem]) -> None:
    """Dates against ``as_of``, reference classes and their uses, the strength rule."""
    for i, doc in enumerate(spec.sources):
        if doc.date is None:
            continue
        day = source_date(doc.date)
        if day is None:
            problems.append(
                loc.problem(
                    ("sources", i, "date"),
                    f"bad date '{doc.date}'",
                    expected="YYYY, YYYY-MM or YYYY-MM-DD",
                )
            )
        elif day > spec.as_of:
            problems.append(
                loc.problem(
                    ("sources", i, "date"),
                    f"source '{doc.id}' is dated after the model's as_of ({spec.as_of})",
                    found=doc.date,
                    fix="the model knows only what was public by as_of: drop the source",
                )
            )
    facts: dict[str, _dt.date] = {}
    for i, fact in enumerate(spec.background):
        if fact.id in facts:
            problems.append(loc.problem(("background", i, "id"), f"duplicate fact '{fact.id}'"))
        facts.setdefault(fact.id, fact.date)
        if fact.date > spec.as_of:
            problems.append(
                loc.problem(
                    ("background", i, "date"),
                    f"background fact '{fact.id}' is dated after the model's as_of ({spec.as_of})",
                    found=str(fact.date),
                    fix="a background source holds only facts public by as_of: remove it",
                )
            )
    for i, q in enumerate(spec.questions):
        if q.horizon <= spec.as_of:
            problems.append(
                loc.problem(
                    ("questions", i, "horizon"),
                    f"question {q.id} closes on {q.horizon}, not after the model's as_of ({spec.as_of})",
                    fix="a forecast question asks about time after as_of",
                )
            )
    classes: dict[str, ReferenceClass] = {}
    for i, ref in enumerate(spec.references):
        if ref.id in classes:
            problems.append(
                loc.problem(("references", i, "id"), f"duplicate reference class '{ref.id}'")
            )
        classes.setdefault(ref.id, ref)
        _check_class(i, ref, spec, facts, loc, problems)
    for i, q in enumerate(spec.questions):
        _check_uses(q.references, classes, None, loc, ("questions", i), problems)
    labels = spec.time.labels if spec.time is not None else []
    for i, v in enumerate(spec.variables):
        names = template_names(v.id, v.parents, labels)
        _check_uses(v.cpt.references, classes, v.cpt, loc, ("variables", i, "cpt"), problems, names)
        bounds = strength_bounds(v.cpt, classes)
        if bounds is None or (v.cpt.form == "verbal" and v.cpt.strength is None):
            continue
        from .elicitation import default_strength

        s = default_strength(v.cpt)
        low, high = bounds
        if not low <= s <= high:
            given = "strength" if v.cpt.strength is not None else "the default strength"
            problems.append(
                loc.problem(
                    ("variables", i, "cpt", "strength"),
                    f"{given} {s:g} of {v.id} does not follow its evidence",
                    expected=f"from {low:g} to {high:g} (the strength rule, docs/model-format.md)",
                    found=f"{s:g}",
                    fix="set strength: within the range, or add the evidence that would carry it",
                )
            )
