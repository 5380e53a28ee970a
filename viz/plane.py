"""Flat views of the objective: the contour with its -grad f arrows (the instrument draws the paths on it), and basin
maps."""
from __future__ import annotations

import functools

import numpy as np
import plotly.graph_objects as go

from core.explore.basins import CUT, DIVERGED, ELSEWHERE, NOT_CONVERGED, Outcome
from core.grid import Surface, gradient_field
from core.objectives import Objective
from viz.style import (
    COLORS,
    CUT_COLOR,
    DIVERGED_COLOR,
    ELSEWHERE_COLOR,
    IDLE_COLOR,
    MARGIN,
    MIN_COLOR,
    Words,
    hover_point,
    same,
)


@functools.lru_cache(maxsize=32)
def _arrows(objective: Objective) -> dict:
    """-grad f as short white arrows on a 15 x 15 grid (by autograd; computed once per objective)."""
    pts, unit, norm = gradient_field(objective)
    cell = 0.8 * min(np.ptp(objective.x_range), np.ptp(objective.y_range)) / 16
    tips = pts + cell * unit
    nan = np.full(len(pts), np.nan)
    x = np.column_stack([pts[:, 0], tips[:, 0], nan]).ravel()
    y = np.column_stack([pts[:, 1], tips[:, 1], nan]).ravel()
    return {"type": "scatter", "x": x, "y": y, "mode": "lines+markers", "name": "−∇f", "hoverinfo": "skip",
            "line": {"color": "white", "width": 1},
            "marker": {"symbol": "arrow", "size": 7, "angleref": "previous", "color": "white",
                       "opacity": np.column_stack([0 * norm, 1 + 0 * norm, 0 * norm]).ravel()}}


def contour_traces(objective: Objective, surf: Surface, scale: str = "f", arrows: bool = False,
                   tr: Words = same, hover: bool = False) -> list[dict]:
    """The contour view's fixed part: the contour, -grad f arrows if asked, and the known minima.

    hover=True gives the contour a hover label and click events (the instrument takes a click as a start point).
    """
    minima = np.array(objective.minima).reshape(-1, 2)
    contour = {"type": "contour", "x": surf.xs, "y": surf.ys, "z": surf.height(surf.f, scale).astype(np.float32),
               "colorscale": "Viridis", "ncontours": 30, "showscale": False, "name": "f", "hoverinfo": "skip"}
    if hover:
        contour.pop("hoverinfo")
        point = hover_point(objective.variables, 3)
        contour["hovertemplate"] = f"{point}<br>{tr('height')}=%{{z:.4g}}<extra></extra>"
    traces = [contour, *([_arrows(objective)] if arrows else [])]
    traces.append({"type": "scatter", "x": minima[:, 0], "y": minima[:, 1], "mode": "markers",
                   "name": tr("known minima"), "marker": {"symbol": "x", "size": 10, "color": MIN_COLOR}})
    return traces


def contour_layout(objective: Objective, legend: bool) -> dict:
    """x and y on one scale over the objective's view."""
    return {"height": 480, "margin": MARGIN, "showlegend": legend,
            # above the plot, in one row: inside it, the legend covered a minimum (Himmelblau's (-2.8, 3.1))
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
            "clickmode": "event+select",
            "xaxis": {"range": list(objective.x_range), "title": {"text": objective.variables[0]},
                      "constrain": "domain"},
            "yaxis": {"range": list(objective.y_range), "title": {"text": objective.variables[1]},
                      "scaleanchor": "x"}}


def category_label(objective: Objective, code: int, tr: Words = same) -> str:
    """A basin category in words: 'minimum (x, y)' for a known minimum's index, else the outcome's name."""
    if code >= 0:
        x, y = objective.minima[code]
        return tr("minimum {at}").replace("{at}", f"({x:g}, {y:g})")
    return tr(Outcome(code).words)


BASIN_COLORS = {DIVERGED: DIVERGED_COLOR, NOT_CONVERGED: IDLE_COLOR, ELSEWHERE: ELSEWHERE_COLOR, CUT: CUT_COLOR}


def basin_figure(objective: Objective, xs: np.ndarray, ys: np.ndarray, category: np.ndarray,
                 steps: np.ndarray, tr: Words = same) -> go.Figure:
    """Each start of the grid coloured by where it ended; hover gives the category and steps taken."""
    cats = sorted(set(np.unique(category).tolist()))
    palette = {i: COLORS[(i + 1) % len(COLORS)] for i in range(len(objective.minima))} | BASIN_COLORS
    names = {c: category_label(objective, c, tr) for c in [*range(len(objective.minima)), *Outcome]}
    index = {c: j for j, c in enumerate(cats)}
    z = np.vectorize(index.get)(category)
    n = len(cats)
    scale = [[(j + e) / n, palette[c]] for j, c in enumerate(cats) for e in (0, 1)]
    text = np.vectorize(names.get)(category)
    fig = go.Figure(go.Heatmap(x=xs, y=ys, z=z, zmin=-0.5, zmax=n - 0.5, colorscale=scale, customdata=steps,
                               text=text, colorbar=dict(tickvals=list(range(n)), ticktext=[names[c] for c in cats]),
                               hovertemplate=tr("start") + " (%{x:.3g}, %{y:.3g})<br>%{text}<br>%{customdata} "
                               + tr("steps") + "<extra></extra>"))
    minima = np.array(objective.minima).reshape(-1, 2)
    fig.add_trace(go.Scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", name=tr("known minima"),
                             marker=dict(symbol="x", size=11, color="black")))
    fig.update_layout(height=560, margin=MARGIN, showlegend=False,
                      xaxis=dict(title="x0", constrain="domain"), yaxis=dict(title="y0", scaleanchor="x"))
    return fig
