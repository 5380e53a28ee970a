"""Line charts: f - f* against the step (the loss curve) and a learning-rate sweep's outcomes."""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.run import Reason
from viz.style import (
    BOUND_COLOR,
    CONVERGED_COLOR,
    DIVERGED_COLOR,
    IDLE_COLOR,
    MARGIN,
    PATH_COLOR,
    TITLED_MARGIN,
    Words,
    same,
)


def loss_hover(tr: Words = same) -> str:
    """The loss curve's hover label: the step and the value."""
    return tr("step") + " %{x}<br>%{y:.4g}<extra></extra>"


def loss_layout(best: float | None, legend: bool, tr: Words = same, point: str = "x_k") -> dict:
    """A log axis of f - f* when f* is known, else f itself on a linear one (point: the iterate's name, a model's
    w_k)."""
    title, kind = (f"f({point})", "linear") if best is None else (f"f({point}) − f*", "log")
    return {"height": 300, "margin": MARGIN, "xaxis": {"title": {"text": tr("step k")}}, "showlegend": legend,
            "yaxis": {"type": kind, "title": {"text": title}, "exponentformat": "power"}}


def sweep_figure(lrs: np.ndarray, final_f: np.ndarray, steps: np.ndarray, reason: tuple[str, ...],
                 best: float | None, tr: Words = same,
                 bound: tuple[float, float, float | None] | None = None) -> go.Figure:
    """Final f (minus f* when known) and steps run against the learning rate, diverged runs marked; with bound
    (predicted, the largest lr that reached the minimum, the next one swept or None), SGD's predicted bound as a
    vertical line beside the measured bracket, shaded."""
    diverged = np.array([r == Reason.DIVERGED for r in reason])
    converged = np.array([r == Reason.CONVERGED for r in reason])
    gap = final_f.astype(np.float64) - (best or 0.0)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(tr("final f − f*" if best is not None else "final f"), tr("steps run")))
    ok = ~diverged
    fig.add_trace(go.Scatter(x=lrs[ok], y=gap[ok], mode="lines+markers", name=tr("final f"),
                             line=dict(color=PATH_COLOR)), 1, 1)
    fig.add_trace(go.Scatter(x=lrs, y=steps, mode="markers", name=tr("steps run"),
                             marker=dict(color=np.where(converged, CONVERGED_COLOR, IDLE_COLOR), size=8)), 2, 1)
    for lr in lrs[diverged]:
        fig.add_vline(x=float(lr), line=dict(color=DIVERGED_COLOR, width=1, dash="dot"))
    if bound is not None:
        predicted, low, high = bound
        fig.add_vrect(x0=low, x1=high if high is not None else low, fillcolor=CONVERGED_COLOR, opacity=0.2,
                      line_width=1 if high is None else 0, row="all", col=1)
        fig.add_vline(x=predicted, line=dict(color=BOUND_COLOR, width=2, dash="dash"), row="all", col=1)
        # labels placed by hand: on a log axis an annotation's x is log10 of the value (add_vline's would not be)
        fig.add_annotation(x=math.log10(predicted), y=1, xref="x", yref="y domain", xanchor="right",
                           yanchor="top", showarrow=False, text=tr("predicted 2 (1 + μ) / ((1 − τ) λ_max)"),
                           font=dict(color=BOUND_COLOR))
        fig.add_annotation(x=math.log10(high if high is not None else low), y=0, xref="x", yref="y domain",
                           xanchor="left", yanchor="bottom", showarrow=False, text=tr("measured"),
                           font=dict(color=CONVERGED_COLOR))
    decades = {"type": "log", "dtick": 1, "exponentformat": "power"}  # 10⁻⁵ ... 10⁰, not 10µ beside 0.001
    fig.update_xaxes(title_text=tr("learning rate"), row=2, col=1, **decades)
    fig.update_xaxes(row=1, col=1, **decades)
    fig.update_yaxes(type="log" if best is not None else "linear", exponentformat="power", row=1, col=1)
    fig.update_layout(height=560, margin=TITLED_MARGIN, showlegend=False)
    return fig


def heatmap_figure(z: np.ndarray, title: str, zmax: float, tr: Words = same) -> go.Figure:
    """A [K, n] matrix (w.grad, or its hand formula) on a diverging scale centred at 0."""
    fig = go.Figure(go.Heatmap(z=z, colorscale="RdBu", zmid=0, zmin=-zmax, zmax=zmax,
                               hovertemplate="k=%{y}, j=%{x}<br>%{z:.6g}<extra></extra>"))
    fig.update_layout(title=title, height=120 + 30 * z.shape[0], margin=TITLED_MARGIN,
                      xaxis_title=tr("j (input)"), yaxis=dict(title=tr("k (output)"), autorange="reversed"))
    return fig


def losses_figure(losses: list[float], tr: Words = same) -> go.Figure:
    """A loss per step on a log axis (the perceptron page's descent on w)."""
    fig = go.Figure(go.Scatter(y=losses, mode="lines+markers", marker=dict(size=4)))
    fig.update_layout(height=280, margin=MARGIN, xaxis_title=tr("step"),
                      yaxis=dict(title="loss", type="log", exponentformat="power"))  # 10⁻⁴, not 450µ
    return fig
