"""Plotly figures built from trajectories: the animated 3D surface, the 2D contour, the loss curve.

Every figure takes a list of Paths, so one run (Descent) and a race of several (Compare) share the code.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import plotly.graph_objects as go
import torch

from core import limits
from core.basins import DIVERGED, ELSEWHERE, NOT_CONVERGED, OTHER_NAMES
from core.objectives import Objective
from core.run import Trajectory

SCALES = {"f": "f(x, y)", "log": "log(1 + f)"}
PATH_COLOR = "#e4572e"
COLORS = (PATH_COLOR, "#2e86ab", "#f6ae2d", "#7b2cbf", "#2a9d8f", "#d62828")
MIN_COLOR = "#17bebb"
CLICK_GRID = 41  # points per axis of the invisible marker grid that makes the contour clickable
Words = Callable[[str], str]  # the page's translation of a text drawn inside a figure (English: unchanged)


def _same(text: str) -> str:
    return text


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


@dataclass(frozen=True)
class Path:
    """Row `row` of a trajectory, drawn under `label` in `color`."""

    traj: Trajectory
    row: int = 0
    label: str = "path"
    color: str = PATH_COLOR

    @property
    def end(self) -> int:
        return int(self.traj.end[self.row])


def surface(objective: Objective, n: int = limits.SURFACE_GRID) -> Surface:
    """f on an n x n grid over the objective's view bounds (float64, no autograd)."""
    xs = np.linspace(*objective.x_range, n)
    ys = np.linspace(*objective.y_range, n)
    grid = torch.stack(torch.meshgrid(torch.from_numpy(xs), torch.from_numpy(ys), indexing="xy"), -1)
    with torch.no_grad():
        f = objective(grid).numpy()
    # a typed formula may be undefined in places (log of a negative) or beyond what float32 figures can hold
    f = np.where(np.isfinite(f) & (np.abs(f) <= np.finfo(np.float32).max), f, np.nan)
    low = float(np.nanmin(f)) if np.isfinite(f).any() else 0.0
    return Surface(xs, ys, f, min(0.0, low))


def frame_steps(end: int, max_frames: int = limits.MAX_FRAMES) -> np.ndarray:
    """The steps shown as animation frames: 0, the last step, and evenly spaced ones between."""
    return np.unique(np.linspace(0, end, min(end + 1, max_frames)).round().astype(int))


def minima_f(objective: Objective) -> np.ndarray:
    """f at each known minimum (float64, no autograd)."""
    if not objective.minima:
        return np.zeros(0)
    with torch.no_grad():
        return objective(torch.tensor(objective.minima, dtype=torch.float64)).numpy()


def _path_xyz(path: Path, surf: Surface, scale: str, steps: np.ndarray, lift: float) -> np.ndarray:
    """Path points at the given steps (held at its end) as [len(steps), 3] float32, lifted above the surface."""
    k = np.minimum(steps, path.end)
    xy = path.traj.positions[k, path.row].astype(np.float64)
    z = surf.height(path.traj.losses[k, path.row], scale) + lift
    return np.column_stack([xy, z]).astype(np.float32)


def surface_figure(paths: list[Path], surf: Surface, scale: str = "f", max_frames: int = limits.MAX_FRAMES,
                   frame_ms: int = 40, tr: Words = _same) -> go.Figure:
    """3D surface with the known minima, the paths, and Plotly frames that draw them step by step together.

    Trace 0 is the surface, 1 the minima, then each path's line and current point; frames carry only those.
    """
    objective = paths[0].traj.objective
    zr = surf.height(surf.f, scale)
    low, high = (float(np.nanmin(zr)), float(np.nanmax(zr))) if np.isfinite(zr).any() else (0.0, 1.0)
    span = high - low
    steps = frame_steps(max(p.end for p in paths), max_frames)
    pts = [_path_xyz(p, surf, scale, steps, 0.01 * span) for p in paths]
    mz = surf.height(minima_f(objective), scale) + 0.02 * span
    minima = np.array(objective.minima).reshape(-1, 2)
    traces = [
        go.Surface(x=surf.xs, y=surf.ys, z=zr.astype(np.float32), colorscale="Viridis", opacity=0.85,
                   showscale=False, name="f",
                   hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<br>" + tr("height") + "=%{z:.4g}<extra></extra>"),
        go.Scatter3d(x=minima[:, 0], y=minima[:, 1], z=mz, mode="markers", name=tr("known minima"),
                     marker=dict(size=5, color=MIN_COLOR, symbol="diamond")),
    ]
    for p, xyz in zip(paths, pts):
        traces += [go.Scatter3d(x=xyz[:, 0], y=xyz[:, 1], z=xyz[:, 2], mode="lines", name=p.label,
                                line=dict(color=p.color, width=6), legendgroup=p.label),
                   go.Scatter3d(x=xyz[-1:, 0], y=xyz[-1:, 1], z=xyz[-1:, 2], mode="markers", showlegend=False,
                                marker=dict(size=5, color=p.color), legendgroup=p.label, name=p.label)]
    frames = [_frame(pts, j, int(s)) for j, s in enumerate(steps)]
    fig = go.Figure(traces, frames=frames, _validate=False)  # validating 200 frames costs 0.3 s
    fig.update_layout(
        height=560, margin=dict(l=0, r=0, t=30, b=0), legend=dict(x=0, y=1),
        scene=dict(xaxis=dict(range=list(objective.x_range), title="x"),
                   yaxis=dict(range=list(objective.y_range), title="y"),
                   zaxis=dict(range=[low, high * 1.05 + 1e-9], title=SCALES[scale]),
                   camera=dict(eye=dict(x=1.4, y=-1.4, z=1.1))),
        updatemenus=[_play_buttons(frame_ms, tr)], sliders=[_slider(steps, tr)],
    )
    return fig


def _frame(pts: list[np.ndarray], j: int, step: int) -> dict:
    """One animation frame as a plain dict (validated go.Frame objects are far slower to build)."""
    data = []
    for xyz in pts:
        head = xyz[: j + 1]
        data += [{"type": "scatter3d", "x": head[:, 0], "y": head[:, 1], "z": head[:, 2]},
                 {"type": "scatter3d", "x": head[-1:, 0], "y": head[-1:, 1], "z": head[-1:, 2]}]
    return {"name": str(step), "traces": list(range(2, 2 + len(data))), "data": data}


def _play_buttons(frame_ms: int, tr: Words) -> dict:
    play = {"frame": {"duration": frame_ms, "redraw": True}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    return {"type": "buttons", "direction": "left", "x": 0.0, "y": 0.0, "xanchor": "left", "yanchor": "top",
            "pad": {"t": 10, "r": 10}, "showactive": False,
            "buttons": [{"label": "▶ " + tr("Play"), "method": "animate", "args": [None, play]},
                        {"label": "❚❚ " + tr("Pause"), "method": "animate", "args": [[None], pause]}]}


def _slider(steps: np.ndarray, tr: Words) -> dict:
    hidden = "rgba(0,0,0,0)"  # one tick label per frame would be unreadable: the current value says the step
    return {"active": len(steps) - 1, "x": 0.18, "y": 0.0, "len": 0.8, "yanchor": "top",
            "pad": {"t": 10}, "currentvalue": {"prefix": tr("step") + " ", "font": {"color": "#444"}},
            "font": {"color": hidden}, "tickcolor": hidden,
            "steps": [{"label": str(s), "method": "animate",
                       "args": [[str(s)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                           "transition": {"duration": 0}}]} for s in steps]}


def gradient_field(objective: Objective, n: int = 15) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The negative gradient on an n x n grid, by autograd: (points [m, 2], unit directions [m, 2], |grad| [m])."""
    xs = np.linspace(*objective.x_range, n + 2)[1:-1]
    ys = np.linspace(*objective.y_range, n + 2)[1:-1]
    pts = torch.tensor(np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2), requires_grad=True)
    (g,) = torch.autograd.grad(objective(pts).sum(), pts)
    g = -g.numpy()
    norm = np.linalg.norm(g, axis=1)
    ok = np.isfinite(norm) & (norm > 0)
    return pts.detach().numpy()[ok], g[ok] / norm[ok, None], norm[ok]


def _arrows(objective: Objective) -> go.Scatter:
    pts, unit, norm = gradient_field(objective)
    cell = 0.8 * min(np.ptp(objective.x_range), np.ptp(objective.y_range)) / 16
    tips = pts + cell * unit
    nan = np.full(len(pts), np.nan)
    x = np.column_stack([pts[:, 0], tips[:, 0], nan]).ravel()
    y = np.column_stack([pts[:, 1], tips[:, 1], nan]).ravel()
    return go.Scatter(x=x, y=y, mode="lines+markers", name="−∇f", hoverinfo="skip", line=dict(color="white", width=1),
                      marker=dict(symbol="arrow", size=7, angleref="previous", color="white",
                                  opacity=np.column_stack([0 * norm, 1 + 0 * norm, 0 * norm]).ravel()))


def _click_grid(objective: Objective, tr: Words) -> go.Scatter:
    """Invisible markers: Streamlit reports selections only on marker traces, so these make the contour clickable."""
    gx, gy = np.meshgrid(np.linspace(*objective.x_range, CLICK_GRID), np.linspace(*objective.y_range, CLICK_GRID))
    return go.Scatter(x=gx.ravel().round(4), y=gy.ravel().round(4), mode="markers",
                      name=tr("click to start here"), marker=dict(size=12, opacity=0),
                      hovertemplate=tr("start here") + ": (%{x:.3g}, %{y:.3g})<extra></extra>")


def contour_figure(paths: list[Path], surf: Surface, scale: str = "f", arrows: bool = False,
                   clickable: bool = False, max_points: int = 2000, tr: Words = _same) -> go.Figure:
    """2D contour of the objective with the paths, their starts and ends, and the known minima."""
    objective = paths[0].traj.objective
    minima = np.array(objective.minima).reshape(-1, 2)
    traces = [go.Contour(x=surf.xs, y=surf.ys, z=surf.height(surf.f, scale).astype(np.float32), colorscale="Viridis",
                         ncontours=30, showscale=False, name="f", hoverinfo="skip")]
    if arrows:
        traces.append(_arrows(objective))
    traces.append(go.Scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", name=tr("known minima"),
                             marker=dict(symbol="x", size=10, color=MIN_COLOR)))
    for p in paths:
        steps = frame_steps(p.end, max_points)
        xy = p.traj.positions[steps, p.row]
        traces += [
            go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="lines", name=p.label, line=dict(color=p.color, width=2.5),
                       customdata=steps,
                       hovertemplate=tr("step") + " %{customdata}<br>x=%{x:.5f}<br>y=%{y:.5f}<extra></extra>"),
            go.Scatter(x=xy[[0, -1], 0], y=xy[[0, -1], 1], mode="markers", showlegend=False, name=p.label,
                       hoverinfo="skip",
                       marker=dict(size=9, color=[p.color, "white"], line=dict(width=1.5, color=p.color))),
        ]
    if clickable:
        traces.append(_click_grid(objective, tr))
    fig = go.Figure(traces)
    fig.update_layout(height=480, margin=dict(l=0, r=0, t=30, b=0), showlegend=len(paths) > 1,
                      legend=dict(x=0, y=1, bgcolor="rgba(255,255,255,0.7)"), clickmode="event+select",
                      xaxis=dict(range=list(objective.x_range), title="x", constrain="domain"),
                      yaxis=dict(range=list(objective.y_range), title="y", scaleanchor="x"))
    return fig


def f_star(objective: Objective) -> float | None:
    """The lowest f over the known minima (None when there are none)."""
    return float(minima_f(objective).min()) if objective.minima else None


def loss_figure(paths: list[Path], max_points: int = 2000, tr: Words = _same) -> go.Figure:
    """f(x_k) - f* against k on a log axis (f itself, linear, when the objective has no known minimum)."""
    best = f_star(paths[0].traj.objective)
    fig = go.Figure()
    for p in paths:
        steps = frame_steps(p.end, max_points)
        f = p.traj.losses[steps, p.row].astype(np.float64)
        fig.add_trace(go.Scatter(x=steps, y=f if best is None else f - best, mode="lines", name=p.label,
                                 line=dict(color=p.color),
                                 hovertemplate=tr("step") + " %{x}<br>%{y:.4g}<extra></extra>"))
    title, kind = ("f(x_k)", "linear") if best is None else ("f(x_k) − f*", "log")
    fig.update_layout(height=300, margin=dict(l=0, r=0, t=30, b=0), xaxis_title=tr("step k"), showlegend=len(paths) > 1,
                      yaxis=dict(type=kind, title=title, exponentformat="power"))
    return fig


def category_label(objective: Objective, code: int, tr: Words = _same) -> str:
    """A basin category in words: 'minimum (x, y)' for a known minimum's index, else the outcome's name."""
    if code >= 0:
        x, y = objective.minima[code]
        return tr("minimum {at}").replace("{at}", f"({x:g}, {y:g})")
    return tr(OTHER_NAMES[code])


BASIN_COLORS = {DIVERGED: "#d62828", NOT_CONVERGED: "#bdbdbd", ELSEWHERE: "#6c757d"}


def basin_figure(objective: Objective, xs: np.ndarray, ys: np.ndarray, category: np.ndarray,
                 steps: np.ndarray, tr: Words = _same) -> go.Figure:
    """Each start of the grid coloured by where it ended; hover gives the category and steps taken."""
    cats = sorted(set(np.unique(category).tolist()))
    palette = {i: COLORS[(i + 1) % len(COLORS)] for i in range(len(objective.minima))} | BASIN_COLORS
    names = {c: category_label(objective, c, tr) for c in [*range(len(objective.minima)), *OTHER_NAMES]}
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
    fig.update_layout(height=560, margin=dict(l=0, r=0, t=30, b=0), showlegend=False,
                      xaxis=dict(title="x0", constrain="domain"), yaxis=dict(title="y0", scaleanchor="x"))
    return fig


def sweep_figure(lrs: np.ndarray, final_f: np.ndarray, steps: np.ndarray, reason: tuple[str, ...],
                 best: float | None, tr: Words = _same) -> go.Figure:
    """Final f (minus f* when known) and steps run against the learning rate, diverged runs marked."""
    from plotly.subplots import make_subplots

    diverged = np.array([r == "diverged" for r in reason])
    converged = np.array([r == "converged" for r in reason])
    gap = final_f.astype(np.float64) - (best or 0.0)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(tr("final f − f*" if best is not None else "final f"), tr("steps run")))
    ok = ~diverged
    fig.add_trace(go.Scatter(x=lrs[ok], y=gap[ok], mode="lines+markers", name=tr("final f"),
                             line=dict(color=PATH_COLOR)), 1, 1)
    fig.add_trace(go.Scatter(x=lrs, y=steps, mode="markers", name=tr("steps run"),
                             marker=dict(color=np.where(converged, "#2a9d8f", "#bdbdbd"), size=8)), 2, 1)
    for lr in lrs[diverged]:
        fig.add_vline(x=float(lr), line=dict(color="#d62828", width=1, dash="dot"))
    fig.update_xaxes(type="log", title_text=tr("learning rate"), row=2, col=1)
    fig.update_xaxes(type="log", row=1, col=1)
    fig.update_yaxes(type="log" if best is not None else "linear", exponentformat="power", row=1, col=1)
    fig.update_layout(height=560, margin=dict(l=0, r=0, t=40, b=0), showlegend=False)
    return fig
