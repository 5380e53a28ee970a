"""Controls built from the link's schema (ui/params.py): each bound to its URL parameter by Streamlit."""
from __future__ import annotations

import math
from typing import Any, Callable

import streamlit as st

from core import limits
from core.objectives import CUSTOM
from core.optimizers import DEFAULT_OPTIMIZER
from ui import params
from ui.codec import show
from ui.i18n import t
from ui.params import Param


def control(p: Param, label: str, where: Any = None, **extra: Any) -> Any:
    """The Streamlit control for parameter p, bound to the link under p.key; extra goes to the control as is."""
    where = where or st
    kw = {"key": p.key, "bind": "query-params", **extra}
    options = list(p.options)
    if p.widget == "selectbox":
        return where.selectbox(label, options, index=options.index(p.default), **kw)
    if p.widget == "radio":
        return where.radio(label, options, index=options.index(p.default), **kw)
    if p.widget == "toggle":
        return where.toggle(label, value=p.default, **kw)
    if p.widget == "checkbox":
        return where.checkbox(label, value=p.default, **kw)
    if p.widget == "text":
        return where.text_input(label, p.default, max_chars=int(p.high), **kw)
    if p.widget == "select_slider":
        return where.select_slider(label, options, value=p.default, **{"format_func": show, **kw})
    if isinstance(p.default, float):
        kw = {"format": "%g", **kw}
    if p.step is not None:
        kw = {"step": p.step, **kw}
    call = where.slider if p.widget == "slider" else where.number_input
    return call(label, p.low, p.high, p.default, **kw)


def values(schema: dict[str, Param]) -> dict[str, Any]:
    """The page's parameters as its controls hold them in this run (the default for any not drawn, but no
    hyperparameter that was not drawn): what the page's function in ui/plans.py takes."""
    return {key: st.session_state[key] if key in st.session_state else p.default for key, p in schema.items()
            if key in st.session_state or not params.is_hyper(key, lr=True)}


def objective_controls(schema: dict[str, Param]) -> tuple[str, str, tuple[float, ...]]:
    """Objective picker ('fn'); for 'custom', the typed formula ('expr') and its view ('xmin' ... 'ymax')."""
    fn = control(schema["fn"], t("objective"), help=t("the function to minimise; custom: type your own f(x, y)"))
    if fn != CUSTOM:
        return fn, "", ()
    from core import expr

    text = control(schema["expr"], "f(x, y) =", help=t("numbers, x, y, + - * / **, parentheses, pi, e and {functions}",
                                                       functions=", ".join(expr.FUNCTIONS)))
    cols = st.columns(4)
    bounds = tuple(control(schema[k], k, col) for col, k in zip(cols, ("xmin", "xmax", "ymin", "ymax")))
    return fn, text, bounds


def view_controls(schema: dict[str, Param]) -> tuple[str, bool]:
    """How the surface is drawn ('scale': f or log(1 + f)) and whether the contour has -grad f arrows."""
    scale = control(schema["scale"], t("height"), horizontal=True,
                    help=t("f: f(x, y); log: log(1 + f), shifted up where f goes below 0, which shows the valleys"))
    return scale, control(schema["arrows"], t("−∇f arrows on the contour"))


def curvature_control(schema: dict[str, Param]) -> bool:
    """Whether the instrument draws the curvature at its cursor ('curv')."""
    return control(schema["curv"], t("curvature at the cursor"),
                   help=t("The Hessian by autograd at each drawn step: its eigenvectors on the contour, its "
                          "eigenvalues, the condition number, and the learning rate above which gradient descent "
                          "overshoots further each step along the most curved direction (on the quadratic that "
                          "matches the surface there)"))


def data_controls(schema: dict[str, Param], cols: list | None = None) -> None:
    """The perceptron's data set (core/model/data.py): its seed ('data_seed'), points ('size') and spread."""
    cols = cols or [None] * 3
    control(schema["data_seed"], t("data seed"), cols[0], help=t("seed of the torch.Generator that draws x"))
    control(schema["size"], t("points N"), cols[1])
    control(schema["spread"], t("spread"), cols[2], help=t("each cluster's standard deviation"))


def tolerance_control(schema: dict[str, Param]) -> float | None:
    """When a run stops early: |grad| and its last move both at most this ('tol', 'off' for never)."""
    tol = control(schema["tol"], t("stop when converged: |grad| and last move ≤"))
    return None if tol == "off" else float(tol)


def optimizer_controls(schema: dict[str, Param], prefix: str = "", default: str = DEFAULT_OPTIMIZER,
                       lr: float | None = None, skip: tuple[str, ...] = ()) -> tuple[str, dict[str, Any]]:
    """Optimizer picker ('<prefix>opt') and its hyperparameters, built from the registry.

    lr, when given, is the page's own learning rate for its default optimizer; hyperparameters named in skip get
    no control (the page sets them itself) and keep their defaults.
    """
    opt = optimizer_picker(schema, prefix)
    return opt, hyper_controls(opt, prefix, default, lr, skip=skip)


def optimizer_picker(schema: dict[str, Param], prefix: str = "") -> str:
    """The optimizer ('<prefix>opt')."""
    return control(schema[prefix + "opt"], t("optimizer"), help=t("a torch.optim class, by its lower-case name"))


def hyper_controls(opt: str, prefix: str = "", default: str = DEFAULT_OPTIMIZER, lr: float | None = None, *,
                   skip: tuple[str, ...] = (), only: tuple[str, ...] | None = None,
                   values: dict[str, Any] | None = None) -> dict[str, Any]:
    """Optimizer opt's hyperparameters: a control for each (or for those in only), none for those in skip (their
    defaults) or in values (drawn elsewhere on the page: their values)."""
    values = values or {}

    def read(h: Any, i: int, p: Param) -> Any:
        if h.name in values:
            return values[h.name]
        if h.name in skip or (only is not None and h.name not in only):
            return p.default
        return control(p, f"{h.name}[{i}]" if h.kind == "pair" else h.name, help=t(h.help))

    return params.hyper_settings(opt, read, prefix, default, lr)


def start_controls(schema: dict[str, Param], prefix: str = "") -> tuple[float, float]:
    """A start point ('<prefix>x0', '<prefix>y0')."""
    c1, c2 = st.columns(2)
    return control(schema[prefix + "x0"], "x0", c1), control(schema[prefix + "y0"], "y0", c2)


def clicked_start(x_key: str, y_key: str) -> Callable[[float, float], None]:
    """A contour click's callback: the clicked point (finite, within the start limits, 4 decimals) becomes the
    start, before the widgets are drawn."""
    def take(x: float, y: float) -> None:
        if math.isfinite(x) and math.isfinite(y):
            st.session_state[x_key] = round(min(max(x, -limits.START_LIMIT), limits.START_LIMIT), 4)
            st.session_state[y_key] = round(min(max(y, -limits.START_LIMIT), limits.START_LIMIT), 4)
    return take
