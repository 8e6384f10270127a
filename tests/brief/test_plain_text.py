"""Labels are plain text in every output: ``$x_y_z$`` drawn as written (never mathtext), a lone
surrogate or a character the PDF's font lacks replaced by U+FFFD and said once, a
1,000-character label cut in charts and in PDF tables with its full text in a note.

The references are the labels as written in the model file: the literal text must come back
out of the Markdown, of the HTML (and the SVG matplotlib drew, which keeps each text as a
comment), and of the PDF's text as pypdf extracts it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pypdf
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from estimative import Network
from estimative.brief import build_brief, write_brief
from estimative.brief.figures import brief_figures
from estimative.charts import graph_figure, save_figure, tornado_figure
from estimative.errors import TextWarning
from estimative.sensitivity import one_way
from estimative.spec import derive
from mutate import run_cli

ROOT = Path(__file__).resolve().parents[2]
DOLLARS = "Sanctions on $x_y_z$"
LONG = "An armed clash " + " ".join(f"nobody chose, case {i}," for i in range(60)) + " the end"
LONG_POLICY = "Measured words " + " ".join(f"and channel {i}" for i in range(80))
HANGUL = "\ud55c\uad6d \uae34\uc7a5 (Korean tension)"  # DejaVu Sans has no Hangul


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """models/example with hostile labels written into its YAML."""
    out = tmp_path_factory.mktemp("labels") / "m"
    shutil.copytree(ROOT / "models" / "example", out)
    text = (out / "model.yaml").read_text(encoding="utf-8")
    for old, new in [
        ("label: US rhetoric toward North Korea", f'label: "{DOLLARS}"'),
        ("label: An armed clash that no side chose", f'label: "{LONG}"'),
        ("label: Measured words and a private channel", f'label: "{LONG_POLICY}"'),
        ("label: North Korean provocation", f'label: "{HANGUL}"'),
    ]:
        assert old in text
        text = text.replace(old, new)
    (out / "model.yaml").write_text(text, encoding="utf-8")
    assert len(LONG) > 1000 and len(LONG_POLICY) > 1000
    return out


@pytest.fixture(scope="module")
def written(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("brief")
    res = run_cli(["brief", str(folder), "-o", str(out), "--draws", "300"], timeout=120)
    assert res.code == 0, res.stderr
    return out, res.stderr


def _pdf_text(path: Path) -> str:
    """The PDF's text as pypdf extracts it, without the page footers (a note may run over a
    page break)."""
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    return re.sub(
        r"Miscalculation on the Korean Peninsula, in miniature \u00b7 model \S+ \S+ "
        r"\u00b7 page \d+",
        " ",
        text,
    )


def test_the_brief_is_written_in_all_three_formats(written) -> None:
    out, _ = written
    for name in ("brief.md", "brief.html", "brief.pdf"):
        assert (out / name).stat().st_size > 1000


def test_dollar_labels_come_out_literally(written) -> None:
    out, _ = written
    md = (out / "brief.md").read_text(encoding="utf-8")
    assert r"Sanctions on \$x_y_z\$" in md  # Markdown escapes the dollars, nothing else
    page = (out / "brief.html").read_text(encoding="utf-8")
    assert DOLLARS in re.sub(r"<[^>]+>", "", page)  # the page's text
    # the charts: matplotlib keeps each text as a comment; "$" drawn as its own glyph
    assert "<!-- Sanctions on $x_y_z$" in page and 'id="DejaVuSans-24"' in page
    assert DOLLARS in _pdf_text(out / "brief.pdf")


def test_a_long_label_is_cut_in_pdf_tables_with_the_full_text_in_a_note(written) -> None:
    out, _ = written
    text = flat(_pdf_text(out / "brief.pdf"))
    notes = re.findall(r"\[(\d+)\] (An armed clash .*? the end)", text)
    assert notes and all(flat(n) == LONG for _, n in notes)  # whole, in each note
    for k, _ in notes:  # and a cell cut before it, ending with the note's number
        assert re.search(rf"An armed clash [^\[]{{100,200}}\u2026 \[{k}\]", text)
    assert re.search(r"\[\d+\] " + re.escape(flat(LONG_POLICY)), text)
    # the page count stays that of an ordinary brief, not one page per cell
    assert len(pypdf.PdfReader(out / "brief.pdf").pages) < 20


def test_a_character_the_pdf_font_lacks_is_replaced_and_said_once(written) -> None:
    out, stderr = written
    warned = [ln for ln in stderr.splitlines() if ln.startswith("warning:")]
    assert warned == [
        "warning: DejaVu Sans, the font of the charts and the PDF, has no glyph for some "
        "characters (U+AD6D, U+AE34, U+C7A5, U+D55C); they are drawn as U+FFFD"
    ], stderr
    text = _pdf_text(out / "brief.pdf")
    assert "\ufffd\ufffd \ufffd\ufffd (Korean tension)" in text and "\ud55c" not in text
    page = (out / "brief.html").read_text(encoding="utf-8")
    assert "<!-- \ufffd\ufffd \ufffd\ufffd (Korean tension)" in page  # in its charts too
    # the text of Markdown and HTML keeps the characters: their readers' fonts draw them
    assert HANGUL in (out / "brief.md").read_text(encoding="utf-8")
    assert HANGUL in re.sub(r"<svg.*?</svg>", "", page, flags=re.S)


def test_a_long_label_is_cut_in_every_chart(folder: Path) -> None:
    net = Network.from_file(folder)
    b = build_brief(net, draws=200, rng=np.random.default_rng(0), date=dt.date(2017, 5, 20))
    figs = brief_figures(b)
    assert {"tornado", "indicators", "policies", "graph"} <= set(figs)
    for name, fig in figs.items():
        for t in fig.findobj(Text):
            lines = t.get_text().split("\n")
            assert len(t.get_text()) <= 320 and len(lines) <= 4, (name, t.get_text()[:80])
        assert fig.get_figheight() < 12, name  # no chart grows with the label
    boxes = [t.get_text() for t in figs["graph"].findobj(Text) if t.get_text().startswith("An")]
    assert boxes and all(b.endswith("\u2026") for b in boxes)


# --------------------------------------------------------------------- lone surrogates
def _with_surrogates(folder: Path) -> Network:
    """The model with a lone surrogate in a label and in the title (YAML refuses one, so it
    comes in through the library, as any program's text can)."""
    spec = Network.from_file(folder).spec
    tables = {v.id: v.table for v in spec.variables}
    bands = {v.id: v.bands for v in spec.variables}
    variables = [
        v.model_copy(update={"label": "Rhetoric \ud800 toward the North"})
        if v.id == "us_rhetoric"
        else v
        for v in spec.variables
    ]
    new = derive(spec, variables, tables=tables, bands=bands)
    return Network(new.model_copy(update={"title": "Korea \udfff"}))


def test_a_lone_surrogate_is_replaced_and_said_once(folder: Path, tmp_path: Path) -> None:
    net = _with_surrogates(folder)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        b = build_brief(net, draws=200, rng=np.random.default_rng(0), date=dt.date(2017, 5, 20))
        files = write_brief(b, tmp_path / "out")
    said = [w.message for w in caught if isinstance(w.message, TextWarning)]
    chars = {c for m in said if m.kind == "surrogate" for c in m.chars}
    assert chars == {chr(0xD800), chr(0xDFFF)}, said
    assert "(U+D800, U+DFFF)" in TextWarning.text("surrogate", chars)
    md = files.markdown.read_text(encoding="utf-8")
    assert "Rhetoric \ufffd toward the North" in md and md.startswith("# Korea \ufffd")
    assert "Rhetoric \ufffd toward the North" in _pdf_text(files.pdf)
    page = files.html.read_text(encoding="utf-8")
    assert "<!-- Rhetoric \ufffd toward the North" in page  # drawn in a chart, not crashed


# --------------------------------------------------------------------- charts on their own
def test_charts_take_dollar_and_surrogate_labels(tmp_path: Path) -> None:
    net = Network.from_file(ROOT / "models" / "example")
    res = one_way(net, "armed_clash", "yes")
    labels = {"misread_intent": DOLLARS, "nk_provocation": "North \ud800 Korea"}
    with pytest.warns(TextWarning, match="U\\+D800"):
        fig = tornado_figure(res, labels=labels, title=f"What moves {DOLLARS}")
    path = save_figure(fig, tmp_path / "t.svg")
    svg = path.read_text(encoding="utf-8")
    assert f"<!-- What moves {DOLLARS} -->" in svg and "North \ufffd Korea" in svg
    save_figure(fig, tmp_path / "t.png")
    save_figure(fig, tmp_path / "t.pdf")


def test_a_figure_made_elsewhere_is_saved_as_plain_text(tmp_path: Path) -> None:
    """matplotlib would read "$x_y_z$" as mathtext ("Double subscript"); save_figure does not."""
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.set_title(DOLLARS)
    ax.set_yticks([0, 1], labels=[DOLLARS, "$a^b$"])
    svg = save_figure(fig, tmp_path / "f.svg").read_text(encoding="utf-8")
    assert f"<!-- {DOLLARS} -->" in svg and "<!-- $a^b$ -->" in svg


def test_the_graph_draws_a_dollar_label(folder: Path) -> None:
    fig = graph_figure(Network.from_file(folder).spec)
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    assert "<!-- $x_y_z$ -->" in buf.getvalue()  # the label's second line in its box
