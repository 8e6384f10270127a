"""Every rule a model must meet beyond its schema: names that resolve, an acyclic graph, CPTs
that expand to distributions, quotes found verbatim in their sources, decisions that observe
only what is known before them, complete utility tables.

The rules report every problem at once, each located by the model's :class:`Locator`. They
never write into the spec: the expanded tables come back in an :class:`Expanded`, which
:func:`estimative.spec.build.seal` attaches once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Problem, did_you_mean
from ..graphs import find_cycle, reachable
from .aliases import check_aliases
from .elicitation import expand_cpt, factorise_cpt, is_noisy
from .limits import chain_problem, factorised, table_problem
from .locate import Locator, Path_
from .models import RESERVED_IDS, Citation, ModelSpec, QueryRef
from .provenance import normalized_variants, quote_in
from .references import check_evidence
from .sources import read_sources


@dataclass
class Expanded:
    """The tables the rules computed: each variable's full CPT, each verbal CPT's bands, each
    utility attribute's value table, by id; a noisy CPT too large to expand is in ``factors``
    (its parameters) instead of ``tables``."""

    tables: dict[str, np.ndarray] = field(default_factory=dict)
    factors: dict[str, Any] = field(default_factory=dict)
    bands: dict[str, np.ndarray] = field(default_factory=dict)
    utilities: dict[str, np.ndarray] = field(default_factory=dict)


def _check_names(
    names: Mapping[str, str | None],
    known: Mapping[str, list[str]],
    loc: Locator,
    path: Path_,
    problems: list[Problem],
    *,
    what: str = "variable",
) -> None:
    for var, state in names.items():
        if var not in known:
            problems.append(
                loc.problem(
                    (*path, var),
                    f"unknown {what} '{var}'{did_you_mean(var, known)}",
                    fix="name a variable the model defines",
                )
            )
        elif state is not None and state not in known[var]:
            problems.append(
                loc.problem(
                    (*path, var),
                    f"'{state}' is not a state of '{var}'{did_you_mean(state, known[var])}",
                    expected=f"one of {known[var]}",
                    found=repr(state),
                )
            )


def _check_soft(
    soft: Mapping[str, Mapping[str, float]],
    known: Mapping[str, list[str]],
    loc: Locator,
    path: Path_,
    problems: list[Problem],
) -> None:
    for var, lik in soft.items():
        if var not in known:
            problems.append(
                loc.problem((*path, var), f"unknown variable '{var}'{did_you_mean(var, known)}")
            )
            continue
        for s in lik:
            if s not in known[var]:
                problems.append(
                    loc.problem(
                        (*path, var, s),
                        f"'{s}' is not a state of '{var}'{did_you_mean(s, known[var])}",
                        expected=f"one of {known[var]}",
                    )
                )
        if all(float(v) == 0.0 for v in lik.values()):
            problems.append(
                loc.problem(
                    (*path, var),
                    "a likelihood vector of all zeros rules out every state",
                    fix="give at least one positive likelihood",
                )
            )


def _factorise(
    v: Any,
    i: int,
    known: Mapping[str, list[str]],
    loc: Locator,
    problems: list[Problem],
    expanded: Expanded,
) -> None:
    """A noisy CPT too large to expand: checked, and kept as its parameters."""
    too_big = chain_problem(len(v.states), [len(known[p]) for p in v.parents])
    if too_big is not None:
        problems.append(
            loc.problem(("variables", i, "parents"), f"cpt of {v.id}: {too_big[0]}", **too_big[1])
        )
        return
    point, issues = factorise_cpt(v, known)
    for rel, msg, extra in issues:
        problems.append(loc.problem(("variables", i, *rel), f"cpt of {v.id}: {msg}", **extra))
    if point is not None:
        expanded.factors[v.id] = point


def check_query_ref(
    q: QueryRef,
    spec: ModelSpec,
    known: Mapping[str, list[str]],
    loc: Locator,
    path: Path_,
    problems: list[Problem],
) -> None:
    """Names in a query reference: target, states, evidence, interventions, policy, scenario."""
    if q.target is not None:
        if q.target not in known:
            problems.append(
                loc.problem(
                    (*path, "target"),
                    f"unknown variable '{q.target}'{did_you_mean(q.target, known)}",
                )
            )
        else:
            for s in q.target_states():
                if s not in known[q.target]:
                    problems.append(
                        loc.problem(
                            (*path, "state" if q.state is not None else "states"),
                            f"'{s}' is not a state of '{q.target}'{did_you_mean(s, known[q.target])}",
                            expected=f"one of {known[q.target]}",
                        )
                    )
    if q.event is not None:
        for i, term in enumerate(q.event.terms()):
            sub = (
                (*path, "event", "all_of")
                if q.event.all_of is not None
                else (*path, "event", "any_of", i)
            )
            _check_names(term, known, loc, sub, problems)
    _check_names(q.given, known, loc, (*path, "given"), problems)
    _check_names(q.do, known, loc, (*path, "do"), problems)
    _check_soft(q.soft, known, loc, (*path, "soft"), problems)
    if q.policy is not None and q.policy not in {p.id for p in spec.policies}:
        problems.append(
            loc.problem(
                (*path, "policy"),
                f"unknown policy '{q.policy}'{did_you_mean(q.policy, [p.id for p in spec.policies])}",
            )
        )
    if q.scenario is not None and q.scenario not in {s.id for s in spec.scenarios}:
        problems.append(
            loc.problem(
                (*path, "scenario"),
                f"unknown scenario '{q.scenario}'{did_you_mean(q.scenario, [s.id for s in spec.scenarios])}",
            )
        )


def _dupes(items: list[Any], section: str, loc: Locator, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in first:
            _, line = loc.where((section, first[item.id]))
            problems.append(
                loc.problem(
                    (section, i, "id"),
                    f"duplicate id '{item.id}'",
                    fix=f"rename it; the first '{item.id}' is at line {line}",
                )
            )
        else:
            first[item.id] = i


def check_spec(spec: ModelSpec, loc: Locator, folder: Path) -> tuple[list[Problem], Expanded]:
    """Every static rule beyond the schema, and the expanded tables of every CPT and utility
    attribute that passed them. Nothing is written into ``spec``: :func:`~estimative.spec.build.seal`
    attaches the tables once."""
    problems: list[Problem] = []
    expanded = Expanded()
    for section in (
        "variables",
        "policies",
        "scenarios",
        "claims",
        "questions",
        "outcomes",
        "sources",
    ):
        _dupes(list(getattr(spec, section)), section, loc, problems)
    _check_reserved(spec, loc, problems)
    problems += check_aliases(spec, loc)
    known: dict[str, list[str]] = {}
    for i, v in enumerate(spec.variables):
        if len(set(v.states)) != len(v.states):
            dup = sorted({s for s in v.states if v.states.count(s) > 1})
            problems.append(
                loc.problem(
                    ("variables", i, "states"),
                    f"duplicate state(s) {dup}",
                    fix="give each state once",
                )
            )
        if len(v.states) < 2:
            problems.append(
                loc.problem(
                    ("variables", i, "states"),
                    "a variable needs at least two states",
                    found=str(v.states),
                    fix='list its states in order, e.g. states: ["no", "yes"]',
                )
            )
        known.setdefault(v.id, list(v.states))
    # parents and cycles
    edges: dict[str, list[str]] = {v: [] for v in known}
    parents_ok = True
    for i, v in enumerate(spec.variables):
        for j, p in enumerate(v.parents):
            if p == v.id:
                problems.append(
                    loc.problem(
                        ("variables", i, "parents", j), f"'{v.id}' lists itself as a parent"
                    )
                )
                parents_ok = False
            elif p not in known:
                problems.append(
                    loc.problem(
                        ("variables", i, "parents", j),
                        f"undefined parent '{p}'{did_you_mean(p, known)}",
                        fix="define the variable or correct the name",
                    )
                )
                parents_ok = False
            else:
                edges[p].append(v.id)
        if len(set(v.parents)) != len(v.parents):
            problems.append(loc.problem(("variables", i, "parents"), "a parent is listed twice"))
            parents_ok = False
        for j, o in enumerate(v.observes):
            if v.kind != "decision":
                problems.append(
                    loc.problem(
                        ("variables", i, "observes"),
                        "only decision variables observe",
                        fix="set kind: decision or remove observes",
                    )
                )
            elif o not in known:
                problems.append(
                    loc.problem(
                        ("variables", i, "observes", j),
                        f"unknown variable '{o}'{did_you_mean(o, known)}",
                    )
                )
    cycle = find_cycle(edges)
    if cycle:
        names = [*cycle, cycle[0]]
        idx = next(i for i, v in enumerate(spec.variables) if v.id == cycle[0])
        problems.append(
            loc.problem(
                ("variables", idx, "parents"),
                "the graph has a cycle: " + " -> ".join(names),
                fix="a Bayesian network must be acyclic: remove one of these edges",
            )
        )
        parents_ok = False
    # CPTs
    if parents_ok:
        for i, v in enumerate(spec.variables):
            # a variable (or a parent) without two distinct states is reported above; its
            # table has no shape to check against
            if (
                any(p not in known or len(set(known[p])) < 2 for p in v.parents)
                or len(set(v.states)) != len(v.states)
                or len(v.states) < 2
            ):
                continue
            cards = [len(known[p]) for p in v.parents]
            if is_noisy(v) and factorised(len(v.states), cards):
                _factorise(v, i, known, loc, problems, expanded)
                continue
            too_big = table_problem(len(v.states), cards)
            if too_big is not None:
                problems.append(
                    loc.problem(
                        ("variables", i, "parents"), f"cpt of {v.id}: {too_big[0]}", **too_big[1]
                    )
                )
                continue
            weights = {a.id: a.weight for a in spec.analysts}
            table, bands, issues = expand_cpt(v, known, weights=weights)
            for rel, msg, extra in issues:
                problems.append(
                    loc.problem(("variables", i, *rel), f"cpt of {v.id}: {msg}", **extra)
                )
            if table is not None:
                expanded.tables[v.id] = table
                if bands is not None:
                    expanded.bands[v.id] = bands
    # sources and quotes
    docs = read_sources(spec, loc, folder, problems)
    for doc in spec.sources:  # a background source (YAML): its facts are what quotes cite
        if doc.id in docs and doc.path.endswith((".yaml", ".yml")):
            docs[doc.id] = normalized_variants("\n\u2016\n".join(f.text for f in spec.background))

    def check_citation(c: Citation | Any, path: Path_) -> None:
        src, quote = c.source, c.quote
        if src not in {s.id for s in spec.sources}:
            problems.append(
                loc.problem(
                    (*path, "source"),
                    f"unknown source '{src}'{did_you_mean(src, [s.id for s in spec.sources])}",
                    fix="add it under sources: with its path",
                )
            )
        elif src in docs and not quote_in(quote, docs[src]):
            short = quote if len(quote) < 70 else quote[:67] + "..."
            problems.append(
                loc.problem(
                    (*path, "quote"),
                    f"quote not found verbatim in source '{src}'",
                    found=repr(short),
                    fix="copy the words exactly from the document (line breaks and spacing may differ)",
                )
            )

    for i, v in enumerate(spec.variables):
        parts = [(("variables", i, "cpt"), v.cpt)] + [
            (("variables", i, "cpt", "elicitations", k), e)
            for k, e in enumerate(v.cpt.elicitations)
        ]
        for where, cpt in parts:
            for j, c in enumerate(cpt.sources):
                check_citation(c, (*where, "sources", j))
            if cpt.assumption and not (cpt.rationale or "").strip():
                problems.append(
                    loc.problem(
                        (*where, "rationale"),
                        f"assumption in the CPT of {v.id} has no rationale",
                        fix="say why the numbers are what they are",
                    )
                )
        given = v.cpt.elicitations or [v.cpt]  # a pooled CPT: each elicitation, or the CPT itself
        provenance = (
            v.cpt.sources or v.cpt.assumption or all(e.sources or e.assumption for e in given)
        )
        if not provenance and spec.sources:
            problems.append(
                loc.problem(
                    ("variables", i, "cpt"),
                    f"the CPT of {v.id} has no provenance",
                    fix="cite a source with a verbatim quote, or set assumption: true with a rationale",
                )
            )
    for section in ("policies", "scenarios"):
        for i, item in enumerate(getattr(spec, section)):
            for j, c in enumerate(item.sources):
                check_citation(c, (section, i, "sources", j))
    for i, claim in enumerate(spec.claims):
        check_citation(claim, ("claims", i))
    # policies, scenarios, queries
    for i, pol in enumerate(spec.policies):
        _check_names(pol.do, known, loc, ("policies", i, "do"), problems)
        if not pol.do and not pol.react:
            problems.append(
                loc.problem(
                    ("policies", i, "do"),
                    "a policy needs at least one do() assignment (or, in a dynamic model, a rule)",
                )
            )
    for i, sc in enumerate(spec.scenarios):
        _check_names(sc.given, known, loc, ("scenarios", i, "given"), problems)
        _check_soft(sc.soft, known, loc, ("scenarios", i, "soft"), problems)
        both = set(sc.given) & set(sc.soft)
        for var in both:
            problems.append(
                loc.problem(
                    ("scenarios", i, "soft", var),
                    f"'{var}' has both hard and soft evidence",
                    fix="keep one",
                )
            )
    for i, claim in enumerate(spec.claims):
        check_query_ref(claim.left, spec, known, loc, ("claims", i, "left"), problems)
        if isinstance(claim.right, QueryRef):
            check_query_ref(claim.right, spec, known, loc, ("claims", i, "right"), problems)
    for i, q in enumerate(spec.questions):
        check_query_ref(q.query, spec, known, loc, ("questions", i, "query"), problems)
    for i, outcome in enumerate(spec.outcomes):
        _check_names(
            {outcome.target: outcome.state}, known, loc, ("outcomes", i, "target"), problems
        )
    check_evidence(spec, loc, problems)
    if spec.reference_policy is not None and spec.reference_policy not in {
        p.id for p in spec.policies
    }:
        ids = [p.id for p in spec.policies]
        problems.append(
            loc.problem(
                ("reference_policy",),
                f"reference_policy '{spec.reference_policy}' is not a policy of the model"
                f"{did_you_mean(spec.reference_policy, ids)}",
                fix=f"name one of {ids}" if ids else "add the policy under policies:",
            )
        )
    _check_decisions(spec, edges, loc, problems)
    _check_utilities(spec, known, loc, problems, check_citation, expanded)
    return problems, expanded


def _check_reserved(spec: ModelSpec, loc: Locator, problems: list[Problem]) -> None:
    """Policy and scenario ids the command line, sweeps and the brief use for their own rows
    (``baseline``, ...): a policy named ``baseline`` would silently replace the real one."""
    for section, kind in (("policies", "policy"), ("scenarios", "scenario")):
        for i, item in enumerate(getattr(spec, section)):
            if item.id.casefold() in RESERVED_IDS:
                problems.append(
                    loc.problem(
                        (section, i, "id"),
                        f"'{item.id}' is a reserved name and cannot be a {kind} id",
                        expected=f"a name other than {', '.join(RESERVED_IDS)}",
                        fix=f"rename it, e.g. '{item.id}_{kind}'",
                    )
                )


def _check_decisions(
    spec: ModelSpec, edges: Mapping[str, list[str]], loc: Locator, problems: list[Problem]
) -> None:
    """Decisions are made in the order the file lists them; each sees what it observes and
    remembers every earlier decision and observation, so it cannot observe a consequence of
    itself or of a later decision. ``edges`` maps each variable to its children."""
    decisions = [(i, v) for i, v in enumerate(spec.variables) if v.kind == "decision"]
    kinds = {v.id: v.kind for v in spec.variables}
    if not decisions or find_cycle(edges) is not None:
        return

    def descendants(node: str) -> set[str]:
        return reachable(edges, [node], include_start=False)

    for pos, (i, d) in enumerate(decisions):
        for j, o in enumerate(d.observes):
            if o not in kinds:
                continue  # reported with the other names
            path = ("variables", i, "observes", j)
            if kinds[o] == "decision":
                problems.append(
                    loc.problem(
                        path,
                        f"'{d.id}' observes the decision '{o}'",
                        fix="list only chance variables: earlier decisions are remembered anyway",
                    )
                )
                continue
            if o in descendants(d.id):
                problems.append(
                    loc.problem(
                        path,
                        f"'{d.id}' observes '{o}', which depends on '{d.id}' itself",
                        fix="a decision can observe only what is known before it is made",
                    )
                )
                continue
            for _, later in decisions[pos + 1 :]:
                if o in descendants(later.id):
                    problems.append(
                        loc.problem(
                            path,
                            f"'{d.id}' observes '{o}', which depends on the later decision '{later.id}'",
                            fix=f"decisions are made in the order the file lists them: list '{later.id}' before '{d.id}'",
                        )
                    )
                    break
        if len(set(d.observes)) != len(d.observes):
            problems.append(
                loc.problem(("variables", i, "observes"), "a variable is observed twice")
            )


def _check_utilities(
    spec: ModelSpec,
    known: Mapping[str, list[str]],
    loc: Locator,
    problems: list[Problem],
    check_citation: Any,
    expanded: Expanded,
) -> None:
    """Utility attributes: names, complete value tables, a rationale for every weight."""
    if spec.utilities is None:
        return
    attrs = spec.utilities.attributes
    first: dict[str, int] = {}
    for i, a in enumerate(attrs):
        path = ("utilities", "attributes", i)
        if a.id in first:
            problems.append(
                loc.problem(
                    (*path, "id"),
                    f"duplicate attribute id '{a.id}'",
                    fix=f"rename it; the first '{a.id}' is at line {loc.where((*path[:-1], first[a.id]))[1]}",
                )
            )
        first.setdefault(a.id, i)
        if not a.rationale.strip():
            problems.append(
                loc.problem(
                    (*path, "rationale"),
                    f"the weight of '{a.id}' has no rationale",
                    fix="say why this attribute weighs what it does",
                )
            )
        table, issues = a.expand(known)
        for rel, msg, extra in issues:
            problems.append(loc.problem((*path, *rel), f"utility '{a.id}': {msg}", **extra))
        if table is not None:
            expanded.utilities[a.id] = table
        for j, c in enumerate(a.sources):
            check_citation(c, (*path, "sources", j))
    _check_weight_sets(spec.utilities, loc, problems, check_citation)
    if attrs and all(a.weight == 0 for a in attrs):
        problems.append(
            loc.problem(
                ("utilities", "attributes"),
                "every weight is 0, so no outcome is preferred to another",
                fix="give at least one attribute a positive weight",
            )
        )


def _check_weight_sets(
    utilities: Any, loc: Locator, problems: list[Problem], check_citation: Any
) -> None:
    """Weight sets: unique ids, written attribute ids (a dynamic model's per-slice attributes
    are weighed by the id as written), a rationale, not every weight zero."""
    written = list(dict.fromkeys(a.id.partition("@")[0] for a in utilities.attributes))
    file_weights: dict[str, float] = {}
    for a in utilities.attributes:
        wid = a.id.partition("@")[0]
        file_weights[wid] = file_weights.get(wid, 0.0) + float(a.weight)
    seen: set[str] = set()
    for i, ws in enumerate(utilities.weight_sets):
        path = ("utilities", "weight_sets", i)
        if ws.id in seen:
            problems.append(loc.problem((*path, "id"), f"duplicate weight set id '{ws.id}'"))
        seen.add(ws.id)
        if not ws.rationale.strip():
            problems.append(
                loc.problem(
                    (*path, "rationale"),
                    f"weight set '{ws.id}' has no rationale",
                    fix="say whose priorities these are and why they weigh what they do",
                )
            )
        for k in ws.weights:
            if k not in written:
                problems.append(
                    loc.problem(
                        (*path, "weights", k),
                        f"weight set '{ws.id}': unknown attribute '{k}'{did_you_mean(k, written)}",
                        expected=f"one of {written}",
                        fix="name an attribute of utilities: attributes: by its id as written",
                    )
                )
        merged = {**file_weights, **ws.weights}
        if all(w == 0 for w in merged.values()):
            problems.append(
                loc.problem(
                    (*path, "weights"),
                    f"weight set '{ws.id}' makes every weight 0",
                    fix="give at least one attribute a positive weight",
                )
            )
        for j, c in enumerate(ws.sources):
            check_citation(c, (*path, "sources", j))
