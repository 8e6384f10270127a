"""A model written back as a model YAML file: what ``estimative import -o`` writes.

The file is the model's own fields (defaults left out), so that :func:`load_model` reads back
the same model, with the same ``model_hash``. Names are quoted where YAML needs it.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .._io import write_text_atomic
from ..spec import ModelSpec


def model_yaml(spec: ModelSpec) -> str:
    """The model as the text of a model YAML file.

    Parameters
    ----------
    spec : ModelSpec
        A loaded model (for example an imported BIF, XDSL or NET file).

    Returns
    -------
    str
        YAML that :func:`~estimative.files.load_model` reads back to the same model.

    Examples
    --------
    >>> from estimative.files import load_model
    >>> "format: estimative/1" in model_yaml(load_model("models/example"))
    True
    """
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data = {"format": "estimative/1", **data}
    header = (
        f"# {spec.title}\n# written by estimative from {spec.name}; model_hash {spec.model_hash}\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def save_model(spec: ModelSpec, path: str | os.PathLike[str]) -> Path:
    """Write the model to a model YAML file, atomically; return the path written."""
    return write_text_atomic(path, model_yaml(spec), what="model file")
