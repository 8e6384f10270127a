"""A learned model written as a new model folder: every CPT the cases updated becomes a full
table of the learned numbers with its provenance kept (the sources, rationale and the
analysts' elicitations stay with it), ``learned:`` naming the data (file, hash, rows,
method, prior strength), ``prior:`` holding the elicited CPT as the analyst wrote it, and a
``strength`` of the prior's plus the cases counted (the posterior's equivalent sample size).
Everything else in the model file is written back as it was read; the source documents and
other files of the model folder are copied beside it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .._io import check_output_path, write_text_atomic
from ..errors import UsageError
from .learn import Learned


class _Dumper(yaml.SafeDumper):
    """YAML without anchors: a prior's sources are written out in full, not as ``*id001``."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _table(net: Any, name: str, cpt: np.ndarray) -> list[dict[str, Any]] | dict[str, float]:
    states = net.states[name]
    pars = net.parents[name]
    if not pars:
        return {s: float(x) for s, x in zip(states, cpt, strict=True)}
    rows = []
    for idx in np.ndindex(*cpt.shape[1:]):
        when = {p: net.states[p][i] for p, i in zip(pars, idx, strict=True)}
        probs = {s: float(cpt[(k, *idx)]) for k, s in enumerate(states)}
        rows.append({"when": when, "probs": probs})
    return rows


def learned_model(learned: Learned) -> dict[str, Any]:
    """The model file's content with the learned CPTs (a plain mapping, ready for YAML)."""
    net = learned.network
    spec = net.spec
    if spec.dynamic:
        raise UsageError(
            "writing a learned dynamic model is not supported",
            fix="learn on a model without time:, or use the returned network in Python",
        )
    data = spec.model_dump(mode="json", exclude_defaults=True)
    for v in data["variables"]:
        name = v["id"]
        if name not in learned.updated:
            continue
        old = v["cpt"]
        counts = learned.counts[name]
        card = counts.shape[0]
        n = counts.reshape(card, -1).sum(axis=0)
        prior = np.asarray(learned.prior_strengths[name])
        keep = {k: old[k] for k in ("sources", "assumption", "rationale") if k in old}
        keep = keep if "sources" in keep or "assumption" in keep else {"assumption": True}
        keep["rationale"] = (
            f"Updated from {learned.rows} cases in "
            f"{Path(learned.data).name} (sha256 {learned.data_hash}; "
            f"{'EM' if learned.method == 'em' else 'conjugate Dirichlet update'}), starting "
            "from the elicited CPT kept under prior:. " + (old.get("rationale") or "").strip()
        ).strip()
        v["cpt"] = {
            "table": _table(net, name, net.cpt(name)),
            **keep,
            "strength": float(np.round(float(np.mean(prior + n)), 6)),
            "learned": {
                "data": Path(learned.data).name,
                "data_hash": learned.data_hash,
                "rows": learned.rows,
                "missing": learned.missing,
                "method": learned.method,
                "prior_strength": [float(x) for x in prior],
                "model_hash": learned.model_hash,
            },
            "prior": old.get("prior", old),
        }
    return data


def write_learned(
    learned: Learned, out_dir: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the learned model as a new model folder (``model.yaml`` and the old folder's
    other files); the YAML is written atomically.

    Parameters
    ----------
    learned : Learned
        What :func:`~estimative.priors.learn` returned.
    out_dir : path
        The new folder; it must not exist unless ``overwrite``.
    overwrite : bool
        Replace the folder's ``model.yaml`` (and copied files) if it exists.

    Returns
    -------
    pathlib.Path
        The new ``model.yaml``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from estimative import Network, load_model
    >>> from estimative.priors import learn
    >>> out = learn(Network.from_file("models/example"), pd.DataFrame({"us_rhetoric": ["bluster"] * 10}))
    >>> path = write_learned(out, tempfile.mkdtemp() + "/learned")
    >>> cpt = load_model(path.parent).variable("us_rhetoric").cpt
    >>> cpt.table, cpt.learned.rows, cpt.prior.table
    ({'measured': 0.2, 'bluster': 0.8}, 10, {'measured': 0.4, 'bluster': 0.6})
    """
    out = Path(out_dir)
    if out.exists() and not overwrite and any(out.iterdir()):
        raise UsageError(
            f"{out} exists and is not empty",
            field="out_dir",
            fix="give a new folder, or pass overwrite=True",
        )
    text = "# Written by estimative learn: the CPTs under learned: were updated from cases.\n"
    text += yaml.dump(
        learned_model(learned), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
    root = learned.network.spec.root
    out.mkdir(parents=True, exist_ok=True)
    if root is not None and Path(root).is_dir():
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            for item in Path(root).iterdir():
                if item.name == "model.yaml" or item.suffix in (".yaml", ".yml"):
                    continue  # the model's YAML is written afresh below
                target = Path(tmp) / item.name
                if item.is_dir():
                    shutil.copytree(item, target)
                else:
                    shutil.copy2(item, target)
            for item in Path(tmp).iterdir():
                dest = out / item.name
                if dest.exists() and overwrite:
                    shutil.rmtree(dest) if dest.is_dir() else dest.unlink()
                os.replace(item, dest)
    path = check_output_path(out / "model.yaml")
    return write_text_atomic(path, text, what="model file")
