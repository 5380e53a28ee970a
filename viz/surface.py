"""The 3D surface with the known minima and the paths, animated step by step with Plotly frames."""
from __future__ import annotations

import numpy as np

from core import limits
from core.grid import Surface
from core.objectives import Objective
from viz.style import MARGIN, MIN_COLOR, SCALES, Path, Words, frame_steps, same


def _path_xyz(path: Path, surf: Surface, scale: str, steps: np.ndarray, lift: float) -> np.ndarray:
    """Path points at the given steps (held at its end) as [len(steps), 3] float32, lifted above the surface."""
    k = np.minimum(steps, path.end)
    xy = path.traj.positions[k, path.row].astype(np.float64)
    z = surf.height(path.traj.losses[k, path.row], scale) + lift
    return np.column_stack([xy, z]).astype(np.float32)


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
         "hovertemplate": "x=%{x:.3f}<br>y=%{y:.3f}<br>" + tr("height") + "=%{z:.4g}<extra></extra>"},
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
            "scene": {"xaxis": axis("x", *objective.x_range), "yaxis": axis("y", *objective.y_range),
                      "zaxis": axis(SCALES[scale], low, top), "camera": {"eye": {"x": 1.4, "y": -1.4, "z": 1.1}}}}


def surface_figure(paths: list[Path], surf: Surface, scale: str = "f", max_frames: int = limits.MAX_FRAMES,
                   frame_ms: int = 40, tr: Words = same) -> dict:
    """3D surface with the known minima and the paths, and Plotly frames that move each path's head along it:
    the standalone figure of the "Figure (HTML)" download (the pages draw the live view with ui/instrument).

    A plain figure dict (numpy arrays, Plotly's binary encoding when sent). Trace 0 is the surface, 1 the minima,
    then each path's line (its steps as drawn, at most max_frames points) and its head; a frame carries only the
    heads, one point per path, so the data grows with the steps shown, not with frames x steps.
    """
    objective = paths[0].traj.objective
    traces, low, high = surface_traces(objective, surf, scale, tr)
    steps = frame_steps(max(p.end for p in paths), max_frames)
    pts = [_path_xyz(p, surf, scale, steps, 0.01 * (high - low)) for p in paths]
    for p, xyz in zip(paths, pts):
        traces += [{"type": "scatter3d", "x": xyz[:, 0], "y": xyz[:, 1], "z": xyz[:, 2], "mode": "lines",
                    "name": p.label, "line": {"color": p.color, "width": 6}, "legendgroup": p.label},
                   {"type": "scatter3d", "x": xyz[-1:, 0], "y": xyz[-1:, 1], "z": xyz[-1:, 2], "mode": "markers",
                    "showlegend": False, "marker": {"size": 7, "color": p.color, "line": {"color": "white",
                                                                                        "width": 1}},
                    "legendgroup": p.label, "name": p.label}]
    heads = list(range(3, 2 + 2 * len(paths), 2))
    frames = [{"name": str(int(s)), "traces": heads,
               "data": [{"type": "scatter3d", "x": xyz[j:j + 1, 0], "y": xyz[j:j + 1, 1], "z": xyz[j:j + 1, 2]}
                        for xyz in pts]} for j, s in enumerate(steps)]
    layout = {**surface_layout(objective, scale, low, high),
              "updatemenus": [_play_buttons(frame_ms, tr)], "sliders": [_slider(steps, tr)]}
    return {"data": traces, "layout": layout, "frames": frames}


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
