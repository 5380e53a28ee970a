"""Plotly figures built from trajectories: the animated 3D surface, the 2D contour, the loss curve."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch

from core import limits
from core.descent import Trajectory
from core.objectives import Objective

SCALES = {"f": "f(x, y)", "log": "log(1 + f)"}
PATH_COLOR = "#e4572e"
MIN_COLOR = "#17bebb"


@dataclass(frozen=True)
class Surface:
    """f on a grid over the objective's view, and the shift that keeps log(1 + f - shift) defined."""

    xs: np.ndarray
    ys: np.ndarray
    f: np.ndarray  # [len(ys), len(xs)]
    shift: float  # min(0, min f on the grid)

    def height(self, f: np.ndarray | float, scale: str) -> np.ndarray:
        """What the charts plot for f: f itself, or log(1 + f) (shifted when f can go below zero)."""
        f = np.asarray(f, dtype=np.float64)
        return np.log1p(np.maximum(f - self.shift, 0.0)) if scale == "log" else f


def surface(objective: Objective, n: int = limits.SURFACE_GRID) -> Surface:
    """f on an n x n grid over the objective's view bounds (float64, no autograd)."""
    xs = np.linspace(*objective.x_range, n)
    ys = np.linspace(*objective.y_range, n)
    grid = torch.stack(torch.meshgrid(torch.from_numpy(xs), torch.from_numpy(ys), indexing="xy"), -1)
    with torch.no_grad():
        f = objective(grid).numpy()
    return Surface(xs, ys, f, min(0.0, float(f.min())))


def frame_steps(end: int, max_frames: int = limits.MAX_FRAMES) -> np.ndarray:
    """The steps shown as animation frames: 0, the last step, and evenly spaced ones between."""
    return np.unique(np.linspace(0, end, min(end + 1, max_frames)).round().astype(int))


def _minima_z(objective: Objective, surf: Surface, scale: str) -> np.ndarray:
    if not objective.minima:
        return np.zeros(0)
    with torch.no_grad():
        f = objective(torch.tensor(objective.minima, dtype=torch.float64)).numpy()
    return surf.height(f, scale)


def _path_xyz(traj: Trajectory, surf: Surface, scale: str, steps: np.ndarray, i: int = 0) -> np.ndarray:
    """Path points at the given steps as [len(steps), 3] float32, lifted a little above the surface."""
    lift = 0.01 * float(np.ptp(surf.height(surf.f, scale)))
    xy = traj.positions[steps, i].astype(np.float64)
    z = surf.height(traj.losses[steps, i], scale) + lift
    return np.column_stack([xy, z]).astype(np.float32)


def surface_figure(traj: Trajectory, surf: Surface, scale: str = "f",
                   max_frames: int = limits.MAX_FRAMES, frame_ms: int = 40) -> go.Figure:
    """3D surface with the known minima, the path, and Plotly frames that draw the path step by step.

    Trace 0 is the surface, 1 the minima, 2 the path and 3 the current point; frames carry only 2 and 3.
    """
    objective = traj.objective
    end = int(traj.end[0])
    steps = frame_steps(end, max_frames)
    pts = _path_xyz(traj, surf, scale, steps)
    mz = _minima_z(objective, surf, scale) + 0.02 * float(np.ptp(surf.height(surf.f, scale)))
    minima = np.array(objective.minima).reshape(-1, 2)
    traces = [
        go.Surface(x=surf.xs, y=surf.ys, z=surf.height(surf.f, scale).astype(np.float32),
                   colorscale="Viridis", opacity=0.85, showscale=False, name="f",
                   hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<br>height=%{z:.4g}<extra></extra>"),
        go.Scatter3d(x=minima[:, 0], y=minima[:, 1], z=mz, mode="markers", name="known minima",
                     marker=dict(size=5, color=MIN_COLOR, symbol="diamond")),
        go.Scatter3d(x=pts[:, 0], y=pts[:, 1], z=pts[:, 2], mode="lines", name="path",
                     line=dict(color=PATH_COLOR, width=6)),
        go.Scatter3d(x=pts[-1:, 0], y=pts[-1:, 1], z=pts[-1:, 2], mode="markers", name="x_k",
                     marker=dict(size=5, color=PATH_COLOR)),
    ]
    frames = [_frame(pts, j, int(s)) for j, s in enumerate(steps)]
    fig = go.Figure(traces, frames=frames, _validate=False)  # validating 200 frames costs 0.3 s
    zr = surf.height(surf.f, scale)
    fig.update_layout(
        height=560, margin=dict(l=0, r=0, t=30, b=0), legend=dict(x=0, y=1),
        scene=dict(xaxis=dict(range=list(objective.x_range), title="x"),
                   yaxis=dict(range=list(objective.y_range), title="y"),
                   zaxis=dict(range=[float(zr.min()), float(zr.max()) * 1.05 + 1e-9], title=SCALES[scale]),
                   camera=dict(eye=dict(x=1.4, y=-1.4, z=1.1))),
        updatemenus=[_play_buttons(frame_ms)], sliders=[_slider(steps, frame_ms)],
    )
    return fig


def _frame(pts: np.ndarray, j: int, step: int) -> dict:
    """One animation frame as a plain dict (validated go.Frame objects are far slower to build)."""
    head = pts[: j + 1]
    return {"name": str(step), "traces": [2, 3], "data": [
        {"type": "scatter3d", "x": head[:, 0], "y": head[:, 1], "z": head[:, 2]},
        {"type": "scatter3d", "x": head[-1:, 0], "y": head[-1:, 1], "z": head[-1:, 2]},
    ]}


def _play_buttons(frame_ms: int) -> dict:
    play = {"frame": {"duration": frame_ms, "redraw": True}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    return {"type": "buttons", "direction": "left", "x": 0.0, "y": 0.0, "xanchor": "left", "yanchor": "top",
            "pad": {"t": 10, "r": 10}, "showactive": False,
            "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                        {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]}]}


def _slider(steps: np.ndarray, frame_ms: int) -> dict:
    hidden = "rgba(0,0,0,0)"  # one tick label per frame would be unreadable: the current value says the step
    return {"active": len(steps) - 1, "x": 0.18, "y": 0.0, "len": 0.8, "yanchor": "top",
            "pad": {"t": 10}, "currentvalue": {"prefix": "step ", "font": {"color": "#444"}},
            "font": {"color": hidden}, "tickcolor": hidden,
            "steps": [{"label": str(s), "method": "animate",
                       "args": [[str(s)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                           "transition": {"duration": 0}}]} for s in steps]}


def contour_figure(traj: Trajectory, surf: Surface, scale: str = "f", max_points: int = 2000) -> go.Figure:
    """2D contour of the objective with the path, its start and end, and the known minima."""
    objective = traj.objective
    end = int(traj.end[0])
    steps = frame_steps(end, max_points)
    xy = traj.positions[steps, 0]
    minima = np.array(objective.minima).reshape(-1, 2)
    fig = go.Figure([
        go.Contour(x=surf.xs, y=surf.ys, z=surf.height(surf.f, scale).astype(np.float32), colorscale="Viridis",
                   ncontours=30, showscale=False, name="f", hoverinfo="skip"),
        go.Scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", name="known minima",
                   marker=dict(symbol="x", size=10, color=MIN_COLOR)),
        go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="lines", name="path", line=dict(color=PATH_COLOR, width=2.5),
                   customdata=steps, hovertemplate="step %{customdata}<br>x=%{x:.5f}<br>y=%{y:.5f}<extra></extra>"),
        go.Scatter(x=xy[[0, -1], 0], y=xy[[0, -1], 1], mode="markers+text", name="start / end",
                   text=["start", "end"], textposition="top center", textfont=dict(color="white"),
                   marker=dict(size=9, color=[PATH_COLOR, "white"], line=dict(width=1, color="black"))),
    ])
    fig.update_layout(height=480, margin=dict(l=0, r=0, t=30, b=0), showlegend=False,
                      xaxis=dict(range=list(objective.x_range), title="x", constrain="domain"),
                      yaxis=dict(range=list(objective.y_range), title="y", scaleanchor="x"))
    return fig


def loss_figure(traj: Trajectory, max_points: int = 2000) -> go.Figure:
    """f(x_k) - f* against k on a log axis (f itself, linear, when the objective has no minimum)."""
    objective = traj.objective
    steps = frame_steps(int(traj.end[0]), max_points)
    f = traj.losses[steps, 0].astype(np.float64)
    if objective.minima:
        with torch.no_grad():
            f_star = float(objective(torch.tensor(objective.minima, dtype=torch.float64)).min())
        y, title, kind = f - f_star, "f(x_k) − f*", "log"
    else:
        y, title, kind = f, "f(x_k)", "linear"
    fig = go.Figure(go.Scatter(x=steps, y=y, mode="lines", line=dict(color=PATH_COLOR),
                               hovertemplate="step %{x}<br>%{y:.4g}<extra></extra>"))
    fig.update_layout(height=300, margin=dict(l=0, r=0, t=30, b=0), xaxis_title="step k",
                      yaxis=dict(type=kind, title=title, exponentformat="power"))
    return fig


def finite_or_none(v: float) -> float | None:
    return v if math.isfinite(v) else None
