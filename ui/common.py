"""Page set-up, caching wrappers and widget builders shared by every page."""
from __future__ import annotations

import math
import time
from typing import Any

import plotly.graph_objects as go
import streamlit as st
import torch

from core import figures
from core.descent import RunConfig, Trajectory, run
from core.objectives import get_objective
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
def cached_surface(objective_key: str) -> figures.Surface:
    return figures.surface(get_objective(objective_key))


@st.cache_data(max_entries=32, show_spinner=False)
def cached_figures(config: RunConfig, scale: str) -> tuple[go.Figure, go.Figure, go.Figure]:
    """The 3D animated surface, the contour and the loss curve for a run."""
    traj, surf = cached_run(config), cached_surface(config.objective)
    return (figures.surface_figure(traj, surf, scale), figures.contour_figure(traj, surf, scale),
            figures.loss_figure(traj))


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
