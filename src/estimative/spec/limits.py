"""The named limits on what estimative reads: file sizes, YAML nesting and alias expansion,
states, parents and table sizes.

A hostile or unlucky file (a billion-laughs YAML, a 20 GiB source document, a UAI variable with
10^9 states, a node with 40 parents written out as a full table) is refused with an error that
names the limit and how to raise it, instead of hanging or exhausting memory. Each limit can be
raised for one run with an environment variable ``ESTIMATIVE_MAX_<NAME>`` (documented in
docs/model-format.md, "Limits").

>>> STATES.value()
1000
>>> print(STATES.fix())
if the file is right, raise the limit: ESTIMATIVE_MAX_STATES=2000
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "IMPORT_MIB",
    "LIMITS",
    "MODEL_MIB",
    "NOISY_CELLS",
    "PARENTS",
    "SOURCE_MIB",
    "STATES",
    "TABLE_CELLS",
    "TABLE_COLUMNS",
    "YAML_ALIAS_VALUES",
    "YAML_DEPTH",
    "Limit",
    "chain_problem",
    "factorised",
    "table_problem",
]


@dataclass(frozen=True)
class Limit:
    """One named limit: its default and the environment variable that raises it."""

    name: str
    default: int
    what: str

    @property
    def env(self) -> str:
        return f"ESTIMATIVE_MAX_{self.name}"

    def value(self) -> int:
        """The limit in force: ``ESTIMATIVE_MAX_<NAME>`` when set to a positive whole number,
        else the default."""
        text = os.environ.get(self.env, "").strip()
        if text.isascii() and text.isdigit() and int(text) > 0:
            return int(text)
        return self.default

    def fix(self) -> str:
        """How to raise the limit, for a problem's ``fix``."""
        return f"if the file is right, raise the limit: {self.env}={2 * self.value()}"


#: Model YAML files (model.yaml, section files, sweep files), in MiB.
MODEL_MIB = Limit("MODEL_MIB", 5, "MiB in a model file")
#: Source documents cited by quotes, in MiB.
SOURCE_MIB = Limit("SOURCE_MIB", 64, "MiB in a source document")
#: Imported BIF / XMLBIF / XDSL / NET / UAI / DNE files, in MiB.
IMPORT_MIB = Limit("IMPORT_MIB", 64, "MiB in an imported file")
#: Nesting of YAML maps and lists.
YAML_DEPTH = Limit("YAML_DEPTH", 64, "levels of nested YAML maps and lists")
#: Values that YAML aliases (``*name``) may add beyond the values written in the file.
YAML_ALIAS_VALUES = Limit("YAML_ALIAS_VALUES", 100_000, "values added by YAML aliases")
#: States of one variable.
STATES = Limit("STATES", 1000, "states of one variable")
#: Parents of one variable.
PARENTS = Limit("PARENTS", 24, "parents of one variable")
#: Numbers in one full CPT (states times parent configurations).
TABLE_CELLS = Limit("TABLE_CELLS", 1_048_576, "numbers in one CPT")
#: Numbers in a noisy-OR or noisy-MAX CPT expanded to a full table; above it (or above the
#: parents limit) the CPT is factorised instead: a chain of small tables, never expanded.
NOISY_CELLS = Limit("NOISY_CELLS", 65_536, "numbers in a noisy-OR/MAX CPT expanded in full")
#: Parent configurations (columns) of one CPT read from an exchange file, row by row.
TABLE_COLUMNS = Limit("TABLE_COLUMNS", 65_536, "parent configurations of one imported CPT")

LIMITS: tuple[Limit, ...] = (
    MODEL_MIB,
    SOURCE_MIB,
    IMPORT_MIB,
    YAML_DEPTH,
    YAML_ALIAS_VALUES,
    STATES,
    PARENTS,
    TABLE_CELLS,
    TABLE_COLUMNS,
    NOISY_CELLS,
)


def table_problem(
    card: int, parent_cards: Sequence[int], *, columns: bool = False
) -> tuple[str, dict[str, str]] | None:
    """``(message, extra)`` when a CPT of ``card`` states over parents of ``parent_cards``
    states passes a limit (states, parents, numbers; with ``columns`` also the parent
    configurations), else ``None``. Checked before any table is allocated.

    >>> table_problem(2, [2] * 40)[0]
    'the CPT has 40 parents'
    >>> table_problem(2, [2, 3]) is None
    True
    """
    if card > STATES.value():
        return f"the variable has {card} states", _extra(STATES, card)
    if len(parent_cards) > PARENTS.value():
        return f"the CPT has {len(parent_cards)} parents", _extra(PARENTS, len(parent_cards))
    cols = math.prod(parent_cards)
    if columns and cols > TABLE_COLUMNS.value():
        return f"the CPT has {cols} parent configurations", _extra(TABLE_COLUMNS, cols)
    if card * cols > TABLE_CELLS.value():
        return f"the CPT would hold {card * cols} numbers", _extra(TABLE_CELLS, card * cols)
    return None


def factorised(card: int, parent_cards: Sequence[int]) -> bool:
    """Whether a noisy-OR or noisy-MAX CPT of ``card`` states over parents of
    ``parent_cards`` states is factorised (a chain of small tables) rather than expanded:
    when its full table would hold more than ``NOISY_CELLS`` numbers, or it has more parents
    than ``PARENTS`` allows a full table.

    >>> factorised(2, [2] * 40), factorised(2, [2] * 10)
    (True, False)
    """
    return len(parent_cards) > PARENTS.value() or card * math.prod(parent_cards) > (
        NOISY_CELLS.value()
    )


def chain_problem(card: int, parent_cards: Sequence[int]) -> tuple[str, dict[str, str]] | None:
    """``(message, extra)`` when the factorised form of a noisy CPT passes a limit: the
    child's states, or one link of the chain (``card x card x parent's states`` numbers)."""
    if card > STATES.value():
        return f"the variable has {card} states", _extra(STATES, card)
    cells = card * card * max(parent_cards, default=1)
    if cells > TABLE_CELLS.value():
        return f"a link of the factorised CPT would hold {cells} numbers", _extra(
            TABLE_CELLS, cells
        )
    return None


def _extra(limit: Limit, found: int) -> dict[str, str]:
    return {
        "expected": f"at most {limit.value()} {limit.what}",
        "found": str(found),
        "fix": limit.fix(),
    }
