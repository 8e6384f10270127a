"""Estimative words and the confidence rule, against hand calculations and the published scales."""

from __future__ import annotations

import math

import pytest

from estimative.brief import words
from estimative.errors import UsageError


def test_likelihood_text_matches_the_issue_example():
    # The issue's own example: "likely (55-80%): 68%, 90% interval 52-81%".
    assert (
        words.likelihood_text(0.68, 0.52, 0.81, scale="icd203")
        == "likely (55-80%): 68%, 90% interval 52-81%"
    )


@pytest.mark.parametrize(
    ("p", "icd", "phia"),
    [
        (0.03, "almost no chance", "remote chance"),
        (0.12, "very unlikely", "highly unlikely"),
        (0.30, "unlikely", "unlikely"),
        (0.50, "roughly even chance", "realistic possibility"),
        (0.68, "likely", "likely"),
        (0.90, "very likely", "highly likely"),
        (0.97, "almost certain", "almost certain"),
    ],
)
def test_terms_follow_the_published_bands(p, icd, phia):
    # Bands from ICD 203 (ODNI 2015) and the PHIA yardstick (analyst-conventions.md).
    assert words.likelihood_term(p, scale="icd203").word == icd
    assert words.likelihood_term(p, scale="phia").word == phia


def test_shared_edges_go_to_the_band_nearer_even_odds():
    assert words.likelihood_term(0.80, scale="icd203").word == "likely"
    assert words.likelihood_term(0.20, scale="icd203").word == "unlikely"
    assert words.likelihood_term(0.45, scale="icd203").word == "roughly even chance"


def test_percent_formatting_keeps_small_numbers_visible():
    assert words.pct(0.0042) == "0.4%"
    assert words.pct(0.00004) == "<0.1%"
    assert words.pct(0.99995) == ">99.9%"
    assert words.interval_text(0.004, 0.031) == "0.4-3%"


def test_odds_ratio_by_hand():
    # odds(0.75) = 3, odds(0.5) = 1; odds(0.2) = 0.25, odds(0.05) = 1/19 -> ratio 4.75.
    assert words.odds_ratio(0.5, 0.75) == pytest.approx(3.0)
    assert words.odds_ratio(0.05, 0.2) == pytest.approx(4.75)


@pytest.mark.parametrize(
    ("low", "high", "share", "level"),
    [
        (0.50, 0.75, 0.00, "high"),  # odds ratio exactly 3: narrow; sourced
        (0.50, 0.75, 0.40, "moderate"),  # narrow but mixed
        (0.50, 0.76, 0.00, "moderate"),  # odds ratio 3.17: medium
        (0.05, 0.20, 0.10, "moderate"),  # 4.75: medium
        (0.01, 0.10, 0.10, "low"),  # 11: wide
        (0.50, 0.70, 0.70, "low"),  # mostly assumed
    ],
)
def test_confidence_rule(low, high, share, level):
    assert words.confidence_for(low, high, share).level == level


def test_assumption_share_by_hand():
    # Swings 0.3 (assumed), 0.4 (sourced), 0.1 (assumed): (0.09 + 0.01) / (0.09 + 0.16 + 0.01).
    assert words.assumption_share([0.3, 0.4, 0.1], [True, False, True]) == pytest.approx(
        0.10 / 0.26
    )


@pytest.mark.parametrize("scale", ["icd203", "phia"])
def test_confidence_sentence_carries_no_likelihood_word(scale):
    for conf in (
        words.confidence_for(0.5, 0.7, 0.1),
        words.confidence_for(0.01, 0.4, 0.9),
        words.Confidence("moderate", math.inf, 0.5),
    ):
        text = conf.sentence()
        assert conf.level in text
        assert words.terms_used(text, "icd203") == set()
        assert words.terms_used(text, "phia") == set()


def test_foreign_terms_detects_a_mixed_scale():
    assert words.foreign_terms("It is very unlikely.", "phia") == {"very unlikely"}
    assert words.foreign_terms("A realistic possibility.", "icd203") == {"realistic possibility"}
    assert words.foreign_terms("Unlikely, likely, almost certain.", "phia") == set()


def test_unknown_scale_is_a_usage_error():
    with pytest.raises(UsageError, match="did you mean 'phia'"):
        words.check_scale("phai")


def test_labels_inside_sentences():
    assert words.in_sentence("An armed clash") == "an armed clash"
    assert words.in_sentence("US strike") == "US strike"
    assert words.in_sentence("North Korea tests") == "North Korea tests"


def test_phia_gaps_are_named_by_both_neighbours():
    # PHIA leaves 5-10%, 20-25%, 35-40%, 50-55%, 75-80% and 90-95% unnamed on purpose.
    assert (
        words.likelihood_phrase(0.07, scale="phia")
        == "between remote chance and highly unlikely (5-10%)"
    )
    assert (
        words.likelihood_phrase(0.52, scale="phia")
        == "between realistic possibility and likely (50-55%)"
    )
    assert words.likelihood_phrase(0.52, scale="icd203") == "roughly even chance (45-55%)"
    assert words.foreign_terms(words.likelihood_phrase(0.93, scale="phia"), "phia") == set()
