"""Frozen, validated description of a model: what ``load_model`` returns.

The classes mirror the model file (see ``docs/model-format.md``). Unknown keys are refused, so a
misspelt field is an error rather than silently ignored; new optional fields can be added by
later versions without breaking existing files.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from ..errors import QueryError, did_you_mean
from .analysts import AnalystSpec, LearnedFrom
from .timing import RuleSpec, TimeSpec

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=80)]
#: Variable ids may also hold dots and dashes (networks imported from other tools use them).
#: In a dynamic model, the unrolled network's ids carry their slice: ``x@2018H1`` (see
#: :mod:`.timing`); a model file's own ids may not hold ``@``.
VariableId = Annotated[
    str,
    Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.\-]*(@[A-Za-z0-9_.+\-]+)?$", max_length=160),
]
#: State names: letters, digits, _ . + - (no spaces, '=' or ','; quote numeric names in YAML).
#: The id of the alternative with no policy applied (the reference every policy is compared with).
BASELINE = "baseline"

StateName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.+\-]*$", max_length=120)]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceDoc(_Base):
    """A document the model cites. ``path`` is relative to the model folder."""

    id: Identifier
    path: str
    title: str | None = None
    author: str | None = None
    date: str | None = None


class Citation(_Base):
    """A verbatim quote from a source document supporting a number or a claim."""

    source: Identifier
    quote: Annotated[str, Field(min_length=8)]
    note: str | None = None


class TableRow(_Base):
    """One row of a full CPT: the parents' states by name, and the child's distribution."""

    when: dict[str, str] = Field(default_factory=dict)
    probs: dict[str, float]


class VerbalRow(_Base):
    """One row of a verbal CPT: a term of the ICD 203 scale for the event state."""

    when: dict[str, str] = Field(default_factory=dict)
    term: str


class NoisyOrSpec(_Base):
    """Binary child; ``causes[parent][state]`` is P(child present | this parent state, all other
    parents absent), the leak included (Diez's parameterisation)."""

    leak: Probability
    causes: dict[str, dict[str, Probability]]
    absent: dict[str, str] = Field(default_factory=dict)


class NoisyMaxSpec(_Base):
    """Graded child (states in increasing order); ``leak`` is the child's distribution with
    every cause absent; ``causes[parent][state]`` the child's distribution with only that cause
    present (Diez's parameterisation)."""

    leak: dict[str, Probability]
    causes: dict[str, dict[str, dict[str, Probability]]]
    absent: dict[str, str] = Field(default_factory=dict)


class CptSpec(_Base):
    """A conditional probability table in one of four forms, with its provenance."""

    table: list[TableRow] | dict[str, float] | None = None
    noisy_or: NoisyOrSpec | None = None
    noisy_max: NoisyMaxSpec | None = None
    verbal: list[VerbalRow] | str | None = None
    event: str | None = None
    normalize: bool = False
    sources: list[Citation] = Field(default_factory=list)
    assumption: bool = False
    rationale: str | None = None
    strength: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] | None = None
    analyst: Identifier | None = None  # several analysts (.analysts): elicitations pooled
    elicitations: list[CptSpec] = Field(default_factory=list)
    pool: Literal["linear", "log"] = "linear"
    learned: LearnedFrom | None = None  # updated from cases; the elicited CPT is the prior
    prior: CptSpec | None = None

    @property
    def form(self) -> str:
        for name in ("table", "noisy_or", "noisy_max", "verbal"):
            if getattr(self, name) is not None:
                return name
        return "pooled" if self.elicitations else "none"

    @property
    def sourced(self) -> bool:
        """True when the numbers rest on at least one quote and are not marked an assumption
        (a pooled CPT: when every elicitation does, or the CPT itself)."""
        if self.elicitations and not self.sources:
            return all(e.sourced for e in self.elicitations) and not self.assumption
        return bool(self.sources) and not self.assumption


class VariableSpec(_Base):
    """A discrete variable with ordered states, its parents and its CPT."""

    id: VariableId
    label: str
    description: str = ""
    states: list[StateName]
    parents: list[str] = Field(default_factory=list)
    kind: Literal["chance", "decision"] = "chance"
    observes: list[str] = Field(default_factory=list)
    cpt: CptSpec
    #: Dynamic models: the CPT of the first slice (parents without a lag only), the CPTs of
    #: named slices that differ from ``cpt``, and whether the variable is the same in every
    #: slice (``static``: one copy, no ``@slice`` in its id).
    initial: CptSpec | None = None
    slices: dict[str, CptSpec] = Field(default_factory=dict)
    static: bool = False
    _table: np.ndarray | None = PrivateAttr(default=None)
    _bands: np.ndarray | None = PrivateAttr(default=None)

    @property
    def table(self) -> np.ndarray:
        """The full CPT, shape ``(len(states), *parent cardinalities)``; columns sum to 1."""
        if self._table is None:
            raise RuntimeError(
                f"variable {self.id!r} was not expanded; build specs with load_model"
            )
        return self._table

    @property
    def bands(self) -> np.ndarray | None:
        """For verbal CPTs: the (low, high) band of the event state's probability per column,
        shape ``(2, *parent cardinalities)``; ``None`` otherwise."""
        return self._bands


class PolicySpec(_Base):
    """A named set of do() assignments, and (in a dynamic model) rules that set an instrument
    in reaction to what happened in earlier slices (``react``)."""

    id: Identifier
    label: str
    description: str = ""
    do: dict[str, str] = Field(default_factory=dict)
    react: list[RuleSpec] = Field(default_factory=list)
    rationale: str | None = None
    sources: list[Citation] = Field(default_factory=list)


class ScenarioSpec(_Base):
    """A named set of evidence: hard (a state) or soft (a likelihood per state)."""

    id: Identifier
    label: str
    description: str = ""
    given: dict[str, str] = Field(default_factory=dict)
    soft: dict[str, dict[str, NonNegative]] = Field(default_factory=dict)
    rationale: str | None = None
    sources: list[Citation] = Field(default_factory=list)


class EventSpec(_Base):
    """An event over several variables: ``all_of`` a conjunction of ``{variable: state}``;
    ``any_of`` a union of such conjunctions."""

    all_of: dict[str, str] | None = None
    any_of: list[dict[str, str]] | None = None

    @model_validator(mode="after")
    def _one(self) -> EventSpec:
        if (self.all_of is None) == (self.any_of is None):
            raise ValueError("give exactly one of all_of or any_of")
        return self

    def terms(self) -> list[dict[str, str]]:
        return [self.all_of] if self.all_of is not None else list(self.any_of or [])


class QueryRef(_Base):
    """A probability the model can compute: P(target in states | given, soft; do, policy,
    scenario), or P(event | ...)."""

    target: str | None = None
    state: str | None = None
    states: list[str] | None = None
    event: EventSpec | None = None
    given: dict[str, str] = Field(default_factory=dict)
    soft: dict[str, dict[str, NonNegative]] = Field(default_factory=dict)
    do: dict[str, str] = Field(default_factory=dict)
    policy: str | None = None
    scenario: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> QueryRef:
        if self.event is not None:
            if self.target is not None or self.state is not None or self.states is not None:
                raise ValueError("give either event or target/state, not both")
        else:
            if self.target is None:
                raise ValueError("give target (with state or states) or event")
            if (self.state is None) == (self.states is None):
                raise ValueError("give exactly one of state or states with target")
        return self

    def target_states(self) -> list[str]:
        return [self.state] if self.state is not None else list(self.states or [])


class ClaimSpec(_Base):
    """A directional claim of a source, as a checkable comparison of two model queries."""

    id: Identifier
    text: str
    source: Identifier
    quote: Annotated[str, Field(min_length=8)]
    left: QueryRef
    op: Literal[">", "<", ">=", "<="]
    right: QueryRef | Probability


class QuestionSpec(_Base):
    """A forecast question answered from the model's baseline.

    In a dynamic model, ``window: [first day, last day]`` makes the question the event over
    the slices the window covers (the target in any of them); ``horizon`` is then the
    window's last day unless given."""

    id: Identifier
    text: str
    resolution: str
    horizon: _dt.date
    query: QueryRef
    window: tuple[_dt.date, _dt.date] | None = None
    rationale: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _horizon_from_window(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("horizon") is None and data.get("window"):
            window = data["window"]
            if isinstance(window, list | tuple) and len(window) == 2:
                data = {**data, "horizon": window[1]}
        return data

    @field_validator("query")
    @classmethod
    def _baseline(cls, q: QueryRef) -> QueryRef:
        if q.do or q.policy or q.given or q.soft or q.scenario:
            raise ValueError(
                "a forecast question is answered from the baseline: no do, policy, given, soft or scenario"
            )
        return q


class OutcomeSpec(_Base):
    """A headline outcome: shown in tables and briefs."""

    id: Identifier
    label: str
    target: str
    state: str
    impact: Literal["low", "moderate", "high"] = "moderate"


class UtilityRow(_Base):
    """One row of a utility table: a state for each variable of the attribute, and its value."""

    when: dict[str, str]
    value: Annotated[float, Field(allow_inf_nan=False)]


class AttributeSpec(_Base):
    """One attribute of a multi-attribute utility: a value (for example on a 0-100 scale) for
    every combination of the states of the variables in ``over``, and the attribute's weight.

    ``values`` is a mapping ``{state: value}`` when ``over`` names one variable, or a list of
    rows ``{when: {variable: state, ...}, value: v}`` covering every combination.

    In a dynamic model, ``at`` says when the attribute is valued: in ``each`` slice (the
    attribute counts once per slice, weighted by the model's discount, so the weights add up
    to ``weight``), at the ``last`` slice, or over the ``horizon`` (the highest state each
    variable reaches in any slice).
    """

    id: VariableId
    label: str
    description: str = ""
    over: Annotated[list[str], Field(min_length=1)]
    values: dict[str, Annotated[float, Field(allow_inf_nan=False)]] | list[UtilityRow]
    weight: NonNegative
    rationale: str
    at: Literal["each", "last", "horizon"] = "each"
    sources: list[Citation] = Field(default_factory=list)
    _table: np.ndarray | None = PrivateAttr(default=None)

    @property
    def table(self) -> np.ndarray:
        """The values as an array with one axis per variable of ``over`` (states in model order)."""
        if self._table is None:
            raise RuntimeError(
                f"attribute {self.id!r} was not expanded; build specs with load_model"
            )
        return self._table

    def expand(
        self, states: Mapping[str, Sequence[str]]
    ) -> tuple[np.ndarray | None, list[tuple[tuple[str | int, ...], str, dict[str, Any]]]]:
        """The value table, and the problems found (path relative to the attribute, message,
        extra fields), given every variable's states."""
        issues: list[tuple[tuple[str | int, ...], str, dict[str, Any]]] = []
        for j, v in enumerate(self.over):
            if v not in states:
                issues.append(
                    (
                        ("over", j),
                        f"unknown variable '{v}'{did_you_mean(v, states)}",
                        {"fix": "name a variable the model defines"},
                    )
                )
        if len(set(self.over)) != len(self.over):
            issues.append((("over",), "a variable is listed twice", {"found": str(self.over)}))
        if issues:
            return None, issues
        over = list(self.over)
        out = np.full(tuple(len(states[v]) for v in over), np.nan)
        if isinstance(self.values, dict):
            if len(over) != 1:
                issues.append(
                    (
                        ("values",),
                        "a mapping of states gives values over one variable only",
                        {
                            "expected": "a list of rows {when: {...}, value: v}",
                            "fix": "write one row per combination of the states of "
                            + ", ".join(over),
                        },
                    )
                )
                return None, issues
            var = over[0]
            for s, val in self.values.items():
                if s not in states[var]:
                    issues.append(
                        (
                            ("values", s),
                            f"'{s}' is not a state of '{var}'{did_you_mean(s, states[var])}",
                            {"expected": f"one of {list(states[var])}", "found": repr(s)},
                        )
                    )
                else:
                    out[states[var].index(s)] = float(val)
        else:
            seen: dict[tuple[str, ...], int] = {}
            for i, row in enumerate(self.values):
                ok = True
                for k in row.when:
                    if k not in over:
                        issues.append(
                            (
                                ("values", i, "when", k),
                                f"'{k}' is not a variable of this attribute{did_you_mean(k, over)}",
                                {
                                    "expected": f"one of {over}",
                                    "fix": "add it to over: or remove it",
                                },
                            )
                        )
                        ok = False
                for v in over:
                    if v not in row.when:
                        issues.append(
                            (
                                ("values", i, "when"),
                                f"row does not give a state for '{v}'",
                                {"fix": f"add {v}: <state> to when"},
                            )
                        )
                        ok = False
                    elif row.when[v] not in states[v]:
                        s = row.when[v]
                        issues.append(
                            (
                                ("values", i, "when", v),
                                f"'{s}' is not a state of '{v}'{did_you_mean(s, states[v])}",
                                {"expected": f"one of {list(states[v])}", "found": repr(s)},
                            )
                        )
                        ok = False
                if not ok:
                    continue
                key = tuple(row.when[v] for v in over)
                if key in seen:
                    issues.append(
                        (
                            ("values", i, "when"),
                            f"duplicate row {_fmt_combo(over, key)}",
                            {"fix": f"remove this row or the one at values[{seen[key]}]"},
                        )
                    )
                    continue
                seen[key] = i
                out[tuple(states[v].index(s) for v, s in zip(over, key, strict=True))] = row.value
        if not issues and np.isnan(out).any():
            missing = [
                tuple(states[v][k] for v, k in zip(over, idx, strict=True))
                for idx in zip(*np.nonzero(np.isnan(out)), strict=True)
            ]
            shown = ", ".join(_fmt_combo(over, m) for m in missing[:4]) + (
                f" and {len(missing) - 4} more" if len(missing) > 4 else ""
            )
            issues.append(
                (
                    ("values",),
                    f"no value for {shown}",
                    {
                        "expected": f"{out.size} values, one per combination of the states of {', '.join(over)}",
                        "found": f"{out.size - len(missing)}",
                        "fix": "add a value for each missing combination",
                    },
                )
            )
        return (None if issues else out), issues


def _fmt_combo(variables: Sequence[str], states: Sequence[str]) -> str:
    return "(" + ", ".join(f"{v}={s}" for v, s in zip(variables, states, strict=True)) + ")"


class UtilitySpec(_Base):
    """A multi-attribute utility: an outcome is worth the sum over attributes of weight x value.

    Weights are used as given (they need not sum to 1); ``unit`` names the scale of the total.
    """

    unit: str = "utility points"
    description: str = ""
    attributes: Annotated[list[AttributeSpec], Field(min_length=1)]

    def attribute(self, aid: str) -> AttributeSpec:
        for a in self.attributes:
            if a.id == aid:
                return a
        raise KeyError(aid)

    @property
    def weights(self) -> dict[str, float]:
        """Each attribute's weight as given in the model file."""
        return {a.id: float(a.weight) for a in self.attributes}


class ModelSpec(_Base):
    """A whole model: metadata, variables, policies, scenarios, claims, questions, outcomes.

    What :func:`~estimative.load_model` returns: frozen, every rule checked, every CPT
    expanded (``variable(id).table``), hashed by content (``model_hash``).

    >>> from estimative import load_model
    >>> spec = load_model("models/example")
    >>> spec.title, len(spec.variables), spec.variable("armed_clash").table.shape
    ('Miscalculation on the Korean Peninsula, in miniature', 5, (2, 2))
    """

    format: Literal["estimative/1"] = "estimative/1"
    title: str
    description: str = ""
    as_of: _dt.date
    authors: list[str] = Field(default_factory=list)
    analysts: list[AnalystSpec] = Field(default_factory=list)
    sources: list[SourceDoc] = Field(default_factory=list)
    variables: list[VariableSpec]
    policies: list[PolicySpec] = Field(default_factory=list)
    scenarios: list[ScenarioSpec] = Field(default_factory=list)
    claims: list[ClaimSpec] = Field(default_factory=list)
    questions: list[QuestionSpec] = Field(default_factory=list)
    outcomes: list[OutcomeSpec] = Field(default_factory=list)
    utilities: UtilitySpec | None = None
    time: TimeSpec | None = None
    _root: str | None = PrivateAttr(default=None)
    _template: Any = PrivateAttr(default=None)
    _ties: dict[str, str] = PrivateAttr(default_factory=dict)
    _name: str | None = PrivateAttr(default=None)
    _locator: Any = PrivateAttr(default=None)
    _hash: str | None = PrivateAttr(default=None)

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> ModelSpec:
        """A copy; its content hash is computed afresh (a copy may differ in content)."""
        new = super().model_copy(update=update, deep=deep)
        new._hash = None
        return new

    @property
    def root(self) -> str | None:
        """The folder the model was loaded from (``None`` for a model built in memory)."""
        return self._root

    @property
    def name(self) -> str:
        return self._name or "model"

    @property
    def template(self) -> ModelSpec | None:
        """For a dynamic model (one with ``time:``), the model as written: variables once, with
        their two-slice CPTs; ``None`` for a model without time. The spec itself is the
        unrolled network (ids ``x@slice``) every analysis runs on."""
        return self._template

    @property
    def ties(self) -> dict[str, str]:
        """For a dynamic model: each unrolled copy's CPT as written once, ``{"x@2018H1":
        "x.cpt"}`` (``x.initial``, ``x.slices.2018H2``). Copies with the same key share one
        table, and their parameter draws and sensitivity move together."""
        return dict(self._ties)

    @property
    def dynamic(self) -> bool:
        """True for a model with time slices."""
        return self.time is not None

    def variable(self, vid: str) -> VariableSpec:
        """The variable ``vid``; :class:`~estimative.errors.QueryError` (with a did-you-mean
        and the valid ids) when the model has none of that name."""
        for v in self.variables:
            if v.id == vid:
                return v
        ids = [v.id for v in self.variables]
        raise QueryError(
            f"unknown variable '{vid}'{did_you_mean(str(vid), ids)}",
            expected=f"one of {ids}",
            fix="name a variable of the model (estimative show lists them)",
        )

    def policy(self, pid: str) -> PolicySpec:
        """The policy ``pid``; :class:`~estimative.errors.QueryError` when there is none."""
        for p in self.policies:
            if p.id == pid:
                return p
        ids = [p.id for p in self.policies]
        raise QueryError(
            f"unknown policy '{pid}'{did_you_mean(str(pid), ids)}", expected=f"one of {ids}"
        )

    def scenario(self, sid: str) -> ScenarioSpec:
        """The scenario ``sid``; :class:`~estimative.errors.QueryError` when there is none."""
        for s in self.scenarios:
            if s.id == sid:
                return s
        ids = [s.id for s in self.scenarios]
        raise QueryError(
            f"unknown scenario '{sid}'{did_you_mean(str(sid), ids)}", expected=f"one of {ids}"
        )

    @property
    def model_hash(self) -> str:
        """SHA-256 (first 16 hex digits) of the model's content: every field and every
        expanded CPT number. Stamped on every output so results can be traced to the model.

        Computed once per (frozen) spec: serialising the flagship takes milliseconds."""
        if self._hash is not None:
            return self._hash
        payload = self.model_dump(mode="json")
        payload["_tables"] = {
            v.id: np.round(v.table, 15).tolist() if v._table is not None else None
            for v in self.variables
        }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        digest = hashlib.sha256(blob).hexdigest()[:16]
        if all(v._table is not None for v in self.variables):  # never cache a half-built spec
            self._hash = digest
        return digest
