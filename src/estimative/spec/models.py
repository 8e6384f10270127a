"""Frozen, validated description of a model: what ``load_model`` returns.

The classes mirror the model file (see ``docs/model-format.md``). Unknown keys are refused, so a
misspelt field is an error rather than silently ignored; new optional fields can be added by
later versions without breaking existing files.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr, field_validator, model_validator

from ..errors import ModelError, Problem, QueryError, did_you_mean
from .analysts import AnalystSpec, LearnedFrom
from .evidence import BackgroundFact, QuoteTag, ReferenceClass, ReferenceUse
from .timing import RuleSpec, TimeSpec
from .types import BASELINE as BASELINE
from .types import RESERVED_IDS as RESERVED_IDS
from .types import (
    Alias,
    Identifier,
    NonNegative,
    Position,
    Probability,
    StateName,
    VariableId,
    _Base,
)
from .types import Citation as Citation
from .utility import AttributeSpec as AttributeSpec
from .utility import UtilityRow as UtilityRow
from .utility import UtilitySpec


class SourceDoc(_Base):
    """A document the model cites. ``path`` is relative to the model folder."""

    id: Identifier
    path: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    #: Allow ``path`` to resolve outside the model folder (off: a shared model cannot read
    #: files elsewhere on the reader's machine).
    allow_outside: bool = False


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
    references: list[ReferenceUse] = Field(default_factory=list)
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
    #: Whether the variable can be watched as an indicator (``false``: never observed).
    observable: bool = True
    cpt: CptSpec
    #: Dynamic models: the CPT of the first slice (parents without a lag only), the CPTs of
    #: named slices that differ from ``cpt``, and whether the variable is the same in every
    #: slice (``static``: one copy, no ``@slice`` in its id).
    initial: CptSpec | None = None
    slices: dict[str, CptSpec] = Field(default_factory=dict)
    static: bool = False
    #: Other names the variable answers to wherever a variable is named (queries, the command
    #: line, sensitivity, sweeps): its name in the file it was imported from where the model
    #: needed another id, its label in another tool. Never another variable's id or alias.
    aliases: list[Alias] = Field(default_factory=list)
    #: Other names of states, ``{state: [alias, ...]}`` (GeNIe's state labels, a file's own
    #: state name where the model needed another).
    state_aliases: dict[StateName, list[Alias]] = Field(default_factory=dict)
    #: Where the node is drawn (``(x, y)``, ``y`` down), as the file it came from placed it;
    #: the drawings use the positions when every variable has one.
    position: Position | None = None
    _table: np.ndarray | None = PrivateAttr(default=None)
    _bands: np.ndarray | None = PrivateAttr(default=None)
    _factors: Any = PrivateAttr(default=None)

    def state_named(self, name: str) -> str | None:
        """The state ``name`` is (a state, or an alias of one); ``None`` when it is neither.

        >>> VariableSpec(id="co2", label="CO2", states=["lo", "hi"], cpt=CptSpec(),
        ...              state_aliases={"lo": ["<7.5"]}).state_named("<7.5")
        'lo'
        """
        if name in self.states:
            return name
        return next((s for s, names in self.state_aliases.items() if name in names), None)

    @property
    def table(self) -> np.ndarray:
        """The full CPT, shape ``(len(states), *parent cardinalities)``; columns sum to 1.

        A factorised noisy-OR or noisy-MAX CPT (:attr:`factors`) has no full table: asking
        for it raises :class:`~estimative.errors.ModelError` naming the variable."""
        if self._table is None:
            if self._factors is not None:
                raise ModelError(
                    Problem(
                        f"the CPT of '{self.id}' is a {self.cpt.form} over "
                        f"{len(self.parents)} parents, kept factorised: its full table is "
                        "never built, and this step needs it",
                        field=f"{self.id}.cpt",
                        fix="use a command that runs on the network (query, marginals, "
                        "brief), or give the variable fewer parents; the limit is "
                        "ESTIMATIVE_MAX_NOISY_CELLS (docs/model-format.md, Limits)",
                    )
                )
            raise RuntimeError(
                f"variable {self.id!r} was not expanded; build specs with load_model"
            )
        return self._table

    @property
    def factors(self) -> Any:
        """A noisy-OR or noisy-MAX CPT too large to expand: its checked parameters (a
        :class:`~estimative.spec.noisy.NoisyPoint`, whose ``chain()`` is the factorised form
        the network runs); ``None`` for every CPT that has a full :attr:`table`."""
        return self._factors

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
    tag: QuoteTag | None = None
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
    references: list[ReferenceUse] = Field(default_factory=list)

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
    #: Whether a higher or a lower probability of ``state`` is better (a risk: ``lower``).
    #: Rankings of policies on this outcome need it; ``None``: the model does not say.
    better: Literal["higher", "lower"] | None = None


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
    background: list[BackgroundFact] = Field(default_factory=list)
    references: list[ReferenceClass] = Field(default_factory=list)
    #: The policy every comparison, driver and indicator is computed against (``None``: the
    #: baseline, where decision variables keep their prior probabilities).
    reference_policy: str | None = None
    #: What the baseline (or the reference policy) means, in the analyst's words, for briefs.
    baseline_note: str = ""
    _root: str | None = PrivateAttr(default=None)
    _template: Any = PrivateAttr(default=None)
    _ties: dict[str, str] = PrivateAttr(default_factory=dict)
    _name: str | None = PrivateAttr(default=None)
    _locator: Any = PrivateAttr(default=None)
    _hash: str | None = PrivateAttr(default=None)
    _alias_map: dict[str, str] | None = PrivateAttr(default=None)
    _id_set: set[str] | None = PrivateAttr(default=None)

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> ModelSpec:
        """A copy; its content hash is computed afresh (a copy may differ in content)."""
        new = super().model_copy(update=update, deep=deep)
        new._hash = None
        new._alias_map = None
        new._id_set = None
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

    @property
    def aliases(self) -> dict[str, str]:
        """Every alias of a variable and the id it names (a dynamic model's template aliases
        name the template's ids, which a slice completes: ``alias@2018H1``)."""
        if self._alias_map is None:
            found = {a: v.id for v in self.variables for a in v.aliases}
            for v in self._template.variables if self._template is not None else ():
                for a in v.aliases:
                    found.setdefault(a, v.id)
            self._alias_map = found
        return self._alias_map

    def variable_id(self, name: str) -> str:
        """The id ``name`` refers to: ``name`` itself when it is an id, the id of the variable
        it is an alias of (``alias@slice`` in a dynamic model: ``id@slice``), else ``name``
        unchanged (for the caller's "unknown variable" error).

        >>> from estimative import load_model
        >>> load_model("models/example").variable_id("armed_clash")
        'armed_clash'
        """
        if not isinstance(name, str) or name in self._ids():
            return name
        found = self.aliases.get(name)
        if found is not None:
            return found
        if "@" in name and self.time is not None:
            base, _, at = name.rpartition("@")
            found = self.aliases.get(base)
            if found is not None:
                return f"{found}@{at}"
        return name

    def _ids(self) -> set[str]:
        if self._id_set is None:
            self._id_set = {v.id for v in self.variables}
        return self._id_set

    def variable(self, vid: str) -> VariableSpec:
        """The variable ``vid`` (an id or an alias); :class:`~estimative.errors.QueryError`
        (with a did-you-mean and the valid ids) when the model has none of that name."""
        want = self.variable_id(vid)
        for v in self.variables:
            if v.id == want:
                return v
        ids = [v.id for v in self.variables]
        raise QueryError(
            f"unknown variable '{vid}'{did_you_mean(str(vid), [*ids, *self.aliases])}",
            expected=f"one of {ids}",
            fix="name a variable of the model (estimative show lists them, with their aliases)",
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
        payload = _without_new_defaults(self.model_dump(mode="json"))
        payload["_tables"] = {v.id: _numbers(v) for v in self.variables}
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        digest = hashlib.sha256(blob).hexdigest()[:16]
        # never cache a half-built spec
        if all(v._table is not None or v._factors is not None for v in self.variables):
            self._hash = digest
        return digest


def _numbers(v: VariableSpec) -> Any:
    """A variable's expanded numbers for the hash: its table, or a factorised CPT's
    parameters (leak and links)."""
    if v._table is not None:
        return np.round(v._table, 15).tolist()
    if v._factors is not None:
        f = v._factors
        return {
            "leak": np.round(np.asarray(f.leak, dtype=float), 15).tolist(),
            "links": [np.round(x, 15).tolist() for x in f.links],
        }
    return None


#: Fields added after models were first hashed, with their defaults: a model that leaves them
#: at the default keeps the hash it always had.
_LATER_DEFAULTS: dict[str, dict[str, Any]] = {
    "": {"reference_policy": None, "baseline_note": ""},
    "variables": {"observable": True, "aliases": [], "state_aliases": {}, "position": None},
    "outcomes": {"better": None},
    "utilities.attributes": {"position": None},
}


def _without_new_defaults(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` without the later fields that keep their defaults (see the model hash)."""
    for key, defaults in _LATER_DEFAULTS.items():
        if key == "utilities.attributes":
            items = (payload.get("utilities") or {}).get("attributes") or []
        else:
            items = [payload] if not key else payload.get(key) or []
        for item in items:
            for name, default in defaults.items():
                if name in item and item[name] == default:
                    del item[name]
    return payload
