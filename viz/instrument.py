"""What the instrument (ui/instrument) draws: each view's fixed part once per scene, and the paths as packed arrays
that the browser slices up to the step cursor. Plain JSON-ready dicts; arrays travel as Plotly's typed-array specs
({"dtype", "bdata"[, "shape"]}), which plotly.js reads as they are.

Neither carries display text: a scene's texts are marked ⟦text⟧ (its "words" list them) and the browser fills them
in from the texts each rerun sends, and the paths' labels travel with those texts. So a scene and its paths are
the same numbers in every language, cached and sent once, and a language switch re-sends the texts only."""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re

import numpy as np

from core.grid import Surface
from core.model.objective import full_losses
from core.objectives import Objective
from viz.charts import loss_hover, loss_layout
from viz.plane import contour_layout, contour_traces
from viz.style import Path, Words, frame_steps, hover_point
from viz.surface import height_range, surface_layout, surface_traces

PATH_POINTS = 2000  # points of all paths together (each path at least MIN_PATH_POINTS): what a rerun sends
MIN_PATH_POINTS = 500
AXES_MARGIN = {"l": 60, "r": 10, "t": 30, "b": 50}  # room for tick labels (st.plotly_chart's theme made it before)
DTYPES = {np.dtype("float32"): "f4", np.dtype("int32"): "i4"}  # ARRAYS in ui/instrument_state.mjs
MARK = re.compile(r"⟦([^⟦⟧]*)⟧")  # a text of the scene, filled in by the browser from texts.scene


def marked(text: str) -> str:
    """A text inside a scene, as the browser fills it in: ⟦text⟧."""
    return f"⟦{text}⟧"


def typed(a: np.ndarray, dtype: str = "float32") -> dict:
    """An array as a Plotly typed-array spec: little-endian bytes in base64, with its shape when 2-D."""
    a = np.ascontiguousarray(a, dtype=np.dtype(dtype).newbyteorder("<"))
    spec = {"dtype": DTYPES[a.dtype.newbyteorder("=")], "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    return {**spec, "shape": ",".join(map(str, a.shape))} if a.ndim == 2 else spec


def _plain(value):
    """Numpy arrays inside a figure part as typed-array specs, everything else as it is."""
    if isinstance(value, np.ndarray):
        return typed(value, "float32")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def labels(texts: list[str]) -> list[str]:
    """The paths' labels as the instrument is sent them (with the texts, not the arrays), as plain text."""
    return [text(label) for label in texts]


def text(value: str) -> str:
    """A text for plotly.js, which reads a small HTML subset in labels: any markup shown as characters."""
    return html.escape(value, quote=True)


def scene(objective: Objective, surf: Surface, scale: str = "f", arrows: bool = False, tr: Words = marked) -> dict:
    """The three views' fixed parts: the 3D surface and minima, the contour (hoverable and clickable) with its arrows,
    the loss axis; with the id that names them (the browser keeps a scene by id and is sent it only once) and the
    texts marked in it ("words": each rerun sends them in the page's language).

    Each layout's uirevision is the objective's view: the user's camera, zoom and legend choices survive every
    rerun with the same objective, and a new objective starts from the default view.
    """
    traces3d, low, high = surface_traces(objective, surf, scale, tr)
    view = digest([objective.key, objective.name, objective.x_range, objective.y_range])
    parts = {
        "surface": {"data": traces3d, "layout": {**surface_layout(objective, scale, low, high), "uirevision": view}},
        "contour": {"data": contour_traces(objective, surf, scale, arrows, tr, hover=True),
                    "layout": {**contour_layout(objective, True), "margin": AXES_MARGIN, "uirevision": view}},
        "loss": {"layout": {**loss_layout(curve_best(objective), True, tr, iterate(objective)), "margin": AXES_MARGIN,
                            "uirevision": view}, **_curve_names(objective, tr)},
        "hover": {"contour": f"{tr('step')} %{{customdata}}<br>{hover_point(objective.variables, 5)}<extra></extra>",
                  "loss": loss_hover(tr)},
    }
    parts = _plain(parts)
    parts["words"] = sorted(set(MARK.findall(json.dumps(parts, ensure_ascii=False))))
    parts["id"] = digest(parts)
    return parts


def iterate(objective: Objective) -> str:
    """The loss curve's name for the point at step k: x_k, or w_k for a model's weights."""
    return "x_k" if objective.variables == ("x", "y") else "w_k"


def curve_best(objective: Objective) -> float | None:
    """What the loss curve subtracts: f* where known, but nothing for a model fed minibatches (a minibatch's loss
    may lie below the full data set's minimum)."""
    return None if objective.batches is not None else objective.f_star


def _curve_names(objective: Objective, tr: Words) -> dict:
    """The loss curve's two lines of a model fed minibatches, named: the recorded minibatch loss and the full loss."""
    return {} if objective.batches is None else {"names": {"loss": tr("minibatch loss"), "full": tr("full loss")}}


def digest(value) -> str:
    """A short name for JSON-ready data: equal data, equal name."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def lift(surf: Surface, scale: str) -> float:
    """How far a 3D path is drawn above the surface: 1% of the surface's height range."""
    low, high = height_range(surf, scale)
    return 0.01 * (high - low)


def sampled(paths: list[Path], points: int = PATH_POINTS) -> list[np.ndarray]:
    """The steps drawn of each path: evenly spaced (all of them when few), each path at least MIN_PATH_POINTS."""
    each = max(MIN_PATH_POINTS, points // len(paths))
    return [frame_steps(p.end, each) for p in paths]


def path_arrays(paths: list[Path], surf: Surface, scale: str, above: float, points: int = PATH_POINTS,
                hessians: list[np.ndarray] | None = None) -> list[dict]:
    """Each path at its sampled steps: step, x, y, height in the 3D view, and the loss curve's value (f - f* when f*
    is known, else f), computed in float64 and sent as float32; with hessians (one [n, 3] array of hxx, hxy, hyy per
    path, at those steps) also the curvature there; no label (labels() sends those with the texts). A model fed
    minibatches records each step's minibatch loss: its path is drawn at the full data set's loss (the surface's
    height there), sent as `full` beside it."""
    objective = paths[0].traj.objective
    best = curve_best(objective)
    out = []
    for i, (p, steps) in enumerate(zip(paths, sampled(paths, points))):
        xy = p.traj.positions[steps, p.row].astype(np.float64)
        f = p.traj.losses[steps, p.row].astype(np.float64)
        full = f if objective.batches is None else full_losses(xy, objective)
        spec = {"color": p.color, "end": p.end, "steps": typed(steps, "int32"), "x": typed(xy[:, 0]),
                "y": typed(xy[:, 1]), "z": typed(surf.height(full, scale) + above), "loss": typed(f if best is None
                                                                                                  else f - best)}
        if objective.batches is not None:
            spec["full"] = typed(full)
        if hessians is not None:
            spec["hessian"] = typed(hessians[i])
        out.append(spec)
    return out
