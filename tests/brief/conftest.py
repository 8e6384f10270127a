"""Shared fixtures of the brief tests: the example's brief (400 draws, seed 7) and its three
files, written once per session; the flagship's brief (few draws: it is what `make brief`
writes, checked for content, not for precision), built once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from estimative import Network
from estimative.brief import build_brief, write_brief

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"
FLAGSHIP = ROOT / "models" / "korea_2017"
FLAGSHIP_DRAWS = 100
DATA = Path(__file__).resolve().parent / "data"
DATE = dt.date(2017, 5, 20)
DRAWS = 400
SEED = 7


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="session")
def net() -> Network:
    return Network.from_file(EXAMPLE)


@pytest.fixture(scope="session")
def brief(net):
    return build_brief(net, draws=DRAWS, rng=np.random.default_rng(SEED), date=DATE)


@pytest.fixture(scope="session")
def written(brief, tmp_path_factory):
    out = tmp_path_factory.mktemp("brief")
    files = write_brief(brief, out)
    return files


@pytest.fixture(scope="session")
def md(written) -> str:
    return written.markdown.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def page(written) -> str:
    return written.html.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def pdf_text(written) -> str:
    from pypdf import PdfReader

    return flat(" ".join(p.extract_text() for p in PdfReader(written.pdf).pages))


@pytest.fixture(scope="session")
def flagship() -> Network:
    return Network.from_file(FLAGSHIP)


@pytest.fixture(scope="session")
def flagship_brief(flagship):
    return build_brief(flagship, draws=FLAGSHIP_DRAWS, rng=np.random.default_rng(0), date=DATE)
