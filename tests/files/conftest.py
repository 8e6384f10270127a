"""Fixtures of the exchange-format tests: the networks pgmpy ships (asia, alarm, insurance, read
by our BIF reader) and the example model.

References come from pyAgrum (its file readers and LazyPropagation) and pgmpy (its file readers
and the networks it ships), never from estimative's own inference on the same file.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from estimative import Network

EXAMPLE = Path(__file__).resolve().parents[2] / "models" / "example"
#: The networks pgmpy ships that the tests read: between them, nodes with 0, 1, 2 and 3+ parents.
BUNDLED = ("asia", "alarm", "insurance")


def _bundled_bif_text(name: str) -> str:
    import pgmpy

    path = Path(pgmpy.__file__).parent / "utils" / "example_models" / f"{name}.bif.gz"
    return gzip.decompress(path.read_bytes()).decode()


@pytest.fixture(scope="session")
def bundled_bif() -> Callable[[str], str]:
    """The text of a BIF file pgmpy ships, by name (one of ``BUNDLED``)."""
    pytest.importorskip("pgmpy")
    return _bundled_bif_text


@pytest.fixture(params=BUNDLED)
def bundled_name(request: pytest.FixtureRequest) -> str:
    """Each bundled network's name in turn."""
    return request.param


@pytest.fixture(params=("example", *BUNDLED))
def network_name(request: pytest.FixtureRequest) -> str:
    """The example model's name, then each bundled network's."""
    return request.param


@pytest.fixture(scope="session")
def bundled_names() -> tuple[str, ...]:
    """The names of the bundled networks."""
    return BUNDLED


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory, bundled_bif: Callable[[str], str]) -> Path:
    """A folder with the bundled networks as ``<name>.bif``."""
    d = tmp_path_factory.mktemp("bundled")
    for name in BUNDLED:
        (d / f"{name}.bif").write_text(bundled_bif(name))
    return d


@pytest.fixture(scope="session")
def networks(files: Path) -> dict[str, Network]:
    """The example model and the bundled networks, by name."""
    nets = {"example": Network.from_file(EXAMPLE)}
    for name in BUNDLED:
        nets[name] = Network.from_file(files / f"{name}.bif")
    return nets


@pytest.fixture(scope="session")
def marginals(networks: dict[str, Network]) -> dict[str, dict[str, dict[str, float]]]:
    """Our marginals of every variable of every network in ``networks``."""
    return {k: {v: net.query(v).to_dict() for v in net.variables} for k, net in networks.items()}


@pytest.fixture(scope="session")
def agrum_suffix() -> dict[str, str]:
    """The file suffix pyAgrum needs for each format (it picks its reader by suffix; it has no
    reader of Netica's DNE, whose suffix is here for our own reader)."""
    return {
        "bif": ".bif",
        "xmlbif": ".bifxml",
        "xdsl": ".xdsl",
        "net": ".net",
        "uai": ".uai",
        "dne": ".dne",
    }
