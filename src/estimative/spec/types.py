"""The field types every part of a model file shares: ids, state names, probabilities, and the
frozen, closed base class of every spec object."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .evidence import QuoteTag

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=80)]
#: Variable ids are names as a file writes them: any text without control characters, '=' or
#: spaces at either end (``rain-fall``, ``2nd test``, Unicode names from GeNIe files). In a
#: dynamic model, the unrolled network's ids carry their slice, ``x@2018H1`` (see
#: :mod:`.timing`), so a dynamic model file's own ids may not hold ``@``.
VariableId = Annotated[
    str,
    Field(pattern=r"^[^\s=\x00-\x1f\x7f]([^=\x00-\x1f\x7f]*[^\s=\x00-\x1f\x7f])?$", max_length=160),
]
#: State names: any text without control characters or spaces at either end (``<7.5``,
#: ``>=7.5``, ``Less than 3``; quote names YAML would read otherwise, such as ``"yes"``, ``"0"``).
StateName = Annotated[
    str,
    Field(pattern=r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$", max_length=120),
]
#: Another name of a variable or state (its name in the file it was imported from, its label in
#: another tool): any text without control characters or spaces at either end, '=' allowed.
Alias = Annotated[
    str,
    Field(pattern=r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$", max_length=200),
]
#: Where a node is drawn, ``(x, y)`` with ``y`` growing downwards (screen coordinates, as GeNIe,
#: HUGIN and JavaBayes write them); only the relative placement matters.
Position = tuple[
    Annotated[float, Field(allow_inf_nan=False)], Annotated[float, Field(allow_inf_nan=False)]
]
#: The id of the alternative with no policy applied (the reference every policy is compared with).
BASELINE = "baseline"
#: Ids the command line, sweeps and the brief use for rows of their own; no policy or scenario
#: may take one (compared case-insensitively).
RESERVED_IDS: tuple[str, ...] = (BASELINE, "all", "optimal_rules")

Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Base):
    """A verbatim quote from a source document supporting a number or a claim."""

    source: Identifier
    quote: Annotated[str, Field(min_length=8)]
    note: str | None = None
    tag: QuoteTag | None = None
