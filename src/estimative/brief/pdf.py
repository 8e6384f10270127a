"""Lay a brief's strings out as a PDF with fpdf2: A4, the DejaVu fonts matplotlib ships (any
Unicode text renders and extracts), charts and the model graph as vector images."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..charts import drawn_text, font_dir, plain_strings, replaced_warning, svg_size
from .context import brief_context
from .data import Brief
from .figures import brief_svgs
from .pdf_sections import LAYOUTS, Writer


def render_pdf(
    brief: Brief,
    *,
    context: Mapping[str, Any] | None = None,
    charts: Mapping[str, str] | None = None,
) -> bytes:
    """The brief as a PDF: fpdf2 with the DejaVu fonts matplotlib ships (text extractable),
    charts and the graph as vector images. The same brief gives the same bytes.

    Parameters
    ----------
    brief : Brief
        What :func:`~estimative.brief.build_brief` computed.
    context : mapping, optional
        The brief's strings, when :func:`~estimative.brief.brief_context` already made them.
    charts : mapping of str to str, optional
        The charts' SVG markup by name, when already drawn (default: drawn from ``brief``).

    Returns
    -------
    bytes
        The PDF document.

    Examples
    --------
    >>> import datetime, numpy as np
    >>> from estimative import Network
    >>> from estimative.brief import build_brief
    >>> b = build_brief(Network.from_file("models/example"), draws=100, rng=np.random.default_rng(0),
    ...                 date=datetime.date(2017, 5, 20))
    >>> render_pdf(b)[:5]
    b'%PDF-'
    """
    ctx = context if context is not None else brief_context(brief)
    svgs = charts if charts is not None else brief_svgs(brief)
    return _pdf_bytes(ctx, svgs, date=brief.parameters.date)


#: A table cell longer than this is cut, its full text given in a note under the table (a
#: 1,000-character label in a narrow column would make a row taller than a page).
LONG_CELL = 200


def _pdf_bytes(ctx: Mapping[str, Any], images: Mapping[str, str], *, date: _dt.date) -> bytes:
    """Lay the brief's strings out with fpdf2: A4, DejaVu fonts (shipped with matplotlib, so
    any Unicode text renders and extracts), charts as vector images (SVG), the graph on a page
    of its own."""
    from fpdf import FPDF, FontFace
    from fpdf.enums import XPos, YPos

    from .pdf_svg import draw_svg

    found: set[str] = set()
    ctx = plain_strings(ctx, found, drawn_text)  # what the PDF's font cannot draw: U+FFFD
    replaced_warning(found)
    fonts = font_dir()
    ink, muted, band = (29, 29, 27), (91, 91, 85), (243, 241, 234)

    class _Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("sans", size=8)
            self.set_text_color(*muted)
            self.cell(
                0,
                5,
                f"{ctx['header']['title']} \u00b7 model {ctx['header']['model']} "
                f"{ctx['header']['model_hash']} \u00b7 page {self.page_no()}",
                align="C",
            )
            self.set_text_color(*ink)

    pdf = _Doc(orientation="P", unit="mm", format="A4")
    pdf.add_font("sans", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("sans", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("sans", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    pdf.add_font("mono", "", str(fonts / "DejaVuSansMono.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_creation_date(_dt.datetime(date.year, date.month, date.day, tzinfo=_dt.UTC))
    pdf.set_title(f"{ctx['header']['title']}: probability brief")
    pdf.set_author("estimative " + ctx["header"]["version"])
    pdf.set_creator("estimative " + ctx["header"]["version"])
    pdf.set_producer("estimative " + ctx["header"]["version"])
    pdf.add_page()
    width = pdf.epw
    counter = [0]  # the notes of cut table cells, numbered through the document

    def para(
        text: str,
        *,
        size: float = 9.5,
        style: str = "",
        color: tuple[int, int, int] = ink,
        gap: float = 1.6,
        h: float | None = None,
    ) -> None:
        pdf.set_font("sans", style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(
            width,
            h or size * 0.48,
            " ".join(text.split()),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            align="L",
        )
        pdf.set_text_color(*ink)
        pdf.ln(gap)

    def heading(text: str) -> None:
        if pdf.get_y() > pdf.h - 45:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("sans", "B", 13)
        pdf.cell(width, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y = pdf.get_y()
        pdf.set_draw_color(*ink)
        pdf.set_line_width(0.5)
        pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
        pdf.ln(2.5)

    def subheading(text: str) -> None:
        if pdf.get_y() > pdf.h - 35:
            pdf.add_page()
        pdf.ln(1)
        para(text, size=10.5, style="B", gap=1)

    def bullet(text: str, *, size: float = 9.5, bold_lead: str = "") -> None:
        text, bold_lead = " ".join(text.split()), " ".join(bold_lead.split())
        pdf.set_font("sans", "", size)
        x = pdf.l_margin
        pdf.set_x(x)
        pdf.cell(4, size * 0.48, "\u2022")
        pdf.set_x(x + 4)
        if bold_lead:
            pdf.set_font("sans", "B", size)
            pdf.multi_cell(
                width - 4, size * 0.48, bold_lead, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
            )
            pdf.set_x(x + 4)
            pdf.set_font("sans", "", size)
        if text:
            pdf.multi_cell(
                width - 4, size * 0.48, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
            )
        pdf.ln(1.2)

    def table(
        head: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float] | None = None,
        size: float = 8,
    ) -> None:
        notes: list[tuple[int, str]] = []

        def fit(text: object) -> str:
            """A cell's text, cut at LONG_CELL characters with a note number."""
            text = str(text)
            if len(text) <= LONG_CELL:
                return text
            counter[0] += 1
            notes.append((counter[0], text))
            return f"{text[: LONG_CELL - 8].rstrip()}\u2026 [{counter[0]}]"

        pdf.set_font("sans", "", size)
        pdf.set_draw_color(200, 196, 186)
        pdf.set_line_width(0.2)
        with pdf.table(
            col_widths=tuple(widths) if widths else None,
            width=width,
            line_height=size * 0.5,
            text_align="LEFT",
            borders_layout="HORIZONTAL_LINES",
            padding=(1.2, 1.5, 1.2, 1.5),
            headings_style=FontFace(emphasis="BOLD", fill_color=band),
            repeat_headings=1,
        ) as t:
            r = t.row()
            for c in head:
                r.cell(fit(c))
            for row in rows:
                r = t.row()
                for c in row:
                    r.cell(fit(c))
        pdf.ln(2.5)
        for k, text in notes:  # the full text of each cut cell, under its table
            para(f"[{k}] {text}", size=8, color=muted, gap=0.8)

    def image(name: str, caption: str, *, max_h: float = 150) -> None:
        svg = images.get(name)
        if svg is None:
            return
        w_pt, h_pt = svg_size(svg)
        w = width
        h = w * h_pt / w_pt
        if h > max_h:
            h = max_h
            w = h * w_pt / h_pt
        if pdf.get_y() + h + 8 > pdf.h - pdf.b_margin:
            pdf.add_page()
        draw_svg(pdf, svg, x=pdf.l_margin + (width - w) / 2, w=w, h=h)
        pdf.ln(1)
        para(caption, size=8, color=muted)

    # The sections in the context's order, each laid out by its kind (pdf_sections.py).
    out = Writer(pdf, width, para, heading, subheading, bullet, table, image, images)
    for section in ctx["sections"]:
        LAYOUTS[section["kind"]](out, ctx, section)
    return bytes(pdf.output())
