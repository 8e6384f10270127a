"""Draw an SVG chart onto an fpdf2 page without deep-copying its glyphs.

matplotlib writes every glyph once in ``<defs>`` and places it with ``<use>``; fpdf2 deep-copies
the referenced drawing for each ``<use>`` (hundreds of thousands of ``deepcopy`` calls for a
brief's charts). The definitions are never changed after they are parsed, so here every use
shares one drawing. The page result is what ``FPDF.image`` draws for an SVG at ``x``, ``w``,
``h`` in flowing mode (the same operators, the same bytes); ``tests/brief/test_pdf.py`` checks
the bytes against ``FPDF.image``.
"""

from __future__ import annotations

from typing import Any

from fpdf.drawing import GraphicsContext, PaintedPath, Transform
from fpdf.svg import SVGObject, apply_svg_transform_to_user_space_gradients

_SHARED: dict[type, type] = {}


def _share(obj: Any) -> None:
    """Make ``deepcopy(obj)`` return ``obj`` itself (a subclass with no new slots)."""
    cls = type(obj)
    sub = _SHARED.get(cls)
    if sub is None:
        sub = type(cls.__name__, (cls,), {"__slots__": (), "__deepcopy__": lambda self, memo: self})
        _SHARED[cls] = sub
    obj.__class__ = sub


class SharedSVG(SVGObject):
    """An ``SVGObject`` whose ``<use>`` references share the referenced drawing."""

    def update_xref(self, key: str | None, referenced: Any) -> None:
        if type(referenced) in (GraphicsContext, PaintedPath):
            _share(referenced)
        super().update_xref(key, referenced)


def draw_svg(pdf: Any, svg: str, *, x: float, w: float, h: float) -> None:
    """Draw ``svg`` at ``x`` and the current ``y``, ``w`` by ``h``; move ``y`` below it.

    The caller has made room for it (no page break happens here), as ``FPDF.image`` would
    in flowing mode.
    """
    obj = SharedSVG(svg.encode())
    y = pdf.y
    pdf.y += h
    _, _, path = obj.transform_to_rect_viewport(
        scale=1, width=w, height=h, ignore_svg_top_attrs=True
    )
    assert path.transform is not None  # set by transform_to_rect_viewport
    path.transform = path.transform @ Transform.translation(x, y)
    apply_svg_transform_to_user_space_gradients(path)
    old_x, old_y = pdf.x, pdf.y
    try:
        pdf.set_xy(0, 0)
        pdf.draw_path(path, copy=False)
    finally:
        pdf.set_xy(old_x, old_y)
