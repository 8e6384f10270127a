"""Names in and out: a file's own names kept as written, and the few a format cannot hold.

On the way in, a variable or state name is kept exactly as the file writes it whenever the
model format can hold it (any text without control characters or spaces at either end; a
variable name also without ``=``, which separates a variable from its state in ``--given``).
A name that cannot be kept is renamed, and the new name is chosen so that it is none of the
names the file uses: a file's ``rain_fall`` always answers for its own table.

On the way out, each format says which names it can write; a name it cannot write is written
as a safe name no other name of the file takes, and the originals are recorded in an
``estimative_names`` property (percent-encoded, so the property is plain ASCII), from which
estimative's readers restore them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

#: A variable id of the model format (the pattern of ``spec.models.VariableId``).
VARIABLE_NAME = re.compile(r"^[^\s=\x00-\x1f\x7f]([^=\x00-\x1f\x7f]*[^\s=\x00-\x1f\x7f])?$")
#: A state name of the model format (the pattern of ``spec.models.StateName``).
STATE_NAME = re.compile(r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")
MAX_NAME = 120
#: The property (BIF, XMLBIF, XDSL) or attribute (NET) holding the names a file could not hold.
NAMES_PROPERTY = "estimative_names"


def variable_ok(name: str) -> bool:
    return len(name) <= MAX_NAME and VARIABLE_NAME.match(name) is not None


def state_ok(name: str) -> bool:
    return len(name) <= MAX_NAME and STATE_NAME.match(name) is not None


def _base(name: str, prefix: str, allowed: Callable[[str], bool]) -> str:
    s = re.sub(r"[=\x00-\x1f\x7f]+", "_", name).strip() or prefix
    s = s[: MAX_NAME - 4]
    return s if allowed(s) else prefix


def keep_names(
    names: Sequence[str], *, prefix: str, allowed: Callable[[str], bool], taken: Iterable[str] = ()
) -> list[str]:
    """``names`` as they are where ``allowed``; a name that is not allowed (or repeats one
    kept already) becomes a new name that is none of ``names`` nor ``taken``."""
    used = set(names) | set(taken)
    out: list[str] = []
    kept: set[str] = set()
    for n in names:
        if allowed(n) and n not in kept:
            out.append(n)
            kept.add(n)
            continue
        base = _base(n, prefix, allowed)
        cand, k = base, 2
        while cand in used or cand in kept:
            cand, k = f"{base}_{k}", k + 1
        out.append(cand)
        kept.add(cand)
        used.add(cand)
    return out


# ------------------------------------------------------------------------------ out
def encode_record(names: Sequence[str]) -> str:
    """The ``estimative_names`` value: each name percent-encoded, separated by spaces."""
    return " ".join(quote(n, safe="") for n in names)


def decode_record(text: str) -> list[str]:
    return [unquote(w) for w in text.split()]


@dataclass(frozen=True)
class Written:
    """The names a writer uses: each variable's, each one's states, and the record of the
    originals for the variables that had to be renamed."""

    variables: dict[str, str]
    states: dict[str, tuple[str, ...]]
    records: dict[str, str]

    def renamed(self) -> list[str]:
        return sorted(self.records)


def safe_identifier(name: str, prefix: str) -> str:
    s = re.sub(r"\W+", "_", name, flags=re.ASCII).strip("_") or prefix
    return s if s[0].isalpha() or s[0] == "_" else f"{prefix}_{s}"


def written_names(
    variables: Sequence[tuple[str, Sequence[str]]],
    *,
    variable_fits: Callable[[str], bool],
    state_fits: Callable[[str], bool],
) -> Written:
    """Names a format can hold for ``(id, states)`` pairs: kept where they fit, else safe
    identifiers that no other name of the network takes (a variable renamed, or a variable
    with a renamed state, gets a record of its original names)."""
    ids = [vid for vid, _ in variables]
    fits = [vid if variable_fits(vid) else None for vid in ids]
    used = {vid for vid in fits if vid is not None}
    out_ids: list[str] = []
    for vid, fit in zip(ids, fits, strict=True):
        if fit is not None:
            out_ids.append(fit)
            continue
        base, k = safe_identifier(vid, "v"), 2
        cand = base
        while cand in used:
            cand, k = f"{base}_{k}", k + 1
        used.add(cand)
        out_ids.append(cand)
    states: dict[str, tuple[str, ...]] = {}
    records: dict[str, str] = {}
    for (vid, sts), wid in zip(variables, out_ids, strict=True):
        keep = {s for s in sts if state_fits(s)}
        ws: list[str] = []
        for s in sts:
            if s in keep:
                ws.append(s)
                continue
            base, k = safe_identifier(s, "s"), 2
            cand = base
            while cand in keep or cand in ws:
                cand, k = f"{base}_{k}", k + 1
            ws.append(cand)
        states[vid] = tuple(ws)
        if wid != vid or list(ws) != list(sts):
            records[vid] = encode_record([vid, *sts])
    return Written(dict(zip(ids, out_ids, strict=True)), states, records)


# ------------------------------------------------------------------------------ aliases
MAX_ALIAS = 200


def alias_ok(name: str) -> bool:
    """Whether ``name`` can be an alias (the pattern of ``spec.types.Alias``)."""
    return len(name) <= MAX_ALIAS and STATE_NAME.match(name) is not None


def unambiguous(
    candidates: dict[str, list[str]], taken: Iterable[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Each key's candidate aliases that would name it alone: none that is in ``taken`` (the
    ids, or a variable's states), none that two keys claim. Returns the aliases by key and the
    names dropped because several keys claimed them."""
    taken = set(taken)
    claims: dict[str, set[str]] = {}
    for key, names in candidates.items():
        for n in names:
            if alias_ok(n) and n not in taken:
                claims.setdefault(n, set()).add(key)
    out = {
        key: [n for n in dict.fromkeys(names) if claims.get(n) == {key}]
        for key, names in candidates.items()
    }
    return out, sorted(n for n, keys in claims.items() if len(keys) > 1)
