"""The source documents a model cites, read safely: inside the model folder, regular files,
bounded in size, UTF-8 text.

A model is shared with others and validated on their machines, so a ``sources:`` path is
resolved (symlinks followed) and must stay inside the model folder; otherwise ``validate``
would confirm whether any string appears in any file the reader can see (``/etc/passwd``,
``../../..``). A source outside needs an explicit ``allow_outside: true``. Devices, FIFOs and
folders are refused whatever the flag, and a document larger than
:data:`~estimative.spec.limits.SOURCE_MIB` is refused before it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .._io import display_path
from ..errors import Problem
from .limits import SOURCE_MIB
from .locate import Locator
from .models import ModelSpec
from .provenance import normalized_variants


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def read_sources(
    spec: ModelSpec, loc: Locator, folder: Path, problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    """Each readable source's normalised text variants, by id; a problem for every source that
    cannot be read (outside the folder, missing, not a regular file, too large, not UTF-8)."""
    docs: dict[str, tuple[str, ...]] = {}
    try:
        root = folder.resolve()
    except (OSError, RuntimeError):
        root = folder.absolute()
    limit = SOURCE_MIB.value() * 1024 * 1024
    for i, doc in enumerate(spec.sources):
        where = ("sources", i, "path")
        doc_path = folder / doc.path
        try:
            real = doc_path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            real = doc_path
        if not getattr(doc, "allow_outside", False) and not _inside(real, root):
            problems.append(
                loc.problem(
                    where,
                    f"source document '{doc.path}' is outside the model folder",
                    found=display_path(real),
                    fix="copy the document into the model folder (e.g. sources/), or set "
                    "allow_outside: true on this source if you mean it",
                )
            )
            continue
        try:
            st = os.stat(real)
        except OSError:
            problems.append(
                loc.problem(
                    where,
                    f"source document '{doc.path}' does not exist",
                    found=display_path(doc_path),
                    fix="give a path relative to the model folder",
                )
            )
            continue
        if not stat.S_ISREG(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "a device or a pipe"
            problems.append(
                loc.problem(
                    where,
                    f"source document '{doc.path}' is {kind}, not a file",
                    found=display_path(doc_path),
                    fix="name a text file",
                )
            )
            continue
        if st.st_size > limit:
            problems.append(
                loc.problem(
                    where,
                    f"source document '{doc.path}' is too large",
                    expected=f"at most {SOURCE_MIB.value()} {SOURCE_MIB.what}",
                    found=f"{st.st_size / 2**20:.1f} MiB",
                    fix="cite the relevant excerpt as its own document; " + SOURCE_MIB.fix(),
                )
            )
            continue
        try:
            with open(real, "rb") as fh:
                data = fh.read(limit + 1)
            docs[doc.id] = normalized_variants(data.decode("utf-8"))
        except (UnicodeDecodeError, OSError) as exc:
            problems.append(
                loc.problem(where, f"cannot read source document as UTF-8 text ({exc})")
            )
    return docs
