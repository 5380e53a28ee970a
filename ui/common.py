"""Page set-up, caching wrappers and widget builders shared by every page."""
from __future__ import annotations

import math
import time
from typing import Any

import plotly.graph_objects as go
import streamlit as st
import torch

from core import expr as formula
from core import figures
from core.descent import RunConfig, Trajectory, run
from core.objectives import BOUND_LIMIT, CUSTOM, DEFAULT_BOUNDS, DEFAULT_OBJECTIVE, OBJECTIVES, get_objective
from core.optimizers import Hyper, OptimizerSpec

PROGRESS_AFTER = 0.5  # seconds before a run shows a progress bar


def setup_page(title: str) -> None:
    """Page config and one-time process set-up (torch threads, first-use imports)."""
    st.set_page_config(page_title=f"{title} · Descent Lab", page_icon="⛰️", layout="wide")
    _warm_up()


@st.cache_resource(show_spinner=False)
def _warm_up() -> bool:
    """Once per server process: one torch thread (tiny tensors, many sessions) and torch.optim's lazy imports."""
    torch.set_num_threads(1)
    run(RunConfig(steps=2))
    return True


@st.cache_data(max_entries=64, show_spinner=False)
def cached_run(config: RunConfig) -> Trajectory:
    """The run for config, computed once; a run longer than half a second shows a progress bar."""
    started, bar = time.perf_counter(), None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if time.perf_counter() - started < PROGRESS_AFTER:
            return
        bar = bar or st.progress(0.0)
        bar.progress(done / total, text=f"running step {done:,} of {total:,}")

    traj = run(config, progress)
    if bar is not None:
        bar.empty()
    return traj


@st.cache_data(max_entries=32, show_spinner=False)
def cached_surface(objective_key: str, expr: str = "", bounds: tuple[float, ...] = ()) -> figures.Surface:
    return figures.surface(get_objective(objective_key, expr, bounds))


@st.cache_data(max_entries=32, show_spinner=False)
def cached_figures(runs: tuple[tuple[RunConfig, int, str], ...], scale: str,
                   arrows: bool = False) -> tuple[go.Figure, go.Figure, go.Figure]:
    """The 3D animated surface, the clickable contour and the loss curves for runs given as (config, row, label)."""
    c0 = runs[0][0]
    surf = cached_surface(c0.objective, c0.expr, c0.bounds)
    paths = [figures.Path(cached_run(c), row, label, figures.COLORS[i % len(figures.COLORS)])
             for i, (c, row, label) in enumerate(runs)]
    return (figures.surface_figure(paths, surf, scale),
            figures.contour_figure(paths, surf, scale, arrows=arrows, clickable=True),
            figures.loss_figure(paths))


DEFAULT_FORMULA = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"


def objective_controls() -> tuple[str, str, tuple[float, ...]]:
    """Objective picker (URL 'fn'); for 'custom', the typed formula ('expr') and its view ('xmin' ... 'ymax')."""
    q = {"bind": "query-params"}
    keys = [*OBJECTIVES, CUSTOM]
    fn = st.selectbox("objective", keys, index=keys.index(DEFAULT_OBJECTIVE), key="fn", help="the function to "
                      "minimise; custom: type your own f(x, y)", **q)
    if fn != CUSTOM:
        return fn, "", ()
    text = st.text_input("f(x, y) =", DEFAULT_FORMULA, max_chars=formula.MAX_LENGTH, key="expr", **q,
                         help=f"numbers, x, y, + - * / **, parentheses, pi, e and {', '.join(formula.FUNCTIONS)}")
    cols = st.columns(4)
    bounds = tuple(col.number_input(k, -BOUND_LIMIT, BOUND_LIMIT, float(v), format="%g", key=k, **q)
                   for col, k, v in zip(cols, ("xmin", "xmax", "ymin", "ymax"), DEFAULT_BOUNDS))
    return fn, text, bounds


def take_clicked_start(chart_key: str, x_key: str, y_key: str) -> None:
    """on_select callback of a contour: the clicked point becomes the start (before the widgets are drawn)."""
    event = st.session_state.get(chart_key)
    points = event.selection.points if event is not None else []
    if points:
        st.session_state[x_key] = round(float(points[0]["x"]), 4)
        st.session_state[y_key] = round(float(points[0]["y"]), 4)


def log_options(low: float, high: float, default: float) -> list[float]:
    """1-2-5 values per decade between low and high, with default among them."""
    values = {default}
    for exp in range(math.floor(math.log10(max(low, 1e-300))), math.ceil(math.log10(high)) + 1):
        for m in (1, 2, 5):
            v = float(f"{m}e{exp}")
            if low <= v <= high:
                values.add(v)
    return sorted(values)


def hyper_widget(spec: OptimizerSpec, h: Hyper, default: Any) -> Any:
    """A widget for one hyperparameter, bound to the URL under '<optimizer>_<name>' (lr is just 'lr')."""
    key = "lr" if h.name == "lr" else f"{spec.key}_{h.name}"
    label, kw = h.name, {"help": h.help, "key": key, "bind": "query-params"}
    if h.kind == "bool":
        return st.checkbox(label, value=default, **kw)
    if h.kind == "choice":
        options = [str(c).lower() for c in h.choices]
        picked = st.selectbox(label, options, index=options.index(str(default).lower()), **kw)
        return h.choices[options.index(picked)]
    if h.kind == "pair":
        return tuple(_number(Hyper(f"{h.name}[{i}]", low=h.bounds(i)[0], high=h.bounds(i)[1], help=h.help),
                             default[i], f"{key}{i}") for i in range(2))
    if h.log:
        return st.select_slider(label, log_options(*h.bounds(), default), value=default,
                                format_func=lambda v: f"{v:g}", **kw)
    return _number(h, default, key, integer=h.kind == "int")


def _number(h: Hyper, default: float, key: str, integer: bool = False) -> float | int:
    low, high = h.bounds()
    kw = {"help": h.help, "key": key, "bind": "query-params"}
    if integer:
        return st.slider(h.name, int(low), int(high), int(default), **kw)
    step = 10.0 ** math.floor(math.log10((high - low) / 100))
    if high - low <= 10 and abs(default / step - round(default / step)) < 1e-9:
        return st.slider(h.name, low, high, float(default), step=step, format="%g", **kw)
    return st.number_input(h.name, low, high, float(default), format="%g", **kw)
