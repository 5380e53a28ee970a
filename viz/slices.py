"""A slice of a model's loss landscape, L(w_c + a d1 + b d2) over (a, b): the 3D surface and the contour with the
training path projected onto the plane, and the loss the weights had beside the loss where their projections sit."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.model.slices import Slice
from viz.style import COLORS, MARGIN, MIN_COLOR, PATH_COLOR, Words, same

PLANE_COLOR = COLORS[1]


def _hover(tr: Words) -> str:
    return "a=%{x:.4f}<br>b=%{y:.4f}<br>" + tr("loss") + "=%{z:.5g}<extra></extra>"


def slice_surface(s: Slice, tr: Words = same) -> go.Figure:
    """The slice as a 3D surface, the projected path at the plane's loss where it lands, w_c at (0, 0)."""
    fig = go.Figure(go.Surface(x=s.a.astype(np.float32), y=s.b.astype(np.float32), z=s.loss.astype(np.float32),
                               colorscale="Viridis", opacity=0.85, showscale=False, name=tr("slice"),
                               hovertemplate=_hover(tr)))
    if s.path is not None:
        fig.add_trace(go.Scatter3d(x=s.path[:, 0], y=s.path[:, 1], z=s.plane_loss.astype(np.float32),
                                   mode="lines", line=dict(color=PATH_COLOR, width=5), name=tr("projected path"),
                                   hovertemplate=_hover(tr)))
    center = float(s.loss[len(s.b) // 2, len(s.a) // 2])
    fig.add_trace(go.Scatter3d(x=[0.0], y=[0.0], z=[center], mode="markers", name="w_c",
                               marker=dict(size=5, color=MIN_COLOR, symbol="diamond")))
    fig.update_layout(height=520, margin=MARGIN, legend=dict(orientation="h", x=0, y=1),
                      scene=dict(xaxis_title="a (d1)", yaxis_title="b (d2)", zaxis_title=tr("loss"),
                                 camera=dict(eye=dict(x=1.4, y=-1.4, z=1.1))))
    return fig


def slice_contour(s: Slice, tr: Words = same) -> go.Figure:
    """The slice as a contour, the projected path on it from its start (circle) to w_c (diamond)."""
    fig = go.Figure(go.Contour(x=s.a.astype(np.float32), y=s.b.astype(np.float32), z=s.loss.astype(np.float32),
                               colorscale="Viridis", ncontours=30, showscale=False, name=tr("slice"),
                               hovertemplate=_hover(tr)))
    if s.path is not None:
        fig.add_trace(go.Scatter(x=s.path[:, 0], y=s.path[:, 1], mode="lines", name=tr("projected path"),
                                 line=dict(color=PATH_COLOR, width=2), hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=s.path[:1, 0], y=s.path[:1, 1], mode="markers", name=tr("start"),
                                 marker=dict(color=PATH_COLOR, size=9, symbol="circle-open")))
    fig.add_trace(go.Scatter(x=[0.0], y=[0.0], mode="markers", name="w_c",
                             marker=dict(color=MIN_COLOR, size=10, symbol="diamond")))
    fig.update_layout(height=520, margin={**MARGIN, "l": 50, "b": 40}, legend=dict(orientation="h", x=0, y=1.08),
                      xaxis=dict(title=dict(text="a (d1)")),
                      yaxis=dict(title=dict(text="b (d2)"), scaleanchor="x", scaleratio=1))
    return fig


def slice_losses(s: Slice, tr: Words = same) -> go.Figure:
    """Each step's loss at the weights themselves beside the loss at their projection onto the plane."""
    steps = np.arange(len(s.path_loss))
    fig = go.Figure([go.Scatter(x=steps, y=s.path_loss, mode="lines", name=tr("loss at the weights"),
                                line=dict(color=PATH_COLOR, width=2)),
                     go.Scatter(x=steps, y=s.plane_loss, mode="lines", name=tr("loss on the drawn plane"),
                                line=dict(color=PLANE_COLOR, width=2, dash="dash"))])
    fig.update_layout(height=300, margin={**MARGIN, "l": 50, "b": 40}, legend=dict(orientation="h", x=0, y=1.15),
                      xaxis=dict(title=dict(text=tr("step k"))),
                      yaxis=dict(title=dict(text=tr("loss")), type="log", dtick=1, exponentformat="power"))
    return fig
