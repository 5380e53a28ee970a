"""Descent: pick an objective, an optimizer and a start point; watch torch.optim walk down the surface."""
from __future__ import annotations

import streamlit as st

from core import codegen, limits
from core.objectives import OBJECTIVES
from core.optimizers import get_optimizer
from core.run import Reason, RunConfig, Trajectory, make_config
from ui.common import (
    cached_figures,
    cached_run,
    downloads,
    finish_page,
    objective_controls,
    optimizer_controls,
    setup_page,
    start_controls,
    step_inspector,
    surface_chart,
    take_clicked_start,
    tolerance_control,
    view_controls,
)
from ui.i18n import lang, say, t

SOURCE_STARTS = ((0.0, 0.0), (1.0, 0.0), (-4.0, 0.0), (4.0, 0.0))
DEFAULT_STEPS = 2000


def take_start() -> None:
    take_clicked_start("contour", "x0", "y0")


def set_start(x: float, y: float) -> None:
    st.session_state.x0, st.session_state.y0 = x, y


def tutorial_run() -> None:
    """The source tutorial's run: Adam, lr 1e-3, 20,000 steps from (0, 0), no early stop."""
    st.session_state.update(fn="himmelblau", opt="adam", lr=1e-3, steps=20_000, x0=0.0, y0=0.0, tol="off",
                            every=2000)


def controls() -> tuple[RunConfig, str, int, bool]:
    """The sidebar: every setting of the run, bound to the URL."""
    sb = st.sidebar
    q = {"bind": "query-params"}
    with sb:
        st.button(t("Tutorial's run (Adam, lr 1e-3, 20,000 steps)"), on_click=tutorial_run, width="stretch")
        # Options are the registry keys themselves: a bound selectbox writes the shown label to the URL.
        fn, text, bounds = objective_controls()
        opt, hypers = optimizer_controls()
        st.caption(f"{OBJECTIVES[fn].name if fn in OBJECTIVES else t('typed formula')} · "
                   f"torch.optim.{get_optimizer(opt).name}")
        steps = st.number_input(t("steps"), 1, limits.MAX_STEPS, DEFAULT_STEPS, step=100, key="steps", **q)
        st.write(t("start point"))
        x0, y0 = start_controls()
        cols = st.columns(len(SOURCE_STARTS))
        for col, (x, y) in zip(cols, SOURCE_STARTS):
            col.button(f"{x:g},{y:g}", on_click=set_start, args=(x, y), key=f"preset_{x:g}_{y:g}",
                       help=t("one of the source tutorial's start points"))
        tol = tolerance_control()
        dtype = st.radio("dtype", ["float32", "float64"], horizontal=True, key="dtype", **q)
        scale, arrows = view_controls()
        every = st.number_input(t("log every N steps"), 1, limits.MAX_STEPS, max(1, int(steps) // 10), key="every",
                                **q)
    config = make_config(hypers, objective=fn, optimizer=opt, starts=[(x0, y0)], steps=int(steps),
                         dtype=dtype, tol=tol, expr=text, bounds=bounds)
    return config, scale, int(every), arrows


def summary(traj: Trajectory) -> None:
    s = traj.summary()
    cols = [*st.columns(3), *st.columns(3)]
    cols[0].metric(t("end point"), f"({s.end[0]:.5f}, {s.end[1]:.5f})")
    cols[1].metric(t("f at the end"), f"{s.f:.4g}")
    if s.nearest is None:
        cols[2].metric(t("nearest minimum"), t("none"))
    else:
        cols[2].metric(t("nearest minimum"), f"({s.nearest[0]:g}, {s.nearest[1]:g})",
                       t("distance {d}", d=f"{s.distance:.2e}"), delta_color="off")
    cols[3].metric(t("stopped"), t(s.reason.words))
    cols[4].metric(t("steps run"), f"{s.steps:,}")
    cols[5].metric(t("time"), f"{s.seconds:.2f} s")
    if s.reason == Reason.TIME_LIMIT:
        st.warning(t("Stopped after {seconds} s, the time limit of one run, at step {step}: fewer steps, a larger "
                     "learning rate or a looser tolerance finish sooner.", seconds=f"{s.seconds:.1f}",
                     step=f"{s.steps:,}"))
    if s.reason == Reason.DIVERGED:
        st.warning(t("Diverged at step {step}: the point left the picture (|x| or |y| beyond {radius}) or f "
                     "stopped being a finite number. The path is drawn up to step {last}.",
                     step=f"{s.steps + 1:,}", radius=f"{traj.objective.escape_radius:g}", last=f"{s.steps:,}"))


def main() -> None:
    setup_page("Descent")
    st.title(t("Descent"))
    try:
        config, scale, every, arrows = controls()
    except ValueError as err:
        st.error(t("These settings cannot run: {error}", error=say(err)))
        return
    objective = config.objective_spec
    if objective.latex:
        st.latex(objective.latex)
    else:
        st.code(objective.name, language="python")
    if objective.note:
        st.caption(t(objective.note))
    traj = cached_run(config)  # st.cache_data hands out a fresh copy per call: take it once
    summary(traj)
    surface, contour, loss = cached_figures(((config, 0, t("path")),), scale, arrows, lang())
    surface_chart(surface, "surface")
    left, right = st.columns(2)
    left.plotly_chart(contour, width="stretch", key="contour", on_select=take_start, selection_mode="points")
    left.caption(t("Click the contour to start there."))
    right.plotly_chart(loss, width="stretch", key="loss")
    downloads(traj, surface)
    with st.expander(t("This run as a torch script"), expanded=False):
        st.code(codegen.as_code(traj), language="python")
    with st.expander(t("Step inspector: what the optimizer did at step k"), expanded=False):
        step_inspector(config, traj)
    st.subheader(t("Log, in the source tutorial's format"))
    st.caption(t("stepk: x after step k's update, f(x) at the point before it"))
    st.code("\n".join(traj.log_lines(every)) or t("(no steps)"), language=None)


main()
finish_page()
