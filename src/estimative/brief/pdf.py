"""Lay a brief's strings out as a PDF with fpdf2: A4, the DejaVu fonts matplotlib ships (any
Unicode text renders and extracts), charts and the model graph as vector images."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..charts import svg_size
from .context import brief_context
from .data import Brief
from .figures import brief_svgs


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


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _pdf_bytes(ctx: Mapping[str, Any], images: Mapping[str, str], *, date: _dt.date) -> bytes:
    """Lay the brief's strings out with fpdf2: A4, DejaVu fonts (shipped with matplotlib, so
    any Unicode text renders and extracts), charts as vector images (SVG), the graph on a page
    of its own."""
    from fpdf import FPDF, FontFace
    from fpdf.enums import XPos, YPos

    from .pdf_svg import draw_svg

    fonts = _font_dir()
    ink, muted, accent, band = (29, 29, 27), (91, 91, 85), (47, 93, 138), (243, 241, 234)

    class _Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("sans", size=7.5)
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
                r.cell(str(c))
            for row in rows:
                r = t.row()
                for c in row:
                    r.cell(str(c))
        pdf.ln(2.5)

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

    hd = ctx["header"]
    para("PROBABILITY BRIEF", size=8.5, style="B", color=accent, gap=0.5)
    para(hd["title"], size=19, style="B", gap=1.5, h=8.5)
    para(
        f"Dated {hd['date']} \u00b7 information as of {hd['as_of']} \u00b7 model {hd['model']}, "
        f"model hash {hd['model_hash']} \u00b7 estimative {hd['version']}",
        size=8.5,
        color=muted,
        gap=1,
    )
    for k, v in hd["parameters"]:
        para(f"{k}: {v}", size=8, color=muted, gap=0)
    pdf.ln(2)

    sc = ctx["scope"]
    heading("1. Scope note")
    if sc["description"]:
        para(sc["description"])
    para(
        f"This brief judges how likely each headline outcome is {sc['condition']}, compares the policies "
        f"below, and says which numbers and which observations would change the judgments. {sc['baseline']}"
        + (f" {sc['scenario']}" if sc["scenario"] else "")
    )
    subheading("Headline outcomes")
    for o in sc["outcomes"]:
        bullet(o)
    if sc["policies"]:
        subheading("Policies compared (each a do() intervention on the policy instruments)")
        for p in sc["policies"]:
            bullet(p)
    if sc["n_questions"]:
        para(
            f"The model also answers {sc['n_questions']} forecast question{'s' if sc['n_questions'] != 1 else ''} "
            f"(horizon {', '.join(sc['horizons'])}), listed with their answers after the key judgments."
        )

    heading("2. What we mean when we say")
    para(
        f"{ctx['scale_title']}. We use these words and no others for likelihood; each is shown with its range.",
        size=9,
    )
    terms = ctx["terms"]
    pdf.set_font("sans", "", 8)
    with pdf.table(
        width=width,
        line_height=4,
        text_align="CENTER",
        borders_layout="ALL",
        headings_style=FontFace(emphasis="BOLD", fill_color=band),
        padding=1.2,
    ) as t:
        r = t.row()
        for term in terms:
            r.cell(term["word"])
        r = t.row()
        for term in terms:
            r.cell(term["range"])
    pdf.ln(2)
    para(
        "Confidence (low, moderate, high) is a separate judgment about how firm the number is; it is stated in "
        "its own sentence and set by the rule in the method note.",
        size=8.5,
        color=muted,
    )

    heading("3. Key judgments")
    para(ctx["judgments_intro"], size=9)
    for j in ctx["judgments"]:
        bullet(j["confidence_sentence"], bold_lead=j["sentence"], size=9.5)
    if ctx["questions"]:
        subheading("Forecast questions, answered from the baseline")
        table(
            ["Question", "Horizon", "Answer"],
            [[f"{q['id']}: {q['text']}", q["horizon"], q["answer"]] for q in ctx["questions"]],
            widths=(5, 1.5, 3.3),
            size=7.5,
        )

    pol = ctx["policies"]
    heading("4. Policy comparison")
    if pol["blocks"]:
        para(pol["intro"], size=9)
        for b in pol["blocks"]:
            n = len(b["columns"])
            table(
                ["Policy", *b["columns"]],
                [
                    [
                        r["label"],
                        *(
                            c["text"] + (f"\n{c['effect']}" if c["effect"] else "")
                            for c in r["cells"]
                        ),
                    ]
                    for r in b["rows"]
                ],
                widths=(2.2, *([1.6] * n)),
                size=7.5,
            )
        for e in pol["excluded"]:
            para(f"Left out: {e}.", size=8.5, color=muted)
    if pol["has_utilities"]:
        para(
            f"Expected utility ({pol['eu_unit']}) and the probability that each policy is best (share of "
            f"parameter draws in which it has the highest expected utility). Highest expected utility: "
            f"{pol['eu_best']}.",
            size=9,
        )
        table(
            ["Policy", "Expected utility", f"{ctx['level']} interval", "P(best)"],
            pol["eu_rows"],
            widths=(3.5, 1.3, 1.7, 1),
            size=8,
        )
        if pol["scenario_note"]:
            para(pol["scenario_note"], size=8.5, color=muted)
        image(
            "utility",
            f"Expected utility of each policy with its {ctx['level']} interval.",
            max_h=90,
        )
    else:
        para(
            "The model defines no utilities, so no expected utility or probability of being best is computed.",
            size=9,
            color=muted,
        )

    heading("5. Key drivers")
    dr = ctx["drivers"]
    if dr:
        para(dr["intro"], size=9)
        image(
            "tornado",
            "Tornado: the range of the judgment as each number crosses its credible range.",
            max_h=95,
        )
        table(
            [
                "Number (CPT entry)",
                "When",
                "Model value (credible range)",
                "Judgment moves between",
                "Basis",
            ],
            dr["rows"],
            widths=(2.6, 2.6, 1.4, 1.4, 1),
            size=7.5,
        )
    else:
        para("The model has no headline outcome, so no driver is shown.")

    heading("6. Indicators to watch")
    ind = ctx["indicators"]
    if ind:
        para(ind["intro"], size=9)
        table(
            ["Watch", "If seen (raises)", "If seen (lowers)", "Uncertainty removed"],
            ind["rows"],
            widths=(3, 1.6, 1.6, 1.2),
            size=7.5,
        )
        image(
            "indicators",
            "The judgment if each variable were observed in each of its states (dot size: how "
            "likely that state is now); the vertical line is the judgment now.",
            max_h=95,
        )
        if ctx["indicators_other"]:
            para("For the other headline outcomes, the most telling observations:", size=9)
        for o in ctx["indicators_other"]:
            bullet(f"{o['outcome']} (now {o['point']}): {o['text']}.", size=8.5)
    if ctx["voi_rows"]:
        subheading("Value of observing before choosing")
        table(
            ["Variable", "Measure", f"Rise in expected utility ({pol['eu_unit']})"],
            ctx["voi_rows"],
            widths=(3, 1, 1.6),
            size=7.5,
        )

    heading("7. Alternative scenarios")
    for b in ctx["scenario_blocks"]:
        table(
            ["Scenario", *b["columns"]],
            [[r["label"], *(c["text"] for c in r["cells"])] for r in b["rows"]],
            widths=(2.2, *([1.6] * len(b["columns"]))),
            size=7.5,
        )
    for s in ctx["scenario_desc"]:
        bullet(
            f"{s['evidence']}" + (f". {s['description']}" if s["description"] else ""),
            size=8.5,
            bold_lead=s["label"],
        )

    heading("8. High impact, low probability")
    if ctx["hilp"]:
        for h in ctx["hilp"]:
            bullet(h)
    elif ctx["high_impact"]:
        para(
            f"No high-impact outcome ({'; '.join(ctx['high_impact'])}) is below {ctx['hilp_threshold']}."
        )
    else:
        para("The model marks no headline outcome as high impact.")

    heading("9. Key assumptions and sources")
    if ctx["assumptions"]:
        para("Assumptions behind the key judgments, most influential first:", size=9)
        for a in ctx["assumptions"]:
            bullet(
                f"({a['id']}; {a['influence']}) {a['rationale']}", size=8.5, bold_lead=a["label"]
            )
    else:
        para("No key judgment rests on an assumption CPT.")
    for s in ctx["sources"]:
        subheading(f"Source: {s['title']}" + (f" ({s['meta']})" if s["meta"] else ""))
        for g in s["groups"]:
            bullet(
                " \u00b7 ".join(f"\u201c{q}\u201d" for q in g["quotes"]),
                size=8.5,
                bold_lead=g["supports"],
            )

    heading("10. Method note")
    for p in ctx["method"]:
        para(p, size=9)
    para(f"Reproduce: {ctx['command']}", size=8, color=muted)
    if "graph" in images:
        svg = images["graph"]
        w_pt, h_pt = svg_size(svg)
        pdf.add_page(orientation="L" if w_pt > 1.2 * h_pt else "P")
        para("The model's graph", size=11, style="B", gap=1)
        avail_w, avail_h = pdf.epw, pdf.h - pdf.get_y() - pdf.b_margin - 12
        w = min(avail_w, avail_h * w_pt / h_pt)
        draw_svg(pdf, svg, x=pdf.l_margin + (avail_w - w) / 2, w=w, h=w * h_pt / w_pt)
        pdf.ln(1)
        para(
            "Read left to right: policy instruments (blue), chance variables (grey), headline outcomes (orange); "
            "a dashed border marks a table that rests on assumptions. The figure is a vector drawing: zoom in "
            "to read it.",
            size=8,
            color=muted,
        )
    return bytes(pdf.output())
