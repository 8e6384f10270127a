"""Read model folders: model.yaml and its sibling section files, merged, validated by the
schema (pydantic's errors translated into located problems) and by the rules, into a frozen
:class:`~estimative.spec.ModelSpec`.

Every problem found is reported at once, each naming file, line and field. The checks here
are the static ones; claims (which need inference) are checked by :mod:`estimative.claims`.
Exchange-format files (BIF, XMLBIF, XDSL, NET, UAI) are read by :mod:`.interop`;
:func:`load_model` hands them over by suffix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._io import display_path
from ..errors import ModelError, Problem, did_you_mean
from ..spec import Locator, ModelSpec, Path_, finish
from .interop import SUFFIX_FORMATS, import_file
from .yamlio import load_yaml

#: Sibling files a model folder may use to split sections out of model.yaml.
SECTION_FILES = (
    "policies",
    "scenarios",
    "claims",
    "questions",
    "outcomes",
    "utilities",
    "references",
)
#: Suffixes :func:`load_model` reads as exchange-format files rather than YAML.
IMPORT_SUFFIXES: tuple[str, ...] = tuple(SUFFIX_FORMATS)


def _type_tag_ok(tag: str, value: Any) -> bool | None:
    """For a pydantic union branch tag in an error location: does the branch fit the data?"""
    if tag.startswith("list["):
        return isinstance(value, list)
    if tag.startswith("dict["):
        return isinstance(value, dict)
    if tag in {
        "str",
        "float",
        "int",
        "bool",
        "constrained-float",
        "constrained-str",
    } or tag.startswith("function-"):
        return not isinstance(value, (dict, list))
    if tag[:1].isupper() and tag.isidentifier():
        return isinstance(value, dict)
    return None


def pydantic_problems(
    exc: ValidationError,
    data: Any,
    loc: Locator,
    *,
    fields_of: Mapping[str, list[str]] | None = None,
    section_kind: Callable[[Path_], str] | None = None,
) -> list[Problem]:
    """Pydantic's errors on ``data`` as problems naming file, line and field.

    Errors on the branches of a union that do not fit the data's type are dropped; unknown
    keys get a "did you mean".

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error raised validating ``data``.
    data : Any
        The data validated (as read from YAML).
    loc : Locator
        Where each path of ``data`` came from.
    fields_of : mapping of kind to allowed keys, optional
        For "did you mean" on unknown keys (default: the model file's kinds). Other file kinds
        (sweep files) pass their own, with ``section_kind``.
    section_kind : callable, optional
        The kind of the mapping at a path (default: the model file's sections).

    Returns
    -------
    list of Problem
        One per distinct error, each located.
    """
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
            p = loc.problem(
                tpath,
                f"unknown key '{key}'{hint}",
                expected=f"one of {sorted(allowed)}" if allowed else None,
                fix="remove it or correct its spelling",
            )
        elif etype == "missing":
            p = loc.problem(
                tpath[:-1], f"missing required field '{tpath[-1]}'", fix=f"add {tpath[-1]}: ..."
            )
        else:
            found = err.get("input")
            found_s = repr(found) if not isinstance(found, (dict, list)) else type(found).__name__
            p = loc.problem(
                tpath,
                err["msg"][0].lower() + err["msg"][1:],
                found=found_s if len(found_s) < 80 else found_s[:77] + "...",
            )
        if str(p) not in seen:
            seen.add(str(p))
            kept.append(p)
    if not kept:  # every error sat on a branch we dropped: fall back to the raw messages
        for err in exc.errors(include_url=False):
            kept.append(
                loc.problem(tuple(x for x in err["loc"] if isinstance(x, (int, str))), err["msg"])
            )
    return kept


def _known_fields() -> dict[str, list[str]]:
    from ..spec import evidence as e
    from ..spec import models as s

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
        "fact": list(e.BackgroundFact.model_fields),
        "reference": list(e.ReferenceClass.model_fields),
        "reference_use": list(e.ReferenceUse.model_fields),
        "window": list(e.Window.model_fields),
    }


def _section_kind(path: Path_) -> str:
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return "model"
    last = names[-1]
    table = {
        "variables": "variable",
        "policies": "policy",
        "scenarios": "scenario",
        "claims": "claim",
        "questions": "question",
        "outcomes": "outcome",
        "cpt": "cpt",
        "table": "row",
        "verbal": "row",
        "noisy_or": "noisy",
        "noisy_max": "noisy",
        "left": "query",
        "right": "query",
        "query": "query",
        "utilities": "utility",
        "attributes": "attribute",
        "values": "utility_row",
    }
    if last == "sources":
        return "source" if len(names) == 1 else "citation"
    if last == "references":
        return "reference" if len(names) == 1 else "reference_use"
    if last in ("background", "window"):
        return "fact" if last == "background" else "window"
    return table.get(last, "model")


# ---------------------------------------------------------------------------------------------
def _resolve(path: str | Path) -> tuple[Path, Path]:
    """(model folder, model.yaml path) for a folder or a YAML file."""
    p = Path(path)
    if p.is_dir():
        return p, p / "model.yaml"
    return p.parent, p


def load_raw(path: str | Path) -> tuple[dict[str, Any], Locator, Path]:
    """Load model.yaml and its sibling section files (:data:`SECTION_FILES`), merged, with
    line information; nothing is validated yet.

    Parameters
    ----------
    path : str or Path
        A model folder (holding ``model.yaml``) or a model YAML file. Sibling section files are
        merged only into a file named ``model.yaml``.

    Returns
    -------
    tuple of (dict, Locator, Path)
        The merged data, where each of its paths came from, and the model folder. Raises
        :class:`~estimative.errors.ModelError` for a missing file, a top level that is not a
        mapping, or a section defined twice.
    """
    folder, main = _resolve(path)
    if not main.exists():
        if Path(path).is_dir():
            raise ModelError(
                Problem(
                    "model folder has no model.yaml",
                    file=display_path(path),
                    fix="name a folder holding model.yaml, a model YAML file, or a BIF/XMLBIF/XDSL file",
                )
            )
        raise ModelError(Problem("file not found", file=display_path(main), fix="check the path"))
    data, lines = load_yaml(main, display=display_path(main))
    if not isinstance(data, dict):
        raise ModelError(
            Problem(
                "the top level of a model file must be a mapping of keys (title:, variables:, ...)",
                file=lines.file,
                line=1,
                found=type(data).__name__,
            )
        )
    loc = Locator(lines)
    if main.name == "model.yaml":
        for section in SECTION_FILES:
            sib = folder / f"{section}.yaml"
            if not sib.exists():
                continue
            sdata, slines = load_yaml(
                sib,
                display=display_path(sib),
                empty_fix=f"write its '{section}:' section, or delete the file",
            )
            if not isinstance(sdata, dict) or set(sdata) != {section}:
                raise ModelError(
                    Problem(
                        f"{sib.name} must hold exactly one top-level key, '{section}:'",
                        file=slines.file,
                        line=1,
                        found=f"keys {sorted(sdata)}"
                        if isinstance(sdata, dict)
                        else type(sdata).__name__,
                    )
                )
            if section in data:
                raise ModelError(
                    Problem(
                        f"'{section}' is defined both here and in {sib.name}",
                        file=lines.file,
                        line=lines.line((section,)),
                        field=section,
                        fix="keep it in one place",
                    )
                )
            data[section] = sdata[section]
            loc.sections[section] = slines
    _load_background(data, loc, folder, lines.file)
    return data, loc, folder


def _load_background(data: dict[str, Any], loc: Locator, folder: Path, file: str) -> None:
    """Merge the facts of the background source (a source whose path is a YAML file holding
    ``background:``) into ``data``, with the lines of that file."""
    sources = data.get("sources")
    found = [
        (i, s)
        for i, s in enumerate(sources if isinstance(sources, list) else [])
        if isinstance(s, dict)
        and str(s.get("path", "")).endswith((".yaml", ".yml"))
        and (folder / str(s["path"])).is_file()
    ]
    if not found:
        return
    if len(found) > 1 or "background" in data:
        i = found[-1][0]
        raise ModelError(
            Problem(
                "a model has one background source (a YAML file of dated facts)",
                file=file,
                line=loc.default.line(("sources", i)),
                field=f"sources[{i}].path",
                fix="merge the facts into one file, and do not also write background: in model.yaml",
            )
        )
    path = folder / str(found[0][1]["path"])
    bdata, blines = load_yaml(path, display=display_path(path))
    if not isinstance(bdata, dict) or "background" not in bdata or set(bdata) - {"background"}:
        raise ModelError(
            Problem(
                f"{path.name} must hold exactly one top-level key, 'background:' (a list of facts)",
                file=blines.file,
                line=1,
                found=f"keys {sorted(bdata)}" if isinstance(bdata, dict) else type(bdata).__name__,
            )
        )
    data["background"] = bdata["background"]
    loc.sections["background"] = blines


def load_model(path: str | Path) -> ModelSpec:
    """Load and validate a model: a folder, a model YAML file, or an exchange-format file.

    Parameters
    ----------
    path : str or Path
        A model folder (``model.yaml`` and any sibling section files), a model YAML file, or a
        BIF / XMLBIF / XDSL / NET / UAI / DNE file (one of :data:`IMPORT_SUFFIXES`, read by
        :func:`~estimative.files.import_file`).

    Returns
    -------
    ModelSpec
        Checked by the schema and every static rule, tables expanded, frozen; named after the
        folder (or the file's stem). Raises :class:`~estimative.errors.ModelError` listing every
        problem found, each naming file, line and field.

    Examples
    --------
    >>> spec = load_model("models/example")
    >>> spec.variable("armed_clash").states
    ['no', 'yes']
    """
    if Path(path).suffix.lower() in IMPORT_SUFFIXES and Path(path).is_file():
        return import_file(path)
    data, loc, folder = load_raw(path)
    try:
        spec = ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise ModelError(pydantic_problems(exc, data, loc)) from None
    name = (
        folder.name if Path(path).is_dir() or Path(path).name == "model.yaml" else Path(path).stem
    )
    return finish(spec, loc, folder, root=str(folder), name=name)
