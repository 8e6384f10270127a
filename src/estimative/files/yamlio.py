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
from ..spec.limits import MODEL_MIB, YAML_ALIAS_VALUES, YAML_DEPTH
from ..spec.locate import LineMap, Path_, format_path

#: The default size limit of a YAML file (see :data:`estimative.spec.limits.MODEL_MIB`).
MAX_FILE_BYTES = MODEL_MIB.default * 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and a bound on nesting (the composer recurses)."""

    file = ""
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > YAML_DEPTH.value():
                mark = self.peek_event().start_mark
                raise ModelError(
                    Problem(
                        "YAML nested too deeply",
                        file=self.file,
                        line=mark.line + 1,
                        expected=f"at most {YAML_DEPTH.value()} {YAML_DEPTH.what}",
                        fix="flatten the structure; " + YAML_DEPTH.fix(),
                    )
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


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


class _Budget:
    """Values built so far, the distinct nodes among them, the nodes being built (an alias to
    one of them is a cycle)."""

    def __init__(self) -> None:
        self.built = 0
        self.distinct: set[int] = set()
        self.open: set[int] = set()


def _fail(message: str, node: yaml.Node, file: str, path: Path_, **kw: Any) -> ModelError:
    return ModelError(
        Problem(
            message,
            file=file,
            line=node.start_mark.line + 1,
            field=format_path(path) or None,
            **kw,
        )
    )


def _scalar(node: yaml.Node, loader: _Loader, path: Path_, file: str) -> Any:
    # Dates stay strings: pydantic parses them (and refuses 2017-02-30) where a date is expected.
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:
        raise _fail(
            f"cannot read the value {node.value[:40]!r}" + ("..." if len(node.value) > 40 else ""),
            node,
            file,
            path,
            found=str(exc).split(";")[0],
            fix="write an ordinary number (at most a few dozen digits) or quote the text",
        ) from None
    if isinstance(value, str) and _SURROGATE.search(value):
        raise _fail(
            "the text holds a lone surrogate escape (such as \\ud800), which is not a character",
            node,
            file,
            path,
            fix="remove the escape or write the character itself",
        )
    return value


def _build(
    node: yaml.Node,
    loader: _Loader,
    path: Path_,
    lines: dict[Path_, int],
    file: str,
    budget: _Budget,
) -> Any:
    lines[path] = node.start_mark.line + 1
    if node.tag not in _ALLOWED_TAGS:
        raise _fail(
            f"YAML tag {node.tag!r} is not allowed",
            node,
            file,
            path,
            fix="remove the tag; model files hold plain maps, lists, strings and numbers",
        )
    key_id = id(node)
    budget.built += 1
    budget.distinct.add(key_id)
    if budget.built - len(budget.distinct) > YAML_ALIAS_VALUES.value():
        raise _fail(
            "YAML aliases expand to too many values",
            node,
            file,
            path,
            expected=f"at most {YAML_ALIAS_VALUES.value()} {YAML_ALIAS_VALUES.what}",
            fix="write the values out instead of repeating an alias (*name); "
            + YAML_ALIAS_VALUES.fix(),
        )
    if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        return _scalar(node, loader, path, file)
    if key_id in budget.open:
        raise _fail(
            "a YAML alias refers to the value that holds it (a cycle)",
            node,
            file,
            path,
            fix="remove the alias (*name) or point it at another value",
        )
    budget.open.add(key_id)
    try:
        if isinstance(node, yaml.SequenceNode):
            return [
                _build(v, loader, (*path, i), lines, file, budget) for i, v in enumerate(node.value)
            ]
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _ALLOWED_TAGS:
                raise ModelError(
                    Problem(
                        "a mapping key must be a plain value",
                        file=file,
                        line=key_node.start_mark.line + 1,
                    )
                )
            key = _scalar(key_node, loader, path, file)
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
            out[key] = _build(value_node, loader, (*path, key), lines, file, budget)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    finally:
        budget.open.discard(key_id)


def load_yaml(
    path: str | Path, *, display: str | None = None, empty_fix: str | None = None
) -> tuple[Any, LineMap]:
    """Load one YAML file safely; return ``(data, linemap)``.

    Raises :class:`ModelError` naming the file (and line) for a missing, empty, binary,
    oversized (:data:`~estimative.spec.limits.MODEL_MIB`), too deeply nested
    (:data:`~estimative.spec.limits.YAML_DEPTH`), alias-bombed
    (:data:`~estimative.spec.limits.YAML_ALIAS_VALUES`) or malformed file, and for a device,
    FIFO or folder. ``empty_fix`` is the fix offered for an empty file.
    """
    p = Path(path)
    name = display or str(path)
    if not p.exists():
        raise ModelError(Problem("file not found", file=name, fix="check the path"))
    if p.is_dir():
        raise ModelError(Problem("is a folder, not a YAML file", file=name))
    if not p.is_file():
        raise ModelError(
            Problem("is not a regular file (a device or a pipe?)", file=name, fix="name a file")
        )
    limit = MODEL_MIB.value() * 1024 * 1024
    size = p.stat().st_size
    if size > limit:
        raise ModelError(
            Problem(
                "file is too large for a model file",
                file=name,
                expected=f"at most {MODEL_MIB.value()} MiB",
                found=f"{size / (1024 * 1024):.1f} MiB",
                fix="split the model or check you named the right file; " + MODEL_MIB.fix(),
            )
        )
    with p.open("rb") as fh:
        raw = fh.read(limit + 1)
    if b"\x00" in raw:
        raise ModelError(
            Problem(
                "file is binary, not YAML text",
                file=name,
                line=raw[: raw.index(b"\x00")].count(b"\n") + 1,
                fix="name a YAML text file",
            )
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(
            Problem(
                f"file is not UTF-8 text (byte {exc.start})",
                file=name,
                line=raw[: exc.start].count(b"\n") + 1,
                fix="save the file as UTF-8",
            )
        ) from None
    if not text.strip() or all(
        line.strip().startswith("#") or not line.strip() for line in text.splitlines()
    ):
        raise ModelError(
            Problem(
                "file is empty" + (" (nothing but comments)" if text.strip() else ""),
                file=name,
                line=1,  # what should be there starts at the first line
                fix=empty_fix or "write the model, or name the right file",
            )
        )
    loader = _Loader(text)
    loader.file = name
    try:
        node = loader.get_single_node()
        if node is None:
            raise ModelError(Problem("file is empty", file=name, line=1))
        lines: dict[Path_, int] = {}
        data = _build(node, loader, (), lines, name, _Budget())
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
    except RecursionError:  # a backstop: the depth limit stops nesting well before this
        raise ModelError(
            Problem("YAML nested too deeply", file=name, fix="flatten the structure")
        ) from None
    finally:
        loader.dispose()
    return data, LineMap(name, lines)
