"""Model files in and out: the one :func:`load_model` (a model folder, a model YAML file, or a
BIF / XMLBIF / XDSL / NET / UAI / DNE file), YAML read the 1.2 way with the line of every value, and
the writers of every exchange format.

Everything that touches a model file on disk is here; the rules the model must meet are in
:mod:`estimative.spec`.
"""

from __future__ import annotations

from .interop import (
    DEFAULT_SUFFIX,
    FORMATS,
    SUFFIX_FORMATS,
    InteropWarning,
    export_network,
    export_text,
    import_file,
)
from .load import IMPORT_SUFFIXES, SECTION_FILES, load_model, load_raw
from .yamlio import load_yaml

__all__ = [
    "DEFAULT_SUFFIX",
    "FORMATS",
    "IMPORT_SUFFIXES",
    "SECTION_FILES",
    "SUFFIX_FORMATS",
    "InteropWarning",
    "export_network",
    "export_text",
    "import_file",
    "load_model",
    "load_raw",
    "load_yaml",
]
