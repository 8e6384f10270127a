"""Base rates: every reference class of a model with the dated events it counts, and what each
question or CPT made of it (the base rate over the use's period, the adjusted number, the
model's own); and the check that a question's stated adjustment is the model's answer.

The rules on the classes themselves (counts, windows, dates against ``as_of``) are static and
live in :mod:`estimative.spec.references`; this module needs inference, for the questions.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import Problem

if TYPE_CHECKING:
    from .network import Network
    from .spec import ModelSpec

__all__ = [
    "ReferenceRow",
    "ReferenceTable",
    "ReferenceUseRow",
    "check_references",
    "evidence_warnings",
    "reference_table",
]


#: How far a question's stated ``adjusted`` may sit from the model's answer (two decimals).
ADJUSTED_TOLERANCE = 0.015


@dataclass(frozen=True)
class ReferenceUseRow:
    """One use of a reference class: by a question (the model's answer) or by a CPT number."""

    user: str
    implied: float
    adjusted: float
    model: float
    reason: str


@dataclass(frozen=True)
class ReferenceRow:
    """One reference class: the events it counts (id, date, text, uncertain) and its uses."""

    id: str
    label: str
    start: _dt.date
    end: _dt.date
    per: str
    n: int
    out_of: float
    base_rate: float
    events: tuple[tuple[str, _dt.date, str, bool], ...]
    uses: tuple[ReferenceUseRow, ...]
    note: str | None = None
    trials: tuple[tuple[str, _dt.date, str, bool], ...] = ()
    fit: str = "close"


@dataclass(frozen=True)
class ReferenceTable(Sequence[ReferenceRow]):
    """Every reference class of a model, with its events and what each use made of it."""

    model: str
    model_hash: str
    as_of: _dt.date
    rows: tuple[ReferenceRow, ...]

    def __getitem__(self, i: int) -> ReferenceRow:  # type: ignore[override]
        return self.rows[i]

    def __len__(self) -> int:
        return len(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "model_hash": self.model_hash,
            "as_of": self.as_of.isoformat(),
            "references": [
                {
                    "id": r.id,
                    "label": r.label,
                    "window": [r.start.isoformat(), r.end.isoformat()],
                    "per": r.per,
                    "n": r.n,
                    "out_of": r.out_of,
                    "base_rate": r.base_rate,
                    "note": r.note,
                    "fit": r.fit,
                    "events": [
                        {"fact": f, "date": d.isoformat(), "text": t, "uncertain": u}
                        for f, d, t, u in r.events
                    ],
                    "trials": [
                        {"fact": f, "date": d.isoformat(), "text": t, "uncertain": u}
                        for f, d, t, u in r.trials
                    ],
                    "uses": [u.__dict__ for u in r.uses],
                }
                for r in self.rows
            ],
        }


def reference_table(net: Network) -> ReferenceTable:
    """Every reference class of the model, its events, and each question or CPT that uses it:
    the base rate as a probability over the use's period (from ``as_of`` to the question's
    horizon; for a CPT, to the latest horizon), the adjusted number and the model's.

    Parameters
    ----------
    net : Network
        A model with ``references:``.

    Returns
    -------
    ReferenceTable
        One row per reference class, in file order.

    Examples
    --------
    >>> from estimative import Network
    >>> t = reference_table(Network.from_file("models/korea_2017"))
    >>> r = next(r for r in t if r.id == "nuclear_tests_kim_era")
    >>> r.n, r.base_rate, [u.user for u in r.uses][:1]
    (3, 0.6, ['question Q02'])
    """
    from .spec.references import cpt_number, implied_probability

    spec = net.spec
    facts = {f.id: f for f in spec.background}
    last = max((q.horizon for q in spec.questions), default=spec.as_of)

    def years(until: _dt.date) -> float:
        return (until - spec.as_of).days / 365.25

    rows = []
    for ref in spec.references:
        uses = []
        for q in spec.questions:
            for u in q.references:
                if u.ref == ref.id:
                    uses.append(
                        ReferenceUseRow(
                            f"question {q.id}",
                            implied_probability(ref, years(q.horizon)),
                            u.adjusted,
                            float(net.probability(q.query)),
                            u.reason.strip(),
                        )
                    )
        for v in spec.variables:
            for u in v.cpt.references:
                if u.ref == ref.id:
                    at = f" at {u.applies_to}" if u.applies_to else ""
                    value = cpt_number(v.cpt, u.applies_to) if u.applies_to else None
                    uses.append(
                        ReferenceUseRow(
                            f"cpt {v.id}{at}",
                            implied_probability(ref, years(last)),
                            u.adjusted,
                            u.adjusted if value is None else value,
                            u.reason.strip(),
                        )
                    )

        def listed(ids: Sequence[str]) -> tuple[tuple[str, _dt.date, str, bool], ...]:
            return tuple(
                (f, facts[f].date, facts[f].text.strip(), facts[f].uncertain)
                for f in ids
                if f in facts
            )

        events = listed(ref.events)
        rows.append(
            ReferenceRow(
                ref.id,
                ref.label,
                ref.window.start,
                ref.window.end,
                ref.per,
                ref.n,
                ref.out_of,
                ref.base_rate,
                events,
                tuple(uses),
                ref.note,
                listed(ref.trials),
                ref.fit,
            )
        )
    return ReferenceTable(spec.name, spec.model_hash, spec.as_of, tuple(rows))


def check_references(net: Network) -> list[Problem]:
    """Every question whose reference class states an ``adjusted`` number the model does not
    give (more than :data:`ADJUSTED_TOLERANCE` away from its answer), located in the file.

    Parameters
    ----------
    net : Network
        The model.

    Returns
    -------
    list of Problem
        Empty when every adjustment lands on the model's answer.

    Examples
    --------
    >>> from estimative import Network
    >>> check_references(Network.from_file("models/korea_2017"))
    []
    """
    from .spec import problem_at

    out = []
    for i, q in enumerate(net.spec.questions):
        if not q.references:
            continue
        answer = float(net.probability(q.query))
        for j, u in enumerate(q.references):
            if abs(u.adjusted - answer) > ADJUSTED_TOLERANCE:
                out.append(
                    problem_at(
                        net.spec,
                        ("questions", i, "references", j, "adjusted"),
                        f"question {q.id}: adjusted is {u.adjusted:g} but the model answers {answer:.3f}",
                        fix="state the model's answer, or change the numbers it rests on",
                    )
                )
    return out


def evidence_warnings(spec: ModelSpec) -> list[Problem]:
    """Warnings (not errors): every CPT, not an assumption and with no reference class, whose
    only support is quotes tagged ``context``.

    Parameters
    ----------
    spec : ModelSpec
        A loaded model.

    Returns
    -------
    list of Problem
        One per such CPT, located in its file.

    Examples
    --------
    >>> from estimative import load_model
    >>> evidence_warnings(load_model("models/korea_2017"))
    []
    """
    from .spec import problem_at

    out = []
    for i, v in enumerate(spec.variables):
        tags = {c.tag for c in v.cpt.sources}
        if tags == {"context"} and not (v.cpt.references or v.cpt.assumption):
            out.append(
                problem_at(
                    spec,
                    ("variables", i, "cpt", "sources"),
                    f"the CPT of {v.id} rests only on context: no quote says which way or how much",
                    fix="cite a quote that supports the numbers, add a reference class, or mark it assumption: true",
                )
            )
    return out
