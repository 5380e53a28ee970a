"""Compare: up to six runs, each its own optimizer, hyperparameters and start, racing on one surface."""
from __future__ import annotations

from typing import Any

import streamlit as st

from core.explore.race import ranking
from core.run import Reason
from ui import plans
from ui.compute import cached_run, run_paths, steps_cut
from ui.controls import (
    clicked_start,
    control,
    hyper_controls,
    objective_controls,
    optimizer_picker,
    tolerance_control,
    values,
    view_controls,
)
from ui.i18n import t
from ui.page import on_phone, page
from ui.panels import ranking_table, runs_view, step_inspector
from ui.params import DEFAULT_RUNS, Param


def run_controls(schema: dict[str, Param], i: int, tab: Any) -> None:
    """One run's optimizer, hyperparameters and start, under URL keys r<i>_...: the optimizer, lr and start in the
    run's tab above the view, its other hyperparameters in the sidebar."""
    opt_default, lr_default = DEFAULT_RUNS[i - 1]
    prefix = f"r{i}_"
    with tab:
        cols = st.columns([3, 4, 2, 2])
        with cols[0]:
            opt = optimizer_picker(schema, prefix)
        with cols[1]:
            lr = hyper_controls(opt, prefix, opt_default, lr_default, only=("lr",))["lr"]
        control(schema[prefix + "x0"], "x0", cols[2]), control(schema[prefix + "y0"], "y0", cols[3])
    with st.sidebar.expander(t("Run {i}", i=i), expanded=i <= 2):
        hyper_controls(opt, prefix, opt_default, lr_default, values={"lr": lr})


def controls(schema: dict[str, Param]) -> plans.Drawn:
    """Every run; runs that differ only in their start share one batched config (ui/plans.compare)."""
    with st.sidebar:
        objective_controls(schema)
        n = control(schema["runs"], t("runs"))
        control(schema["steps"], t("steps"))
        tolerance_control(schema)
        view_controls(schema)
        control(schema["click_run"].but(options=tuple(range(1, n + 1))),
                t("a click on the contour sets the start of run"), horizontal=True)
    with st.expander(t("each run's optimizer, learning rate and start point"), expanded=not on_phone()):
        tabs = st.tabs([t("Run {i}", i=i) for i in range(1, n + 1)])  # folded on a phone: the view comes first
    for i, tab in enumerate(tabs, start=1):
        run_controls(schema, i, tab)
    return plans.compare(values(schema))


def take_start(x: float, y: float) -> None:
    """A click on the contour moves the chosen run's start."""
    i = st.session_state.get("click_run", 1)
    clicked_start(f"r{i}_x0", f"r{i}_y0")(x, y)


with page("Compare", "Compare") as schema:
    st.title(t("Compare optimizers"))
    st.caption(t("Each run is a real torch.optim optimizer; runs that share an optimizer and its settings run as "
                 "one batched tensor, one row per start (LBFGS, which is not elementwise, one start at a time)."))
    drawn = controls(schema)
    steps_cut(drawn.asked, drawn.runs[0][0].steps)
    runs, labels = drawn.runs, plans.race_labels(drawn.runs)
    paths = run_paths(runs, labels)
    runs_view(drawn, labels, t("Click the contour to move the chosen run's start there."), take_start)
    note = runs[0][0].objective_spec.note
    if note:
        st.caption(t(note))
    st.header(t("Ranking"))
    ranking_table(ranking(paths))
    with st.expander(t("Step inspector"), expanded=False):
        i = control(schema["inspect_run"].but(options=tuple(range(len(runs)))), t("run"),
                    format_func=lambda j: labels[j])
        config, row = runs[min(i, len(runs) - 1)]
        step_inspector(schema, config, cached_run(config), row)
    diverged = [p for p in paths if p.traj.reason[p.row] == Reason.DIVERGED]
    if diverged:
        st.warning(t("Diverged:") + " " + "; ".join(t("run {label} at step {step}", label=p.label, step=p.end + 1)
                                                   for p in diverged))
