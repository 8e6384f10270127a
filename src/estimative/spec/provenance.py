"""Provenance: matching an analyst's quotes against the source documents they cite.

A quote must appear verbatim in its document, however the document's lines were broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_QUOTE_CHARS = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " ", "\u00ad": ""}
)


def _norm(text: str) -> str:
    return " ".join(text.translate(_QUOTE_CHARS).split())


def normalized_variants(document: str) -> tuple[str, ...]:
    """The document with whitespace folded, plus versions with line-end hyphenation undone
    (joined with and without the hyphen), so a quote matches however the PDF broke its lines."""
    doc = document.translate(_QUOTE_CHARS)
    joined_keep = re.sub(r"-[ \t]*\r?\n\s*", "-", doc)
    joined_drop = re.sub(r"(?<=[a-z])-[ \t]*\r?\n\s*(?=[a-z])", "", doc)
    return tuple(dict.fromkeys(_norm(d) for d in (doc, joined_keep, joined_drop)))


def quote_in(quote: str, variants: Iterable[str]) -> bool:
    """True when ``quote`` appears verbatim in one of the document's normalised variants.

    >>> quote_in("time is not on the US side", normalized_variants("1) time is not\\n on the US side;"))
    True
    >>> quote_in("self-interested", normalized_variants("a more self-\\ninterested view"))
    True
    """
    q = _norm(quote)
    return any(q in v for v in variants)
