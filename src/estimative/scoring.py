"""Forecast questions: the model's probabilities, and how well they did once outcomes are known.

:func:`forecasts` answers every question of a model from its baseline (no do(): each government
at the analyst's expectation). :func:`score` compares those probabilities with outcomes
(question id -> 0 or 1) and reports

* the **Brier score**: the mean squared error between probability and outcome, from 0
  (perfect) to 1 (certain and wrong every time); always answering 50% scores 0.25;
* the **log score**: the mean natural log of the probability given to what happened, from
  0 (perfect) down to minus infinity (it equals minus scikit-learn's ``log_loss``);
* a **calibration table**: questions grouped by forecast probability, with the mean forecast
  and the observed frequency in each bin.

Outcomes are only ever compared with the forecasts; they never change the model's numbers.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .checks import check_count
from .errors import ModelError, Problem, UsageError, did_you_mean

if TYPE_CHECKING:
    from .network import Network

#: Probabilities are clipped to [EPS, 1 - EPS] before taking logs (as scikit-learn does), so a
#: forecast of exactly 0 or 1 that turns out wrong costs about -36 rather than minus infinity.
EPS = float(np.finfo(float).eps)

__all__ = [
    "EPS",
    "CalibrationBin",
    "Forecast",
    "ForecastTable",
    "ScoreReport",
    "ScoredQuestion",
    "forecasts",
    "load_resolutions",
    "score",
]


# ------------------------------------------------------------------------------------ forecasts
@dataclass(frozen=True)
class Forecast:
    """One question and the model's probability that it resolves yes."""

    id: str
    text: str
    probability: float
    horizon: _dt.date
    resolution: str


@dataclass(frozen=True)
class ForecastTable(Sequence[Forecast]):
    """The model's answer to each of its forecast questions, in file order."""

    model: str
    model_hash: str
    as_of: _dt.date
    rows: tuple[Forecast, ...]

    def __getitem__(self, i: int) -> Forecast:  # type: ignore[override]
        return self.rows[i]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Forecast]:
        return iter(self.rows)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.rows)

    def probability(self, question: str) -> float:
        """The forecast probability of one question, by id."""
        for f in self.rows:
            if f.id == question:
                return f.probability
        raise UsageError(
            f"unknown question '{question}'{_suggest(question, self.ids)}",
            expected=f"one of {list(self.ids)}",
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "id": [f.id for f in self.rows],
                "probability": [f.probability for f in self.rows],
                "horizon": [f.horizon for f in self.rows],
                "text": [f.text for f in self.rows],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "model_hash": self.model_hash,
            "as_of": self.as_of.isoformat(),
            "forecasts": [
                {
                    "id": f.id,
                    "text": f.text,
                    "probability": f.probability,
                    "horizon": f.horizon.isoformat(),
                    "resolution": f.resolution,
                }
                for f in self.rows
            ],
        }

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False, float_format=lambda x: f"{x:.3f}")


def forecasts(net: Network) -> ForecastTable:
    """Answer every forecast question of the network's model from its baseline.

    Parameters
    ----------
    net : Network
        A model with ``questions:``.

    Returns
    -------
    ForecastTable
        Each question's probability under the baseline (no do()), in file order.

    Examples
    --------
    >>> from estimative import Network
    >>> table = forecasts(Network.from_file("models/example"))
    >>> [f.id for f in table], 0 < table.probability("Q05") < 1
    (['Q05'], True)
    """
    spec = net.spec
    rows = tuple(
        Forecast(q.id, q.text, float(net.probability(q.query)), q.horizon, q.resolution.strip())
        for q in spec.questions
    )
    return ForecastTable(spec.name, spec.model_hash, spec.as_of, rows)


# ---------------------------------------------------------------------------------- resolutions
def _suggest(qid: object, known: Sequence[str]) -> str:
    """A did-you-mean for a question id, aware of the usual slips: case, a letter O for a zero,
    a missing leading zero (``q5``, ``Q1O`` -> ``Q05``, ``Q10``).

    >>> _suggest("q5", ["Q05", "Q10"]), _suggest("Q1O", ["Q01", "Q10", "Q21"])
    (" (did you mean 'Q05'?)", " (did you mean 'Q10'?)")
    """
    import re

    text = str(qid).strip().upper()
    m = re.fullmatch(r"([A-Z]+)([0-9O]+)", text)
    if m:
        digits = m.group(2).replace("O", "0")
        for k in known:
            km = re.fullmatch(r"([A-Za-z]+)([0-9]+)", k)
            if km and km.group(1).upper() == m.group(1) and int(km.group(2)) == int(digits):
                return f" (did you mean '{k}'?)"
    return did_you_mean(str(qid), known)


def load_resolutions(path: str | Path, *, questions: Sequence[str]) -> dict[str, int]:
    """Read a resolutions file: a YAML mapping of question id to 0 (no) or 1 (yes).

    Every problem is reported at once, each with file, line and field: an unknown question id
    (with a did-you-mean among ``questions``), or a value other than 0 or 1.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    questions : sequence of str
        The question ids of the model (for the check and the did-you-mean).

    Returns
    -------
    dict of str to int
        Each resolved question's outcome, 0 or 1.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "resolutions.yaml")
    >>> _ = open(path, "w").write("Q01: 1\\nQ02: 0\\n")
    >>> load_resolutions(path, questions=["Q01", "Q02", "Q03"])
    {'Q01': 1, 'Q02': 0}
    """
    from ._io import display_path
    from .files.yamlio import load_yaml

    data, lines = load_yaml(path, display=display_path(path))
    if not isinstance(data, dict):
        raise ModelError(
            Problem(
                "a resolutions file must be a mapping of question id to 0 or 1",
                file=lines.file,
                line=1,
                found=type(data).__name__,
                fix="write one line per question, e.g. Q01: 1",
            )
        )
    known = list(questions)
    problems: list[Problem] = []
    out: dict[str, int] = {}
    for qid, value in data.items():
        if qid not in known:
            problems.append(
                lines.problem(
                    (qid,),
                    f"unknown question '{qid}'{_suggest(qid, known)}",
                    expected=f"one of {', '.join(known)}" if len(known) <= 30 else None,
                    fix="use the ids of the model's questions (estimative forecast lists them)",
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value not in (0, 1):
            problems.append(
                lines.problem(
                    (qid,),
                    f"the outcome of {qid} must be 0 or 1",
                    expected="0 (resolved no) or 1 (resolved yes)",
                    found=repr(value),
                    fix="write 1 if the question resolved yes, 0 if no; leave unresolved questions out",
                )
            )
            continue
        out[qid] = int(value)
    if not data:
        problems.append(
            Problem(
                "the resolutions file is empty",
                file=lines.file,
                line=1,
                fix="add lines like Q01: 1",
            )
        )
    if problems:
        raise ModelError(problems)
    return out


# -------------------------------------------------------------------------------------- scoring
@dataclass(frozen=True)
class ScoredQuestion:
    """One resolved question: forecast, outcome, and its contribution to each score."""

    id: str
    text: str
    probability: float
    outcome: int
    squared_error: float
    log_score: float


@dataclass(frozen=True)
class CalibrationBin:
    """Questions whose forecast fell in ``[low, high)`` (the last bin includes 1).

    ``mean_forecast`` and ``observed_frequency`` are NaN for an empty bin.
    """

    low: float
    high: float
    count: int
    mean_forecast: float
    observed_frequency: float


@dataclass(frozen=True)
class ScoreReport:
    """Brier score, log score and calibration of a model's forecasts against outcomes."""

    model: str
    model_hash: str
    n: int
    brier: float
    log_score: float
    questions: tuple[ScoredQuestion, ...]
    calibration: tuple[CalibrationBin, ...]
    unresolved: tuple[str, ...] = field(default_factory=tuple)

    #: What the numbers mean, for any rendering.
    BRIER_NOTE = "Brier score: mean squared error of the probabilities, 0 to 1 (0 is perfect; always 50% scores 0.25)"
    LOG_NOTE = (
        "log score: mean natural log of the probability given to what happened, <= 0 (0 is perfect)"
    )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([q.__dict__ for q in self.questions])

    def calibration_frame(self) -> pd.DataFrame:
        return pd.DataFrame([b.__dict__ for b in self.calibration])

    def to_dict(self) -> dict[str, Any]:
        def num(x: float) -> float | None:
            return None if math.isnan(x) else x

        return {
            "model": self.model,
            "model_hash": self.model_hash,
            "n": self.n,
            "brier": self.brier,
            "brier_note": self.BRIER_NOTE,
            "log_score": self.log_score,
            "log_note": self.LOG_NOTE,
            "questions": [q.__dict__ for q in self.questions],
            "calibration": [
                {
                    "low": b.low,
                    "high": b.high,
                    "count": b.count,
                    "mean_forecast": num(b.mean_forecast),
                    "observed_frequency": num(b.observed_frequency),
                }
                for b in self.calibration
            ],
            "unresolved": list(self.unresolved),
        }

    def _repr_html_(self) -> str:
        head = (
            f"<p>Brier score {self.brier:.4f} (mean squared error, 0 to 1; 0 is perfect); "
            f"log score {self.log_score:.4f}; {self.n} questions</p>"
        )
        return head + self.calibration_frame().to_html(
            index=False, float_format=lambda x: f"{x:.3f}"
        )


def score(
    forecasts: ForecastTable, resolutions: Mapping[str, int], *, bins: int = 5
) -> ScoreReport:
    """Score forecasts against outcomes (question id -> 0 or 1).

    Only resolved questions are scored; the others are listed in ``unresolved``. ``bins``
    equal-width bins over [0, 1] make the calibration table.

    Parameters
    ----------
    forecasts : ForecastTable
        The model's forecasts (:func:`forecasts`).
    resolutions : mapping of str to int
        Question id -> outcome, 0 or 1.
    bins : int
        Equal-width calibration bins over [0, 1].

    Returns
    -------
    ScoreReport
        Brier and log scores, each question's contribution, and the calibration table.

    Examples
    --------
    >>> t = ForecastTable("m", "h", _dt.date(2017, 5, 15), (
    ...     Forecast("A", "a", 0.8, _dt.date(2018, 12, 31), ""),
    ...     Forecast("B", "b", 0.4, _dt.date(2018, 12, 31), "")))
    >>> r = score(t, {"A": 1, "B": 0})
    >>> round(r.brier, 4), round(r.log_score, 4)   # ((0.2**2 + 0.4**2) / 2, (ln 0.8 + ln 0.6) / 2)
    (0.1, -0.367)
    """
    bins = check_count(bins, name="bins", minimum=1, example=5)
    known = {f.id: f for f in forecasts}
    problems = []
    for qid, y in resolutions.items():
        if qid not in known:
            problems.append(
                Problem(f"unknown question '{qid}'{_suggest(qid, list(known))}", field=str(qid))
            )
        elif isinstance(y, bool) or y not in (0, 1):
            problems.append(
                Problem(f"the outcome of {qid} must be 0 or 1", field=str(qid), found=repr(y))
            )
    if problems:
        raise UsageError(problems)
    scored = []
    for f in forecasts:
        if f.id not in resolutions:
            continue
        y = int(resolutions[f.id])
        p = min(max(f.probability, EPS), 1.0 - EPS)
        scored.append(
            ScoredQuestion(
                f.id,
                f.text,
                f.probability,
                y,
                (f.probability - y) ** 2,
                math.log(p if y == 1 else 1.0 - p),
            )
        )
    if not scored:
        raise UsageError(
            "no question has a resolution to score", fix="give at least one question id with 0 or 1"
        )
    n = len(scored)
    brier = sum(q.squared_error for q in scored) / n
    log_score = sum(q.log_score for q in scored) / n
    calibration = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        members = [
            q
            for q in scored
            if low <= q.probability < high or (i == bins - 1 and q.probability == 1.0)
        ]
        if members:
            mean_f = sum(q.probability for q in members) / len(members)
            freq = sum(q.outcome for q in members) / len(members)
        else:
            mean_f = freq = math.nan
        calibration.append(CalibrationBin(low, high, len(members), mean_f, freq))
    unresolved = tuple(f.id for f in forecasts if f.id not in resolutions)
    return ScoreReport(
        forecasts.model,
        forecasts.model_hash,
        n,
        brier,
        log_score,
        tuple(scored),
        tuple(calibration),
        unresolved,
    )
