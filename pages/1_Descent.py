"""Descent: pick an objective, an optimizer and a start point; watch torch.optim walk down the surface."""
from __future__ import annotations

import streamlit as st

from core.io import codegen
from core.objectives import OBJECTIVES
from core.optimizers import get_optimizer
from ui import plans
from ui.compute import cached_run, steps_cut
from ui.controls import (
    clicked_start,
    control,
    curvature_control,
    hyper_controls,
    objective_controls,
    optimizer_picker,
    tolerance_control,
    values,
    view_controls,
)
from ui.i18n import t
from ui.page import on_phone, page
from ui.panels import downloads, run_summary, runs_view, step_inspector
from ui.params import Param
from ui.scene_facts import adam_first_step


def set_start(x: float, y: float) -> None:
    st.session_state.x0, st.session_state.y0 = x, y


TUTORIAL = plans.TUTORIAL


def tutorial_run() -> None:
    """The source tutorial's run (ui/plans.TUTORIAL), logged every 2,000 steps as the tutorial prints it."""
    st.session_state.update(TUTORIAL, every=TUTORIAL["steps"] // 10)


def main_controls(schema: dict[str, Param]) -> tuple[str, float, float, float]:
    """The most used settings, the optimizer, lr and the start, just above the view (on a phone, folded away
    until asked for: the view comes first): the optimizer, lr, x0 and y0."""
    with st.expander(t("optimizer, learning rate and start point"), expanded=not on_phone()):
        cols = st.columns([3, 4, 2, 2])
        with cols[0]:
            opt = optimizer_picker(schema)
        with cols[1]:
            lr = hyper_controls(opt, only=("lr",))["lr"]
        x0, y0 = control(schema["x0"], "x0", cols[2]), control(schema["y0"], "y0", cols[3])
        for col, (x, y) in zip(st.columns(len(plans.TUTORIAL_STARTS)), plans.TUTORIAL_STARTS):
            col.button(f"{x:g},{y:g}", on_click=set_start, args=(x, y), key=f"preset_{x:g}_{y:g}",
                       help=t("one of the source tutorial's start points"))
    return opt, lr, x0, y0


def controls(schema: dict[str, Param]) -> tuple[plans.Drawn, int]:
    """Every setting of the run, bound to the URL: the main ones above the view, the others in the sidebar."""
    opt, lr, _, _ = main_controls(schema)
    with st.sidebar:
        label = t("Tutorial's run ({optimizer}, lr {lr}, {steps} steps)", optimizer=get_optimizer(TUTORIAL["opt"]).name,
                  lr=f"{TUTORIAL['lr']:g}", steps=f"{TUTORIAL['steps']:,}")
        st.button(label, on_click=tutorial_run, width="stretch")
        fn, _, _ = objective_controls(schema)
        st.caption(f"{OBJECTIVES[fn].name if fn in OBJECTIVES else t('typed formula')} · "
                   f"torch.optim.{get_optimizer(opt).name}")
        hyper_controls(opt, values={"lr": lr})
        steps = control(schema["steps"], t("steps"))
        tolerance_control(schema)
        control(schema["dtype"], "dtype", horizontal=True)
        view_controls(schema)
        curvature_control(schema)
        every = control(schema["every"].but(default=max(1, int(steps) // 10)), t("log every N steps"))
    return plans.descent(values(schema)), int(every)


with page("Descent", "Descent") as schema:
    st.title(t("Descent"))
    drawn, every = controls(schema)
    config = drawn.runs[0][0]
    steps_cut(drawn.asked, config.steps)
    objective = config.objective_spec
    if objective.latex:
        st.latex(objective.latex)
    else:
        st.code(objective.name, language="python")
    if objective.note:
        st.caption(t(objective.note))
    traj = cached_run(config)  # st.cache_data hands out a fresh copy per call: take it once
    page_file = runs_view(drawn, [t("path")], t("Click the contour to start there."), clicked_start("x0", "y0"))
    run_summary(traj)
    downloads(traj, page_file)
    with st.expander(t("This run as a torch script"), expanded=False):
        st.code(codegen.as_code(traj), language="python")
    with st.expander(t("Step inspector: what the optimizer did at step k"), expanded=False):
        step_inspector(schema, config, traj)
    st.header(t("Log, in the source tutorial's format"))
    st.caption(t("stepk: x after step k's update, f(x) at the point before it"))
    st.code("\n".join(traj.log_lines(every)) or t("(no steps)"), language=None)
    first = adam_first_step(traj)  # the tutorial's comment x' = x - lr * grad is not what Adam did
    if first:
        st.caption(t("Adam's first step moved x by {move}, about lr = {lr} per coordinate, though ∇f was {grad}: "
                     "at the first step m̂ / √v̂ = g / |g|. The tutorial's comment x' = x − lr · ∇f is plain gradient "
                     "descent (torch.optim.SGD), whose first step would have gone to {gd}.", **first))
