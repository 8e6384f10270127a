"""Atomic file output: a reader (or a crash) never sees half a file.

Every file estimative writes goes through :func:`atomic_writer`: the data goes to a temporary
file in the target's folder, which is renamed over the target only once it is complete.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from .errors import UsageError


def display_path(p: str | os.PathLike[str]) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    p = Path(p)
    try:
        rel = os.path.relpath(p)
    except ValueError:
        return str(p)
    return rel if not rel.startswith("..") else str(p)


def check_output_path(path: str | os.PathLike[str], *, what: str = "file") -> Path:
    """The path as a :class:`Path`, after checking it names a file in an existing folder."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(
            f"the output path is a folder, not a {what}", found=str(target), fix=f"name a {what}"
        )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(
            f"the folder for the {what} does not exist", found=str(folder), fix="create it first"
        )
    return target


#: The file-system failures that are the machine's, not a bug, in words.
MACHINE_ERRNOS: dict[int, str] = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EIO: "the disk reported an input/output error",
    errno.EACCES: "permission is denied",
    errno.EPERM: "the operation is not permitted",
}


def machine_failure(exc: OSError, what: str) -> tuple[str, str] | None:
    """``(message, fix)`` for a file-system failure of the machine while writing ``what``
    (a full disk, a quota, a read-only or failing disk, permissions), else ``None``.

    >>> import errno
    >>> machine_failure(OSError(errno.ENOSPC, "No space left on device", "out/brief.pdf"), "the brief")[0]
    'the disk is full: cannot write the brief (out/brief.pdf: No space left on device)'
    """
    words = MACHINE_ERRNOS.get(exc.errno or -1)
    if words is None:
        return None
    where = f"{exc.filename}: " if exc.filename else ""
    message = f"{words}: cannot write {what} ({where}{exc.strerror or exc})"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free space on that disk (or write elsewhere), then rerun the command"
    elif exc.errno == errno.EIO:
        fix = "check the disk, then rerun the command (or write elsewhere)"
    else:
        fix = "write somewhere you may write (or fix the permissions), then rerun the command"
    return message, fix


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], *, binary: bool = False, what: str = "file"
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; on success rename it over ``path``.

    Text mode writes UTF-8 with ``\\n`` line ends. On any error the temporary file is removed
    and ``path`` is left as it was.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.txt")
    >>> with atomic_writer(p) as fh:
    ...     _ = fh.write("done")
    >>> open(p).read()
    'done'
    """
    target = check_output_path(path, what=what)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # like any Unix tool (mkstemp alone gives 0600)
        with (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        ) as fh:
            yield fh
            fh.flush()
            os.fsync(
                fh.fileno()
            )  # on disk before the rename: a crash leaves the old file or the new one
        os.replace(tmp, target)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno is not None and not exc.filename:
            # a failed write or fsync names no file: name the one being written
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc
        raise


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | os.PathLike[str], text: str, *, what: str = "file") -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8); return the path."""
    with atomic_writer(path, what=what) as fh:
        fh.write(text)
    return Path(path)


def jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON data: results by their ``to_dict()``, numpy scalars and arrays as
    numbers and lists, NaN and infinities as ``None``, dates as ISO text, paths as text.

    The one JSON encoding of estimative: the command line's ``--json``, sweep manifests and
    sidecars all go through it.

    >>> import numpy as np, datetime
    >>> jsonable({"p": np.float64(0.25), "xs": np.array([1.0, np.nan]), "d": datetime.date(2017, 5, 1)})
    {'p': 0.25, 'xs': [1.0, None], 'd': '2017-05-01'}
    """
    import datetime as _dt
    import math

    import numpy as np

    if isinstance(obj, np.generic):  # before float: np.float64 is a float
        return jsonable(obj.item())
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, np.ndarray):
        return [jsonable(x) for x in obj.tolist()]
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(x) for x in obj]
    if isinstance(obj, _dt.date | _dt.datetime):
        return obj.isoformat()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return jsonable(to_dict())
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def dumps_json(obj: Any, *, indent: int | None = 2) -> str:
    """``obj`` as JSON text through :func:`jsonable` (strict JSON: no NaN)."""
    import json

    return json.dumps(jsonable(obj), indent=indent, allow_nan=False, ensure_ascii=False)


def write_json_atomic(path: str | os.PathLike[str], obj: Any, *, what: str = "file") -> Path:
    """Write ``obj`` as JSON to ``path`` atomically; return the path."""
    return write_text_atomic(path, dumps_json(obj) + "\n", what=what)
