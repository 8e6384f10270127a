"""The brief's policy part: each headline outcome compared across the policies, and when the
model has utilities, the expected utilities with P(best) (the ``"decide"`` stream, as
``estimative decide``), the value of information, and the model's other weight sets (another
government's priorities, ``utilities: weight_sets:``) applied to the same expected utilities
and draws (:meth:`~estimative.decision.ExpectedUtilities.reweighted`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ImpossibleEvidenceError
from ..network import Network
from ..spec import BASELINE, OutcomeSpec
from ..uncertainty import compare_policies
from .data import PolicySection


def policy_section(
    net: Network,
    outcomes: Sequence[OutcomeSpec],
    pols: Sequence[str],
    ref: str | None,
    scenario: str | None,
    cpts: Sequence[np.ndarray],
    level: float,
    draws: int,
    decision_rng: np.random.Generator,
) -> PolicySection:
    """The brief's policy part, against the reference ``ref`` (``None``: the baseline): each
    outcome's comparison of the usable policies on the judgments' draws ``cpts``, and with
    utilities the expected utilities (``draws`` of the ``decide`` stream ``decision_rng``),
    the value of information, and the same expected utilities under each of the model's
    other weight sets."""
    excluded: dict[str, str] = {}
    usable: list[str] = []
    for pid in pols:
        try:
            if outcomes:
                net.query(outcomes[0].target, policy=pid, scenario=scenario)
            usable.append(pid)
        except ImpossibleEvidenceError:
            excluded[pid] = "the scenario's evidence is impossible under this policy"
    # Against a reference policy the baseline (the decisions' priors) is no alternative.
    compared: list[str | None] = (
        [None, *usable] if ref is None else [ref, *(p for p in usable if p != ref)]
    )
    comparisons = {
        o.id: compare_policies(
            net,
            o.target,
            o.state,
            compared,
            scenario=scenario,
            draws=cpts,
            level=level,
            # An outcome that does not say which way is better is compared, never ranked.
            better=o.better or "higher",
        )
        for o in outcomes
    }
    if ref is not None and ref not in usable:
        raise ImpossibleEvidenceError(
            f"the reference policy '{ref}' is impossible under the scenario",
            field="reference",
            fix="choose another reference policy or scenario",
        )
    utilities = information = None
    # Without named policies, the decision module weighs every combination of the decisions.
    alternatives = list(usable) if usable else None
    if net.spec.utilities is not None and (usable or not net.spec.policies):
        from ..decision import expected_utilities, value_of_information

        # Against a reference policy the baseline row is not shown: not computed either (on
        # the flagship it is the costliest row, its decisions keeping their CPTs).
        utilities = expected_utilities(
            net,
            policies=alternatives,
            draws=draws,
            rng=decision_rng,
            level=level,
            baseline=ref is None,
        )
        information = value_of_information(net, policies=alternatives)
    # Other parties' weights on the same attributes (Seoul's on the flagship): the same
    # expected utilities and draws, reweighed by the decision module.
    weightings = (
        {ws.id: utilities.reweighted(ws.weights) for ws in net.spec.utilities.weight_sets}
        if utilities is not None and net.spec.utilities is not None
        else {}
    )
    order = tuple(BASELINE if p is None else p for p in compared)
    return PolicySection(
        order,
        comparisons,
        utilities,
        information,
        excluded,
        BASELINE if ref is None else ref,
        weightings,
    )
