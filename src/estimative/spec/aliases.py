"""The rules of aliases: other names of variables and states, never ambiguous.

An alias is accepted wherever its variable (or state) is named, so two things may never share
a name: an alias is refused when it is any variable's id, another variable's alias, or (for a
state) another state of the same variable or another state's alias. In a dynamic model an alias
may not hold ``@``, which separates a variable from its slice.
"""

from __future__ import annotations

from ..errors import Problem
from .locate import Locator, Path_
from .models import ModelSpec


def check_aliases(spec: ModelSpec, loc: Locator, *, dynamic: bool = False) -> list[Problem]:
    """Every problem of the variables' ``aliases`` and ``state_aliases`` in ``spec``."""
    problems: list[Problem] = []
    ids = {v.id: i for i, v in enumerate(spec.variables)}
    owner: dict[str, tuple[int, str]] = {}  # alias -> (variable index, its id)
    for i, v in enumerate(spec.variables):
        for j, a in enumerate(v.aliases):
            path: Path_ = ("variables", i, "aliases", j)
            if a in ids:
                whose = "its own id" if a == v.id else f"the id of variable '{a}'"
                problems.append(
                    loc.problem(
                        path,
                        f"alias '{a}' of '{v.id}' is {whose}",
                        fix="remove the alias: an alias must name one variable only",
                    )
                )
            elif a in owner:
                k, other = owner[a]
                same = k == i
                problems.append(
                    loc.problem(
                        path,
                        f"alias '{a}' is given twice to '{v.id}'"
                        if same
                        else f"alias '{a}' of '{v.id}' is also an alias of '{other}'",
                        fix="give each alias once, to one variable",
                    )
                )
            else:
                owner[a] = (i, v.id)
            if dynamic and "@" in a:
                problems.append(
                    loc.problem(
                        path,
                        f"alias '{a}' of '{v.id}' holds '@'",
                        fix="in a dynamic model '@' names a slice: write the alias without it",
                    )
                )
        seen: dict[str, str] = {}
        for state, names in v.state_aliases.items():
            if state not in v.states:
                problems.append(
                    loc.problem(
                        ("variables", i, "state_aliases", state),
                        f"state_aliases of '{v.id}' names '{state}', which is not one of its states",
                        expected=f"one of {v.states}",
                    )
                )
                continue
            for j, a in enumerate(names):
                spath: Path_ = ("variables", i, "state_aliases", state, j)
                if a in v.states:
                    problems.append(
                        loc.problem(
                            spath,
                            f"alias '{a}' of state '{state}' of '{v.id}' is "
                            + ("the state itself" if a == state else f"its state '{a}'"),
                            fix="remove the alias: an alias must name one state only",
                        )
                    )
                elif a in seen:
                    problems.append(
                        loc.problem(
                            spath,
                            f"alias '{a}' of state '{state}' of '{v.id}' is also an alias of '{seen[a]}'"
                            if seen[a] != state
                            else f"alias '{a}' is given twice to state '{state}' of '{v.id}'",
                            fix="give each alias once, to one state",
                        )
                    )
                else:
                    seen[a] = state
    return problems
