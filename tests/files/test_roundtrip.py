"""Export to BIF, XMLBIF, XDSL, NET and UAI, read back by pgmpy's readers and by ours: the
numbers come back bit for bit, the text where the format has room for it."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from estimative import Network, UsageError
from estimative.cli import main
from estimative.files import FORMATS, export_network, export_text, import_file

gum = pytest.importorskip("pyagrum")

EXAMPLE = Path(__file__).resolve().parents[2] / "models" / "example"


@pytest.mark.parametrize("fmt", ["bif", "xmlbif", "xdsl", "net"])
def test_pgmpy_reads_export_bit_for_bit(
    fmt: str, networks: dict[str, Network], tmp_path: Path
) -> None:
    from pgmpy.readwrite import BIFReader, NETReader, XDSLReader, XMLBIFReader

    reader = {"bif": BIFReader, "xmlbif": XMLBIFReader, "xdsl": XDSLReader, "net": NETReader}[fmt]
    for name in (
        "example",
        "asia",
    ):  # nodes with 0, 1, 2 and 3 parents (pgmpy's readers are slow on alarm)
        net = networks[name]
        # pgmpy reads Bayesian networks only: the example's decisions go as chance nodes
        path = export_network(net, fmt, tmp_path / f"{name}.{fmt}", as_bn=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = reader(str(path)).get_model()
        assert set(model.nodes()) == set(net.variables)
        for cpd in model.get_cpds():
            v = cpd.variable
            cpd = cpd.copy()
            if list(cpd.variables[1:]) != list(net.parents[v]):
                cpd.reorder_parents(list(net.parents[v]))
            index = np.ix_(
                *[
                    [list(map(str, cpd.state_names[x])).index(s) for s in net.states[x]]
                    for x in [v, *net.parents[v]]
                ]
            )
            assert np.array_equal(cpd.values[index], net.cpt(v)), (fmt, name, v)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_through_our_reader_is_exact(
    fmt: str, networks: dict[str, Network], agrum_suffix: dict[str, str], tmp_path: Path
) -> None:
    for name in ("example", "insurance"):
        net = networks[name]
        back = Network.from_spec(
            import_file(export_network(net, fmt, tmp_path / f"{name}{agrum_suffix[fmt]}"))
        )
        if fmt == "uai":  # no names in UAI: variables v<i>, states s<j>, in the order written
            assert back.variables == tuple(f"v{i}" for i in range(len(net.variables)))
            pairs = list(zip(net.variables, back.variables, strict=True))
        else:
            pairs = [(v, v) for v in net.variables]
            assert {v: back.states[v] for v in back.variables} == {
                v: net.states[v] for v in net.variables
            }
        for v, w in pairs:
            assert np.array_equal(back.cpt(w), net.cpt(v)), (fmt, name, v)


def test_text_survives_where_the_format_has_room(tmp_path: Path) -> None:
    net = Network.from_file(EXAMPLE)
    for fmt in ("bif", "xmlbif", "xdsl", "net"):
        text = export_text(net, fmt)
        assert net.model_hash in text, fmt
        back = import_file(export_network(net, fmt, tmp_path / f"m.{fmt}"))
        assert back.title == net.spec.title, fmt
        for v in net.spec.variables:
            w = back.variable(v.id)
            assert w.label == v.label, (fmt, v.id)
            if fmt in ("xmlbif", "xdsl"):  # XML keeps line breaks; BIF and NET fold them
                assert w.description == v.description.strip(), (fmt, v.id)
            else:
                assert w.description == " ".join(v.description.split()), (fmt, v.id)
    assert "misread_intent" not in export_text(net, "uai")  # UAI has no room for names


def test_text_with_format_syntax_is_escaped(agrum_suffix: dict[str, str], tmp_path: Path) -> None:
    spec = Network.from_file(EXAMPLE).spec
    v0 = spec.variables[0]
    tricky = 'say "no"; a {b} = c <d> & \\e'
    new = spec.model_copy(
        update={
            "variables": [
                v0.model_copy(update={"label": tricky, "description": tricky}),
                *spec.variables[1:],
            ]
        }
    )
    for old, v in zip(spec.variables, new.variables, strict=True):
        v._table = old._table
    net = Network.from_spec(new)
    for fmt in ("bif", "xmlbif", "xdsl", "net"):
        back = import_file(export_network(net, fmt, tmp_path / f"t{agrum_suffix[fmt]}", as_bn=True))
        # XML escapes everything; BIF has no escapes (pyAgrum ends a property at ';', pgmpy
        # splits it at '=' and drops quotes); NET strings end at '"'.
        expected = {
            "xmlbif": tricky,
            "xdsl": tricky,
            "bif": "say 'no', a (b) - c <d> & \\e",
            "net": "say 'no'; a {b} = c <d> & /e",
        }[fmt]
        assert back.variable(v0.id).label == expected
        bn = gum.loadBN(str(tmp_path / f"t{agrum_suffix[fmt]}"))  # still readable by pyAgrum
        assert bn.size() == len(net.variables)


def test_export_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net = Network.from_file(EXAMPLE)
    target = tmp_path / "m.bif"
    target.write_text("old contents")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        export_network(net, "bif", target)
    assert target.read_text() == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.bif"]
    monkeypatch.undo()
    export_network(net, "bif", target)
    assert target.read_text() == export_text(net, "bif")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.bif"]


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="did you mean 'xdsl'"):
        export_network(Network.from_file(EXAMPLE), "xdls", tmp_path / "m.xdsl")


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "example.xdsl"
    assert main(["export", str(EXAMPLE), "--format", "xdsl", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    net = Network.from_file(EXAMPLE)
    assert report == {
        "ok": True,
        "model": "example",
        "model_hash": net.model_hash,
        "format": "xdsl",
        "output": str(out),
        "variables": len(net.variables),
        "dropped": [report["dropped"][0]],
    }
    # the example's policies, scenarios, claims, ... and verbal CPTs have no place in XDSL; its
    # noisy-MAX is a <noisymax> node and its provenance is in the node comments
    dropped = report["dropped"][0]
    assert "2 policies" in dropped and "verbal) of private_channel, armed_clash," in dropped
    assert "provenance" not in dropped and "misread_intent" not in dropped
    assert out.read_text() == export_text(net, "xdsl")
    assert main(["export", str(out), "--format", "bif", "-o", str(tmp_path / "again.bif")]) == 0
    assert "wrote" in capsys.readouterr().out
    again = Network.from_file(tmp_path / "again.bif")
    for v in net.variables:
        assert np.array_equal(again.cpt(v), net.cpt(v))
