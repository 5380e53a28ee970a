"""Runs for pages: one at a time per process, cached across sessions, with a progress bar for slow ones."""
from __future__ import annotations

import os
import threading
import time
from typing import Any, Callable

import streamlit as st
import torch
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.explore.basins import BasinMap, basin_map
from core.explore.sweep import sweep
from core.grid import Surface, surface
from core.objectives import get_objective
from core.run import Endpoints, RunConfig, Trajectory, make_config, run
from core.run.broker import Broker
from core.run.inspector import Step, inspect_step
from ui.i18n import t, words
from viz.instrument import digest, lift, path_arrays, scene
from viz.style import COLORS, Path, Prepared
from viz.surface import surface_figure

Runs = tuple[tuple[RunConfig, int, str], ...]  # runs drawn together, each as (config, row of that config, label)
PROGRESS_AFTER = 0.5  # seconds before a run shows a progress bar
# One descent at a time per server process. A descent is a Python loop of many tiny torch calls, each of which
# releases and retakes the GIL: several loops at once hand the GIL back and forth on every call and all crawl
# (bench/load.py measured a 0.3 s run taking 31 s among 20 sessions). Queued one after another each takes its
# own 0.3 s. Cached results are served without the lock.
COMPUTE = threading.Lock()


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Once per server process: one torch thread (tiny tensors, many sessions) and torch.optim's lazy imports.

    DESCENT_TORCH_THREADS overrides the thread count (bench/load.py measures 1 against torch's default).
    """
    threads = os.environ.get("DESCENT_TORCH_THREADS", "1")
    if threads.isdigit() and int(threads) > 0:
        torch.set_num_threads(int(threads))
    run(RunConfig(steps=2))
    return True


class ProgressBar:
    """A progress bar that appears only once work has taken longer than PROGRESS_AFTER seconds.

    Created inside cached functions: Streamlit replays what they drew, and the bar removes itself at the end.
    """

    def __init__(self) -> None:
        self.started, self.bar = time.perf_counter(), None

    def __call__(self, done: int, total: int) -> None:
        drawable = get_script_run_ctx(suppress_warning=True) is not None  # not on the scene warm-up's thread
        if drawable and time.perf_counter() - self.started >= PROGRESS_AFTER:
            self.bar = self.bar or st.progress(0.0)
            self.bar.progress(done / total, text=t("step {done} of {total}", done=f"{done:,}", total=f"{total:,}"))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.empty()


def _computed(work: Callable[..., Any], *args: Any) -> Any:
    """work(*args, progress) under the compute lock, with a progress bar that goes once the work is done."""
    with COMPUTE:
        bar = ProgressBar()
        out = work(*args, bar)
    bar.close()
    return out


@st.cache_resource(show_spinner=False)
def broker() -> Broker | None:
    """The process's run broker: runs asked for together by several sessions are made as one torch.optim run.
    DESCENT_BATCHING=0 turns it off (bench/load.py measures both)."""
    return None if os.environ.get("DESCENT_BATCHING", "1") == "0" else Broker(lock=COMPUTE)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_run(config: RunConfig) -> Trajectory:
    """The run for config, computed once; a run longer than half a second shows a progress bar."""
    shared = broker()
    if shared is None:
        return _computed(run, config)
    bar = ProgressBar()
    out = shared.submit(config, bar)
    bar.close()
    return out


@st.cache_data(max_entries=16, show_spinner=False)
def cached_basins(config: RunConfig, n: int) -> BasinMap:
    return _computed(basin_map, config, n)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_sweep(config: RunConfig, low: float, high: float, count: int) -> Endpoints:
    return _computed(sweep, config, low, high, count)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_step(config: RunConfig, k: int, row: int) -> Step:
    with COMPUTE:
        return inspect_step(config, k, row)


@st.cache_data(max_entries=32, show_spinner=False)
def cached_surface(objective_key: str, expr: str = "", bounds: tuple[float, ...] = ()) -> Surface:
    return surface(get_objective(objective_key, expr, bounds))


@st.cache_data(max_entries=32, show_spinner=False)
def cached_scene(objective_key: str, expr: str, bounds: tuple[float, ...], scale: str, arrows: bool,
                 language: str) -> dict:
    """The instrument's scene (surface, contour, axes) with the texts inside it in `language`."""
    surf = cached_surface(objective_key, expr, bounds)
    return scene(get_objective(objective_key, expr, bounds), surf, scale, arrows, words(language))


@st.cache_data(max_entries=64, show_spinner=False)
def cached_paths(runs: Runs, scale: str) -> dict:
    """The runs given as (config, row, label) as the instrument's packed paths, with an id that names them."""
    c0 = runs[0][0]
    surf = cached_surface(c0.objective, c0.expr, c0.bounds)
    packed = path_arrays(run_paths(runs), surf, scale, lift(surf, scale))
    return {"id": digest(packed), "paths": packed}


def view(runs: Runs, scale: str, arrows: bool, language: str) -> tuple[dict, dict]:
    """What the instrument draws for these runs: (scene, paths)."""
    c0 = runs[0][0]
    return cached_scene(c0.objective, c0.expr, c0.bounds, scale, arrows, language), cached_paths(runs, scale)


def run_paths(runs: Runs) -> list[Path]:
    """The runs given as (config, row, label) as drawn paths, each in its colour."""
    return [Path(cached_run(c), row, label, COLORS[i % len(COLORS)]) for i, (c, row, label) in enumerate(runs)]


def figure_html(paths: list[Path], scale: str, language: str) -> Callable[[], str]:
    """What makes the 3D view of paths the page holds as a standalone HTML file that plays by itself (Plotly
    frames): the download button calls it when pressed, outside the script run, so the surface is taken now."""
    c0, tr = paths[0].traj.config, words(language)
    surf = cached_surface(c0.objective, c0.expr, c0.bounds)
    return lambda: Prepared(surface_figure(paths, surf, scale, tr=tr)).to_html(include_plotlyjs=True,
                                                                               auto_play=False)


def race_runs(settings: list[tuple[str, dict[str, Any], tuple[float, float]]], **common: Any) -> Runs:
    """Compare's runs from each run's (optimizer, hyperparameters, start): runs that differ only in their start
    share one batched config, a row each."""
    groups: dict[tuple, list[int]] = {}
    for i, (opt, hypers, _) in enumerate(settings):
        groups.setdefault((opt, tuple(sorted(hypers.items()))), []).append(i)
    runs: list = [None] * len(settings)
    for (opt, hypers), members in groups.items():
        config = make_config(dict(hypers), optimizer=opt, starts=[settings[i][2] for i in members], **common)
        for row, i in enumerate(members):
            runs[i] = (config, row, f"{i + 1}: {opt} lr={dict(hypers)['lr']:g}")
    return tuple(runs)
