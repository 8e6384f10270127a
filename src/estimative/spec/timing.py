"""Time in a model file: the slices (``time:``), slice references in names (``x@t-1``,
``x@2018H1``, ``x@2017H2..2018H2``) and the rules of policies that react (``react:``).

A dynamic model is written once, as a template (two-slice CPTs, as in a 2TBN, with per-slice
CPTs where the analyst needs them), and unrolled into an ordinary network by
:mod:`estimative.spec.unroll`; every analysis runs on the unrolled network.

>>> parse_lag("tension@t-1"), parse_lag("tension"), parse_lag("tension@t")
(('tension', 1), ('tension', 0), ('tension', 0))
>>> split_slice("clash@2018H1"), split_slice("clash@2017H2..2018H2"), split_slice("clash")
(('clash', '2018H1'), ('clash', '2017H2..2018H2'), ('clash', None))
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: A slice label: letters, digits, _ . + - (no '@' and no '..': those mark slices and windows).
SliceLabel = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_+\-]*(\.[A-Za-z0-9_+\-]+)*$")]

_LAG = re.compile(r"^(?P<var>[^@]+)@t(?:-(?P<lag>[0-9]+))?$")


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeSpec(_Base):
    """The slices of a dynamic model: each slice's last day and its label.

    The first slice runs from the model's ``as_of`` to ``slices[0]``; slice ``i`` runs from the
    day after ``slices[i-1]`` to ``slices[i]``. ``discount`` weighs the utility of slice ``i``
    by ``discount**i`` (1: every slice counts alike).

    >>> TimeSpec(slices=["2017-12-31", "2018-06-30"], labels=["2017H2", "2018H1"]).labels
    ['2017H2', '2018H1']
    """

    slices: Annotated[list[_dt.date], Field(min_length=1)]
    labels: Annotated[list[SliceLabel], Field(min_length=1)]
    discount: Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)] = 1.0
    description: str = ""

    @model_validator(mode="after")
    def _shape(self) -> TimeSpec:
        if len(self.labels) != len(self.slices):
            raise ValueError(
                f"labels has {len(self.labels)} entries and slices {len(self.slices)}: "
                "give one label per slice"
            )
        if len(set(self.labels)) != len(self.labels):
            raise ValueError("a slice label is used twice: give each slice its own label")
        for a, b in zip(self.slices, self.slices[1:], strict=False):
            if b <= a:
                raise ValueError(f"slices must end on increasing dates: {b} follows {a}")
        return self

    def starts(self, as_of: _dt.date) -> list[_dt.date]:
        """The first day of each slice, given the model's ``as_of``."""
        return [as_of, *(d + _dt.timedelta(days=1) for d in self.slices[:-1])]

    def index(self, label: str) -> int:
        """The position of the slice ``label`` (``ValueError`` when there is none)."""
        return self.labels.index(label)

    def window(self, label: str) -> tuple[int, int] | None:
        """``"A..B"`` as the slice positions ``(a, b)``, ``a <= b``; ``None`` if not a window of
        this model's slices."""
        first, sep, last = label.partition("..")
        if not sep or first not in self.labels or last not in self.labels:
            return None
        a, b = self.labels.index(first), self.labels.index(last)
        return (a, b) if a <= b else None

    def window_label(self, a: int, b: int) -> str:
        """The label of the window from slice ``a`` to slice ``b``: ``"A..B"``."""
        return f"{self.labels[a]}..{self.labels[b]}"

    def slices_in(self, start: _dt.date, end: _dt.date, as_of: _dt.date) -> tuple[int, int] | str:
        """The slices a date window covers, ``(a, b)``; or, when its ends do not fall on slice
        boundaries, a sentence saying which boundaries there are."""
        starts = self.starts(as_of)
        a = next((i for i, s in enumerate(starts) if s == start), None)
        if a is None:  # the day a slice ends is also accepted as the start of the next
            a = next((i + 1 for i, d in enumerate(self.slices[:-1]) if d == start), None)
        b = next((i for i, d in enumerate(self.slices) if d == end), None)
        if a is None or b is None or a > b:
            return (
                "a window must open on the first day of a slice ("
                + ", ".join(str(s) for s in starts)
                + ") and close on the last day of one ("
                + ", ".join(str(d) for d in self.slices)
                + ")"
            )
        return a, b


class RuleSpec(_Base):
    """A reacting instrument: in each slice, ``set`` the variable to a state when every
    condition of ``when`` holds (conditions name earlier slices, ``x@t-1``, or the same
    slice, ``x@t``, or a variable that does not change over time); otherwise the variable
    takes the state ``otherwise`` gives, or, without ``otherwise``, follows its own CPT.

    A condition on a slice before the first (``x@t-1`` in the first slice) does not hold.
    ``slices`` limits the rule to those slices (default: every slice).

    >>> RuleSpec(set={"us_strike": "yes"}, when={"nk_icbm_test@t-1": "yes"},
    ...          otherwise={"us_strike": "no"}).when
    {'nk_icbm_test@t-1': ['yes']}
    """

    set: dict[str, str]
    when: dict[str, list[str]]
    otherwise: dict[str, str] | None = None
    slices: list[str] | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _states_as_lists(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("when"), dict):
            data = dict(data)
            data["when"] = {k: [v] if isinstance(v, str) else v for k, v in data["when"].items()}
        return data

    @model_validator(mode="after")
    def _shape(self) -> RuleSpec:
        if len(self.set) != 1:
            raise ValueError("a rule sets exactly one variable: write one rule per instrument")
        if not self.when:
            raise ValueError("a rule needs at least one condition under when: (else use do:)")
        if self.otherwise is not None and set(self.otherwise) != set(self.set):
            raise ValueError("otherwise must give a state for the variable the rule sets")
        return self

    @property
    def variable(self) -> str:
        """The variable the rule sets."""
        return next(iter(self.set))

    @property
    def state(self) -> str:
        """The state the rule sets when its conditions hold."""
        return self.set[self.variable]

    @property
    def fallback(self) -> str | None:
        """The state when the conditions fail (``None``: the variable's own CPT)."""
        return None if self.otherwise is None else self.otherwise[self.variable]

    @property
    def text(self) -> str:
        """The rule in words.

        >>> RuleSpec(set={"x@B": "yes"}, when={"y@A": "yes"}, otherwise={"x@B": "no"}).text
        'x@B=yes if y@A=yes, else no'
        """
        cond = " and ".join(
            f"{c}={s[0]}" if len(s) == 1 else f"{c} in {{{','.join(s)}}}"
            for c, s in self.when.items()
        )
        tail = "" if self.fallback is None else f", else {self.fallback}"
        return f"{self.variable}={self.state} if {cond}{tail}"


def parse_lag(name: str) -> tuple[str, int]:
    """``"x@t-2"`` -> ``("x", 2)``; ``"x@t"`` and ``"x"`` -> ``("x", 0)``; a name with another
    ``@`` suffix -> ``(name, -1)`` (not a template reference)."""
    if "@" not in name:
        return name, 0
    m = _LAG.match(name)
    if m is None:
        return name, -1
    return m.group("var"), int(m.group("lag") or 0)


def split_slice(name: str) -> tuple[str, str | None]:
    """``"x@L"`` -> ``("x", "L")``; ``"x"`` -> ``("x", None)``."""
    var, sep, label = name.partition("@")
    return (var, label) if sep else (name, None)


def slice_id(var: str, label: str) -> str:
    """The id of ``var`` in the slice (or window) ``label``: ``"var@label"``."""
    return f"{var}@{label}"
