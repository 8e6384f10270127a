"""Check a model against the directional claims of its sources.

A claim (``claims:`` in a model file) is a comparison of two probabilities the model can
compute, ``left op right``, where ``right`` is a second query or a fixed number: "bluff and
bluster raise the risk of miscalculation" becomes ``P(clash | do(bluster)) > P(clash |
do(measured))``. :func:`evaluate_claims` computes both sides by exact inference;
:func:`check_claims` turns each violated claim into a located :class:`~estimative.errors.Problem`
naming both numbers, which ``estimative validate`` reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import EstimativeError, Problem
from .spec import ClaimSpec, QueryRef, conditions_text, problem_at

if TYPE_CHECKING:
    from .network import Network

#: Two probabilities closer than this are treated as equal: a claim that one exceeds the
#: other by less than rounding noise does not hold.
TOLERANCE = 1e-12

__all__ = [
    "TOLERANCE",
    "ClaimResult",
    "check_claims",
    "compare",
    "describe_query",
    "evaluate_claims",
]


@dataclass(frozen=True)
class ClaimResult:
    """One claim evaluated on a network.

    ``left`` and ``right`` are the two probabilities compared (``right`` is the claim's fixed
    number when it gives one); ``holds`` says whether ``left op right``. When a side could not
    be computed (e.g. its evidence is impossible), both values are NaN, ``holds`` is False and
    ``error`` says why.
    """

    index: int
    id: str
    text: str
    op: str
    left: float
    right: float
    holds: bool
    left_query: str
    right_query: str
    source: str
    quote: str
    error: str | None = None

    @property
    def margin(self) -> float:
        """``left - right``: positive when left is larger."""
        return self.left - self.right

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "text": self.text,
            "left_query": self.left_query,
            "op": self.op,
            "right_query": self.right_query,
            "left": self.left,
            "right": self.right,
            "holds": self.holds,
            "source": self.source,
            "quote": self.quote,
            "error": self.error,
        }


def compare(left: float, op: str, right: float) -> bool:
    """``left op right``, with strict comparisons requiring more than :data:`TOLERANCE`.

    >>> compare(0.3, ">", 0.2), compare(0.2, ">", 0.2), compare(0.2, ">=", 0.2 + 1e-15)
    (True, False, True)
    """
    if math.isnan(left) or math.isnan(right):
        return False
    if op == ">":
        return left > right + TOLERANCE
    if op == "<":
        return left < right - TOLERANCE
    if op == ">=":
        return left >= right - TOLERANCE
    if op == "<=":
        return left <= right + TOLERANCE
    raise ValueError(f"unknown comparison {op!r}")


def describe_query(ref: QueryRef | float) -> str:
    """A query reference as the probability it denotes, e.g. ``P(clash=yes | do(rhetoric=bluster))``.

    >>> describe_query(QueryRef(target="clash", state="yes", do={"rhetoric": "bluster"}))
    'P(clash=yes | do(rhetoric=bluster))'
    >>> describe_query(0.5)
    '0.5'
    """
    if not isinstance(ref, QueryRef):
        return f"{float(ref):g}"
    if ref.event is not None:
        terms = [", ".join(f"{k}={v}" for k, v in t.items()) for t in ref.event.terms()]
        head = " or ".join(f"({t})" for t in terms) if len(terms) > 1 else terms[0]
    else:
        states = ref.target_states()
        head = (
            f"{ref.target}={states[0]}"
            if len(states) == 1
            else f"{ref.target} in {{{', '.join(states)}}}"
        )
    cond = conditions_text(
        policy=ref.policy, scenario=ref.scenario, do=ref.do, given=ref.given, soft=ref.soft
    )
    return f"P({head}{' | ' + cond if cond else ''})"


def _evaluate(net: Network, index: int, claim: ClaimSpec) -> ClaimResult:
    left_q, right_q = describe_query(claim.left), describe_query(claim.right)

    def result(left: float, right: float, holds: bool, error: str | None = None) -> ClaimResult:
        return ClaimResult(
            index=index,
            id=claim.id,
            text=claim.text,
            op=claim.op,
            left=left,
            right=right,
            holds=holds,
            left_query=left_q,
            right_query=right_q,
            source=claim.source,
            quote=claim.quote,
            error=error,
        )

    try:
        left = net.probability(claim.left)
        right = (
            net.probability(claim.right)
            if isinstance(claim.right, QueryRef)
            else float(claim.right)
        )
    except EstimativeError as exc:
        return result(
            left=math.nan,
            right=math.nan,
            holds=False,
            error="; ".join(p.message for p in exc.problems),
        )
    return result(left=left, right=right, holds=compare(left, claim.op, right))


def evaluate_claims(net: Network) -> list[ClaimResult]:
    """Evaluate every claim of the network's model, in file order.

    Parameters
    ----------
    net : Network
        A model with ``claims:``.

    Returns
    -------
    list of ClaimResult
        Both sides of each claim and whether it holds (``error`` when a side cannot be
        computed).

    Examples
    --------
    >>> from estimative import Network
    >>> results = evaluate_claims(Network.from_file("models/example"))
    >>> [(r.id, r.holds) for r in results]
    [('bluster_raises_risk', True), ('channel_lowers_risk', True)]
    """
    return [_evaluate(net, i, c) for i, c in enumerate(net.spec.claims)]


def check_claims(net: Network) -> list[Problem]:
    """One :class:`~estimative.errors.Problem` per claim the model violates (empty when all hold).

    Each problem is located at the claim in its file and names both probabilities compared.

    Parameters
    ----------
    net : Network
        A model with ``claims:``.

    Returns
    -------
    list of Problem
        One located problem per violated (or uncomputable) claim.

    Examples
    --------
    >>> from estimative import Network
    >>> check_claims(Network.from_file("models/example"))
    []
    """
    problems: list[Problem] = []
    for r in evaluate_claims(net):
        if r.holds:
            continue
        if r.error is not None:
            problems.append(
                problem_at(
                    net.spec,
                    ("claims", r.index),
                    f"claim '{r.id}' cannot be evaluated: {r.error}",
                    fix="correct the claim's queries",
                )
            )
            continue
        problems.append(
            problem_at(
                net.spec,
                ("claims", r.index),
                f"claim '{r.id}' does not hold ({r.text.rstrip('.')}): {r.left_query} = {r.left:.4f} "
                f"is not {r.op} {r.right_query} = {r.right:.4f}",
                expected=f"left {r.op} right",
                found=f"{r.left:.6g} vs {r.right:.6g}",
                fix="revise the CPTs the claim rests on, or the claim itself if the source does not support it",
            )
        )
    return problems
