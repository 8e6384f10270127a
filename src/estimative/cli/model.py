"""Commands on one model: ``validate``, ``show``, ``query``, ``compare``, ``map``, ``export``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import UsageError
from ._args import add_conditions, conditions, load, print_notes
from ._output import HASH_KEY, fmt_table, model_fields, out, print_json
from .trajectory import add_trajectory_flags, run_trajectory


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a model: schema, CPTs, quotes against their sources, the claims ledger.

    JSON: ``{"ok", "model", "path", "model_hash", "counts": {"variables", "policies", "scenarios",
    "claims", "questions", "quotes", "references", "background_facts"}, "claims_checked",
    "problems": [...], "warnings": [...]}``. Warnings (a CPT resting only on context quotes)
    go to stderr and do not fail validation.
    """
    import importlib.util

    from ..files import load_model
    from ..network import Network

    spec = load_model(args.path)
    net = Network(spec)
    problems = []
    claims_checked = 0
    if spec.claims and importlib.util.find_spec("estimative.claims") is not None:
        from ..claims import check_claims

        problems = check_claims(net)
        claims_checked = len(spec.claims)
    from ..baserates import check_references, evidence_warnings

    problems = [*problems, *check_references(net)]
    warnings = evidence_warnings(spec)
    quotes = (
        sum(len(v.cpt.sources) for v in spec.variables)
        + len(spec.claims)
        + sum(len(p.sources) for p in spec.policies)
        + sum(len(s.sources) for s in spec.scenarios)
    )
    counts = {
        "variables": len(spec.variables),
        "policies": len(spec.policies),
        "scenarios": len(spec.scenarios),
        "claims": len(spec.claims),
        "questions": len(spec.questions),
        "quotes": quotes,
        "references": len(spec.references),
        "background_facts": len(spec.background),
    }
    if args.json:
        print_json(
            {
                "ok": not problems,
                "model": spec.name,
                "path": args.path,
                HASH_KEY: spec.model_hash,
                "counts": counts,
                "claims_checked": claims_checked,
                "problems": problems,
                "warnings": warnings,
            }
        )
    for w in warnings:
        sys.stderr.write(f"warning: {w}\n")
    if problems:
        for p in problems:
            sys.stderr.write(f"error: {p}\n")
        sys.stderr.write(f"{len(problems)} problem(s) in {args.path}\n")
        return 2
    if not args.json:
        out(f"{args.path}: valid ({spec.title})")
        out(
            f"  {counts['variables']} variables, {counts['policies']} policies, {counts['scenarios']} scenarios, "
            f"{counts['questions']} questions"
        )
        out(f"  {quotes} quotes found verbatim in their sources; {claims_checked} claims hold")
        if spec.references:
            out(
                f"  {len(spec.references)} reference classes over {len(spec.background)} dated "
                f"background facts, all before {spec.as_of}"
            )
        out(f"  model hash {spec.model_hash}")
    return 0


def _provenance(v: Any) -> str:
    cpt = v.cpt
    if cpt.sources and not cpt.assumption:
        return f"{len(cpt.sources)} quote(s)"
    if cpt.sources:
        return f"assumption + {len(cpt.sources)} quote(s)"
    return "assumption" if cpt.assumption else "none"


def cmd_show(args: argparse.Namespace) -> int:
    """A model's variables with their provenance, its policies and scenarios.

    JSON: ``{"model", "title", "as_of", "model_hash", "variables": [{"id", "label", "kind", "states",
    "parents", "aliases", "state_aliases", "position", "cpt_form", "strength", "assumption",
    "rationale", "sources", "table"}], "policies", "scenarios"}``. ``aliases`` are the other
    names a variable answers to (``state_aliases``: of its states); every command takes them.
    """
    from ..spec.elicitation import default_strength

    net = load(args.path)
    if args.references:
        return _show_references(net, as_json=args.json)
    spec = net.spec
    variables = [spec.variable(v) for v in net.variables]
    if args.variable:
        net.index(args.variable)
        variables = [spec.variable(args.variable)]
    if args.json:
        print_json(
            {
                "model": spec.name,
                "title": spec.title,
                "as_of": spec.as_of,
                HASH_KEY: spec.model_hash,
                "variables": [
                    {
                        "id": v.id,
                        "label": v.label,
                        "kind": v.kind,
                        "states": v.states,
                        "parents": v.parents,
                        "aliases": v.aliases,
                        "state_aliases": v.state_aliases,
                        "position": v.position,
                        "cpt_form": v.cpt.form,
                        "strength": default_strength(v.cpt),
                        "assumption": v.cpt.assumption,
                        "rationale": v.cpt.rationale,
                        "sources": [c.model_dump() for c in v.cpt.sources],
                        # a factorised noisy CPT has no full table: null
                        "table": None if v.id in net.chains else net.cpt(v.id),
                    }
                    for v in variables
                ],
                "policies": [p.model_dump() for p in spec.policies],
                "scenarios": [s.model_dump() for s in spec.scenarios],
            }
        )
        return 0
    out(f"{spec.title} (as of {spec.as_of}; model {spec.name}, hash {spec.model_hash})")
    out()
    rows = [
        (
            v.id,
            v.kind,
            "/".join(v.states),
            ",".join(v.parents) or "-",
            v.cpt.form,
            f"{default_strength(v.cpt):g}",
            _provenance(v),
        )
        for v in variables
    ]
    out(fmt_table(["variable", "kind", "states", "parents", "cpt", "strength", "provenance"], rows))
    named = [v for v in variables if v.aliases or v.state_aliases]
    if named:
        out()
        out("Other names (aliases), accepted wherever a variable or state is named:")
        out(fmt_table(["variable", "aliases", "states' aliases"], _alias_rows(named)))
    if args.variable:
        v = variables[0]
        out()
        out(f"{v.label}: {v.description}".strip())
        for c in v.cpt.sources:
            out(f'  [{c.source}] "{c.quote.strip()}"')
        if v.cpt.rationale:
            out(f"  rationale: {v.cpt.rationale.strip()}")
        return 0
    if spec.policies:
        out()
        out(
            fmt_table(
                ["policy", "label", "do()"],
                [
                    (p.id, p.label, ", ".join(f"{k}={s}" for k, s in p.do.items()))
                    for p in spec.policies
                ],
            )
        )
    if spec.scenarios:
        out()
        out(
            fmt_table(
                ["scenario", "label", "evidence"],
                [
                    (
                        s.id,
                        s.label,
                        ", ".join(
                            [f"{k}={x}" for k, x in s.given.items()] + [f"{k}~soft" for k in s.soft]
                        ),
                    )
                    for s in spec.scenarios
                ],
            )
        )
    return 0


def _alias_rows(variables: list[Any]) -> list[tuple[str, str, str]]:
    return [
        (
            v.id,
            ", ".join(repr(a) for a in v.aliases) or "-",
            "; ".join(
                f"{s}: {', '.join(repr(a) for a in names)}" for s, names in v.state_aliases.items()
            )
            or "-",
        )
        for v in variables
    ]


def _show_references(net: Any, *, as_json: bool) -> int:
    """Every reference class: its window, count and base rate, its events, and its uses."""
    from ..baserates import reference_table

    table = reference_table(net)
    if as_json:
        print_json(table.to_dict())
        return 0
    spec = net.spec
    out(
        f"Reference classes of {spec.title} (as of {spec.as_of}; model {spec.name}, hash {spec.model_hash})"
    )
    if not len(table):
        out("  none: the model states no reference class")
    for r in table:
        unit = "years" if r.per == "year" else f"trials ({r.per})"
        rate = f"{r.base_rate:.3g} per year" if r.per == "year" else f"{r.base_rate:.3g}"
        out()
        out(f"{r.id}: {r.label}{' [loose fit: an analogy]' if r.fit == 'loose' else ''}")
        out(f"  window {r.start} to {r.end}; n = {r.n} in {r.out_of:g} {unit}; base rate {rate}")
        for title, facts in (("events", r.events), ("trials", r.trials)):
            if facts:
                out(f"  {title}:")
            for fid, day, text, uncertain in facts:
                out(f"  - {day}  {text}{'  [uncertain]' if uncertain else ''}  ({fid})")
        if r.note:
            out(f"  note: {r.note.strip()}")
        for u in r.uses:
            shift = 100 * (u.adjusted - u.implied)
            out(
                f"  {u.user}: base rate {u.implied:.3f} -> adjusted {u.adjusted:.3f} "
                f"({shift:+.0f} points; model {u.model:.3f}): {u.reason}"
            )
        if not r.uses:
            out("  (used by no question or CPT)")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    """P(target | evidence; do(...)) by exact inference.

    JSON: ``{"model", "model_hash", "target", "given", "do", "soft", "probabilities": {state: p},
    "evidence_probability"}``.
    """
    net = load(args.path)
    if args.trajectory:
        return run_trajectory(args, net, conditions(args, net))
    for flag in ("state", "each_policy", "draws", "chart"):
        if getattr(args, flag):
            raise UsageError(
                f"--{flag.replace('_', '-')} goes with --trajectory",
                fix="add --trajectory (dynamic models), or drop the flag",
            )
    net = net.with_window(args.target)  # a window the model did not name
    post = net.query(args.target, **conditions(args, net))
    if args.json:
        # Posterior.to_dict() is the distribution alone; the query's conditions are its fields.
        print_json(
            {
                **model_fields(net.name, net.model_hash),
                "target": post.variable,
                "given": post.given,
                "do": post.do,
                "soft": post.soft,
                "probabilities": post.to_dict(),
                "evidence_probability": post.evidence_probability,
            }
        )
        return 0
    cond = post.condition_text()
    out(
        f"P({post.variable}{' | ' + cond if cond else ''})   [model {net.name}, hash {net.model_hash}]"
    )
    out(fmt_table(["state", "probability"], [(s, f"{p:.4f}") for s, p in post.to_dict().items()]))
    return 0


def _outcomes(net: Any) -> list[tuple[str, str, str, str]]:
    """``(key, label, target, state)`` of each headline outcome: the model's ``outcomes``, else
    the last state of every variable with parents (key: the outcome id, or the variable)."""
    spec = net.spec
    if spec.outcomes:
        return [(o.id, o.label, o.target, o.state) for o in spec.outcomes]
    return [(v, v, v, net.states[v][-1]) for v in net.variables if net.parents[v]]


def cmd_compare(args: argparse.Namespace) -> int:
    """The model's headline outcomes under the baseline and under each policy.

    JSON: ``{"model", "model_hash", "scenario", "columns": ["baseline", policy...], "rows": [{"outcome",
    "target", "state", "probabilities": {column: p}}]}``.
    """
    from ..spec import BASELINE

    net = load(args.path)
    spec = net.spec
    policies = args.policy or [p.id for p in spec.policies]
    columns = [(BASELINE, None)] + [(p, p) for p in policies]
    outcomes = _outcomes(net)
    values = {
        (label, col): net.query(target, policy=pol, scenario=args.scenario)[state]
        for _, label, target, state in outcomes
        for col, pol in columns
    }
    if args.json:
        print_json(
            {
                **model_fields(spec.name, spec.model_hash),
                "scenario": args.scenario,
                "columns": [c for c, _ in columns],
                "rows": [
                    {
                        "outcome": label,
                        "target": t,
                        "state": s,
                        "probabilities": {c: values[(label, c)] for c, _ in columns},
                    }
                    for _, label, t, s in outcomes
                ],
            }
        )
        return 0
    out(f"{spec.title}")
    out(
        f"as of {spec.as_of}; model {spec.name}, hash {spec.model_hash}"
        + (f"; scenario {args.scenario}" if args.scenario else "")
    )
    out("Probability of each outcome under the baseline (each government as the analyst expects)")
    out("and under each policy (do() of its instruments):")
    out()
    # One row per policy, one short column per outcome: stays readable with many policies.
    header = ["policy", *(key for key, _, _, _ in outcomes)]
    rows = [
        [c] + [f"{100 * values[(label, c)]:.1f}%" for _, label, _, _ in outcomes]
        for c, _ in columns
    ]
    out(fmt_table(header, rows))
    out()
    out("Outcomes:")
    for key, label, t, st in outcomes:
        out(f"  {key}: {label} ({t}={st})")
    if spec.policies:
        out("Policies:")
        out(f"  {BASELINE}: no intervention; every decision at its prior")
        for p in spec.policies:
            if p.id in policies:
                out(f"  {p.id}: {p.label}")
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    """The most probable explanation of the evidence (MPE, or MAP over ``--variables``).

    JSON: ``{"model", "model_hash", "assignment": {variable: state}, "probability", "given", "do"}``.
    """
    net = load(args.path)
    expl = net.map(args.variables or None, **conditions(args, net))
    if args.json:
        # Explanation has no to_dict() yet: its fields, by hand.
        print_json(
            {
                **model_fields(net.name, net.model_hash),
                "assignment": expl.assignment,
                "probability": expl.probability,
                "given": expl.given,
                "do": expl.do,
            }
        )
        return 0
    out(
        f"Most probable explanation (P = {expl.probability:.4g})   [model {net.name}, hash {net.model_hash}]"
    )
    out(fmt_table(["variable", "state"], list(expl.assignment.items())))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Read a BIF/XMLBIF/XDSL/NET/UAI file, say what it holds and what changed, and with
    ``-o FILE`` write it as a model YAML file (``--normalize``: tables of counts accepted).

    JSON: ``{"ok": true, "model", "model_hash", "variables", "decisions", "utilities",
    "notes", "output"}``.
    """
    import warnings

    from ..files import InteropWarning, import_file
    from ..files.save import save_model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropWarning)
        spec = import_file(args.path, normalize=args.normalize)
    notes = [str(w.message) for w in caught if issubclass(w.category, InteropWarning)]
    path = save_model(spec, args.output) if args.output else None
    decisions = [v.id for v in spec.variables if v.kind == "decision"]
    utilities = [a.id for a in spec.utilities.attributes] if spec.utilities else []
    if args.json:
        print_json(
            {
                "ok": True,
                **model_fields(spec.name, spec.model_hash),
                "variables": [v.id for v in spec.variables],
                "decisions": decisions,
                "utilities": utilities,
                "notes": notes,
                "output": None if path is None else str(path),
            }
        )
        return 0
    print_notes(caught)
    out(
        f"{args.path}: {len(spec.variables)} variables ({len(decisions)} decisions), "
        f"{len(utilities)} utility attributes; model {spec.name}, hash {spec.model_hash}"
    )
    if path is not None:
        out(f"wrote {path}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the network to ``-o FILE`` as BIF, XMLBIF, XDSL (GeNIe), NET (HUGIN) or UAI; what
    the format cannot hold (policies, utilities in BIF, ...) is listed in one note on stderr.

    JSON: ``{"ok": true, "model", "model_hash", "format", "output", "variables", "dropped"}``.
    """
    import warnings

    from ..files import InteropWarning, export_network

    net = load(args.path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropWarning)
        path = export_network(net, args.format, args.output, as_bn=args.bn, unrolled=args.unrolled)
    dropped = [str(w.message) for w in caught if issubclass(w.category, InteropWarning)]
    if args.json:
        print_json(
            {
                "ok": True,
                **model_fields(net.name, net.model_hash),
                "format": args.format,
                "output": str(path),
                "variables": len(net.variables),
                "dropped": dropped,
            }
        )
        return 0
    print_notes(caught)
    out(
        f"wrote {path} ({args.format}, {len(net.variables)} variables; model {net.name}, hash {net.model_hash})"
    )
    return 0


def register(add: Any) -> None:
    """Add this group's commands with ``add(name, function, help)`` (see :func:`estimative.cli.main`)."""
    p = add("validate", cmd_validate, "check a model: schema, CPTs, quotes against sources, claims")
    p.add_argument("path")

    p = add("show", cmd_show, "list a model's variables, provenance, policies and scenarios")
    p.add_argument("path")
    p.add_argument(
        "--variable", metavar="ID", help="show one variable with its quotes and rationale"
    )
    p.add_argument(
        "--references",
        action="store_true",
        help="list every reference class: its dated events, base rate and adjustments",
    )

    p = add("query", cmd_query, "P(target | evidence; do(...)) by exact inference")
    p.add_argument("path")
    p.add_argument("--target", required=True, metavar="VAR")
    add_conditions(p)
    add_trajectory_flags(p)

    p = add(
        "compare", cmd_compare, "the model's headline outcomes under the baseline and each policy"
    )
    p.add_argument("path")
    p.add_argument(
        "--policy", action="append", metavar="NAME", help="limit to these policies (repeatable)"
    )
    p.add_argument("--scenario", metavar="NAME", help="condition every column on a named scenario")

    p = add(
        "map",
        cmd_map,
        "the most probable explanation of the evidence (MPE, or MAP over --variables)",
    )
    p.add_argument("path")
    p.add_argument("--variables", nargs="*", metavar="VAR")
    add_conditions(p)

    p = add(
        "import",
        cmd_import,
        "read a BIF, XMLBIF, XDSL, NET, UAI or DNE file; with -o, write it as a model YAML file",
    )
    p.add_argument("path")
    p.add_argument(
        "--normalize", action="store_true", help="accept tables of counts (columns normalised)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="the model YAML file to write")

    p = add(
        "export",
        cmd_export,
        "write the network as BIF, XMLBIF, XDSL (GeNIe), NET (HUGIN), UAI or DNE (Netica)",
    )
    p.add_argument("path")
    p.add_argument(
        "--format", required=True, choices=["bif", "xmlbif", "xdsl", "net", "uai", "dne"]
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the file to write (atomically)"
    )
    p.add_argument(
        "--bn",
        action="store_true",
        help="decisions as chance nodes, no utilities, noisy CPTs as tables (for tools that read "
        "only Bayesian networks of tables)",
    )
    p.add_argument(
        "--unrolled",
        action="store_true",
        help="a dynamic model to xdsl: the unrolled network (one node per variable and slice) "
        "instead of GeNIe's temporal plate",
    )
