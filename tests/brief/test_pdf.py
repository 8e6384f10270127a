"""The brief's PDF read back: it holds every key judgment, its confidence and the model's hash."""

from __future__ import annotations

from estimative.brief import words


def flat(text: str) -> str:
    return " ".join(text.split())


def test_pdf_holds_every_key_judgment(brief, pdf_text):
    assert pdf_text.startswith("PROBABILITY BRIEF")
    for j in brief.judgments:
        iv = j.interval
        assert flat(words.likelihood_text(iv.point, iv.low, iv.high, scale="icd203")) in pdf_text
        assert flat(j.confidence.sentence()) in pdf_text
    assert brief.spec.model_hash in pdf_text
