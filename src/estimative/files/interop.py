"""Networks out to BIF, XMLBIF, XDSL (GeNIe), NET (HUGIN), UAI and DNE (Netica), and back in.

Each format's writer and reader live together in :mod:`estimative.files.formats`; this module
picks one by format name (export) or by suffix (import).

Every number is written with ``repr(float)``, the shortest text that reads back to the same
double, so a file loses nothing on the way out. Whether a reader keeps that precision is up to
the reader: pyAgrum 3.3 parses BIF, NET and UAI numbers into C ``float`` (about 7 significant
digits) and XMLBIF and XDSL numbers into ``double``; see ``tests/files/test_pyagrum.py``.

Imported files become a :class:`~estimative.spec.ModelSpec` with full-table CPTs marked
``assumption: true`` ("imported from <file>"), expanded and checked like a YAML model.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .._io import display_path, write_text_atomic
from ..errors import ModelError, Problem, UsageError, did_you_mean
from ..spec import ModelSpec
from ..spec.limits import IMPORT_MIB
from .formats import bif, dne, genie_time, net, uai, xml
from .formats._common import InteropWarning, NetView, RawNet, spec_of, view_of
from .formats._names import written_names
from .formats._spec import IMPORT_SUM_TOLERANCE, build_spec

if TYPE_CHECKING:
    from .formats._common import HasSpec

__all__ = [
    "DEFAULT_SUFFIX",
    "FORMATS",
    "IMPORT_SUM_TOLERANCE",
    "MAX_IMPORT_BYTES",
    "SUFFIX_FORMATS",
    "InteropWarning",
    "export_network",
    "export_text",
    "import_file",
]

#: Export formats, by the name ``--format`` takes.
FORMATS: tuple[str, ...] = ("bif", "xmlbif", "xdsl", "net", "uai", "dne")
#: The format of an import file, by its suffix.
SUFFIX_FORMATS: dict[str, str] = {
    ".bif": "bif",
    ".xmlbif": "xmlbif",
    ".bifxml": "xmlbif",
    ".xml": "xmlbif",
    ".xdsl": "xdsl",
    ".net": "net",
    ".uai": "uai",
    ".dne": "dne",
}
#: The suffix a file of each format usually has.
DEFAULT_SUFFIX: dict[str, str] = {
    "bif": ".bif",
    "xmlbif": ".bifxml",  # pyAgrum's loadBN refuses .xml
    "xdsl": ".xdsl",
    "net": ".net",
    "uai": ".uai",
    "dne": ".dne",
}
#: The default size limit of an imported file (see :data:`estimative.spec.limits.IMPORT_MIB`).
MAX_IMPORT_BYTES = IMPORT_MIB.default * 1024 * 1024
#: What a reader may raise on hostile input (an encoding Python lacks, a number too long to
#: convert, nesting deeper than the stack): reported as a problem with the file, not a bug.
_READ_ERRORS = (ValueError, LookupError, OverflowError, RecursionError, MemoryError)

_WRITERS: dict[str, Callable[[NetView], str]] = {
    "bif": bif.write_bif,
    "xmlbif": xml.write_xmlbif,
    "xdsl": xml.write_xdsl,
    "net": net.write_net,
    "uai": uai.write_uai,
    "dne": dne.write_dne,
}
_TEXT_READERS: dict[str, Callable[[str, RawNet], None]] = {
    "bif": bif.read_bif,
    "net": net.read_net,
    "uai": uai.read_uai,
    "dne": dne.read_dne,
}


def _check_format(fmt: str) -> str:
    f = str(fmt).lower().lstrip(".")
    if f not in _WRITERS:
        raise UsageError(
            f"unknown export format '{fmt}'{did_you_mean(f, FORMATS)}",
            field="format",
            expected=f"one of {list(FORMATS)}",
            found=repr(fmt),
        )
    return f


#: Which names each format can write as they are (variable, state); others are written as safe
#: identifiers with the originals in an ``estimative_names`` property.
_NAME_FITS: dict[str, tuple[Callable[[str], bool], Callable[[str], bool]]] = {
    "bif": (bif._variable_fits, bif._state_fits),
    "xdsl": (str.isidentifier, str.isidentifier),
    "net": (net._ascii_identifier, net._state_fits),
    "dne": (dne._netica_name, dne._netica_name),
}


def _dropped(view: NetView, fmt: str) -> list[str]:
    """What the file will not hold, or holds changed, in words."""
    out = list(view.unwritable)
    decisions = [v for v in view.variables if v.kind == "decision"]
    if fmt in ("bif", "uai") and decisions:
        out.append(
            f"{len(decisions)} decisions ({', '.join(v.id for v in decisions)}), written as chance "
            f"nodes with their baseline tables ({fmt.upper()} has no decision nodes)"
        )
    if fmt in ("bif", "uai") and view.utilities:
        out.append(f"{len(view.utilities)} utility attributes (use xdsl, net or xmlbif)")
    if fmt == "uai":
        out.append(
            "every name, label, alias, position and description (UAI numbers variables and states)"
        )
    forms = [v for v in view.variables if v.form in ("noisy_or", "noisy_max", "verbal")]
    if fmt == "xdsl":  # GeNIe's <noisymax> holds noisy-OR and noisy-MAX
        forms = [v for v in forms if v.noisy is None]
    if forms:
        out.append(
            "the CPT forms (noisy-OR, noisy-MAX, verbal) of "
            f"{', '.join(v.id for v in forms)}, written as full tables"
        )
    hidden = [
        v.id for v in view.variables if not v.observable and (fmt != "xdsl" or v.kind == "decision")
    ]
    if hidden:  # XDSL: GeNIe's diagnostic roles (diagtype) of chance nodes
        out.append(f"observable: false of {', '.join(hidden)}")
    cited = [v.id for v in view.variables if v.provenance]
    if cited and fmt != "xdsl":  # XDSL: in each node's comment
        out.append(f"the provenance (quotes, rationales) of {len(cited)} CPTs")
    if fmt in _NAME_FITS:
        var_fits, state_fits = _NAME_FITS[fmt]
        names = written_names(
            [*((v.id, v.states) for v in view.variables), *((u.id, ()) for u in view.utilities)],
            variable_fits=var_fits,
            state_fits=state_fits,
        )
        if names.records:
            out.append(
                f"the names of {', '.join(repr(r) for r in names.renamed())}, written as "
                f"identifiers {fmt.upper()} can hold (estimative restores them on import)"
            )
    return out


def export_text(
    net: ModelSpec | HasSpec, fmt: str, *, as_bn: bool = False, unrolled: bool = False
) -> str:
    """The network as the text of an exchange format.

    Parameters
    ----------
    net : ModelSpec or Network
        The model (anything with a ``spec``).
    fmt : str
        One of :data:`FORMATS`: ``bif``, ``xmlbif``, ``xdsl`` (GeNIe), ``net`` (HUGIN), ``uai``,
        ``dne`` (Netica).
    as_bn : bool
        Write decisions as chance nodes with their baseline tables, leave utilities out and
        write noisy-OR / noisy-MAX CPTs as tables, for tools that read only Bayesian networks
        of tables (pgmpy, pyAgrum's ``loadBN``). By default XMLBIF, XDSL, NET and DNE files hold
        decisions, information arcs and utilities, and XDSL files GeNIe's ``<noisymax>`` nodes.
    unrolled : bool
        For a dynamic model (one with ``time:``) and ``xdsl``: write the unrolled network (one
        node per variable and slice, ids ``x@slice`` made safe) instead of GeNIe's temporal
        plate, the default. The other formats always hold the unrolled network; window nodes
        (``x@A..B``) are left out, and the warning names them.

    Returns
    -------
    str
        The whole file. Raises :class:`~estimative.errors.UsageError` for an unknown format.

    Examples
    --------
    >>> from estimative import Network
    >>> text = export_text(Network.from_file("models/example"), "bif")
    >>> "probability ( armed_clash | misread_intent )" in text
    True
    """
    f = _check_format(fmt)
    spec = spec_of(net)
    if f == "xdsl" and spec.time is not None and not unrolled:
        text = genie_time.write_plate(spec)  # refuses what it cannot write, before warning
        dropped = genie_time.plate_unwritable(spec)
        if dropped:
            warnings.warn(
                "the XDSL file (GeNIe's temporal plate) does not hold: " + "; ".join(dropped),
                InteropWarning,
                stacklevel=2,
            )
        return text
    view = view_of(net, as_bn=as_bn)
    dropped = _dropped(view, f)
    if dropped:
        warnings.warn(
            f"the {f.upper()} file does not hold: " + "; ".join(dropped),
            InteropWarning,
            stacklevel=2,
        )
    return _WRITERS[f](view)


def export_network(
    net: ModelSpec | HasSpec,
    fmt: str,
    path: str | os.PathLike[str],
    *,
    as_bn: bool = False,
    unrolled: bool = False,
) -> Path:
    """Write the network to a file in an exchange format, atomically.

    The file is written to a temporary file in the same folder and moved into place, so a
    reader never sees half a file. Labels and descriptions are kept where the format has room
    for them (not in UAI); the model's model hash is written into every format but UAI.

    Parameters
    ----------
    net : ModelSpec or Network
        The model (anything with a ``spec``).
    fmt : str
        One of :data:`FORMATS`: ``bif``, ``xmlbif``, ``xdsl`` (GeNIe), ``net`` (HUGIN), ``uai``,
        ``dne`` (Netica).
    path : str or os.PathLike
        The file to write (not a folder).
    as_bn : bool
        Decisions as chance nodes, no utilities, noisy CPTs as tables (see :func:`export_text`).
    unrolled : bool
        A dynamic model to XDSL: the unrolled network, not GeNIe's temporal plate (see
        :func:`export_text`).

    Returns
    -------
    Path
        The path written. Raises :class:`~estimative.errors.UsageError` for an unknown format
        or a path that is a folder.

    Examples
    --------
    >>> import tempfile, os
    >>> from estimative import Network
    >>> net = Network.from_file("models/example")
    >>> out = export_network(net, "xdsl", os.path.join(tempfile.mkdtemp(), "example.xdsl"))
    >>> Network.from_file(out).query("armed_clash")["yes"] == net.query("armed_clash")["yes"]
    True
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropWarning)
        text = export_text(net, fmt, as_bn=as_bn, unrolled=unrolled)
    for w in caught:  # re-issued here, so that the warning names the caller
        warnings.warn(w.message, w.category, stacklevel=2)
    if Path(path).is_dir():
        raise UsageError(
            "the output path is a folder",
            found=str(path),
            fix="name a file, e.g. model" + DEFAULT_SUFFIX[_check_format(fmt)],
        )
    return write_text_atomic(path, text, what="output file")


def _read(data: bytes, raw: RawNet) -> None:
    """Fill ``raw`` from the file's bytes with the reader of its format."""
    if raw.fmt in ("xmlbif", "xdsl"):
        xml.read_xml(data, raw)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # older BIF and NET files are often Latin-1
    _TEXT_READERS[raw.fmt](text, raw)


def import_file(path: str | os.PathLike[str], *, normalize: bool = False) -> ModelSpec:
    """Read a BIF, XMLBIF, XDSL (GeNIe), NET (HUGIN), UAI or DNE (Netica) file into a validated
    model.

    The format is chosen by the suffix (``.bif``, ``.xml``/``.xmlbif``/``.bifxml``, ``.xdsl``,
    ``.net``, ``.uai``, ``.dne``); XML files are told apart by their root element. Variable and state
    names are kept as the file writes them. Columns that miss 1 by at most
    :data:`IMPORT_SUM_TOLERANCE` (or, for HUGIN files, by the rounding of 6 significant digits)
    are normalised, with an :class:`InteropWarning` when that is more than the tolerance.
    Decision and utility nodes (XMLBIF, XDSL, NET, DNE) become the model's decisions and
    utilities; GeNIe's noisy-MAX nodes become ``noisy_or`` or ``noisy_max`` CPTs.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read (at most :data:`MAX_IMPORT_BYTES`).
    normalize : bool
        Accept tables of counts: each column is divided by its sum (the CPT is then marked
        ``normalize: true``). Off by default, so that a mistyped column is refused.

    Returns
    -------
    ModelSpec
        Every CPT marked ``assumption: true`` with the rationale "imported from <file>" (a full
        table, or a noisy-OR / noisy-MAX for a GeNIe noisy-MAX node); named ``path``'s stem. Raises :class:`~estimative.errors.ModelError` naming
        the file and line of every problem, :class:`~estimative.errors.UsageError` for a suffix
        that names no format.

    Examples
    --------
    >>> import tempfile, os
    >>> from estimative import Network
    >>> path = os.path.join(tempfile.mkdtemp(), "coin.bif")
    >>> _ = open(path, "w").write('''network coin {}
    ... variable toss { type discrete [ 2 ] { heads, tails }; }
    ... probability ( toss ) { table 0.5, 0.5; }''')
    >>> Network.from_spec(import_file(path)).query("toss")["heads"]
    0.5
    """
    p = Path(path)
    file = display_path(p)
    raw = RawNet(SUFFIX_FORMATS.get(p.suffix.lower(), ""), file)
    if not raw.fmt:
        raise UsageError(
            f"cannot tell the format of '{file}' from its suffix",
            file=file,
            expected=f"one of {sorted(SUFFIX_FORMATS)}",
            found=repr(p.suffix),
        )
    if not p.is_file():
        raise ModelError(
            Problem(
                "file not found" if not p.exists() else "is not a file",
                file=file,
                fix="check the path",
            )
        )
    size = p.stat().st_size
    limit = IMPORT_MIB.value() * 2**20
    if size > limit:
        raise raw.fail(
            "file is too large to import",
            expected=f"at most {IMPORT_MIB.value()} MiB",
            found=f"{size / 2**20:.1f} MiB",
            fix=IMPORT_MIB.fix(),
        )
    with p.open("rb") as fh:
        data = fh.read(limit + 1)
    if b"\x00" in data:
        raise raw.fail(
            f"file is binary, not {raw.fmt.upper()} text",
            data[: data.index(b"\x00")].count(b"\n") + 1,
            fix="name a text file",
        )
    if not data.strip():
        raise raw.fail("file is empty", 1, fix=f"name a {raw.fmt.upper()} file")
    try:
        _read(data, raw)
    except _READ_ERRORS as exc:
        what = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
        raise raw.fail(
            f"cannot read the file: {what or type(exc).__name__}",
            fix=f"check that it is a well-formed {raw.fmt.upper()} file saved as UTF-8",
        ) from None
    if raw.problems:
        raise ModelError(raw.problems)
    try:
        return build_spec(raw, p, normalize=normalize)
    except ModelError as exc:  # a table refused by the builder: say which file it came from
        named = [
            q if q.file else dataclasses.replace(q, file=display_path(p)) for q in exc.problems
        ]
        raise ModelError(named) from None
