"""The 3D view's fixed part: the surface with the known minima, its height range and its axes (the paths on it are
drawn by the instrument, ui/instrument.js, in the page and in the "Figure (HTML)" download alike)."""
from __future__ import annotations

import numpy as np

from core.grid import Surface
from core.objectives import Objective
from viz.style import MARGIN, MIN_COLOR, SCALES, Words, hover_point, same


def height_title(objective: Objective, scale: str) -> str:
    """The height axis's title in the objective's variables: f(x, y), a model's f(w1, w2), or log(1 + f)."""
    return f"f({', '.join(objective.variables)})" if scale == "f" else SCALES[scale]


def height_range(surf: Surface, scale: str) -> tuple[float, float]:
    """The lowest and highest height the surface reaches on its grid ((0, 1) where it is nowhere finite)."""
    z = surf.height(surf.f, scale)
    return (float(np.nanmin(z)), float(np.nanmax(z))) if np.isfinite(z).any() else (0.0, 1.0)


def surface_traces(objective: Objective, surf: Surface, scale: str,
                   tr: Words = same) -> tuple[list[dict], float, float]:
    """The 3D view's fixed part, the surface and the known minima, and the surface's height range (low, high)."""
    zr = surf.height(surf.f, scale)
    low, high = height_range(surf, scale)
    mz = surf.height(np.array(objective.minima_f()), scale) + 0.02 * (high - low)
    minima = np.array(objective.minima).reshape(-1, 2)
    return [
        {"type": "surface", "x": surf.xs, "y": surf.ys, "z": zr.astype(np.float32), "colorscale": "Viridis",
         "opacity": 0.85, "showscale": False, "name": "f",
         "hovertemplate": hover_point(objective.variables, 3) + "<br>" + tr("height") + "=%{z:.4g}<extra></extra>"},
        {"type": "scatter3d", "x": minima[:, 0], "y": minima[:, 1], "z": mz, "mode": "markers",
         "name": tr("known minima"), "marker": {"size": 5, "color": MIN_COLOR, "symbol": "diamond"}},
    ], low, high


def inner_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values strictly inside (low, high), none within 5% of either end: the labels at
    the ends of two axes meet in a corner of the 3D scene and overlap ("-6" on "-4")."""
    span = high - low
    if not (np.isfinite(span) and span > 0):
        return []
    size = 10.0 ** np.floor(np.log10(span / count))
    step = next(m * size for m in (1, 2, 2.5, 5, 10) if m * size >= span / count)
    ticks = np.arange(np.ceil(low / step) * step, high, step)
    inside = (ticks - low > 0.05 * span) & (high - ticks > 0.05 * span)
    return [float(round(v, 12)) for v in ticks[inside]]


def surface_layout(objective: Objective, scale: str, low: float, high: float) -> dict:
    """Axes fixed to the objective's view (so a path never rescales the scene), their ticks away from the scene's
    corners, the legend in one row above the scene and the default camera."""
    top = high * 1.05 + 1e-9

    def axis(title: str, lo: float, hi: float) -> dict:
        return {"range": [lo, hi], "title": {"text": title}, "tickvals": inner_ticks(lo, hi)}

    return {"height": 560, "margin": MARGIN, "legend": {"orientation": "h", "x": 0, "y": 1},
            "scene": {"xaxis": axis(objective.variables[0], *objective.x_range),
                      "yaxis": axis(objective.variables[1], *objective.y_range),
                      "zaxis": axis(height_title(objective, scale), low, top),
                      "camera": {"eye": {"x": 1.4, "y": -1.4, "z": 1.1}}}}
