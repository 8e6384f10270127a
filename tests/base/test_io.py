"""Atomic writing and the one JSON encoding."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from estimative import UsageError
from estimative._io import atomic_writer, dumps_json, jsonable, write_json_atomic


@dataclasses.dataclass
class _Result:
    p: float

    def to_dict(self) -> dict[str, object]:
        return {"p": self.p, "hash": "abc"}


def test_jsonable_turns_results_numpy_dates_and_nan_into_plain_json() -> None:
    obj = {
        "r": _Result(np.float64(0.25)),
        "a": np.array([[1, 2], [3, 4]]),
        "n": np.nan,
        "i": np.int32(7),
        "d": dt.date(2017, 5, 15),
        "path": Path("out/x.md"),
        "t": (1, np.inf),
    }
    assert jsonable(obj) == {
        "r": {"p": 0.25, "hash": "abc"},
        "a": [[1, 2], [3, 4]],
        "n": None,
        "i": 7,
        "d": "2017-05-15",
        "path": "out/x.md",
        "t": [1, None],
    }
    assert type(jsonable(np.float64(0.5))) is float
    # strict JSON: a reader in any language can parse it
    assert json.loads(dumps_json(obj))["n"] is None


def test_jsonable_refuses_what_it_cannot_encode() -> None:
    with pytest.raises(TypeError, match="object"):
        jsonable(object())


def test_atomic_writer_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_json_atomic(target, {"v": 1})
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write('{"v": 2')
        raise RuntimeError("disk gone")
    assert json.loads(target.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_atomic_writer_refuses_a_folder_and_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="folder, not a file"):
        write_json_atomic(tmp_path, {})
    with pytest.raises(UsageError, match="does not exist"):
        write_json_atomic(tmp_path / "nope" / "x.json", {})


def test_written_files_follow_the_umask(tmp_path) -> None:
    """Like any Unix tool: 0666 less the umask (mkstemp alone would give 0600)."""
    import os
    import stat

    from estimative._io import write_text_atomic

    old = os.umask(0o027)
    try:
        p = write_text_atomic(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
