"""How each kind of brief section is laid out in the PDF: one function per ``kind`` of
:func:`~estimative.brief.brief_context`'s ``sections``, drawn with the writing helpers of
:mod:`estimative.brief.pdf` (a new kind of section adds a function to :data:`LAYOUTS`).
No text is smaller than 8 pt."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..charts import svg_size
from .pdf_svg import draw_svg

MUTED = (91, 91, 85)
ACCENT = (47, 93, 138)


@dataclass(frozen=True)
class Writer:
    """The PDF being written and the helpers that write on it."""

    pdf: Any
    width: float
    para: Callable[..., None]
    heading: Callable[[str], None]
    subheading: Callable[[str], None]
    bullet: Callable[..., None]
    table: Callable[..., None]
    image: Callable[..., None]
    images: Mapping[str, str]


def _title(s: Mapping[str, Any]) -> str:
    if not s["number"]:
        return s["title"]
    return f"{s['number']}{':' if s['annex'] else '.'} {s['title']}"


def bottom_line(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    """Page one: the title, the bottom line, one chart and the key-judgments table."""
    hd, bl = ctx["header"], ctx["bottom_line"]
    w.para("PROBABILITY BRIEF", size=8.5, style="B", color=ACCENT, gap=0.5)
    w.para(hd["title"], size=18, style="B", gap=1.2, h=8)
    w.para(f"Dated {hd['date']} \u00b7 information as of {hd['as_of']}", size=8.5, color=MUTED)
    w.heading(_title(s))
    w.para(bl["paragraph"], size=10.5, gap=1.5)
    if bl["change"]:
        w.para(bl["change"], size=10, gap=2)
    name = bl["chart"]
    if name in w.images:
        caption = (
            f"Expected utility of each policy ({ctx['policies']['eu_unit']}) with its {ctx['level']} interval."
            if name == "utility"
            else f"{ctx['main_label']} under each policy, with its {ctx['level']} interval."
        )
        w.image(name, caption, max_h=200)
    front = ctx["front"]
    n = len(front["head"])
    w.table(front["head"], front["rows"], widths=(3.2, *([2.2] * (n - 2)), 1.2), size=8.5)


def judgments(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    w.heading(_title(s))
    w.para(ctx["judgments_intro"], size=9)
    for j in ctx["judgments"]:
        w.bullet(j["confidence_sentence"], bold_lead=j["sentence"], size=9.5)
        if j.get("disagreement"):
            w.para(j["disagreement"], size=9)


def policies(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    pol = ctx["policies"]
    w.heading(_title(s))
    if len(pol["rows"]) > 1:
        w.para(
            f"The probability of each outcome under each policy, then its change against the "
            f"reference ({pol['reference']}) in percentage points; * where the {ctx['level']} "
            "interval of the change excludes zero, (best) the policy most often best on an "
            "outcome that says which way is better.",
            size=9,
        )
        for b in pol["blocks"]:
            n = len(b["columns"])
            w.table(
                [
                    "Policy",
                    *(
                        c["label"] + (f" ({c['better']})" if c["better"] else "")
                        for c in b["columns"]
                    ),
                ],
                [
                    [
                        r["label"] + (" (reference)" if r["reference"] else ""),
                        *(
                            c["text"]
                            + (f" {c['change']}" if c["change"] else "")
                            + ("*" if c["strong"] else "")
                            + (" (best)" if c["best"] else "")
                            for c in r["cells"]
                        ),
                    ]
                    for r in b["rows"]
                ],
                widths=(2.4, *([1.5] * n)),
                size=8,
            )
    for e in pol["excluded"]:
        w.para(f"Left out: {e}.", size=8.5, color=MUTED)
    if pol["has_utilities"]:
        w.subheading("Expected utility and the probability each policy is best")
        w.para(
            f"Expected utility ({pol['eu_unit']}); P(best) is the share of {pol['eu_draws']} "
            "parameter draws in which the policy has the highest expected utility.",
            size=9,
        )
        w.table(
            ["Policy", "Expected utility", f"{ctx['level']} interval", "P(best)"],
            pol["eu_rows"],
            widths=(3.5, 1.3, 1.7, 1),
            size=8.5,
        )
        if pol["scenario_note"]:
            w.para(pol["scenario_note"], size=8.5, color=MUTED)
        for ws in pol["weightings"]:
            w.subheading(f"Under {ws['label']}")
            w.para(f"{ws['summary']} {ws['rationale']}", size=9)
            w.table(
                [
                    "Policy",
                    "Rank",
                    "Rank (these)",
                    "EU",
                    "EU (these)",
                    "P(best)",
                    "P(best) (these)",
                ],
                [[r[0] + (" *" if r[7] else ""), *r[1:7]] for r in ws["rows"]],
                widths=(3.2, 0.7, 0.9, 0.8, 0.9, 0.9, 1.0),
                size=8,
            )
    if ctx["voi_rows"]:
        w.subheading("Value of observing before choosing")
        w.table(
            ["Variable", "Measure", f"Rise in expected utility ({pol['eu_unit']})"],
            ctx["voi_rows"],
            widths=(3, 1, 1.6),
            size=8.5,
        )


def trajectories(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    w.heading(_title(s))
    w.para(ctx["trajectories_intro"], size=9)
    for t in ctx["trajectories"]:
        w.subheading(t["label"])
        w.image(
            t["chart"], f"{t['label']}: by the end of each slice, with its interval.", max_h=170
        )
        for b in t["blocks"]:
            n = len(b["head"])
            w.table(b["head"], b["rows"], widths=(2.2, *([2.0] * (n - 1))), size=8)


def outcomes(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    w.heading(_title(s))
    w.para(
        f"For each headline outcome, the numbers that move its judgment most (each across its own "
        f"{ctx['level']} credible range) and the observations that would tell us most about it.",
        size=9,
    )
    main = ctx["main_label"]
    w.image(
        "tornado",
        f"What moves the judgment on {main}: each number across its credible range.",
        max_h=200,
    )
    w.image(
        "indicators",
        f"The judgment on {main} if each variable were observed (dot size: how likely that state is "
        "now); the vertical line is the judgment now.",
        max_h=200,
    )
    for o in ctx["outcomes"]:
        w.subheading(f"{o['label']} (now {o['now']})")
        if o["drivers"]:
            w.table(
                [
                    "Driver (a number of the model)",
                    "Value (credible range)",
                    "Judgment moves",
                    "Basis",
                ],
                [[d["text"], d["value"], d["moves"], d["basis"]] for d in o["drivers"]],
                widths=(3.4, 1.6, 1.3, 1),
                size=8,
            )
        if o["indicators"]:
            w.table(
                ["Watch", "If seen (raises)", "If seen (lowers)", "Uncertainty removed"],
                [[i["text"], i["raises"], i["lowers"], i["removed"]] for i in o["indicators"]],
                widths=(3, 1.6, 1.6, 1.1),
                size=8,
            )
        else:
            w.para(
                "No variable that can be watched before choosing tells us about it.",
                size=8.5,
                color=MUTED,
            )


def scenarios(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    w.heading(_title(s))
    for b in ctx["scenario_blocks"]:
        w.table(
            ["Scenario", *b["columns"]],
            [[r["label"], *r["cells"]] for r in b["rows"]],
            widths=(2.2, *([1.6] * len(b["columns"]))),
            size=8,
        )
    for d in ctx["scenario_desc"]:
        w.bullet(
            d["evidence"] + (f". {d['description']}" if d["description"] else ""),
            size=8.5,
            bold_lead=d["label"],
        )


def hilp(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    w.heading(_title(s))
    if ctx["hilp"]:
        for h in ctx["hilp"]:
            w.bullet(h)
    elif ctx["high_impact"]:
        w.para(
            f"No high-impact outcome ({'; '.join(ctx['high_impact'])}) is below {ctx['hilp_threshold']}."
        )
    else:
        w.para("The model marks no headline outcome as high impact.")


def _annex_heading(w: Writer, s: Mapping[str, Any]) -> None:
    if s["number"] == "Annex A":
        w.pdf.add_page()
    w.heading(_title(s))


def questions(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    _annex_heading(w, s)
    w.table(
        ["Question", "Horizon", "Answer"],
        [[f"{q['id']}: {q['text']}", q["horizon"], q["answer"]] for q in ctx["questions"]],
        widths=(5, 1.5, 3.3),
        size=8,
    )


def scope(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    from fpdf import FontFace

    _annex_heading(w, s)
    sc = ctx["scope"]
    if sc["description"]:
        w.para(sc["description"])
    w.para(
        f"This brief judges how likely each headline outcome is {sc['condition']}, compares the "
        f"policies, and says which numbers and which observations would change the judgments. "
        f"{sc['baseline']}" + (f" {sc['scenario']}" if sc["scenario"] else "")
    )
    if sc["policies"]:
        w.para(
            "Policies compared (each sets the decision variables by a do() intervention): "
            + "; ".join(sc["policies"])
            + ".",
            size=9,
        )
    w.para(
        f"What we mean when we say: {ctx['scale_title']}. We use these words and no others for "
        "likelihood; each is shown with its range.",
        size=9,
    )
    pdf = w.pdf
    pdf.set_font("sans", "", 8)
    with pdf.table(
        width=w.width,
        line_height=4,
        text_align="CENTER",
        borders_layout="ALL",
        headings_style=FontFace(emphasis="BOLD", fill_color=(243, 241, 234)),
        padding=1.2,
    ) as t:
        r = t.row()
        for term in ctx["terms"]:
            r.cell(term["word"])
        r = t.row()
        for term in ctx["terms"]:
            r.cell(term["range"])
    pdf.ln(2)
    w.para(
        "Confidence (low, moderate, high) is a separate judgment about how firm the number is; it "
        "is stated in its own sentence and set by the rule in the method annex.",
        size=8.5,
        color=MUTED,
    )


def method(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    _annex_heading(w, s)
    for p in ctx["method"]:
        w.para(p, size=9)
    if "graph" in w.images:
        pdf = w.pdf
        svg = w.images["graph"]
        w_pt, h_pt = svg_size(svg)
        pdf.add_page(orientation="L" if w_pt > 1.2 * h_pt else "P")
        w.para("The model's graph", size=11, style="B", gap=1)
        avail_w, avail_h = pdf.epw, pdf.h - pdf.get_y() - pdf.b_margin - 12
        width = min(avail_w, avail_h * w_pt / h_pt)
        # The room is made above (no page break here), so this is FPDF.image's drawing
        # without its deep copy of every glyph for each <use> (pdf_svg.py).
        draw_svg(pdf, svg, x=pdf.l_margin + (avail_w - width) / 2, w=width, h=width * h_pt / w_pt)
        pdf.ln(1)
        w.para(
            "Read left to right: decision variables (blue), chance variables (grey), headline "
            "outcomes (orange); a dashed border marks a table that rests on assumptions. The figure "
            "is a vector drawing: zoom in to read it.",
            size=8,
            color=MUTED,
        )
        pdf.add_page(orientation="P")


def assumptions(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    _annex_heading(w, s)
    if ctx["assumptions"]:
        w.para("Assumptions behind the key judgments, most influential first:", size=9)
        for a in ctx["assumptions"]:
            w.bullet(f"({a['influence']}) {a['rationale']}", size=8.5, bold_lead=a["label"])
    else:
        w.para("No key judgment rests on an assumption CPT.")


def sources(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    _annex_heading(w, s)
    for src in ctx["sources"]:
        w.subheading(src["title"] + (f" ({src['meta']})" if src["meta"] else ""))
        for g in src["groups"]:
            w.bullet(
                " \u00b7 ".join(f"\u201c{q}\u201d" for q in g["quotes"]),
                size=8.5,
                bold_lead=g["supports"],
            )


def metadata(w: Writer, ctx: Mapping[str, Any], s: Mapping[str, Any]) -> None:
    _annex_heading(w, s)
    hd = ctx["header"]
    w.para(
        f"Dated {hd['date']} \u00b7 information as of {hd['as_of']} \u00b7 model {hd['model']}, "
        f"model hash {hd['model_hash']} \u00b7 estimative {hd['version']}",
        size=8.5,
        color=MUTED,
    )
    for k, v in hd["parameters"]:
        w.para(f"{k}: {v}", size=8.5, color=MUTED, gap=0.3)
    w.para(f"Reproduce: {ctx['command']}", size=8.5, color=MUTED)


#: The layout of each kind of section.
LAYOUTS: dict[str, Callable[[Writer, Mapping[str, Any], Mapping[str, Any]], None]] = {
    "bottom_line": bottom_line,
    "judgments": judgments,
    "trajectories": trajectories,
    "policies": policies,
    "outcomes": outcomes,
    "scenarios": scenarios,
    "hilp": hilp,
    "questions": questions,
    "scope": scope,
    "method": method,
    "assumptions": assumptions,
    "sources": sources,
    "metadata": metadata,
}
