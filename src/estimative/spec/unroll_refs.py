"""Names outside the variables, unrolled: policies (``do`` in every slice, reacting rules made
concrete per slice), scenarios, claims, forecast questions (a window of dates as the slices it
covers), headline outcomes (over the whole horizon) and utility attributes (per slice, at the
last slice, or over the horizon)."""

from __future__ import annotations

from typing import Any

from ..errors import did_you_mean
from .locate import Path_
from .models import (
    AttributeSpec,
    EventSpec,
    OutcomeSpec,
    PolicySpec,
    QueryRef,
    QuestionSpec,
    ScenarioSpec,
    UtilitySpec,
)
from .slices import UnrollState, at, name_ids, names_ids, window
from .timing import RuleSpec, parse_lag, slice_id


def ref(st: UnrollState, q: QueryRef, path: Path_, target: str | None = None) -> QueryRef:
    update: dict[str, Any] = {
        "given": names_ids(st, q.given, (*path, "given"), evidence="given"),
        "soft": names_ids(st, q.soft, (*path, "soft"), evidence="soft"),
        "do": names_ids(st, q.do, (*path, "do"), evidence="do"),
    }
    if target is not None:
        update["target"] = target
    elif q.target is not None:
        got = name_ids(st, q.target, (*path, "target"), evidence="target")
        update["target"] = got[0] if got else q.target
    if q.event is not None:
        terms = [
            names_ids(
                st,
                t,
                (*path, "event", "all_of" if q.event.all_of is not None else "any_of"),
                evidence="event",
            )
            for t in q.event.terms()
        ]
        update["event"] = (
            EventSpec(all_of=terms[0]) if q.event.all_of is not None else EventSpec(any_of=terms)
        )
    return q.model_copy(update=update)


def policy(st: UnrollState, i: int, pol: PolicySpec) -> PolicySpec:
    path: Path_ = ("policies", i)
    do = names_ids(st, pol.do, (*path, "do"), evidence="do")
    rules: list[RuleSpec] = []
    for r, rule in enumerate(pol.react):
        rpath = (*path, "react", r)
        var = rule.variable
        if var not in st.temporal:
            st.problem(
                (*rpath, "set"),
                f"a rule sets a variable that changes over time; '{var}' "
                + (
                    "is static: set it with do:"
                    if var in st.static
                    else "is not one" + did_you_mean(var, st.temporal)
                ),
            )
            continue
        states = st.temporal[var].states
        for s in {rule.state, rule.fallback} - {None}:
            if s not in states:
                st.problem(
                    (*rpath, "set"),
                    f"'{s}' is not a state of '{var}'{did_you_mean(str(s), states)}",
                    expected=f"one of {states}",
                )
        for c, allowed in rule.when.items():
            cvar, lag = parse_lag(c)
            cstates = st.temporal.get(cvar) or st.static.get(cvar)
            if lag < 0 or cstates is None:
                st.problem(
                    (*rpath, "when", c),
                    f"'{c}' is not a condition on a variable of the model"
                    + (did_you_mean(cvar, [*st.temporal, *st.static]) if lag >= 0 else ""),
                    fix="write variable@t-1 (the slice before), variable@t (the same slice) "
                    "or a static variable",
                )
                continue
            for s in allowed:
                if s not in cstates.states:
                    st.problem(
                        (*rpath, "when", c),
                        f"'{s}' is not a state of '{cvar}'",
                        expected=f"one of {cstates.states}",
                    )
        for lab in rule.slices or []:
            if lab not in st.labels:
                st.problem(
                    (*rpath, "slices"),
                    f"unknown slice '{lab}'{did_you_mean(lab, st.labels)}",
                    expected=f"one of {st.labels}",
                )
        for k, label in enumerate(st.labels):
            if rule.slices is not None and label not in rule.slices:
                continue
            target = slice_id(var, label)
            if target in do:
                st.problem(
                    (*rpath, "set"),
                    f"policy '{pol.id}' both sets {target} by do() and by a rule",
                    fix="keep one",
                )
                continue
            when = {at(st, c, k): s for c, s in rule.when.items()}
            if None in when:  # a condition before the first slice does not hold
                if rule.fallback is not None:
                    do[target] = rule.fallback
                continue
            otherwise = None if rule.fallback is None else {target: rule.fallback}
            rules.append(
                RuleSpec(
                    set={target: rule.state},
                    when={str(c): s for c, s in when.items()},
                    otherwise=otherwise,
                    note=rule.note,
                )
            )
    return pol.model_copy(update={"do": do, "react": rules})


def scenario(st: UnrollState, i: int, sc: ScenarioSpec) -> ScenarioSpec:
    return sc.model_copy(
        update={
            "given": names_ids(st, sc.given, ("scenarios", i, "given"), evidence="given"),
            "soft": names_ids(st, sc.soft, ("scenarios", i, "soft"), evidence="soft"),
        }
    )


def question(st: UnrollState, i: int, q: QuestionSpec) -> QuestionSpec:
    path: Path_ = ("questions", i)
    if q.window is None:
        return q.model_copy(update={"query": ref(st, q.query, (*path, "query"))})
    start, end = q.window
    if start < st.spec.as_of:
        st.problem(
            (*path, "window"),
            f"the window opens on {start}, before the model's as_of ({st.spec.as_of})",
            fix="a question asks about what comes after as_of",
        )
        return q
    got = st.time.slices_in(start, end, st.spec.as_of)
    if isinstance(got, str):
        st.problem(
            (*path, "window"), f"the window {start} to {end} does not match the slices", fix=got
        )
        return q
    var = q.query.target
    if var is None or var not in st.temporal:
        st.problem(
            (*path, "query", "target" if var is not None else "event"),
            "a question with a window asks about a variable that changes over time, "
            "named without a slice",
            found=repr(var),
        )
        return q
    target = window(st, var, *got)
    return q.model_copy(update={"query": ref(st, q.query, (*path, "query"), target=target)})


def outcome(st: UnrollState, i: int, o: OutcomeSpec) -> OutcomeSpec:
    if o.target in st.temporal:
        return o.model_copy(update={"target": window(st, o.target, 0, len(st.labels) - 1)})
    got = name_ids(st, o.target, ("outcomes", i, "target"), evidence="target")
    return o.model_copy(update={"target": got[0]}) if got else o


def utilities(st: UnrollState) -> tuple[UtilitySpec | None, dict[int, int]]:
    u = st.spec.utilities
    if u is None:
        return None, {}
    out: list[AttributeSpec] = []
    amap: dict[int, int] = {}
    n = len(st.labels)
    d = st.time.discount
    total = sum(d**k for k in range(n))
    for i, a in enumerate(u.attributes):
        temporal = [v for v in a.over if v in st.temporal]
        if not temporal:
            amap[len(out)] = i
            out.append(a)
            continue
        picks: list[tuple[str, list[int], float]]
        if a.at == "each":
            picks = [(f"@{st.labels[k]}", [k], a.weight * d**k / total) for k in range(n)]
        elif a.at == "last":
            picks = [("", [n - 1], a.weight)]
        else:
            picks = [("", [0, n - 1], a.weight)]
        for suffix, ks, weight in picks:
            names = {
                v: (window(st, v, ks[0], ks[-1]) if len(ks) == 2 else slice_id(v, st.labels[ks[0]]))
                if v in st.temporal
                else v
                for v in a.over
            }
            values = a.values
            if isinstance(values, list):
                values = [
                    row.model_copy(
                        update={"when": {names.get(k, k): s for k, s in row.when.items()}}
                    )
                    for row in values
                ]
            amap[len(out)] = i
            out.append(
                a.model_copy(
                    update={
                        "id": a.id + suffix,
                        "label": a.label + (f" ({suffix[1:]})" if suffix else ""),
                        "over": [names[v] for v in a.over],
                        "values": values,
                        "weight": weight,
                    }
                )
            )
    return u.model_copy(update={"attributes": out}), amap
