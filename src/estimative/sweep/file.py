"""Sweep files: YAML -> a validated :class:`SweepFile`, every problem named by file, line and field.

A sweep file describes a batch of queries over parameter draws (see
:mod:`estimative.sweep`)::

    format: estimative-sweep/1          # optional
    title: Policies under parameter uncertainty
    model: ..                           # model folder or file, relative to this file
    targets:                            # what to record, one row per state
      - {variable: armed_clash, state: "yes"}
      - misread_intent                  # shorthand: every state (or "variable=state")
    policies: all                       # a list of policy ids and/or baseline; default all
    scenarios: [baseline, high_provocation]   # likewise
    parameters:                         # optional one-way grids
      - variable: misread_intent
        state: "yes"
        when: {nk_provocation: high}    # columns it applies to (default: every column)
        values: [0.2, 0.4, 0.6]
    strengths: {armed_clash: 5}         # optional Dirichlet strength overrides
    draws: 1000
    seed: 2017
    chunk_size: 500
    output: out/policies                # relative to this file; default out/<file stem>

``policies: all`` means the baseline (no intervention) and every policy of the model;
``scenarios: all`` the baseline (no evidence) and every scenario.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from .._io import display_path
from ..errors import EstimativeError, ModelError, Problem, did_you_mean
from ..files.load import pydantic_problems
from ..files.yamlio import load_yaml
from ..network import Network
from ..network.names import assignment_cuts

#: The name a sweep file uses for "no policy" and "no scenario".
from ..spec import BASELINE
from ..spec.locate import LineMap, Path_
from ..spec.locate import Locator as _Locator

MAX_DRAWS = 10_000_000


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetSpec(_Base):
    """A variable to record, with one state, a list of states, or (neither) every state.

    A plain string is shorthand: ``"armed_clash=yes"`` or ``"misread_intent"`` (every state).
    """

    variable: str
    state: str | None = None
    states: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            var, eq, state = data.partition("=")
            return (
                {"variable": var.strip(), "state": state.strip()}
                if eq
                else {"variable": var.strip()}
            )
        return data


class ParameterGridSpec(_Base):
    """A one-way grid: P(variable=state | when) set to each value in turn, the rest of each
    affected column scaled proportionally so it still sums to 1."""

    variable: str
    state: str
    when: dict[str, str] = Field(default_factory=dict)
    values: Annotated[
        list[Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]], Field(min_length=1)
    ]
    id: Annotated[str, Field(min_length=1, max_length=120)] | None = None


class SweepFileSpec(_Base):
    """The schema of a sweep file (names are checked against the model afterwards)."""

    format: Literal["estimative-sweep/1"] = "estimative-sweep/1"
    title: str | None = None
    description: str = ""
    model: str
    targets: Annotated[list[TargetSpec], Field(min_length=1)]
    policies: list[str] | str = "all"
    scenarios: list[str] | str = "all"
    parameters: list[ParameterGridSpec] = Field(default_factory=list)
    strengths: dict[str, Annotated[float, Field(gt=0.0, allow_inf_nan=False)]] = Field(
        default_factory=dict
    )
    draws: Annotated[int, Field(ge=1, le=MAX_DRAWS)] = 1000
    seed: Annotated[int, Field(ge=0)] = 0
    chunk_size: Annotated[int, Field(ge=1, le=1_000_000)] = 500
    output: str | None = None
    _file: str | None = PrivateAttr(default=None)


_FIELDS = {
    "sweep": list(SweepFileSpec.model_fields),
    "target": list(TargetSpec.model_fields),
    "parameter": list(ParameterGridSpec.model_fields),
}


def _kind(path: Path_) -> str:
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return "sweep"
    return {"targets": "target", "parameters": "parameter"}.get(names[-1], "sweep")


class SweepFile:
    """A validated sweep file: its spec, the loaded network, and every name resolved.

    Attributes
    ----------
    spec : SweepFileSpec
    net : Network
    path : Path
        The sweep file.
    targets : list of (variable, states)
    policies, scenarios : list of str
        Ids in grid order; :data:`BASELINE` stands for none.
    output : Path
        The output folder the file names (relative paths resolved against the file's folder).
    """

    def __init__(
        self,
        spec: SweepFileSpec,
        net: Network,
        path: Path,
        targets: list[tuple[str, list[str]]],
        policies: list[str],
        scenarios: list[str],
        lines: LineMap,
    ) -> None:
        self.spec = spec
        self.net = net
        self.path = path
        self.targets = targets
        self.policies = policies
        self.scenarios = scenarios
        self.lines = lines
        out = Path(spec.output) if spec.output else Path("out") / path.stem
        self.output = out if out.is_absolute() else path.parent / out

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def load_sweep_file(path: str | Path) -> SweepFile:
    """Read and check a sweep file; raise :class:`~estimative.errors.ModelError` listing every
    problem, each with file, line, field and, for misspelt names, a "did you mean".

    Examples
    --------
    >>> sf = load_sweep_file("models/example/sweeps/policies.yaml")
    >>> sf.policies[0], sf.targets[0]
    ('baseline', ('armed_clash', ['yes']))
    """
    p = Path(path)
    data, lines = load_yaml(p, display=display_path(p))
    if not isinstance(data, dict):
        raise ModelError(
            Problem(
                "the top level of a sweep file must be a mapping of keys (model:, targets:, ...)",
                file=lines.file,
                line=1,
                found=type(data).__name__,
            )
        )
    loc = _Locator(lines)
    try:
        spec = SweepFileSpec.model_validate(data)
    except ValidationError as exc:
        raise ModelError(
            pydantic_problems(exc, data, loc, fields_of=_FIELDS, section_kind=_kind)
        ) from None
    spec._file = lines.file
    model_path = Path(os.path.normpath(p.parent / spec.model))
    try:
        net = Network.from_file(model_path)
    except ModelError as exc:
        lead = lines.problem(
            ("model",),
            f"the model '{spec.model}' does not load",
            found=display_path(model_path),
            fix="name a model folder or file relative to this sweep file, and fix the model's own problems below",
        )
        if len(exc.problems) == 1 and exc.problems[0].message in {
            "file not found",
            "model folder has no model.yaml",
        }:
            raise ModelError(lead) from None
        raise ModelError([lead, *exc.problems]) from None
    spec = _with_ids(spec, data.get("targets"), net)
    problems: list[Problem] = []
    for item in spec.targets:  # a window the model did not name (x@A..B) is added to it
        with contextlib.suppress(EstimativeError):  # else reported below, at the target's line
            net = net.with_window(item.variable)
    targets = _check_targets(spec, data.get("targets"), net, lines, problems)
    policies = _check_ids(
        spec.policies, "policies", [q.id for q in net.spec.policies], "policy", lines, problems
    )
    scenarios = _check_ids(
        spec.scenarios, "scenarios", [s.id for s in net.spec.scenarios], "scenario", lines, problems
    )
    _check_parameters(spec, net, lines, problems)
    for var in spec.strengths:
        if var not in net.states:
            problems.append(
                lines.problem(
                    ("strengths", var),
                    f"unknown variable '{var}'{did_you_mean(var, net.variables)}",
                    fix="name a variable of the model",
                )
            )
    if problems:
        raise ModelError(problems)
    return SweepFile(spec, net, p, targets, policies, scenarios, lines)


def _with_ids(spec: SweepFileSpec, raw: Any, net: Network) -> SweepFileSpec:
    """``spec`` with every variable and state named by its id: aliases (``estimative show``
    lists them) are accepted, and ``"alias=with=equals=state"`` is cut where a variable's
    name ends. Unknown names are left for the checks below."""

    def state(var: str, st: str) -> str:
        return net.state_of(var, st)

    targets = []
    for i, t in enumerate(spec.targets):
        text = raw[i] if isinstance(raw, list) and i < len(raw) else None
        if isinstance(text, str) and text.count("=") > 1:
            cuts = assignment_cuts(net, text) or [text.index("=")]
            t = TargetSpec(variable=text[: cuts[0]].strip(), state=text[cuts[0] + 1 :].strip())
        elif isinstance(text, str) and "=" in text and net.name_of(text.strip()) in net.states:
            t = TargetSpec(variable=text.strip())  # an alias with '=' and no state
        var = net.name_of(t.variable)
        targets.append(
            t.model_copy(
                update={
                    "variable": var,
                    "state": None if t.state is None else state(var, t.state),
                    "states": None if t.states is None else [state(var, x) for x in t.states],
                }
            )
        )
    parameters = []
    for g in spec.parameters:
        var = net.name_of(g.variable)
        when = {net.name_of(p): state(net.name_of(p), x) for p, x in g.when.items()}
        parameters.append(
            g.model_copy(update={"variable": var, "state": state(var, g.state), "when": when})
        )
    strengths = {net.name_of(k): v for k, v in spec.strengths.items()}
    new = spec.model_copy(
        update={"targets": targets, "parameters": parameters, "strengths": strengths}
    )
    new._file = spec._file
    return new


def _states_of(item: TargetSpec) -> list[str] | None:
    if item.state is not None:
        return [item.state]
    return list(item.states) if item.states is not None else None


def _check_targets(
    spec: SweepFileSpec, raw: Any, net: Network, lines: LineMap, problems: list[Problem]
) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(spec.targets):
        short = isinstance(raw, list) and i < len(raw) and isinstance(raw[i], str)
        var, states = item.variable, _states_of(item)
        where: Path_ = ("targets", i) if short else ("targets", i, "variable")
        if item.state is not None and item.states is not None:
            problems.append(lines.problem(("targets", i), "give state or states, not both"))
            continue
        if var not in net.states:
            problems.append(
                lines.problem(
                    where,
                    f"unknown variable '{var}'{did_you_mean(var, net.variables)}",
                    fix="name a variable of the model (estimative show lists them)",
                )
            )
            continue
        if var in seen:
            problems.append(
                lines.problem(
                    where,
                    f"target '{var}' is listed twice",
                    fix=f"list it once, with every state you want (first at line {lines.line(('targets', seen[var]))})",
                )
            )
            continue
        seen[var] = i
        known = list(net.states[var])
        if states is None:
            states = known
        if not states:
            problems.append(
                lines.problem(
                    ("targets", i, "states"),
                    "an empty list of states",
                    fix="name at least one state",
                )
            )
            continue
        bad = False
        for j, st in enumerate(states):
            if st not in known:
                spath: Path_ = (
                    where
                    if short
                    else (
                        ("targets", i, "state")
                        if item.state is not None
                        else ("targets", i, "states", j)
                    )
                )
                problems.append(
                    lines.problem(
                        spath,
                        f"'{st}' is not a state of '{var}'{did_you_mean(st, known)}",
                        expected=f"one of {known}",
                        found=repr(st),
                    )
                )
                bad = True
        if len(set(states)) != len(states):
            problems.append(
                lines.problem(("targets", i), "a state is listed twice", found=str(states))
            )
            bad = True
        if not bad:
            out.append((var, list(states)))
    return out


def _check_ids(
    value: list[str] | str,
    section: str,
    known: list[str],
    what: str,
    lines: LineMap,
    problems: list[Problem],
) -> list[str]:
    allowed = [BASELINE, *known]
    if isinstance(value, str):
        if value == "all":
            return allowed
        problems.append(
            lines.problem(
                (section,),
                f"{section} must be a list of {what} ids or the word all",
                found=repr(value),
                fix=f"write {section}: [{', '.join(allowed[:3])}] or {section}: all",
            )
        )
        return []
    out: list[str] = []
    for i, item in enumerate(value):
        if item == "all":
            problems.append(
                lines.problem(
                    (section, i),
                    f"'all' cannot be mixed with named {section}",
                    fix=f"write {section}: all, or list the ids",
                )
            )
        elif item not in allowed:
            problems.append(
                lines.problem(
                    (section, i),
                    f"unknown {what} '{item}'{did_you_mean(item, allowed)}",
                    expected=f"one of {allowed}",
                    found=repr(item),
                )
            )
        elif item in out:
            problems.append(
                lines.problem((section, i), f"{what} '{item}' is listed twice", fix="list it once")
            )
        else:
            out.append(item)
    if not value:
        problems.append(
            lines.problem(
                (section,),
                f"an empty list of {section}",
                fix=f"name at least one ({BASELINE} means no {'intervention' if what == 'policy' else 'evidence'})",
            )
        )
    return out


def _check_parameters(
    spec: SweepFileSpec, net: Network, lines: LineMap, problems: list[Problem]
) -> None:
    labels: dict[str, int] = {}
    for i, g in enumerate(spec.parameters):
        base = ("parameters", i)
        if g.variable not in net.states:
            problems.append(
                lines.problem(
                    (*base, "variable"),
                    f"unknown variable '{g.variable}'{did_you_mean(g.variable, net.variables)}",
                    fix="name a variable of the model",
                )
            )
            continue
        known = list(net.states[g.variable])
        if g.state not in known:
            problems.append(
                lines.problem(
                    (*base, "state"),
                    f"'{g.state}' is not a state of '{g.variable}'{did_you_mean(g.state, known)}",
                    expected=f"one of {known}",
                    found=repr(g.state),
                )
            )
        if len(known) < 2:
            continue
        parents = list(net.parents[g.variable])
        for par, st in g.when.items():
            if par not in parents:
                problems.append(
                    lines.problem(
                        (*base, "when", par),
                        f"'{par}' is not a parent of '{g.variable}'{did_you_mean(par, parents)}",
                        expected=f"one of {parents}"
                        if parents
                        else f"no when: '{g.variable}' has no parents",
                        fix="name the parent states of the column(s) to vary",
                    )
                )
            elif st not in net.states[par]:
                problems.append(
                    lines.problem(
                        (*base, "when", par),
                        f"'{st}' is not a state of '{par}'{did_you_mean(st, net.states[par])}",
                        expected=f"one of {list(net.states[par])}",
                        found=repr(st),
                    )
                )
        if len(set(g.values)) != len(g.values):
            problems.append(
                lines.problem(
                    (*base, "values"),
                    "a value is listed twice",
                    found=str(g.values),
                    fix="list each value once",
                )
            )
        label = parameter_label(g.variable, g.state, g.when, g.id)
        if label in labels:
            problems.append(
                lines.problem(
                    (*base,),
                    f"parameter '{label}' is listed twice",
                    fix=f"merge its values into the first (line {lines.line(('parameters', labels[label]))}) or give an id",
                )
            )
        labels[label] = i


def parameter_label(variable: str, state: str, when: dict[str, str], id_: str | None = None) -> str:
    """The name a parameter grid's rows carry in the ``parameter`` column.

    >>> parameter_label("misread_intent", "yes", {"nk_provocation": "high"})
    'misread_intent=yes | nk_provocation=high'
    """
    if id_:
        return id_
    cond = ", ".join(f"{k}={v}" for k, v in when.items())
    return f"{variable}={state}" + (f" | {cond}" if cond else "")
