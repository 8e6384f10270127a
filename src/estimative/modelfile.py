"""Read model files: YAML -> validated, frozen :class:`~estimative.spec.ModelSpec`.

Every problem found is reported at once, each naming file, line and field. The checks here
are the static ones; claims (which need inference) are checked by :mod:`estimative.claims`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._yaml import LineMap, Path_, format_path, load_yaml
from .elicitation import expand_cpt
from .errors import ModelError, Problem, did_you_mean
from .spec import Citation, ModelSpec, QueryRef

#: Sibling files a model folder may use to split sections out of model.yaml.
SECTION_FILES = ("policies", "scenarios", "claims", "questions", "outcomes", "utilities")
IMPORT_SUFFIXES = (".bif", ".xmlbif", ".bifxml", ".xml", ".xdsl", ".net", ".uai")


def display_path(p: str | Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    p = Path(p)
    try:
        rel = os.path.relpath(p)
    except ValueError:
        return str(p)
    return rel if not rel.startswith("..") else str(p)


# ---------------------------------------------------------------------------------------------
# Quotes
_QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " ", "\u00ad": ""})


def _norm(text: str) -> str:
    return " ".join(text.translate(_QUOTE_CHARS).split())


def normalized_variants(document: str) -> tuple[str, ...]:
    """The document with whitespace folded, plus versions with line-end hyphenation undone
    (joined with and without the hyphen), so a quote matches however the PDF broke its lines."""
    doc = document.translate(_QUOTE_CHARS)
    joined_keep = re.sub(r"-[ \t]*\r?\n\s*", "-", doc)
    joined_drop = re.sub(r"(?<=[a-z])-[ \t]*\r?\n\s*(?=[a-z])", "", doc)
    return tuple(dict.fromkeys(_norm(d) for d in (doc, joined_keep, joined_drop)))


def quote_in(quote: str, variants: Iterable[str]) -> bool:
    """True when ``quote`` appears verbatim in one of the document's normalised variants.

    >>> quote_in("time is not on the US side", normalized_variants("1) time is not\\n on the US side;"))
    True
    >>> quote_in("self-interested", normalized_variants("a more self-\\ninterested view"))
    True
    """
    q = _norm(quote)
    return any(q in v for v in variants)


# ---------------------------------------------------------------------------------------------
class _Locator:
    """Where each path of the merged model data came from."""

    def __init__(self, default: LineMap) -> None:
        self.default = default
        self.sections: dict[str, LineMap] = {}

    def map_for(self, path: Path_) -> LineMap:
        if path and isinstance(path[0], str) and path[0] in self.sections:
            return self.sections[path[0]]
        return self.default

    def problem(self, path: Path_, message: str, **kwargs: Any) -> Problem:
        return self.map_for(path).problem(path, message, **kwargs)

    def where(self, path: Path_) -> tuple[str, int | None]:
        m = self.map_for(path)
        return m.file, m.line(path)


def _type_tag_ok(tag: str, value: Any) -> bool | None:
    """For a pydantic union branch tag in an error location: does the branch fit the data?"""
    if tag.startswith("list["):
        return isinstance(value, list)
    if tag.startswith("dict["):
        return isinstance(value, dict)
    if tag in {"str", "float", "int", "bool", "constrained-float", "constrained-str"} or tag.startswith("function-"):
        return not isinstance(value, (dict, list))
    if tag[:1].isupper() and tag.isidentifier():
        return isinstance(value, dict)
    return None


def _pydantic_problems(
    exc: ValidationError, data: Any, loc: _Locator, *,
    fields_of: Mapping[str, list[str]] | None = None, section_kind: Any = None,
) -> list[Problem]:
    """Pydantic errors as located problems. Other file kinds (sweep files) pass their own
    ``fields_of`` (kind -> allowed keys) and ``section_kind`` (path -> kind) for "did you mean"."""
    kept: list[Problem] = []
    seen: set[str] = set()
    fields_of = _known_fields() if fields_of is None else fields_of
    kind_of = _section_kind if section_kind is None else section_kind
    for err in exc.errors(include_url=False):
        path: list[str | int] = []
        cur: Any = data
        drop = False
        for part in err["loc"]:
            if isinstance(part, int) or (isinstance(cur, dict) and part in cur):
                path.append(part)
                try:
                    cur = cur[part]
                except (KeyError, IndexError, TypeError):
                    cur = None
                continue
            if isinstance(part, str) and err["type"] != "extra_forbidden":
                fit = _type_tag_ok(part, cur)
                if fit is False:
                    drop = True
                    break
                if fit is True:
                    continue
            path.append(part)
            cur = None
        if drop:
            continue
        tpath = tuple(path)
        etype = err["type"]
        if etype == "extra_forbidden":
            key = str(tpath[-1])
            allowed = fields_of.get(kind_of(tpath[:-1]), [])
            hint = did_you_mean(key, allowed)
            p = loc.problem(tpath, f"unknown key '{key}'{hint}",
                            expected=f"one of {sorted(allowed)}" if allowed else None,
                            fix="remove it or correct its spelling")
        elif etype == "missing":
            p = loc.problem(tpath[:-1], f"missing required field '{tpath[-1]}'", fix=f"add {tpath[-1]}: ...")
        else:
            found = err.get("input")
            found_s = repr(found) if not isinstance(found, (dict, list)) else type(found).__name__
            p = loc.problem(tpath, err["msg"][0].lower() + err["msg"][1:], found=found_s if len(found_s) < 80 else found_s[:77] + "...")
        if str(p) not in seen:
            seen.add(str(p))
            kept.append(p)
    if not kept:  # every error sat on a branch we dropped: fall back to the raw messages
        for err in exc.errors(include_url=False):
            kept.append(loc.problem(tuple(x for x in err["loc"] if isinstance(x, (int, str))), err["msg"]))
    return kept


def _known_fields() -> dict[str, list[str]]:
    from . import spec as s

    return {
        "model": list(s.ModelSpec.model_fields),
        "variable": list(s.VariableSpec.model_fields),
        "cpt": list(s.CptSpec.model_fields),
        "policy": list(s.PolicySpec.model_fields),
        "scenario": list(s.ScenarioSpec.model_fields),
        "claim": list(s.ClaimSpec.model_fields),
        "question": list(s.QuestionSpec.model_fields),
        "outcome": list(s.OutcomeSpec.model_fields),
        "source": list(s.SourceDoc.model_fields),
        "citation": list(s.Citation.model_fields),
        "query": list(s.QueryRef.model_fields),
        "utility": list(s.UtilitySpec.model_fields),
        "attribute": list(s.AttributeSpec.model_fields),
        "utility_row": list(s.UtilityRow.model_fields),
        "row": ["when", "probs", "term"],
        "noisy": ["leak", "causes", "absent"],
    }


def _section_kind(path: Path_) -> str:
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return "model"
    last = names[-1]
    table = {"variables": "variable", "policies": "policy", "scenarios": "scenario", "claims": "claim",
             "questions": "question", "outcomes": "outcome", "cpt": "cpt", "table": "row", "verbal": "row",
             "noisy_or": "noisy", "noisy_max": "noisy", "left": "query", "right": "query", "query": "query",
             "utilities": "utility", "attributes": "attribute", "values": "utility_row"}
    if last == "sources":
        return "source" if len(names) == 1 else "citation"
    return table.get(last, "model")


# ---------------------------------------------------------------------------------------------
def _resolve(path: str | Path) -> tuple[Path, Path]:
    """(model folder, model.yaml path) for a folder or a YAML file."""
    p = Path(path)
    if p.is_dir():
        return p, p / "model.yaml"
    return p.parent, p


def load_raw(path: str | Path) -> tuple[dict[str, Any], _Locator, Path]:
    """Load model.yaml and its sibling section files, merged, with line information."""
    folder, main = _resolve(path)
    if not main.exists():
        if Path(path).is_dir():
            raise ModelError(Problem("model folder has no model.yaml", file=display_path(path),
                                     fix="name a folder holding model.yaml, a model YAML file, or a BIF/XMLBIF/XDSL file"))
        raise ModelError(Problem("file not found", file=display_path(main), fix="check the path"))
    data, lines = load_yaml(main, display=display_path(main))
    if not isinstance(data, dict):
        raise ModelError(Problem("the top level of a model file must be a mapping of keys (title:, variables:, ...)",
                                 file=lines.file, line=1, found=type(data).__name__))
    loc = _Locator(lines)
    if main.name == "model.yaml":
        for section in SECTION_FILES:
            sib = folder / f"{section}.yaml"
            if not sib.exists():
                continue
            sdata, slines = load_yaml(sib, display=display_path(sib))
            if not isinstance(sdata, dict) or set(sdata) != {section}:
                raise ModelError(Problem(f"{sib.name} must hold exactly one top-level key, '{section}:'",
                                         file=slines.file, line=1,
                                         found=f"keys {sorted(sdata)}" if isinstance(sdata, dict) else type(sdata).__name__))
            if section in data:
                raise ModelError(Problem(f"'{section}' is defined both here and in {sib.name}",
                                         file=lines.file, line=lines.line((section,)), field=section,
                                         fix="keep it in one place"))
            data[section] = sdata[section]
            loc.sections[section] = slines
    return data, loc, folder


def load_model(path: str | Path) -> ModelSpec:
    """Load and validate a model folder (or model YAML file, or BIF/XMLBIF/XDSL file).

    Raises :class:`~estimative.errors.ModelError` listing every problem found.

    Examples
    --------
    >>> spec = load_model("models/example")
    >>> spec.variable("armed_clash").states
    ['no', 'yes']
    """
    if Path(path).suffix.lower() in IMPORT_SUFFIXES and Path(path).is_file():
        from .export import import_file

        return import_file(path)
    data, loc, folder = load_raw(path)
    try:
        spec = ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise ModelError(_pydantic_problems(exc, data, loc)) from None
    problems = check_spec(spec, loc, folder)
    if problems:
        raise ModelError(problems)
    spec._root = str(folder)
    spec._name = folder.name if Path(path).is_dir() or Path(path).name == "model.yaml" else Path(path).stem
    spec._locator = loc
    return spec


def locate(spec: ModelSpec, path: Path_) -> tuple[str | None, int | None]:
    """File and line of a path in a model loaded by :func:`load_model` (``(None, None)`` if unknown)."""
    loc = spec._locator
    if loc is None:
        return None, None
    return loc.where(path)


# ---------------------------------------------------------------------------------------------
def _check_names(
    names: Mapping[str, str | None], known: Mapping[str, list[str]], loc: _Locator, path: Path_, problems: list[Problem],
    *, what: str = "variable",
) -> None:
    for var, state in names.items():
        if var not in known:
            problems.append(loc.problem((*path, var), f"unknown {what} '{var}'{did_you_mean(var, known)}",
                                        fix="name a variable the model defines"))
        elif state is not None and state not in known[var]:
            problems.append(loc.problem((*path, var), f"'{state}' is not a state of '{var}'{did_you_mean(state, known[var])}",
                                        expected=f"one of {known[var]}", found=repr(state)))


def _check_soft(soft: Mapping[str, Mapping[str, float]], known: Mapping[str, list[str]], loc: _Locator, path: Path_,
                problems: list[Problem]) -> None:
    for var, lik in soft.items():
        if var not in known:
            problems.append(loc.problem((*path, var), f"unknown variable '{var}'{did_you_mean(var, known)}"))
            continue
        for s in lik:
            if s not in known[var]:
                problems.append(loc.problem((*path, var, s), f"'{s}' is not a state of '{var}'{did_you_mean(s, known[var])}",
                                            expected=f"one of {known[var]}"))
        if all(float(v) == 0.0 for v in lik.values()):
            problems.append(loc.problem((*path, var), "a likelihood vector of all zeros rules out every state",
                                        fix="give at least one positive likelihood"))


def check_query_ref(q: QueryRef, spec: ModelSpec, known: Mapping[str, list[str]], loc: _Locator, path: Path_,
                    problems: list[Problem]) -> None:
    """Names in a query reference: target, states, evidence, interventions, policy, scenario."""
    if q.target is not None:
        if q.target not in known:
            problems.append(loc.problem((*path, "target"), f"unknown variable '{q.target}'{did_you_mean(q.target, known)}"))
        else:
            for s in q.target_states():
                if s not in known[q.target]:
                    problems.append(loc.problem((*path, "state" if q.state is not None else "states"),
                                                f"'{s}' is not a state of '{q.target}'{did_you_mean(s, known[q.target])}",
                                                expected=f"one of {known[q.target]}"))
    if q.event is not None:
        for i, term in enumerate(q.event.terms()):
            sub = (*path, "event", "all_of") if q.event.all_of is not None else (*path, "event", "any_of", i)
            _check_names(term, known, loc, sub, problems)
    _check_names(q.given, known, loc, (*path, "given"), problems)
    _check_names(q.do, known, loc, (*path, "do"), problems)
    _check_soft(q.soft, known, loc, (*path, "soft"), problems)
    if q.policy is not None and q.policy not in {p.id for p in spec.policies}:
        problems.append(loc.problem((*path, "policy"), f"unknown policy '{q.policy}'{did_you_mean(q.policy, [p.id for p in spec.policies])}"))
    if q.scenario is not None and q.scenario not in {s.id for s in spec.scenarios}:
        problems.append(loc.problem((*path, "scenario"), f"unknown scenario '{q.scenario}'{did_you_mean(q.scenario, [s.id for s in spec.scenarios])}"))


def _dupes(items: list[Any], section: str, loc: _Locator, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in first:
            _, line = loc.where((section, first[item.id]))
            problems.append(loc.problem((section, i, "id"), f"duplicate id '{item.id}'",
                                        fix=f"rename it; the first '{item.id}' is at line {line}"))
        else:
            first[item.id] = i


def find_cycle(edges: Mapping[str, list[str]]) -> list[str] | None:
    """A directed cycle as a list of nodes (``a -> b -> ... -> a`` without the repeat), or None.

    Iterative depth-first search in the mapping's order, so the cycle reported is deterministic
    (networkx's import alone costs the command line half a second, hence our own).

    >>> find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]})
    ['a', 'b', 'c']
    >>> find_cycle({"a": ["b"], "b": []}) is None
    True
    """
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for root in edges:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            children = edges.get(node, [])
            if i < len(children):
                stack[-1] = (node, i + 1)
                child = children[i]
                if state.get(child) == 1:
                    return path[path.index(child):]
                if not state.get(child):
                    state[child] = 1
                    stack.append((child, 0))
                    path.append(child)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return None


def check_spec(spec: ModelSpec, loc: _Locator, folder: Path) -> list[Problem]:
    """Every static rule beyond the schema. Expands CPTs into the spec as a side effect."""
    problems: list[Problem] = []
    for section in ("variables", "policies", "scenarios", "claims", "questions", "outcomes", "sources"):
        _dupes(list(getattr(spec, section)), section, loc, problems)
    known: dict[str, list[str]] = {}
    for i, v in enumerate(spec.variables):
        if len(set(v.states)) != len(v.states):
            dup = sorted({s for s in v.states if v.states.count(s) > 1})
            problems.append(loc.problem(("variables", i, "states"), f"duplicate state(s) {dup}", fix="give each state once"))
        if len(v.states) < 2:
            problems.append(loc.problem(("variables", i, "states"), "a variable needs at least two states", found=str(v.states)))
        known.setdefault(v.id, list(v.states))
    # parents and cycles
    edges: dict[str, list[str]] = {v: [] for v in known}
    parents_ok = True
    for i, v in enumerate(spec.variables):
        for j, p in enumerate(v.parents):
            if p == v.id:
                problems.append(loc.problem(("variables", i, "parents", j), f"'{v.id}' lists itself as a parent"))
                parents_ok = False
            elif p not in known:
                problems.append(loc.problem(("variables", i, "parents", j), f"undefined parent '{p}'{did_you_mean(p, known)}",
                                            fix="define the variable or correct the name"))
                parents_ok = False
            else:
                edges[p].append(v.id)
        if len(set(v.parents)) != len(v.parents):
            problems.append(loc.problem(("variables", i, "parents"), "a parent is listed twice"))
            parents_ok = False
        for j, o in enumerate(v.observes):
            if v.kind != "decision":
                problems.append(loc.problem(("variables", i, "observes"), "only decision variables observe", fix="set kind: decision or remove observes"))
            elif o not in known:
                problems.append(loc.problem(("variables", i, "observes", j), f"unknown variable '{o}'{did_you_mean(o, known)}"))
    cycle = find_cycle(edges)
    if cycle:
        names = [*cycle, cycle[0]]
        idx = next(i for i, v in enumerate(spec.variables) if v.id == cycle[0])
        problems.append(loc.problem(("variables", idx, "parents"), "the graph has a cycle: " + " -> ".join(names),
                                    fix="a Bayesian network must be acyclic: remove one of these edges"))
        parents_ok = False
    # CPTs
    if parents_ok:
        for i, v in enumerate(spec.variables):
            if any(p not in known for p in v.parents) or len(set(v.states)) != len(v.states):
                continue
            table, bands, issues = expand_cpt(v, known)
            for rel, msg, extra in issues:
                problems.append(loc.problem(("variables", i, *rel), f"cpt of {v.id}: {msg}", **extra))
            if table is not None:
                v._table = table
                v._bands = bands
    # sources and quotes
    docs: dict[str, tuple[str, ...]] = {}
    for i, s in enumerate(spec.sources):
        p = folder / s.path
        if not p.is_file():
            problems.append(loc.problem(("sources", i, "path"), f"source document '{s.path}' does not exist",
                                        found=display_path(p), fix="give a path relative to the model folder"))
            continue
        try:
            docs[s.id] = normalized_variants(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError) as exc:
            problems.append(loc.problem(("sources", i, "path"), f"cannot read source document as UTF-8 text ({exc})"))

    def check_citation(c: Citation | Any, path: Path_) -> None:
        src, quote = c.source, c.quote
        if src not in {s.id for s in spec.sources}:
            problems.append(loc.problem((*path, "source"), f"unknown source '{src}'{did_you_mean(src, [s.id for s in spec.sources])}",
                                        fix="add it under sources: with its path"))
        elif src in docs and not quote_in(quote, docs[src]):
            short = quote if len(quote) < 70 else quote[:67] + "..."
            problems.append(loc.problem((*path, "quote"), f"quote not found verbatim in source '{src}'",
                                        found=repr(short), fix="copy the words exactly from the document (line breaks and spacing may differ)"))

    for i, v in enumerate(spec.variables):
        for j, c in enumerate(v.cpt.sources):
            check_citation(c, ("variables", i, "cpt", "sources", j))
        if v.cpt.assumption and not (v.cpt.rationale or "").strip():
            problems.append(loc.problem(("variables", i, "cpt", "rationale"), f"assumption in the CPT of {v.id} has no rationale",
                                        fix="say why the numbers are what they are"))
        if not v.cpt.sources and not v.cpt.assumption and spec.sources:
            problems.append(loc.problem(("variables", i, "cpt"), f"the CPT of {v.id} has no provenance",
                                        fix="cite a source with a verbatim quote, or set assumption: true with a rationale"))
    for section in ("policies", "scenarios"):
        for i, item in enumerate(getattr(spec, section)):
            for j, c in enumerate(item.sources):
                check_citation(c, (section, i, "sources", j))
    for i, c in enumerate(spec.claims):
        check_citation(c, ("claims", i))
    # policies, scenarios, queries
    for i, p in enumerate(spec.policies):
        _check_names(p.do, known, loc, ("policies", i, "do"), problems)
        if not p.do:
            problems.append(loc.problem(("policies", i, "do"), "a policy needs at least one do() assignment"))
    for i, s in enumerate(spec.scenarios):
        _check_names(s.given, known, loc, ("scenarios", i, "given"), problems)
        _check_soft(s.soft, known, loc, ("scenarios", i, "soft"), problems)
        both = set(s.given) & set(s.soft)
        for var in both:
            problems.append(loc.problem(("scenarios", i, "soft", var), f"'{var}' has both hard and soft evidence", fix="keep one"))
    for i, c in enumerate(spec.claims):
        check_query_ref(c.left, spec, known, loc, ("claims", i, "left"), problems)
        if isinstance(c.right, QueryRef):
            check_query_ref(c.right, spec, known, loc, ("claims", i, "right"), problems)
    for i, q in enumerate(spec.questions):
        check_query_ref(q.query, spec, known, loc, ("questions", i, "query"), problems)
    for i, o in enumerate(spec.outcomes):
        _check_names({o.target: o.state}, known, loc, ("outcomes", i, "target"), problems)
    _check_decisions(spec, edges, loc, problems)
    _check_utilities(spec, known, loc, problems, check_citation)
    return problems


def _check_decisions(spec: ModelSpec, edges: Mapping[str, list[str]], loc: _Locator, problems: list[Problem]) -> None:
    """Decisions are made in the order the file lists them; each sees what it observes and
    remembers every earlier decision and observation, so it cannot observe a consequence of
    itself or of a later decision. ``edges`` maps each variable to its children."""
    decisions = [(i, v) for i, v in enumerate(spec.variables) if v.kind == "decision"]
    kinds = {v.id: v.kind for v in spec.variables}
    if not decisions or find_cycle(edges) is not None:
        return

    def descendants(node: str) -> set[str]:
        seen: set[str] = set()
        stack = list(edges.get(node, []))
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(edges.get(n, []))
        return seen

    for pos, (i, d) in enumerate(decisions):
        for j, o in enumerate(d.observes):
            if o not in kinds:
                continue  # reported with the other names
            path = ("variables", i, "observes", j)
            if kinds[o] == "decision":
                problems.append(loc.problem(path, f"'{d.id}' observes the decision '{o}'",
                                            fix="list only chance variables: earlier decisions are remembered anyway"))
                continue
            if o in descendants(d.id):
                problems.append(loc.problem(path, f"'{d.id}' observes '{o}', which depends on '{d.id}' itself",
                                            fix="a decision can observe only what is known before it is made"))
                continue
            for _, later in decisions[pos + 1:]:
                if o in descendants(later.id):
                    problems.append(loc.problem(
                        path, f"'{d.id}' observes '{o}', which depends on the later decision '{later.id}'",
                        fix=f"decisions are made in the order the file lists them: list '{later.id}' before '{d.id}'"))
                    break
        if len(set(d.observes)) != len(d.observes):
            problems.append(loc.problem(("variables", i, "observes"), "a variable is observed twice"))


def _check_utilities(spec: ModelSpec, known: Mapping[str, list[str]], loc: _Locator, problems: list[Problem],
                     check_citation: Any) -> None:
    """Utility attributes: names, complete value tables, a rationale for every weight."""
    if spec.utilities is None:
        return
    attrs = spec.utilities.attributes
    first: dict[str, int] = {}
    for i, a in enumerate(attrs):
        path = ("utilities", "attributes", i)
        if a.id in first:
            problems.append(loc.problem((*path, "id"), f"duplicate attribute id '{a.id}'",
                                        fix=f"rename it; the first '{a.id}' is at line {loc.where((*path[:-1], first[a.id]))[1]}"))
        first.setdefault(a.id, i)
        if not a.rationale.strip():
            problems.append(loc.problem((*path, "rationale"), f"the weight of '{a.id}' has no rationale",
                                        fix="say why this attribute weighs what it does"))
        table, issues = a.expand(known)
        for rel, msg, extra in issues:
            problems.append(loc.problem((*path, *rel), f"utility '{a.id}': {msg}", **extra))
        if table is not None:
            a._table = table
        for j, c in enumerate(a.sources):
            check_citation(c, (*path, "sources", j))
    if attrs and all(a.weight == 0 for a in attrs):
        problems.append(loc.problem(("utilities", "attributes"), "every weight is 0, so no outcome is preferred to another",
                                    fix="give at least one attribute a positive weight"))


def problem_at(spec: ModelSpec, path: Path_, message: str, **kwargs: Any) -> Problem:
    """A :class:`Problem` located at ``path`` of a loaded model."""
    file, line = locate(spec, path)
    return Problem(message, file=file, line=line, field=format_path(path), **kwargs)


def spec_from_arrays(
    title: str,
    variables: Iterable[tuple[str, Iterable[str], Iterable[str], Any]],
    *,
    rationale: str = "given as arrays",
    as_of: str = "1970-01-01",
    labels: Mapping[str, str] | None = None,
) -> ModelSpec:
    """Build a validated :class:`ModelSpec` from ``(id, states, parents, table)`` tuples.

    ``table`` has shape ``(len(states), *parent cardinalities)`` with columns summing to 1
    (within 1e-6; they are renormalised). Every CPT is marked an assumption with
    ``rationale``. Used for imported networks and for tests.

    >>> import numpy as np
    >>> s = spec_from_arrays("t", [("a", ["no", "yes"], [], np.array([0.25, 0.75]))])
    >>> s.variable("a").table.tolist()
    [0.25, 0.75]
    """
    import itertools

    import numpy as np

    from .spec import CptSpec, TableRow, VariableSpec

    items = [(vid, list(states), list(parents), np.asarray(table, dtype=float)) for vid, states, parents, table in variables]
    states_of = {vid: st for vid, st, _, _ in items}
    specs = []
    for vid, st, parents, table in items:
        for p in parents:
            if p not in states_of:
                raise ModelError(Problem(f"undefined parent '{p}' of '{vid}'{did_you_mean(p, states_of)}"))
        shape = (len(st), *(len(states_of[p]) for p in parents))
        if table.shape != shape:
            raise ModelError(Problem(f"table of '{vid}' has shape {table.shape}", expected=str(shape)))
        sums = table.sum(axis=0)
        if np.any(np.abs(sums - 1) > 1e-6) or np.any(table < 0):
            raise ModelError(Problem(f"table of '{vid}' has a column that is not a distribution",
                                     found=f"column sums from {sums.min():.9g} to {sums.max():.9g}"))
        table = table / sums
        rows = []
        for combo in itertools.product(*(range(len(states_of[p])) for p in parents)):
            col = table[(slice(None), *combo)]
            rows.append(TableRow(when={p: states_of[p][c] for p, c in zip(parents, combo, strict=True)},
                                 probs={s: float(x) for s, x in zip(st, col, strict=True)}))
        var = VariableSpec(
            id=vid, label=(labels or {}).get(vid, vid), states=st, parents=parents,
            cpt=CptSpec(table=rows, assumption=True, rationale=rationale),
        )
        var._table = table
        specs.append(var)
    spec = ModelSpec(title=title, as_of=as_of, variables=specs)  # type: ignore[arg-type]
    problems = check_spec(spec, _Locator(LineMap("<arrays>", {})), Path("."))
    if problems:
        raise ModelError(problems)
    return spec
