"""Runs for pages: each page view has one compute budget, the process one scheduler; results cached across
sessions, with a progress bar for slow ones."""
from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from typing import Any, Callable

import streamlit as st
import torch
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import limits
from core.curvature import hessians
from core.explore.basins import BasinMap, basin_map
from core.explore.race import Racers
from core.explore.sweep import sweep
from core.grid import Surface, surface
from core.model.data import DataSpec
from core.objectives import get_objective
from core.run import Endpoints, Reason, RunConfig, Trajectory, run
from core.run.broker import Broker
from core.run.budget import Budget, Cancelled
from core.run.inspector import Step, inspect_step
from core.run.schedule import Scheduler
from ui.i18n import t
from viz.instrument import digest, lift, path_arrays, sampled, scene
from viz.style import COLORS, Path

PROGRESS_AFTER = 0.5  # seconds before a run shows a progress bar
# One computation at a time per server process, in turns (core/run/schedule.py): a descent is a Python loop of many
# tiny torch calls that holds the GIL between them, so several at once all crawl (bench/load.py measured a 0.3 s
# run taking 31 s among 20 sessions); the scheduler lets light work go before heavy work between two steps.
SCHEDULER = Scheduler()
if os.environ.get("DESCENT_LOG_JOBS") == "1":  # tests/test_schedule_browser.py counts the computations made
    SCHEDULER.log = lambda event, label: print(f"descent-lab: {label} {event}", flush=True)
_VIEW = threading.local()  # the page view the script thread is running: its budget and what got cut short


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


def begin_view() -> None:
    """A new page view (script run): one budget of limits.RUN_SECONDS for every computation it asks for."""
    _VIEW.budget, _VIEW.cut, _VIEW.kept = Budget(), 0, {}  # kept: results cut short, which the cache does not keep


def cut_notice() -> None:
    """The page's last word on its budget: how many of its results were cut short by it."""
    if getattr(_VIEW, "cut", 0):
        st.warning(t("{n} of this page's results were cut short by its compute budget of {seconds} s: they end with "
                     "the reason \"time limit\".", n=_VIEW.cut, seconds=f"{limits.RUN_SECONDS:g}"))


def steps_cut(asked: int, steps: int) -> None:
    """The notice that `asked` steps of these settings cannot finish within a page's compute budget (ui/plans.py
    cut them to `steps`)."""
    if asked > steps:
        st.warning(t("{steps} steps of these settings cannot finish within a page's compute budget: running {most}.",
                     steps=f"{asked:,}", most=f"{steps:,}"))


def _budget() -> Budget:
    """This page view's budget; outside a page view (the scene warm-up) each computation has its own."""
    return getattr(_VIEW, "budget", None) or Budget()


def _cancelled() -> Callable[[], bool]:
    """Whether this script run has been stopped (a newer rerun, a closed browser): nobody waits for its work."""
    ctx = get_script_run_ctx(suppress_warning=True)
    requests = getattr(ctx, "script_requests", None)
    if requests is None:
        return lambda: False
    return lambda: getattr(getattr(requests, "_state", None), "name", "CONTINUE") != "CONTINUE"


def _leave() -> None:
    """This script run was stopped while its work waited: let Streamlit end it at its next element (no output)."""
    st.empty()


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


def scheduled(label: str, work_fn: Callable[..., Any], *args: Any) -> Any:
    """work_fn(*args, progress, gate) as one job of the scheduler on this page view's budget, with a progress bar
    that goes once the work is done. Called inside a cached function, which a page calls through `settled`."""
    bar = ProgressBar()
    with SCHEDULER.job(_budget(), _cancelled(), label) as job:
        out = work_fn(*args, bar, job)
    bar.close()
    return out


def settled(cached: Callable[..., Any], *args: Any) -> Any:
    """cached(*args), noting a result cut short by a budget (and not keeping it in the cache); a computation dropped
    because this run was stopped ends the run quietly."""
    cut = getattr(_VIEW, "kept", {})
    if (cached, args) in cut:  # asked for again in this view: the same result, not a second, shorter cut
        return cut[cached, args]
    try:
        out = cached(*args)
    except Cancelled:
        _leave()
        raise
    ends = out.ends if isinstance(out, BasinMap) else out
    if Reason.TIME_LIMIT in getattr(ends, "reason", ()):
        cached.clear(*args)  # cut short by this view's budget, which other work shared: a later view tries again
        if hasattr(_VIEW, "cut"):
            _VIEW.cut += 1
            _VIEW.kept[cached, args] = out
    return out


@st.cache_resource(show_spinner=False)
def broker() -> Broker | None:
    """The process's run broker: runs asked for together by several sessions are made as one torch.optim run.
    DESCENT_BATCHING=0 turns it off (bench/load.py measures both)."""
    return None if os.environ.get("DESCENT_BATCHING", "1") == "0" else Broker(scheduler=SCHEDULER)


@st.cache_data(max_entries=64, show_spinner=False)
def _run(config: RunConfig) -> Trajectory:
    shared = broker()
    if shared is None:
        return scheduled("run", run, config)
    bar = ProgressBar()
    out = shared.submit(config, bar, _budget(), _cancelled())
    bar.close()
    return out


def cached_run(config: RunConfig) -> Trajectory:
    """The run for config, computed once; a run longer than half a second shows a progress bar."""
    return settled(_run, config)


@st.cache_data(max_entries=16, show_spinner=False)
def _basins(config: RunConfig, n: int) -> BasinMap:
    return scheduled("basin map", basin_map, config, n)


def cached_basins(config: RunConfig, n: int) -> BasinMap:
    return settled(_basins, config, n)


@st.cache_data(max_entries=16, show_spinner=False)
def _sweep(config: RunConfig, low: float, high: float, count: int) -> Endpoints:
    return scheduled("sweep", sweep, config, low, high, count)


def cached_sweep(config: RunConfig, low: float, high: float, count: int) -> Endpoints:
    return settled(_sweep, config, low, high, count)


def _replay(config: RunConfig, k: int, row: int, progress: Any, gate: Any) -> Step:
    return inspect_step(config, k, row, gate)


@st.cache_data(max_entries=64, show_spinner=False)
def _step(config: RunConfig, k: int, row: int) -> Step:
    return scheduled("step", _replay, config, k, row)


def cached_step(config: RunConfig, k: int, row: int) -> Step:
    return settled(_step, config, k, row)


def cached_surface(objective_key: str, expr: str = "", bounds: tuple[float, ...] = (),
                   data: DataSpec | None = None) -> Surface:
    """f on the objective's grid; a model's loss over its data set (whatever its minibatches: one surface)."""
    return _surface(objective_key, expr, bounds, None if data is None else replace(data, batch=0, batch_seed=0))


@st.cache_data(max_entries=32, show_spinner=False)
def _surface(objective_key: str, expr: str, bounds: tuple[float, ...], data: DataSpec | None) -> Surface:
    return surface(get_objective(objective_key, expr, bounds, data))


@st.cache_data(max_entries=32, show_spinner=False)
def cached_scene(objective_key: str, expr: str, bounds: tuple[float, ...], scale: str, arrows: bool,
                 data: DataSpec | None = None) -> dict:
    """The instrument's scene (surface, contour, axes), its texts marked for the browser to fill in: the same in
    every language."""
    surf = cached_surface(objective_key, expr, bounds, data)
    return scene(get_objective(objective_key, expr, bounds, data), surf, scale, arrows)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_paths(runs: Racers, scale: str, curvature: bool = False) -> dict:
    """The runs given as (config, row) as the instrument's packed paths, with an id that names them: numbers only,
    the same in every language; with curvature, the Hessian at each drawn point too."""
    c0 = runs[0][0]
    surf = cached_surface(c0.objective, c0.expr, c0.bounds, c0.data)
    paths = run_paths(runs)
    packed = path_arrays(paths, surf, scale, lift(surf, scale),
                         hessians=drawn_hessians(paths) if curvature else None)
    return {"id": digest(packed), "paths": packed}


def drawn_hessians(paths: list[Path]) -> list:
    """The Hessian (hxx, hxy, hyy) of each path's objective at the path's drawn points, by one batched double
    backward per path in float64 (core/curvature.hessians): only the sampled steps, whatever the run's length."""
    return [hessians(p.traj.objective.fn, p.traj.positions[steps, p.row]) for p, steps in zip(paths, sampled(paths))]


def view(runs: Racers, scale: str, arrows: bool, curvature: bool = False) -> tuple[dict, dict]:
    """What the instrument draws for these runs: (scene, paths), the paths with their curvature when asked."""
    c0 = runs[0][0]
    return (cached_scene(c0.objective, c0.expr, c0.bounds, scale, arrows, c0.data),
            cached_paths(runs, scale, curvature))


def run_paths(runs: Racers, labels: list[str] | None = None) -> list[Path]:
    """The runs given as (config, row) as drawn paths, each in its colour and under its label (when given)."""
    names = labels or [""] * len(runs)
    return [Path(cached_run(c), row, name, COLORS[i % len(COLORS)]) for i, ((c, row), name) in
            enumerate(zip(runs, names))]

