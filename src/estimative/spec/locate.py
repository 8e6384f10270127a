"""Where each value of a model came from: a path of keys and indices, and the file and line
it sits at.

The spec layer speaks in paths (``("variables", 3, "cpt")``); the file layer fills in the line
maps as it reads. A spec built in memory has an empty map, so its problems name the field only.
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem

Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    """``("variables", 3, "cpt")`` -> ``"variables[3].cpt"``.

    >>> format_path(("variables", 3, "cpt", "table", 0))
    'variables[3].cpt.table[0]'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class LineMap:
    """Lines of values in one YAML file, looked up by path (falls back to the nearest parent)."""

    def __init__(self, file: str, lines: dict[Path_, int]) -> None:
        self.file = file
        self._lines = lines

    def line(self, path: Path_) -> int | None:
        path = tuple(path)
        while True:
            if path in self._lines:
                return self._lines[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: Path_, message: str, **kwargs: Any) -> Problem:
        return Problem(
            message, file=self.file, line=self.line(path), field=format_path(path) or None, **kwargs
        )


class Locator:
    """Where each path of the merged model data came from: the main file's line map, and one
    map per section held in a sibling file (``policies.yaml``, ...)."""

    def __init__(self, default: LineMap) -> None:
        self.default = default
        self.sections: dict[str, LineMap] = {}

    @classmethod
    def nowhere(cls, file: str = "<memory>") -> Locator:
        """A locator for a model built in memory: problems name the field, not a line."""
        return cls(LineMap(file, {}))

    def map_for(self, path: Path_) -> LineMap:
        if path and isinstance(path[0], str) and path[0] in self.sections:
            return self.sections[path[0]]
        return self.default

    def problem(self, path: Path_, message: str, **kwargs: Any) -> Problem:
        return self.map_for(path).problem(path, message, **kwargs)

    def where(self, path: Path_) -> tuple[str, int | None]:
        m = self.map_for(path)
        return m.file, m.line(path)
