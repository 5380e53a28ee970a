"""Page set-up, caching wrappers and widget builders shared by every page."""
from __future__ import annotations

import html
import math
import os
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from core import basins, codegen, exports, figures, inspector, limits
from core import expr as formula
from core.objectives import BOUND_LIMIT, CUSTOM, DEFAULT_BOUNDS, DEFAULT_OBJECTIVE, OBJECTIVES, get_objective
from core.optimizers import DEFAULT_OPTIMIZER, OPTIMIZERS, Hyper, OptimizerSpec, get_optimizer
from core.run import Endpoints, RunConfig, Trajectory, run
from ui import urlstate
from ui.i18n import LANGS, lang, say, t, words

PROGRESS_AFTER = 0.5  # seconds before a run shows a progress bar
# One descent at a time per server process. A descent is a Python loop of many tiny torch calls, each of which
# releases and retakes the GIL: several loops at once hand the GIL back and forth on every call and all crawl
# (bench/load.py measured a 0.3 s run taking 31 s among 20 sessions). Queued one after another each takes its
# own 0.3 s. Cached results are served without the lock.
COMPUTE = threading.Lock()


PRESENT_CSS = """<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
h1 { font-size: 3rem !important; }
</style>"""


PAGES = (  # path, name in the navigation, icon, what it is (the home page lists these)
    ("app.py", "Home", "🏠", ""),
    ("pages/1_Descent.py", "Descent", "⛰️", "an optimizer on a 3D surface, step by step"),
    ("pages/5_Compare.py", "Compare", "🏁", "up to six optimizers racing on one surface"),
    ("pages/6_Basins.py", "Basins", "🗺️", "where every start of a grid ends up"),
    ("pages/7_Sweep.py", "Sweep", "📈", "one start, many learning rates"),
    ("pages/2_Perceptron.py", "Perceptron", "🧮", "w.grad from autograd beside the hand derivation"),
    ("pages/3_Chain_Rule.py", "Chain rule", "🔗", "local derivatives, their product, and autograd's graph"),
    ("pages/4_Tensors.py", "Tensors", "📋", ".tolist() and .item()"),
    ("pages/8_Scenes.py", "Scenes", "🎬", "prepared links for a live demo"),
)


def setup_page(title: str) -> None:
    """Page config, one-time process set-up (torch threads, first-use imports), the link's raw parameters,
    the language switch, the navigation in that language, the share control and presentation mode."""
    # the toggle below is not drawn yet: read the link itself to start with the sidebar tucked away
    linked_present = st.query_params.get("present", "").lower() == "true"
    st.set_page_config(page_title=f"{t(title)} · Descent Lab", page_icon="⛰️", layout="wide",
                       initial_sidebar_state="collapsed" if linked_present else "auto")
    urlstate.start()
    _warm_up()
    with st.sidebar:
        st.selectbox("Language · 语言", list(LANGS), key="lang", bind="query-params",
                     help="English · 简体中文 (lang=zh)")
        for path, label, icon, _ in PAGES:
            page_link(path, label=t(label), icon=icon)
        st.divider()
        urlstate.share_link(t("Copy link"), t("Copied"))
        if st.toggle(t("presentation mode"), key="present", bind="query-params",
                     help=t("large text, controls tucked away, the animation plays by itself")):
            st.html(PRESENT_CSS)


def page_link(path: str, label: str, icon: str) -> None:
    """A link to another page that keeps the language and presentation mode.

    A plain link, not st.page_link: Streamlit's in-app page switch drops the query string, and the language
    must survive it. The new page loads fresh, from its URL, like any shared link.
    """
    query = urlencode(carried())  # only lang (one of LANGS) and present=true: nothing from the user verbatim
    url = "./" + (Path(path).stem.split("_", 1)[1] if path != "app.py" else "")
    href = html.escape(url + ("?" + query if query else ""))
    st.markdown(f'{icon} <a href="{href}" target="_self">{html.escape(label)}</a>', unsafe_allow_html=True)


def carried() -> dict[str, str]:
    """What a link to another page keeps: the language and presentation mode."""
    out = {"lang": lang()} if lang() != "en" else {}
    return {**out, "present": "true"} if presenting() else out


def presenting() -> bool:
    return bool(st.session_state.get("present"))


def surface_chart(fig: go.Figure, key: str) -> None:
    """The animated 3D chart; in presentation mode as a standalone page that starts playing by itself."""
    if presenting():
        st.iframe(fig.to_html(include_plotlyjs=True, auto_play=True, full_html=True), height=600)
    else:
        st.plotly_chart(fig, width="stretch", key=key)


def finish_page() -> None:
    """Last call of every page: report link parameters that were not accepted."""
    urlstate.finish()


@st.cache_resource(show_spinner=False)
def _warm_up() -> bool:
    """Once per server process: one torch thread (tiny tensors, many sessions) and torch.optim's lazy imports.

    DESCENT_TORCH_THREADS overrides the thread count (bench/load.py measures 1 against torch's default).
    """
    threads = os.environ.get("DESCENT_TORCH_THREADS", "1")
    if threads.isdigit() and int(threads) > 0:
        torch.set_num_threads(int(threads))
    run(RunConfig(steps=2))
    return True


class _ProgressBar:
    """A progress bar that appears only once work has taken longer than PROGRESS_AFTER seconds.

    Created inside cached functions: Streamlit replays what they drew, and the bar removes itself at the end.
    """

    def __init__(self) -> None:
        self.started, self.bar = time.perf_counter(), None

    def __call__(self, done: int, total: int) -> None:
        if time.perf_counter() - self.started >= PROGRESS_AFTER:
            self.bar = self.bar or st.progress(0.0)
            self.bar.progress(done / total, text=t("step {done} of {total}", done=f"{done:,}", total=f"{total:,}"))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.empty()


@st.cache_data(max_entries=64, show_spinner=False)
def cached_run(config: RunConfig) -> Trajectory:
    """The run for config, computed once; a run longer than half a second shows a progress bar."""
    with COMPUTE:
        bar = _ProgressBar()
        traj = run(config, bar)
    bar.close()
    return traj


@st.cache_data(max_entries=16, show_spinner=False)
def cached_basins(config: RunConfig, n: int) -> basins.BasinMap:
    with COMPUTE:
        bar = _ProgressBar()
        out = basins.basin_map(config, n, bar)
    bar.close()
    return out


@st.cache_data(max_entries=16, show_spinner=False)
def cached_sweep(config: RunConfig, low: float, high: float, count: int) -> Endpoints:
    with COMPUTE:
        bar = _ProgressBar()
        out = basins.sweep(config, low, high, count, bar)
    bar.close()
    return out


@st.cache_data(max_entries=32, show_spinner=False)
def cached_surface(objective_key: str, expr: str = "", bounds: tuple[float, ...] = ()) -> figures.Surface:
    return figures.surface(get_objective(objective_key, expr, bounds))


@st.cache_data(max_entries=32, show_spinner=False)
def cached_figures(runs: tuple[tuple[RunConfig, int, str], ...], scale: str, arrows: bool = False,
                   language: str = "en") -> tuple[go.Figure, go.Figure, go.Figure]:
    """The 3D animated surface, the clickable contour and the loss curves for runs given as (config, row, label),
    with the texts inside the figures in `language`."""
    c0, tr = runs[0][0], words(language)
    surf = cached_surface(c0.objective, c0.expr, c0.bounds)
    paths = [figures.Path(cached_run(c), row, label, figures.COLORS[i % len(figures.COLORS)])
             for i, (c, row, label) in enumerate(runs)]
    return (figures.surface_figure(paths, surf, scale, tr=tr),
            figures.contour_figure(paths, surf, scale, arrows=arrows, clickable=True, tr=tr),
            figures.loss_figure(paths, tr=tr))


DEFAULT_FORMULA = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"


def objective_controls() -> tuple[str, str, tuple[float, ...]]:
    """Objective picker (URL 'fn'); for 'custom', the typed formula ('expr') and its view ('xmin' ... 'ymax')."""
    q = {"bind": "query-params"}
    keys = [*OBJECTIVES, CUSTOM]
    fn = st.selectbox(t("objective"), keys, index=keys.index(DEFAULT_OBJECTIVE), key="fn",
                      help=t("the function to minimise; custom: type your own f(x, y)"), **q)
    if fn != CUSTOM:
        return fn, "", ()
    text = st.text_input("f(x, y) =", DEFAULT_FORMULA, max_chars=formula.MAX_LENGTH, key="expr", **q,
                         help=t("numbers, x, y, + - * / **, parentheses, pi, e and {functions}",
                                functions=", ".join(formula.FUNCTIONS)))
    cols = st.columns(4)
    bounds = tuple(col.number_input(k, -BOUND_LIMIT, BOUND_LIMIT, float(v), format="%g", key=k, **q)
                   for col, k, v in zip(cols, ("xmin", "xmax", "ymin", "ymax"), DEFAULT_BOUNDS))
    return fn, text, bounds


def view_controls() -> tuple[str, bool]:
    """How the surface is drawn (URL 'scale': f or log(1 + f)) and whether the contour has -grad f arrows."""
    q = {"bind": "query-params"}
    scale = st.radio(t("height"), list(figures.SCALES), horizontal=True, key="scale", **q,
                     help=t("f: f(x, y); log: log(1 + f), which shows the valleys"))
    return scale, st.toggle(t("−∇f arrows on the contour"), key="arrows", **q)


TOLERANCES = ["off", 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2]


def tolerance_control() -> float | None:
    """When a run stops early: |grad| and its last move both at most this (URL 'tol', 'off' for never)."""
    tol = st.select_slider(t("stop when converged: |grad| and last move ≤"), TOLERANCES, value=RunConfig.tol,
                           key="tol", bind="query-params",
                           format_func=lambda v: v if v == "off" else f"{v:g}")
    return None if tol == "off" else float(tol)


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


def optimizer_controls(default: str = DEFAULT_OPTIMIZER, lr: float | None = None,
                       prefix: str = "") -> tuple[str, dict[str, Any]]:
    """Optimizer picker (URL '<prefix>opt') and its hyperparameters, built from the registry.

    lr, when given, replaces the default optimizer's own default learning rate.
    """
    keys = list(OPTIMIZERS)
    opt = st.selectbox(t("optimizer"), keys, index=keys.index(default), key=prefix + "opt", bind="query-params",
                       help=t("a torch.optim class, by its lower-case name"))
    spec = get_optimizer(opt)
    defaults = spec.defaults()
    if lr is not None and opt == default:
        defaults["lr"] = lr
    return opt, {h.name: hyper_widget(spec, h, defaults[h.name], prefix) for h in spec.hypers}


def start_controls(prefix: str = "", default: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
    """A start point (URL '<prefix>x0', '<prefix>y0')."""
    c1, c2 = st.columns(2)
    q = {"format": "%g", "bind": "query-params"}
    return (c1.number_input("x0", -limits.START_LIMIT, limits.START_LIMIT, default[0], key=prefix + "x0", **q),
            c2.number_input("y0", -limits.START_LIMIT, limits.START_LIMIT, default[1], key=prefix + "y0", **q))


def hyper_widget(spec: OptimizerSpec, h: Hyper, default: Any, prefix: str = "") -> Any:
    """A widget for one hyperparameter, bound to the URL under '<optimizer>_<name>' (lr is just 'lr').

    prefix tells apart several runs on one page (Compare: 'r1_lr', 'r1_sgd_momentum').
    """
    key = prefix + ("lr" if h.name == "lr" else f"{spec.key}_{h.name}")
    label, kw = h.name, {"help": t(h.help), "key": key, "bind": "query-params"}
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
    kw = {"help": t(h.help), "key": key, "bind": "query-params"}
    if integer:
        return st.slider(h.name, int(low), int(high), int(default), **kw)
    step = 10.0 ** math.floor(math.log10((high - low) / 100))
    if high - low <= 10 and abs(default / step - round(default / step)) < 1e-9:
        return st.slider(h.name, low, high, float(default), step=step, format="%g", **kw)
    return st.number_input(h.name, low, high, float(default), format="%g", **kw)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_step(config: RunConfig, k: int, row: int) -> inspector.Step:
    with COMPUTE:
        return inspector.inspect_step(config, k, row)


def step_inspector(config: RunConfig, traj: Trajectory, row: int = 0, key: str = "k") -> None:
    """Step k of one start: x_k, f, the gradient, torch's optimizer state, and the update rule with numbers."""
    end = int(traj.end[row])
    if end < 1:
        st.caption(t("The run stopped before its first step: nothing to inspect."))
        return
    k = st.slider(t("step k"), 0, end - 1, 0, key=key, bind="query-params")
    try:
        s = cached_step(config, min(k, end - 1), row)
    except ValueError as err:
        st.error(say(err))
        return
    cols = st.columns(3)
    cols[0].metric("x_k", f"({s.x[0]:.6g}, {s.x[1]:.6g})")
    cols[1].metric("f(x_k)", f"{s.f:.6g}")
    cols[2].metric(t("∇f(x_k) by autograd"), f"({s.grad[0]:.4g}, {s.grad[1]:.4g})")
    state = sorted(set(s.before) | set(s.after))
    if state:
        st.write(t("torch.optim.{name} state, read from `optimizer.state`:",
                   name=get_optimizer(config.optimizer).name))
        st.dataframe({t("entry"): state, t("entering step k"): [_show(s.before.get(n)) for n in state],
                      t("after step k"): [_show(s.after.get(n)) for n in state]}, hide_index=True, width="stretch")
    for line in s.lines:
        st.latex(line)
    run_next = traj.positions[k + 1, row].astype(np.float64)
    cols = st.columns(3)
    cols[0].metric(t("x_{k+1} from torch's step()"), f"({s.x_next[0]:.7g}, {s.x_next[1]:.7g})")
    if s.x_formula is None:
        cols[1].metric(t("by hand"), t("no closed form"),
                       help=t("LBFGS: a line search along a quasi-Newton direction, many evaluations per step"))
    else:
        cols[1].metric(t("by the rule above"), f"({s.x_formula[0]:.7g}, {s.x_formula[1]:.7g})",
                       t("difference {d}", d=f"{s.diff:.1e}"), delta_color="off")
    cols[2].metric(t("the run's x_{k+1}"), f"({run_next[0]:.7g}, {run_next[1]:.7g})",
                   t("difference {d}", d=f"{float(np.abs(run_next - s.x_next).max()):.1e}"), delta_color="off")


def _show(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, np.ndarray):
        return "(" + ", ".join(f"{float(a):.6g}" for a in v) + ")"
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def downloads(traj: Trajectory, surface: go.Figure, name: str = "descent") -> None:
    """The run as CSV and JSON, the 3D figure as a standalone HTML file, and the run as a torch script.

    Each file is made only when its button is pressed (a callable as data).
    """
    cols = st.columns(4)
    cols[0].download_button(t("CSV"), lambda: exports.to_csv(traj), f"{name}.csv", "text/csv", on_click="ignore")
    cols[1].download_button(t("JSON"), lambda: exports.to_json(traj), f"{name}.json", "application/json",
                            on_click="ignore")
    cols[2].download_button(t("Figure (HTML)"), lambda: surface.to_html(include_plotlyjs=True, auto_play=False),
                            f"{name}.html", "text/html", on_click="ignore")
    cols[3].download_button(t("As code (.py)"), lambda: codegen.as_code(traj), f"{name}.py", "text/x-python",
                            on_click="ignore")
