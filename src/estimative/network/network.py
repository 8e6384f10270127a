"""A Bayesian network built from a :class:`~estimative.spec.ModelSpec`, queried by name.

Queries run on the compiled engine (:mod:`estimative.engine`). do() is graph surgery: the
intervened variable's incoming edges are cut and its state clamped. pgmpy is used here only to
build the reference model that tests and exports compare against (:meth:`Network.to_pgmpy`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..engine import run_query
from ..errors import ImpossibleEvidenceError, QueryError
from ..files import load_model
from ..graphs import topological_order
from ..spec import ModelSpec, QueryRef
from ..spec.timing import RuleSpec
from .batch import BatchPosterior, query_batch
from .chains import engine_nodes, factorised_error
from .frames import cpt_frame
from .marginals import Marginals, marginals
from .mpe import explain
from .names import state_alias_map
from .prepared import Evidence, Prepared, engine_args, resolve
from .react import reacting, reacting_cpts
from .results import Explanation, JointPosterior, Posterior, ref_probability, state_position
from .trajectory import Trajectory, over_time, trajectory, window_network
from .view import network_html

if TYPE_CHECKING:
    import pandas as pd

Soft = Mapping[str, Mapping[str, float] | Sequence[float]]


class Network:
    """A discrete Bayesian network with named variables and states.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> net.query("armed_clash", given={"misread_intent": "yes"})["yes"]  # ICD 203 "very unlikely"
    0.125
    """

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        order = topological_order({v.id: list(v.parents) for v in spec.variables})
        if order is None:
            raise QueryError(
                "the network has a cycle", fix="a Bayesian network must be acyclic: remove an edge"
            )
        byid = {v.id: v for v in spec.variables}
        self.variables: tuple[str, ...] = tuple(order)
        self.states: dict[str, tuple[str, ...]] = {v: tuple(byid[v].states) for v in order}
        self.parents: dict[str, tuple[str, ...]] = {v: tuple(byid[v].parents) for v in order}
        self.structure, self.cpts, self.chains = engine_nodes(
            order, self.states, self.parents, byid
        )
        for a in self.cpts:
            a.setflags(write=False)
        self._state_aliases = state_alias_map(spec)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_spec(cls, spec: ModelSpec) -> Network:
        return cls(spec)

    @classmethod
    def from_file(cls, path: str | Path) -> Network:
        """Load a model folder, model YAML, or BIF / XMLBIF / XDSL / NET / UAI / DNE file."""
        return cls(load_model(path))

    def with_cpts(self, cpts: Mapping[str, np.ndarray]) -> Network:
        """A copy of this network with some CPTs replaced (same shapes)."""
        new = object.__new__(Network)
        new.__dict__.update(self.__dict__)
        arrs = list(self.cpts)
        for written, arr in cpts.items():
            name = self.name_of(written)  # an alias of a factorised variable refuses too
            i = self.index(name)
            if name in self.chains:
                raise factorised_error(self, name, "its CPT replaced by a full table")
            arr = np.asarray(arr, dtype=float)
            if arr.shape != arrs[i].shape:
                raise QueryError(
                    f"CPT for '{name}' has shape {arr.shape}", expected=str(arrs[i].shape)
                )
            arrs[i] = arr
        new.cpts = tuple(arrs)
        return new

    # ------------------------------------------------------------------ names
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def model_hash(self) -> str:
        """The model's model hash (computed once per spec)."""
        return self.spec.model_hash

    def name_of(self, variable: str) -> str:
        """The id ``variable`` names: an id, or an alias (``alias@slice`` names ``id@slice``);
        anything else unchanged, for the "unknown variable" error of whoever uses it.

        >>> Network.from_file("models/example").name_of("armed_clash")
        'armed_clash'
        """
        return self.spec.variable_id(variable)

    def state_of(self, variable: str, state: str) -> str:
        """The state ``state`` names among ``variable``'s: a state or its alias (else unchanged).

        >>> Network.from_file("models/example").state_of("armed_clash", "yes")
        'yes'
        """
        table = self._state_aliases.get(self.name_of(variable))
        return table.get(state, state) if table and isinstance(state, str) else state

    def index(self, variable: str) -> int:
        variable = self.name_of(variable)
        try:
            if (i := self.structure.index(variable)) < len(self.variables):
                return i
            raise KeyError(variable)  # a factorised CPT's hidden chain node
        except KeyError:
            over_time(self.spec, variable)  # "name a slice", for a dynamic model's variable
            self.spec.variable(variable)  # raises the one "unknown variable" error
            raise

    def state_index(self, variable: str, state: str) -> int:
        states = self.states[self.variables[self.index(variable)]]
        if isinstance(state, bool):  # a YAML 1.1 loader upstream may have produced a bool
            state = "yes" if state else "no"
        return state_position(variable, states, self.state_of(variable, state))

    def state_indices(
        self, variable: str, state: str | Sequence[str]
    ) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """``variable``'s states named by ``state`` (one name or several) and their positions.

        Parameters
        ----------
        variable : str
            A variable of the network.
        state : str or sequence of str
            One state, or several (at least one).

        Returns
        -------
        tuple
            ``(states, indices)``: the states as a tuple and their positions among the
            variable's states.

        Raises :class:`~estimative.errors.QueryError` (with a did-you-mean) for an unknown
        variable or state, and when no state is named.

        Examples
        --------
        >>> Network.from_file("models/example").state_indices("armed_clash", ["yes"])
        (('yes',), (1,))
        """
        variable = self.variables[self.index(variable)]
        states = (state,) if isinstance(state, str) else tuple(state)
        states = tuple(self.state_of(variable, s) for s in states)
        if not states:
            raise QueryError(
                f"name at least one state of '{variable}'",
                expected=f"one of {list(self.states[variable])}",
            )
        return states, tuple(self.state_index(variable, s) for s in states)

    def ancestors(self, variables: Sequence[str]) -> set[str]:
        """``variables`` and every variable with a directed path into them.

        >>> sorted(Network.from_file("models/example").ancestors(["misread_intent"]))
        ['misread_intent', 'nk_provocation', 'private_channel', 'us_rhetoric']
        """
        found = self.structure.ancestors([self.index(v) for v in variables])
        return {self.variables[i] for i in found if i < len(self.variables)}  # no chain nodes

    def cpt_frame(self, variable: str) -> pd.DataFrame:
        """The CPT of ``variable`` as a table: a row per parent configuration, a column per state.

        >>> frame = Network.from_file("models/example").cpt_frame("armed_clash")
        >>> frame.columns.tolist(), frame.index.tolist(), float(frame.loc["yes", "yes"])
        (['no', 'yes'], ['no', 'yes'], 0.125)
        """
        variable = self.name_of(variable)
        return cpt_frame(variable, self.states, self.parents[variable], self.cpt(variable))

    def cpt(self, variable: str) -> np.ndarray:
        """The CPT of ``variable``, shape ``(card, *parent cards)``; none if factorised (QueryError)."""
        variable = self.name_of(variable)
        if variable in self.chains:
            raise factorised_error(self, variable, "its full table")
        return self.cpts[self.index(variable)]

    def nodes(self, variable: str) -> tuple[int, ...]:
        """The engine nodes holding ``variable``'s CPT: its index, or its chain (:mod:`.chains`)."""
        variable = self.name_of(variable)
        return self.chains.get(variable) or (self.index(variable),)

    # ------------------------------------------------------------------ conditions
    def resolve(
        self,
        *,
        given: Mapping[str, str] | None = None,
        do: Mapping[str, str] | None = None,
        soft: Soft | None = None,
        policy: str | Sequence[str] | None = None,
        scenario: str | None = None,
    ) -> Evidence:
        """Merge explicit conditions with named policies and a scenario; check every name.

        Parameters
        ----------
        given : mapping of str to str, optional
            Hard findings: ``{variable: observed state}``.
        do : mapping of str to str, optional
            Interventions: ``{variable: forced state}`` (graph surgery: the variable's
            incoming edges are cut).
        soft : mapping, optional
            Likelihood evidence: ``{variable: {state: likelihood}}`` or one likelihood per
            state, in state order.
        policy : str or sequence of str, optional
            Named policies of the model; their do() assignments are added.
        scenario : str, optional
            A named scenario of the model; its findings are added.

        Returns
        -------
        Evidence
            The hard findings, likelihood vectors and interventions, by name.

        Examples
        --------
        >>> Network.from_file("models/example").resolve(policy="private_channel").do
        {'us_rhetoric': 'measured', 'private_channel': 'yes'}
        """
        return resolve(self, given=given, do=do, soft=soft, policy=policy, scenario=scenario)

    def prepare(
        self,
        target: str,
        state: str | Sequence[str],
        *,
        given: Mapping[str, str] | None = None,
        do: Mapping[str, str] | None = None,
        soft: Soft | None = None,
        policy: str | Sequence[str] | None = None,
        scenario: str | None = None,
    ) -> Prepared:
        """The opening of every analysis of ``P(target in state | conditions)``.

        Resolves the conditions (:meth:`resolve`), checks the target and its states, and
        answers the query once at the model's numbers.

        Parameters
        ----------
        target : str
            The variable the probability is about.
        state : str or sequence of str
            The target state, or several (their probabilities add up).
        given, do, soft, policy, scenario
            The conditions, as for :meth:`query`.

        Returns
        -------
        Prepared
            The target, its states and their indices, the resolved :class:`Evidence`, the
            conditions in words, the point posterior and the model hash.

        Raises :class:`~estimative.errors.QueryError` (with a did-you-mean) for an unknown
        variable, state, policy or scenario, and
        :class:`~estimative.errors.ImpossibleEvidenceError` when the evidence has
        probability zero.

        Examples
        --------
        >>> net = Network.from_file("models/example")
        >>> prep = net.prepare("armed_clash", "yes", given={"misread_intent": "yes"})
        >>> prep.states, prep.indices, prep.point, prep.conditions
        (('yes',), (1,), 0.125, 'misread_intent=yes')
        """
        ev = self.resolve(given=given, do=do, soft=soft, policy=policy, scenario=scenario)
        target = self.name_of(target)
        states, idx = self.state_indices(target, state)
        return Prepared(
            target, states, idx, ev, ev.text, self._posterior(target, ev), self.model_hash
        )

    def _engine_args(self, ev: Evidence) -> tuple[dict[int, np.ndarray], dict[int, int]]:
        return engine_args(self.index, self.state_index, self.structure.cards, ev)

    # ------------------------------------------------------------------ queries
    def joint_unnormalized(
        self,
        targets: Sequence[str],
        ev: Evidence,
        *,
        cpts: Sequence[np.ndarray] | None = None,
        batched: bool = False,
    ) -> np.ndarray:
        """P(targets, evidence | do) as an array (trailing batch axis when ``batched``).

        A reacting policy's rules (``ev.rules``) run on the network with the rules written as
        CPTs (:func:`~estimative.network.react.reacting`)."""
        if ev.rules:
            cpts = reacting_cpts(
                self, ev.rules, self.cpts if cpts is None else cpts, batched=batched
            )
            return reacting(self, ev.rules).joint_unnormalized(
                targets, replace(ev, rules=()), cpts=cpts, batched=batched
            )
        idx = [self.index(t) for t in targets]
        if len(set(idx)) != len(idx):
            raise QueryError("a target is named twice", found=str(list(targets)))
        evidence, do = self._engine_args(ev)
        return run_query(
            self.structure,
            cpts if cpts is not None else self.cpts,
            idx,
            evidence,
            do,
            batched=batched,
        )

    def _normalize(self, joint: np.ndarray, ev: Evidence) -> tuple[np.ndarray, float]:
        total = float(joint.sum())
        if not total > 1e-300:
            raise ImpossibleEvidenceError(
                f"the evidence has probability zero under the model: {ev.describe()}",
                fix="remove or change one of these findings; the model rules out their combination",
            )
        return joint / total, total

    def query(
        self,
        target: str,
        *,
        given: Mapping[str, str] | None = None,
        do: Mapping[str, str] | None = None,
        soft: Soft | None = None,
        policy: str | Sequence[str] | None = None,
        scenario: str | None = None,
    ) -> Posterior:
        """P(target | given, soft evidence; do(...)) by exact inference.

        Parameters
        ----------
        target : str
            The variable whose distribution is wanted.
        given, do, soft, policy, scenario
            The conditions, as for :meth:`resolve`.

        Returns
        -------
        Posterior
            The distribution over ``target``'s states, addressed by state name, with the
            conditions and P(evidence).

        Raises :class:`~estimative.errors.QueryError` (with a did-you-mean) for an unknown
        name and :class:`~estimative.errors.ImpossibleEvidenceError` when the evidence has
        probability zero.

        Examples
        --------
        >>> net = Network.from_file("models/example")
        >>> net.query("misread_intent", given={"armed_clash": "yes"})
        P(misread_intent | armed_clash=yes) = {no: 0.2094, yes: 0.7906}
        """
        return self._posterior(
            self.name_of(target),
            self.resolve(given=given, do=do, soft=soft, policy=policy, scenario=scenario),
        )

    def _posterior(self, target: str, ev: Evidence) -> Posterior:
        probs, pe = self._normalize(self.joint_unnormalized([target], ev), ev)
        soft = {
            k: dict(zip(self.states[k], map(float, v), strict=True)) for k, v in ev.soft.items()
        }
        given, do, aliases = dict(ev.given), dict(ev.do), self._state_aliases.get(target, {})
        return Posterior(target, self.states.get(target, ()), probs, given, do, soft, pe, aliases)

    def query_joint(
        self,
        targets: Sequence[str],
        *,
        given: Mapping[str, str] | None = None,
        do: Mapping[str, str] | None = None,
        soft: Soft | None = None,
        policy: str | Sequence[str] | None = None,
        scenario: str | None = None,
    ) -> JointPosterior:
        """The joint posterior of several variables.

        Parameters
        ----------
        targets : sequence of str
            The variables (each once); the result has one axis per variable, in this order.
        given, do, soft, policy, scenario
            The conditions, as for :meth:`resolve`.

        Returns
        -------
        JointPosterior
            ``probs[i, j, ...]`` = P(targets in states i, j, ... | conditions); index it by a
            tuple of state names or ``{variable: state}``.

        Examples
        --------
        >>> net = Network.from_file("models/example")
        >>> joint = net.query_joint(["misread_intent", "armed_clash"], policy="private_channel")
        >>> round(joint[("yes", "yes")], 6), round(joint.probability({"armed_clash": "yes"}), 6)
        (0.03875, 0.05945)
        """
        ev = self.resolve(given=given, do=do, soft=soft, policy=policy, scenario=scenario)
        targets = [self.name_of(t) for t in targets]
        probs, _ = self._normalize(self.joint_unnormalized(targets, ev), ev)
        return JointPosterior(
            tuple(targets),
            tuple(self.states[t] for t in targets),
            probs,
            dict(ev.given),
            dict(ev.do),
            aliases=self.spec.aliases,
            state_aliases=self._state_aliases,
        )

    def query_batch(
        self,
        target: str | Sequence[str],
        *,
        cpts: Sequence[np.ndarray] | Mapping[str, np.ndarray] | None = None,
        given: Mapping[str, str | Sequence[str | None]] | None = None,
        soft: Mapping[str, Any] | None = None,
        do: Mapping[str, str | Sequence[str | None]] | None = None,
        policy: str | Sequence[str] | None = None,
        scenario: str | None = None,
        layout: Literal["last", "first"] = "last",
        memory_cap: int | None = None,
        rules: Sequence[RuleSpec] = (),
    ) -> BatchPosterior:
        """P(target | evidence; do) for ``N`` batch rows in one compiled contraction.

        Rows whose evidence has probability zero come back NaN and flagged in
        ``.impossible``; nothing is raised for them.

        Parameters
        ----------
        target : str or sequence of str
            One target, or several (a joint posterior per row).
        cpts : sequence or mapping of arrays, optional
            One array per variable (``self.variables`` order) or ``{name: array}`` for some;
            each ``(card, *parent cards)`` (shared by all rows) or with ``N`` draws on a
            trailing axis (``layout="last"``, fast) or leading axis (``layout="first"``).
        given, do : mapping, optional
            A state for every row, or a list of ``N`` states (``None``: no finding / no
            intervention in that row).
        soft : mapping, optional
            A likelihood per state, or an ``(N, card)`` array.
        policy, scenario : optional
            Named policies and a named scenario, applied to every row.
        layout : {"last", "first"}
            Where the draw axis of batched ``cpts`` is.
        memory_cap : int, optional
            Bytes the contraction may use; the batch is chunked to stay under it.
        rules : sequence of RuleSpec, optional
            Reacting rules (an :class:`Evidence`'s ``rules``) applied on top of ``policy``'s.

        Returns
        -------
        BatchPosterior
            ``probs`` of shape ``(N, *target cards)``, ``evidence_prob`` and ``impossible``
            per row; ``prob(state)`` sums states per row.

        Examples
        --------
        >>> net = Network.from_file("models/example")
        >>> bp = net.query_batch("armed_clash", given={"misread_intent": ["yes", "no", None]})
        >>> bp.probs.shape, bool(bp.impossible.any())
        ((3, 2), False)
        >>> float(bp.prob("yes")[0]) == net.query("armed_clash", given={"misread_intent": "yes"})["yes"]
        True
        """
        return query_batch(
            self,
            target,
            cpts=cpts,
            given=given,
            soft=soft,
            do=do,
            policy=policy,
            scenario=scenario,
            layout=layout,
            memory_cap=memory_cap,
            rules=rules,
        )

    def marginals(self, **conditions: Any) -> Marginals:
        """Every variable's posterior from one compiled contraction and its derivative.

        Parameters
        ----------
        **conditions
            ``given``, ``do``, ``soft``, ``policy``, ``scenario``, ``cpts``, ``layout``,
            ``memory_cap``, ``rules`` as for :meth:`query_batch`; ``variables``: only these
            posteriors (what no answer depends on is left out of the contraction).

        Returns
        -------
        Marginals
            ``probs[v]`` of shape ``(N, card)`` per variable, ``evidence_prob``, ``impossible``.

        Examples
        --------
        >>> m = Network.from_file("models/example").marginals(given={"armed_clash": "yes"})
        >>> q = Network.from_file("models/example").query("misread_intent", given={"armed_clash": "yes"})
        >>> abs(m["misread_intent"]["yes"] - q["yes"]) < 1e-12
        True
        """
        return marginals(self, **conditions)

    def probability(self, ref: QueryRef, **overrides: Any) -> float:
        """The probability a :class:`~estimative.spec.QueryRef` names (claims, questions)."""
        return ref_probability(self, ref, **overrides)

    def map(
        self,
        variables: Sequence[str] | None = None,
        *,
        given: Mapping[str, str] | None = None,
        do: Mapping[str, str] | None = None,
        soft: Soft | None = None,
        policy: str | Sequence[str] | None = None,
        scenario: str | None = None,
    ) -> Explanation:
        """The most probable joint state of ``variables`` given the evidence: MPE, or
        partial MAP when named.

        Max-product variable elimination (:func:`estimative.network.mpe.most_probable`): the
        other variables are summed out first.

        Parameters
        ----------
        variables : sequence of str, optional
            The variables to explain (default: every unobserved, non-intervened variable).
        given, do, soft, policy, scenario
            The conditions, as for :meth:`resolve`.

        Returns
        -------
        Explanation
            A state per variable and the probability of that joint state given the evidence.

        Examples
        --------
        >>> net = Network.from_file("models/example")
        >>> mpe = net.map(["misread_intent"], given={"armed_clash": "yes"})
        >>> dict(mpe.assignment), round(mpe.probability, 4)
        ({'misread_intent': 'yes'}, 0.7906)
        """
        ev = self.resolve(given=given, do=do, soft=soft, policy=policy, scenario=scenario)
        names = None if variables is None else [self.name_of(v) for v in variables]
        return explain(reacting(self, ev.rules) if ev.rules else self, names, ev)

    def with_window(self, window: str) -> Network:
        """This network with the window ``window`` (``"x@2018H1..2018H2"``; :mod:`.trajectory`)."""
        return window_network(self, self.name_of(window))

    def trajectory(self, variable: str, **conditions: Any) -> Trajectory:
        """P(variable) in every slice of a dynamic model, and the highest state reached so
        far; ``conditions`` as for :meth:`query`. See :func:`estimative.network.trajectory`.

        >>> net = Network.from_file("models/escalation_dynamic")
        >>> net.trajectory("clash", policy="channel").ever("yes").round(3).tolist()
        [0.038, 0.074, 0.109]
        """
        return trajectory(self, self.name_of(variable), **conditions)

    # ------------------------------------------------------------------ interop
    def to_pgmpy(self, *, do: Mapping[str, str] | None = None) -> Any:
        """This network as a pgmpy ``DiscreteBayesianNetwork`` (the tests' reference); ``do`` is
        surgery in the pgmpy model (pgmpy's ``CausalInference`` is wrong with evidence, #3543)."""
        from .reference import to_pgmpy

        return to_pgmpy(self, do=do)

    def _repr_html_(self) -> str:
        return network_html(self)  # Jupyter's view: a summary, the graph with posterior bars

    def __repr__(self) -> str:
        return f"<Network {self.name!r}: {len(self.variables)} variables, hash {self.model_hash}>"
