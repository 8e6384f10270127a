"""Charts drawn without glyph deep copies give the very bytes fpdf2's own FPDF.image gives."""

from __future__ import annotations

import datetime as dt
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from fpdf import FPDF
from fpdf.drawing import GraphicsContext

from estimative.brief.pdf_svg import draw_svg
from estimative.charts import figure_svg


def chart_svg() -> str:
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.barh(["misread intent", "private channel", "rhetoric"], [0.3, -0.1, 0.2])
    ax.set_title("every label is a <use> of a glyph in <defs>")
    svg = figure_svg(fig)
    plt.close(fig)
    return svg


def pdf_of(place) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2017, 5, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_y(40)
    place(pdf)
    pdf.set_font("helvetica", size=9)
    pdf.cell(0, 5, "after the chart")  # the cursor moved below the chart the same way
    return bytes(pdf.output())


def test_same_bytes_as_fpdf_image_with_no_glyph_deep_copied(monkeypatch) -> None:
    svg = chart_svg()
    assert "<use" in svg  # the case this is about
    copies = {"n": 0}
    real = GraphicsContext.__deepcopy__

    def counted(self, memo):
        copies["n"] += 1
        return real(self, memo)

    monkeypatch.setattr(GraphicsContext, "__deepcopy__", counted)
    expected = pdf_of(lambda pdf: pdf.image(io.BytesIO(svg.encode()), x=20, w=120, h=75))
    by_fpdf, copies["n"] = copies["n"], 0
    got = pdf_of(lambda pdf: draw_svg(pdf, svg, x=20, w=120, h=75))
    assert got == expected
    assert by_fpdf > 50 and copies["n"] == 0
