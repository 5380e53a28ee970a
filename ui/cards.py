"""The home page's cards: each page as a small picture, its name (a link that keeps the language) and one line.

The pictures are drawn here as small inline SVGs in the app's colours: no image files to go stale, nothing fetched.
"""
from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.page import page_name

INK, PATH, BLUE, GOLD, GREEN, VIOLET = "#9aa0a6", "#e4572e", "#2e86ab", "#f6ae2d", "#2a9d8f", "#7b2cbf"


def _rings(cx: float, cy: float) -> str:
    return "".join(f'<ellipse cx="{cx}" cy="{cy}" rx="{r * 1.5}" ry="{r}" fill="none" stroke="{INK}" '
                   f'stroke-width="1"/>' for r in (8, 16, 24, 32))


PICTURES = {  # page name -> the SVG body on a 120 x 80 canvas
    "Descent": _rings(60, 40) + f'<path d="M10 12 Q40 20 50 34 T60 40" fill="none" stroke="{PATH}" '
                                f'stroke-width="3"/><circle cx="60" cy="40" r="4" fill="{PATH}"/>',
    "Compare": _rings(60, 40) + f'<path d="M8 70 Q30 40 60 40" fill="none" stroke="{PATH}" stroke-width="3"/>'
                                f'<path d="M112 10 Q80 60 60 40" fill="none" stroke="{BLUE}" stroke-width="3"/>'
                                f'<path d="M110 72 L88 58 L70 48" fill="none" stroke="{GOLD}" stroke-width="3"/>',
    "Basins": f'<rect x="4" y="4" width="56" height="36" fill="{PATH}"/><rect x="60" y="4" width="56" height="36" '
              f'fill="{BLUE}"/><rect x="4" y="40" width="56" height="36" fill="{GOLD}"/><rect x="60" y="40" '
              f'width="56" height="36" fill="{VIOLET}"/><path d="M60 4 Q50 40 60 76 M4 40 Q60 30 116 40" '
              f'stroke="white" stroke-width="2" fill="none"/>',
    "Sweep": f'<path d="M8 72 H114 M8 72 V6" stroke="{INK}"/><path d="M10 20 Q40 22 60 50 T96 66" fill="none" '
             f'stroke="{PATH}" stroke-width="3"/><path d="M100 8 V72" stroke="#d62828" stroke-dasharray="3 3"/>',
    "Perceptron": "".join(f'<line x1="22" y1="{y1}" x2="98" y2="{y2}" stroke="{INK}"/>'
                          for y1 in (14, 40, 66) for y2 in (27, 53))
                  + "".join(f'<circle cx="22" cy="{y}" r="8" fill="{BLUE}"/>' for y in (14, 40, 66))
                  + "".join(f'<circle cx="98" cy="{y}" r="8" fill="{PATH}"/>' for y in (27, 53)),
    "Chain_Rule": "".join(f'<circle cx="{x}" cy="40" r="11" fill="{c}"/>'
                          for x, c in ((16, BLUE), (60, GREEN), (104, PATH)))
                  + f'<path d="M27 40 H49 M71 40 H93" stroke="{INK}" stroke-width="2"/>'
                  + f'<path d="M104 60 Q60 78 16 60" fill="none" stroke="{GOLD}" stroke-width="2" '
                    f'stroke-dasharray="4 3"/>',
    "Tensors": "".join(f'<rect x="{18 + 22 * i}" y="{12 + 20 * j}" width="18" height="16" fill="{BLUE}" '
                       f'opacity="{0.35 + 0.2 * ((i + j) % 3)}"/>' for i in range(4) for j in range(3))
               + f'<rect x="100" y="52" width="16" height="16" fill="{PATH}"/>',
    "Scenes": f'<rect x="14" y="26" width="92" height="46" rx="4" fill="{INK}"/><path d="M14 26 L100 8 L104 20 '
              f'L18 38 Z" fill="#444"/><path d="M50 38 L74 49 L50 60 Z" fill="white"/>',
    "Model": "".join(f'<circle cx="{x}" cy="{y}" r="4" fill="{c}"/>' for x, y, c in
                     ((20, 18, BLUE), (34, 28, BLUE), (22, 36, BLUE), (86, 52, PATH), (100, 62, PATH), (92, 66, PATH)))
             + f'<path d="M10 72 L112 8" stroke="{INK}" stroke-width="2"/><path d="M56 10 L64 22 L52 30 L66 40 '
               f'L58 50" fill="none" stroke="{GOLD}" stroke-width="3"/>',
    "Slices": _rings(60, 40) + f'<path d="M6 58 L38 10 L114 22 L82 70 Z" fill="{BLUE}" fill-opacity="0.25" '
                               f'stroke="{BLUE}" stroke-width="2"/><path d="M24 48 Q44 24 60 40 T92 34" '
                               f'fill="none" stroke="{PATH}" stroke-width="3"/>',
}


def picture(name: str) -> str:
    """Page `name`'s picture as an SVG element (decorative: the link beside it names the page)."""
    return (f'<svg viewBox="0 0 120 80" width="120" height="80" role="img" aria-hidden="true" '
            f'xmlns="http://www.w3.org/2000/svg">{PICTURES[name]}</svg>')


def cards(pages: list[tuple[str, str, str, str]], link, per_row: int = 4) -> None:
    """One card per page, per_row to a row: the picture, the page's link (drawn by `link`) and its one line."""
    for start in range(0, len(pages), per_row):
        for col, (path, label, icon, blurb) in zip(st.columns(per_row), pages[start:start + per_row]):
            with col.container(border=True):
                st.image(picture(page_name(path)), width=120, alt="")  # decorative: the link names the page
                link(path, label=t(label), icon=icon)
                st.caption(t(blurb))

