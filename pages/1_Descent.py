"""Descent: pick an objective, an optimizer and a start point; watch torch.optim walk down the surface."""
from __future__ import annotations

import streamlit as st

from core.io import codegen
from core.objectives import OBJECTIVES
from core.optimizers import get_optimizer
from core.run import RunConfig, make_config
from ui.compute import cached_run, figure_html, fit_runs
from ui.controls import (
    clicked_start,
    control,
    objective_controls,
    optimizer_controls,
    start_controls,
    tolerance_control,
    view_controls,
)
from ui.i18n import lang, t
from ui.page import page
from ui.panels import downloads, run_summary, runs_view, step_inspector
from ui.params import Param
from ui.scenes import adam_first_step
from viz.style import Path

SOURCE_STARTS = ((0.0, 0.0), (1.0, 0.0), (-4.0, 0.0), (4.0, 0.0))


def set_start(x: float, y: float) -> None:
    st.session_state.x0, st.session_state.y0 = x, y


TUTORIAL = {"fn": "himmelblau", "opt": "adam", "lr": 1e-3, "steps": 20_000, "x0": 0.0, "y0": 0.0, "tol": "off",
            "every": 2000}  # the source tutorial's run, with no early stop


def tutorial_run() -> None:
    st.session_state.update(TUTORIAL)


def controls(schema: dict[str, Param]) -> tuple[RunConfig, str, int, bool]:
    """The sidebar: every setting of the run, bound to the URL."""
    with st.sidebar:
        label = t("Tutorial's run ({optimizer}, lr {lr}, {steps} steps)", optimizer=get_optimizer(TUTORIAL["opt"]).name,
                  lr=f"{TUTORIAL['lr']:g}", steps=f"{TUTORIAL['steps']:,}")
        st.button(label, on_click=tutorial_run, width="stretch")
        fn, text, bounds = objective_controls(schema)
        opt, hypers = optimizer_controls(schema)
        st.caption(f"{OBJECTIVES[fn].name if fn in OBJECTIVES else t('typed formula')} · "
                   f"torch.optim.{get_optimizer(opt).name}")
        steps = control(schema["steps"], t("steps"))
        st.write(t("start point"))
        x0, y0 = start_controls(schema)
        for col, (x, y) in zip(st.columns(len(SOURCE_STARTS)), SOURCE_STARTS):
            col.button(f"{x:g},{y:g}", on_click=set_start, args=(x, y), key=f"preset_{x:g}_{y:g}",
                       help=t("one of the source tutorial's start points"))
        tol = tolerance_control(schema)
        dtype = control(schema["dtype"], "dtype", horizontal=True)
        scale, arrows = view_controls(schema)
        every = control(schema["every"].but(default=max(1, int(steps) // 10)), t("log every N steps"))
    config = make_config(hypers, objective=fn, optimizer=opt, starts=[(x0, y0)], steps=int(steps),
                         dtype=dtype, tol=tol, expr=text, bounds=bounds)
    return config, scale, int(every), arrows


with page("Descent", "Descent") as schema:
    st.title(t("Descent"))
    config, scale, every, arrows = controls(schema)
    ((config, _, _),) = fit_runs(((config, 0, ""),))
    objective = config.objective_spec
    if objective.latex:
        st.latex(objective.latex)
    else:
        st.code(objective.name, language="python")
    if objective.note:
        st.caption(t(objective.note))
    traj = cached_run(config)  # st.cache_data hands out a fresh copy per call: take it once
    run_summary(traj)
    runs = ((config, 0, t("path")),)
    runs_view(runs, scale, arrows, t("Click the contour to start there."), clicked_start("x0", "y0"))
    downloads(traj, figure_html([Path(traj, 0, t("path"))], scale, lang()))
    with st.expander(t("This run as a torch script"), expanded=False):
        st.code(codegen.as_code(traj), language="python")
    with st.expander(t("Step inspector: what the optimizer did at step k"), expanded=False):
        step_inspector(schema, config, traj)
    st.subheader(t("Log, in the source tutorial's format"))
    st.caption(t("stepk: x after step k's update, f(x) at the point before it"))
    st.code("\n".join(traj.log_lines(every)) or t("(no steps)"), language=None)
    first = adam_first_step(traj)  # the tutorial's comment x' = x - lr * grad is not what Adam did
    if first:
        st.caption(t("Adam's first step moved x by {move}, about lr = {lr} per coordinate, though ∇f was {grad}: "
                     "at the first step m̂ / √v̂ = g / |g|. The tutorial's comment x' = x − lr · ∇f is plain gradient "
                     "descent (torch.optim.SGD), whose first step would have gone to {gd}.", **first))
