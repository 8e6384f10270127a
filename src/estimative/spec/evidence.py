"""The evidence behind a model's numbers: dated background facts, reference classes that count
them into base rates, the use of a base rate by a question or a CPT, and the tag that says what
a quote does for its number. Part of the model file (see ``docs/model-format.md``)."""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=80)]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: What a quote does for the number it sits on: ``direction`` (says which way), ``magnitude``
#: (says how much: a likelihood word, a count, a size), ``context`` (background only).
QuoteTag = Literal["direction", "magnitude", "context"]


class BackgroundFact(_Base):
    """One dated fact of a background source: what happened, when, and where it is reported.

    A model's background facts are public before its ``as_of``; reference classes count them."""

    id: Identifier
    date: _dt.date
    text: Annotated[str, Field(min_length=8)]
    citation: Annotated[str, Field(min_length=8)]
    uncertain: bool = False
    note: str | None = None


class Window(_Base):
    """A closed period of dates: the span over which a reference class counts events."""

    start: _dt.date
    end: _dt.date

    @property
    def years(self) -> float:
        """Its length in years (365.25 days), both ends included."""
        return ((self.end - self.start).days + 1) / 365.25


class ReferenceClass(_Base):
    """A base rate from dated precedent: the events counted (background fact ids), the window,
    ``n`` (the number of events), what one opportunity is (``per``: ``year`` for a rate per
    year, else the name of a trial, with the trials listed), ``out_of`` (the number of
    opportunities), ``base_rate`` (= n / out_of), and ``fit``: ``close`` when the events are the
    kind the number is about, ``loose`` for an analogy (it then carries less strength)."""

    id: Identifier
    label: str
    events: list[Identifier] = Field(default_factory=list)
    n: Annotated[int, Field(ge=0)]
    window: Window
    per: str = "year"
    trials: list[Identifier] = Field(default_factory=list)
    out_of: Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
    base_rate: NonNegative
    fit: Literal["close", "loose"] = "close"
    note: str | None = None


class ReferenceUse(_Base):
    """A question's or a CPT's use of a reference class: the number the model holds after the
    adjustment, and why. ``applies_to`` (CPTs) names the number in the CPT, as a path such as
    ``noisy_or.leak`` or ``table[2].probs.yes``."""

    ref: Identifier
    adjusted: Probability
    reason: Annotated[str, Field(min_length=8)]
    applies_to: str | None = None
