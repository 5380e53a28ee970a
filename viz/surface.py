"""The 3D surface with the known minima and the paths, animated step by step with Plotly frames."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core import limits
from core.grid import Surface
from viz.style import MARGIN, MIN_COLOR, SCALES, Path, Words, frame_steps, same


def _path_xyz(path: Path, surf: Surface, scale: str, steps: np.ndarray, lift: float) -> np.ndarray:
    """Path points at the given steps (held at its end) as [len(steps), 3] float32, lifted above the surface."""
    k = np.minimum(steps, path.end)
    xy = path.traj.positions[k, path.row].astype(np.float64)
    z = surf.height(path.traj.losses[k, path.row], scale) + lift
    return np.column_stack([xy, z]).astype(np.float32)


def surface_figure(paths: list[Path], surf: Surface, scale: str = "f", max_frames: int = limits.MAX_FRAMES,
                   frame_ms: int = 40, tr: Words = same) -> go.Figure:
    """3D surface with the known minima, the paths, and Plotly frames that draw them step by step together.

    Trace 0 is the surface, 1 the minima, then each path's line and current point; frames carry only those.
    """
    objective = paths[0].traj.objective
    zr = surf.height(surf.f, scale)
    low, high = (float(np.nanmin(zr)), float(np.nanmax(zr))) if np.isfinite(zr).any() else (0.0, 1.0)
    span = high - low
    steps = frame_steps(max(p.end for p in paths), max_frames)
    pts = [_path_xyz(p, surf, scale, steps, 0.01 * span) for p in paths]
    mz = surf.height(np.array(objective.minima_f()), scale) + 0.02 * span
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
        height=560, margin=MARGIN, legend=dict(x=0, y=1),
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
