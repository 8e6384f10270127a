"""The brief rendered: sections in order, determinism, self-contained HTML, one scale only,
model text escaped, and likelihood and confidence in separate sentences."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from estimative import Network
from estimative.brief import (
    build_brief,
    render_html,
    render_markdown,
    render_pdf,
    words,
    write_brief,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"
DATA = Path(__file__).resolve().parent / "data"
DATE = dt.date(2017, 5, 20)
DRAWS = 400
SEED = 7


def flat(text: str) -> str:
    return " ".join(text.split())


def test_sections_in_key_judgments_order(md):
    heads = re.findall(r"^## (.+)$", md, flags=re.M)
    # Bottom line first; forecast questions, method, assumptions, sources and metadata in annexes.
    assert heads == [
        "Bottom line",
        "1. Key judgments",
        "2. Policy comparison",
        "3. What drives each judgment, and what to watch",
        "4. Alternative scenarios",
        "5. High impact, low probability",
        "Annex A: Forecast questions",
        "Annex B: Scope note and the words we use",
        "Annex C: Method",
        "Annex D: Key assumptions",
        "Annex E: Sources",
        "Annex F: How this brief was made",
    ]
    assert "model hash `" + Network.from_file(EXAMPLE).model_hash + "`" in md


# ------------------------------------------------------------------- determinism, format
def test_same_inputs_give_identical_files(net, brief, md, page, written):
    again = build_brief(
        Network.from_file(EXAMPLE), draws=DRAWS, rng=np.random.default_rng(SEED), date=DATE
    )
    assert render_markdown(again) == md
    assert render_html(again) == page
    assert render_pdf(again) == written.pdf.read_bytes()


def test_another_seed_changes_the_intervals_only(net, md):
    other = render_markdown(
        build_brief(net, draws=DRAWS, rng=np.random.default_rng(SEED + 1), date=DATE)
    )
    assert other != md
    assert other.count("very unlikely (5-20%): 8%") == md.count("very unlikely (5-20%): 8%")


def test_html_is_self_contained(page):
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page
    assert page.count("<svg") >= 3  # tornado, indicators, graph


# ---------------------------------------------------------------------------- scales
@pytest.mark.parametrize("scale", ["icd203", "phia"])
def test_one_scale_only(net, scale, brief, written, tmp_path):
    from pypdf import PdfReader

    if scale == "icd203":
        b, files = brief, written
    else:
        b = build_brief(net, draws=DRAWS, rng=np.random.default_rng(SEED), date=DATE, scale=scale)
        files = write_brief(b, tmp_path)

    texts = [
        files.markdown.read_text(),
        re.sub(r"<[^>]+>", " ", files.html.read_text()),
        " ".join(p.extract_text() for p in PdfReader(files.pdf).pages),
    ]
    for text in texts:
        assert words.foreign_terms(flat(text), scale) == set()
    own = {t.word for t in words.scale_terms(scale)}
    assert words.terms_used(texts[0], scale) <= own
    assert b.judgments[0].term.word in own
    if scale == "phia":
        assert "| highly unlikely | 10-20% |" in texts[0]  # the key lists PHIA's bands
        # The clash (7.6%) falls in the yardstick's 5-10% gap: named by both neighbours.
        assert "between remote chance and highly unlikely (5-10%): 8%" in texts[0]


# ---------------------------------------------------------------------------- escaping
HOSTILE = "<script>alert('x')</script> *bold* | pipe # [link](http://e.invalid) _u_ & `code`"


@pytest.fixture(scope="session")
def hostile_model(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copytree(EXAMPLE / "sources", folder / "sources")
    text = (EXAMPLE / "model.yaml").read_text()
    text = text.replace(
        "label: An armed clash that no side chose\n    target",
        f"label: {json.dumps(HOSTILE)}\n    target",
    )
    text = text.replace(
        "label: Status quo (May 2017)", f"label: {json.dumps('Status | quo <b>' + HOSTILE)}"
    )
    text = text.replace(
        "title: Miscalculation on the Korean Peninsula, in miniature",
        f"title: {json.dumps('Title </title><script>x</script>')}",
    )
    (folder / "model.yaml").write_text(text)
    return folder


def test_model_text_is_escaped(hostile_model, tmp_path):
    b = build_brief(
        Network.from_file(hostile_model), draws=200, rng=np.random.default_rng(0), date=DATE
    )
    files = write_brief(b, tmp_path)
    page = files.html.read_text()
    assert "<script" not in page.lower()
    assert "quo <b>" not in page and "Status | quo &lt;b&gt;" in page
    assert (
        "<title>Title &lt;/title&gt;&lt;script&gt;x&lt;/script&gt;: probability brief</title>"
        in page
    )
    assert "&lt;script&gt;alert(" in page
    md = files.markdown.read_text()
    assert "<script>" not in md and "\\<script\\>" in md
    # Every table row keeps its column count: the label's pipes are escaped.
    for table in re.findall(r"(?:^\|.*\|\n)+", md, flags=re.M):
        rows = table.strip().split("\n")
        counts = {len(re.findall(r"(?<!\\)\|", r)) for r in rows}
        assert len(counts) == 1, rows
    assert "\\*bold\\*" in md and "\\[link\\]" in md


def test_likelihood_and_confidence_never_share_a_sentence(md, brief):
    sec = md.split("## 1.")[1].split("## 2.")[0]
    # Sentences end at ". " (decimal points and ranges have no space after the dot).
    sentences = [s for s in re.split(r"(?<=\.)\*{0,2} ", flat(sec)) if s.strip()]
    with_conf = [s for s in sentences if "confidence" in s]
    assert len(with_conf) == len(brief.judgments)
    for s in with_conf:
        assert words.terms_used(s, "icd203") == set(), s
