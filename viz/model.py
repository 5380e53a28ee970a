"""The model's data: the two labelled clusters as a scatter, with the perceptron's decision line at given weights."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.style import COLORS, MARGIN, Words, same

CLASS_COLORS = (COLORS[1], COLORS[0])  # label 0, label 1


def decision_line(w: tuple[float, float], x1: np.ndarray, x2: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Where w1 x1 + w2 x2 = 0 (sigmoid = 1/2) crosses the data's box: its two ends (None at w = 0)."""
    w1, w2 = float(w[0]), float(w[1])
    if w1 == 0 and w2 == 0:
        return None
    reach = 1.05 * max(np.abs(x1).max(), np.abs(x2).max())
    direction = np.array([-w2, w1]) / np.hypot(w1, w2)  # the line through 0 at right angles to w
    ends = np.outer([-reach, reach], direction)
    return ends[:, 0], ends[:, 1]


def data_figure(x: np.ndarray, y: np.ndarray, w: tuple[float, float] | None = None, tr: Words = same) -> go.Figure:
    """The data set's points by label and, for weights w, the decision line w1 x1 + w2 x2 = 0."""
    fig = go.Figure()
    for label in (0, 1):
        mine = y == label
        fig.add_trace(go.Scatter(x=x[mine, 0], y=x[mine, 1], mode="markers", name=f"{tr('label')} {label}",
                                 marker={"color": CLASS_COLORS[label], "size": 7, "opacity": 0.8},
                                 hovertemplate="x1=%{x:.3f}<br>x2=%{y:.3f}<extra></extra>"))
    line = None if w is None else decision_line(w, x[:, 0], x[:, 1])
    if line is not None:
        fig.add_trace(go.Scatter(x=line[0], y=line[1], mode="lines", name=tr("decision line w1 x1 + w2 x2 = 0"),
                                 line={"color": "#444", "dash": "dash", "width": 2}, hoverinfo="skip"))
    # dragmode off: a finger swiping over the scatter on a phone scrolls the page (the plot stays as it is)
    fig.update_layout(height=380, margin={**MARGIN, "l": 50, "b": 40}, legend={"orientation": "h", "y": 1.1},
                      dragmode=False, xaxis={"title": {"text": "x1"}},
                      yaxis={"title": {"text": "x2"}, "scaleanchor": "x"})
    return fig
