"""Safe YAML loading that remembers the line of every value.

YAML 1.1 loaders turn ``yes``, ``no``, ``on`` and ``off`` into booleans; a state named ``yes``
must stay the string ``"yes"``. This loader resolves booleans the YAML 1.2 way (``true`` and
``false`` only), refuses Python object tags, and returns, beside the data, a map from each
value's path (a tuple of keys and indices) to its 1-based line number.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import ModelError, Problem
from ..spec.locate import LineMap, Path_, format_path

MAX_FILE_BYTES = 5 * 1024 * 1024


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans."""


# Drop the YAML 1.1 bool resolver and add the 1.2 one.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


def _build(
    node: yaml.Node, loader: _Loader, path: Path_, lines: dict[Path_, int], file: str
) -> Any:
    lines[path] = node.start_mark.line + 1
    if node.tag not in _ALLOWED_TAGS:
        raise ModelError(
            Problem(
                f"YAML tag {node.tag!r} is not allowed",
                file=file,
                line=node.start_mark.line + 1,
                field=format_path(path) or None,
                fix="remove the tag; model files hold plain maps, lists, strings and numbers",
            )
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise ModelError(
                    Problem(
                        "a mapping key must be a plain value",
                        file=file,
                        line=key_node.start_mark.line + 1,
                    )
                )
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise ModelError(
                    Problem(
                        f"duplicate key {key!r}",
                        file=file,
                        line=key_node.start_mark.line + 1,
                        field=format_path((*path, key)),
                        fix="keep one of the two entries",
                    )
                )
            out[key] = _build(value_node, loader, (*path, key), lines, file)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, loader, (*path, i), lines, file) for i, v in enumerate(node.value)]
    # Dates stay strings: pydantic parses them where a date is expected (and reports a bad
    # one, such as 2016-13-06, with its line), so they are never constructed here.
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value
    return loader.construct_object(node, deep=True)


def load_yaml(path: str | Path, *, display: str | None = None) -> tuple[Any, LineMap]:
    """Load one YAML file safely; return ``(data, linemap)``.

    Raises :class:`ModelError` naming the file (and line) for a missing, empty, binary,
    oversized or malformed file.
    """
    p = Path(path)
    name = display or str(path)
    if not p.exists():
        raise ModelError(Problem("file not found", file=name, fix="check the path"))
    if p.is_dir():
        raise ModelError(Problem("is a folder, not a YAML file", file=name))
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ModelError(
            Problem(
                "file is too large for a model file",
                file=name,
                expected=f"at most {MAX_FILE_BYTES // (1024 * 1024)} MiB",
                found=f"{size / (1024 * 1024):.1f} MiB",
                fix="split the model or check you named the right file",
            )
        )
    raw = p.read_bytes()
    if b"\x00" in raw:
        raise ModelError(
            Problem("file is binary, not YAML text", file=name, fix="name a YAML text file")
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(
            Problem(
                f"file is not UTF-8 text (byte {exc.start})",
                file=name,
                fix="save the file as UTF-8",
            )
        ) from None
    if not text.strip() or all(
        line.strip().startswith("#") or not line.strip() for line in text.splitlines()
    ):
        raise ModelError(
            Problem("file is empty", file=name, fix="write the model, or name the right file")
        )
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ModelError(Problem("file is empty", file=name))
        lines: dict[Path_, int] = {}
        data = _build(node, loader, (), lines, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ModelError(
            Problem(
                f"not valid YAML: {exc.problem or exc}",
                file=name,
                line=line,
                fix="check indentation, colons and quotes near that line",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise ModelError(Problem(f"not valid YAML: {exc}", file=name)) from None
    finally:
        loader.dispose()
    return data, LineMap(name, lines)
