"""The decision tree: the choice, then the key chance outcomes with their probabilities, then
utilities, rolled back to the expected utility of every node.

Two shapes:

- ``"policies"``: the root chooses among the alternatives (named policies, or combinations of
  decisions); under each, the key outcome variables branch in turn; a leaf holds the expected
  utility given its path (other uncertainties averaged out).
- ``"rules"`` (sequential decisions): each decision in turn, preceded by the observations it
  makes, as in a textbook tree (test, seismic result, drill, oil); the root's value is the
  maximum expected utility of :func:`~estimative.decision.solve`.

Key outcomes, unless named, are the chance variables of the utility that explain most of the
variance of the utility (averaged over the alternatives).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..network import Network
from ..network.names import named
from ._core import (
    AlternativeSet,
    UtilityModel,
    alternative_tensors,
    combinations,
    default_alternatives,
    tie_tolerance,
    utility_model,
)
from .rollback import Plan, make_plan, plan_tensors

_P_ZERO = 1e-12


@dataclass(frozen=True)
class TreeNode:
    """A node of a decision tree.

    ``kind`` is ``"decision"``, ``"chance"`` or ``"leaf"``; ``variable`` is what branches here
    (``"policy"`` for the choice among alternatives; ``None`` at a leaf). ``branch`` labels
    the edge into the node (an alternative or a state; ``None`` at the root) and
    ``probability`` its probability when it leaves a chance node. ``value`` is the expected
    utility at the node; ``optimal`` marks the best option of a decision node.
    """

    kind: str
    variable: str | None
    branch: str | None
    probability: float | None
    value: float
    optimal: bool
    children: tuple[TreeNode, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data: this node and its children, nested."""
        return {
            "kind": self.kind,
            "variable": self.variable,
            "branch": self.branch,
            "probability": self.probability,
            "value": float(self.value),
            "optimal": self.optimal,
            "children": [c.to_dict() for c in self.children],
        }

    def leaves(self) -> Iterator[tuple[tuple[TreeNode, ...], TreeNode]]:
        """Every leaf with the path of nodes leading to it (root first, leaf excluded)."""
        if not self.children:
            yield (), self
            return
        for c in self.children:
            for path, leaf in c.leaves():
                yield (self, *path), leaf


@dataclass(frozen=True, eq=False)
class DecisionTree:
    """A rolled-back decision tree. ``stages`` names the variable branching at each depth.

    >>> from estimative import Network, decision_tree
    >>> tree = decision_tree(Network.from_file("models/oil_wildcatter"))
    >>> tree.stages[0], round(tree.value, 6)
    ('test', 22.5)
    """

    model: str
    model_hash: str
    unit: str
    weights: Mapping[str, float]
    shape: str
    stages: tuple[str, ...]
    root: TreeNode

    @property
    def value(self) -> float:
        """Expected utility at the root (of the best option)."""
        return self.root.value

    @property
    def n_leaves(self) -> int:
        return sum(1 for _ in self.root.leaves())

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the stages, the expected utility at the root, and the tree, nested."""
        return {
            "model": self.model,
            "model_hash": self.model_hash,
            "unit": self.unit,
            "weights": dict(self.weights),
            "shape": self.shape,
            "stages": list(self.stages),
            "value": float(self.value),
            "root": self.root.to_dict(),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per leaf: each stage's branch, its probability (chance stages), the path's
        probability given the choices made, and the leaf's expected utility."""
        rows = []
        for path, leaf in self.root.leaves():
            row: dict[str, object] = {}
            prob = 1.0
            for node, child in zip(path, (*path[1:], leaf), strict=True):
                row[node.variable or "?"] = child.branch
                if node.kind == "chance":
                    row[f"p({node.variable})"] = child.probability
                    prob *= float(child.probability or 0.0)
                else:
                    row[f"eu({node.variable}={child.branch})"] = child.value
                    row[f"optimal({node.variable})"] = child.optimal
            row["path_probability"] = prob
            row["utility"] = leaf.value
            rows.append(row)
        return pd.DataFrame(rows)

    def to_markdown(self, *, digits: int = 3) -> str:
        """The tree as a Markdown table: one row per leaf, a column per stage. A decision
        branch shows the option and its expected utility (the chosen option in bold); a chance
        branch shows the state and its probability."""
        header = [*self.stages, f"utility ({self.unit})"]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        previous: list[str] = []
        for path, leaf in self.root.leaves():
            cells = []
            for node, child in zip(path, (*path[1:], leaf), strict=True):
                if node.kind == "chance":
                    cells.append(f"{child.branch} (p={child.probability:.{digits}g})")
                else:
                    text = f"{child.branch} (EU {child.value:.{digits}g})"
                    cells.append(f"**{text}**" if child.optimal else text)
            shown = [
                c
                if (
                    k >= len(previous)
                    or c != previous[k]
                    or any(cells[m] != previous[m] for m in range(k))
                )
                else ""
                for k, c in enumerate(cells)
            ]
            previous = cells
            lines.append("| " + " | ".join([*shown, f"{leaf.value:.{digits}g}"]) + " |")
        title = (
            f"Decision tree, model {self.model} (hash {self.model_hash}); expected utility at the root "
            f"{self.value:.{digits}g} {self.unit}"
        )
        return title + "\n\n" + "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        return (
            f"<p>{html.escape(f'Decision tree of {self.model}: EU {self.value:.4g} {self.unit}')}</p>"
            + self.to_frame().to_html(index=False, float_format=lambda x: f"{x:.4g}")
        )


def key_outcomes(
    net: Network,
    util: UtilityModel,
    altset: AlternativeSet,
    *,
    exclude: Sequence[str] = (),
    n: int = 2,
) -> list[str]:
    """The chance variables of the utility that explain most of its variance: for each
    candidate, the variance over its states of E[U | state, alternative], averaged over the
    alternatives."""
    kinds = {v.id: v.kind for v in net.spec.variables}
    fixed = {v for a in altset.alternatives for v in a.do} | {
        r.variable for a in altset.alternatives for r in a.rules
    }
    candidates = list(
        dict.fromkeys(
            v
            for a in util.attributes
            for v in util.scopes[a]
            if kinds[v] == "chance" and v not in exclude and v not in fixed
        )
    )
    scores = []
    w = util.weight_vector
    for c in candidates:
        e, p = alternative_tensors(net, util, altset, keep=[c])
        vx = np.einsum("a,iax->ix", w, e)
        with np.errstate(invalid="ignore", divide="ignore"):
            cond = np.where(p > _P_ZERO, vx / np.where(p > _P_ZERO, p, 1.0), 0.0)
        mean = vx.sum(axis=1, keepdims=True)
        scores.append(float((p * (cond - mean) ** 2).sum(axis=1).mean()))
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    return [candidates[i] for i in order[:n]]


def decision_tree(
    net: Network,
    *,
    weights: Mapping[str, float] | None = None,
    policies: Sequence[str] | None = None,
    do: Mapping[str, str] | None = None,
    outcomes: Sequence[str] | None = None,
    max_outcomes: int = 2,
    max_leaves: int = 200,
    shape: str = "auto",
) -> DecisionTree:
    """The decision tree of the model, rolled back.

    ``shape="auto"`` draws the sequential tree (``"rules"``) when the model names no policies
    and a decision observes something, and the policy tree (``"policies"``) otherwise.
    ``outcomes`` names the chance variables to branch on after the choice (default: up to
    ``max_outcomes`` key outcomes, fewer if the tree would pass ``max_leaves`` leaves).

    Parameters
    ----------
    net : Network
        A model with utilities.
    weights : mapping of str to float, optional
        Attribute weights overriding the model file's, by attribute id.
    policies : sequence of str, optional
        The named policies at the root of a policy tree.
    do : mapping of str to str, optional
        Decisions (or other variables) fixed by do().
    outcomes : sequence of str, optional
        The chance variables to branch on after the choice.
    max_outcomes : int
        How many key outcomes to pick when ``outcomes`` is not given.
    max_leaves : int
        The most leaves the tree may have.
    shape : {"auto", "rules", "policies"}
        The sequential tree of the decision rules, or the tree of the policies.

    Returns
    -------
    DecisionTree
        The rolled-back tree: each node's expected utility, the optimal branches marked.

    Examples
    --------
    >>> from estimative import Network
    >>> tree = decision_tree(Network.from_file("models/oil_wildcatter"))
    >>> tree.stages, round(tree.value, 6)
    (('test', 'seismic_result', 'drill', 'oil_amount'), 22.5)
    """
    do = named(net, do) or None  # aliases name their variables
    outcomes = None if outcomes is None else [net.name_of(v) for v in outcomes]
    util = utility_model(net, weights=weights)
    if shape not in ("auto", "policies", "rules"):
        raise UsageError("shape must be 'auto', 'policies' or 'rules'", found=repr(shape))
    if shape == "auto":
        observing = any(
            v.observes
            for v in net.spec.variables
            if v.kind == "decision" and v.id not in (do or {})
        )
        shape = (
            "rules" if (observing and policies is None and not net.spec.policies) else "policies"
        )
    if outcomes is not None:
        for v in outcomes:
            net.index(v)
    if shape == "policies":
        altset = default_alternatives(net, policies, do=do)
        chosen = (
            list(outcomes)
            if outcomes is not None
            else key_outcomes(net, util, altset, n=max_outcomes)
        )
        while True:
            root = _policy_tree(net, util, altset, chosen)
            tree = DecisionTree(
                net.name,
                net.model_hash,
                util.unit,
                dict(util.written_weights),
                "policies",
                ("policy", *chosen),
                root,
            )
            if tree.n_leaves <= max_leaves or (outcomes is not None) or not chosen:
                break
            chosen = chosen[:-1]
    else:
        plan = make_plan(net, do)
        exclude = set(plan.observed)
        chosen = (
            list(outcomes)
            if outcomes is not None
            else key_outcomes(
                net, util, combinations(net, do=do), exclude=sorted(exclude), n=max_outcomes
            )
        )
        chosen = [v for v in chosen if v not in exclude]
        while True:
            root, stages = _rules_tree(net, util, plan, chosen)
            tree = DecisionTree(
                net.name,
                net.model_hash,
                util.unit,
                dict(util.written_weights),
                "rules",
                stages,
                root,
            )
            if tree.n_leaves <= max_leaves or (outcomes is not None) or not chosen:
                break
            chosen = chosen[:-1]
    if tree.n_leaves > max_leaves:
        raise UsageError(
            f"the decision tree would have {tree.n_leaves} leaves",
            expected=f"at most {max_leaves}",
            fix="name fewer outcomes, compare fewer policies, or raise max_leaves",
        )
    return tree


def _policy_tree(
    net: Network, util: UtilityModel, altset: AlternativeSet, chosen: Sequence[str]
) -> TreeNode:
    e, p = alternative_tensors(net, util, altset, keep=list(chosen))
    v = np.einsum("a,ia...->i...", util.weight_vector, e)
    children = []
    for i, alt in enumerate(altset.alternatives):
        node = _chance_levels(net, list(chosen), v[i], p[i], (), alt.id, None)
        children.append(node)
    return _decision_node("policy", None, None, children)


def _decision_node(
    variable: str, branch: str | None, probability: float | None, children: list[TreeNode]
) -> TreeNode:
    vals = np.array([c.value for c in children])
    best = int(np.argmax(vals >= vals.max() - tie_tolerance(vals)))
    marked = tuple(
        TreeNode(c.kind, c.variable, c.branch, c.probability, c.value, k == best, c.children)
        for k, c in enumerate(children)
    )
    return TreeNode("decision", variable, branch, probability, float(vals[best]), False, marked)


def _chance_levels(
    net: Network,
    chosen: list[str],
    v: np.ndarray,
    p: np.ndarray,
    prefix: tuple[int, ...],
    branch: str | None,
    probability: float | None,
) -> TreeNode:
    """Chance nodes for ``chosen[len(prefix):]`` given the states in ``prefix`` (v and p
    have one axis per chosen variable)."""
    depth = len(prefix)
    rest = tuple(range(depth, len(chosen)))
    pv = float(p[prefix].sum()) if rest else float(p[prefix])
    vv = float(v[prefix].sum()) if rest else float(v[prefix])
    value = vv / pv if pv > _P_ZERO else 0.0
    if depth == len(chosen):
        return TreeNode("leaf", None, branch, probability, value, False)
    var = chosen[depth]
    children = []
    for k, s in enumerate(net.states[var]):
        pk = float(p[(*prefix, k)].sum())
        if pk <= _P_ZERO:
            continue
        children.append(_chance_levels(net, chosen, v, p, (*prefix, k), s, pk / pv))
    return TreeNode("chance", var, branch, probability, value, False, tuple(children))


def _rules_tree(
    net: Network, util: UtilityModel, plan: Plan, chosen: Sequence[str]
) -> tuple[TreeNode, tuple[str, ...]]:
    keep = tuple(chosen)
    e, p = plan_tensors(net, util, plan, keep=keep)
    t = np.tensordot(util.weight_vector, e, axes=1)
    axes = [*plan.free, *plan.observed, *keep]
    stages: list[str] = []
    for j, d in enumerate(plan.free):
        stages.extend(plan.new_obs[j])
        stages.append(d)
    stages.extend(keep)
    nf = len(plan.free)

    def marginal(arr: np.ndarray, assigned: Mapping[str, int]) -> float:
        """Sum over unassigned chance axes; unassigned decisions at index 0 (no effect on
        what is observed before them)."""
        idx: list[int | slice] = []
        for k, name in enumerate(axes):
            if name in assigned:
                idx.append(assigned[name])
            elif k < nf:
                idx.append(0)
            else:
                idx.append(slice(None))
        return float(arr[tuple(idx)].sum())

    def build(
        depth: int, assigned: dict[str, int], branch: str | None, probability: float | None
    ) -> TreeNode:
        if depth == len(stages):
            pv = marginal(p, assigned)
            value = marginal(t, assigned) / pv if pv > _P_ZERO else 0.0
            return TreeNode("leaf", None, branch, probability, value, False)
        var = stages[depth]
        if var in plan.free:
            children = [
                build(depth + 1, {**assigned, var: k}, s, None)
                for k, s in enumerate(net.states[var])
            ]
            return _decision_node(var, branch, probability, children)
        pv = marginal(p, assigned)
        children = []
        for k, s in enumerate(net.states[var]):
            pk = marginal(p, {**assigned, var: k})
            if pk <= _P_ZERO:
                continue
            children.append(build(depth + 1, {**assigned, var: k}, s, pk / pv))
        value = float(sum((c.probability or 0.0) * c.value for c in children))
        return TreeNode("chance", var, branch, probability, value, False, tuple(children))

    return build(0, {}, None, None), tuple(stages)
