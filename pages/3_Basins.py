"""Basins: a grid of start points run as one batch, each coloured by the minimum it ends in."""
from __future__ import annotations

import streamlit as st

from core import limits
from core.optimizers import get_optimizer
from ui import plans
from ui.compute import cached_basins
from ui.controls import control, objective_controls, optimizer_controls, tolerance_control, values
from ui.i18n import lang, t, words
from ui.page import page
from viz.plane import basin_figure, category_label

with page("Basins", "Basins") as schema:
    st.title(t("Basins of attraction"))
    st.caption(t("Every start point of the grid runs in one batched [n², 2] tensor through the same torch.optim "
                 "optimizer (LBFGS, which is not elementwise, one start at a time); each is coloured by where it "
                 "ended."))
    with st.sidebar:
        objective_controls(schema)
        opt, _ = optimizer_controls(schema, default="adam", lr=0.05)
        grid = control(schema["grid"], t("grid points per side"))
        asked = control(schema["steps"], t("steps"))
        tolerance_control(schema)
    config, n = plans.basins(values(schema))
    steps = config.steps
    if grid > n:
        st.warning(t("a {n} × {n} grid is too large for {optimizer} within a page's compute budget: using {most} × "
                     "{most}.", n=grid, optimizer=get_optimizer(opt).name, most=n))
    if asked > steps:
        st.warning(t("{n} × {n} starts × {steps} steps is over the limit of {limit} start-steps: running {most} steps.",
                     n=n, steps=f"{asked:,}", limit=f"{min(limits.MAX_BASIN_WORK, n * n * steps):,}",
                     most=f"{steps:,}"))
    bm = cached_basins(config, n)
    objective, tr = config.objective_spec, words(lang())
    st.plotly_chart(basin_figure(objective, bm.xs, bm.ys, bm.category, bm.steps, tr), width="stretch", key="basins")
    counts = bm.counts()
    st.dataframe({t("ended"): [category_label(objective, code, tr) for code in counts],
                  t("starts"): list(counts.values()),
                  t("share"): [f"{v / (n * n):.1%}" for v in counts.values()]}, hide_index=True)
    st.caption(t("{starts} starts × {steps} steps in {seconds} s. An end within {distance} of a known minimum is "
                 "in its basin; 'converged elsewhere' stopped at another stationary point.",
                 starts=f"{n * n:,}", steps=f"{steps:,}", seconds=f"{bm.ends.seconds:.2f}",
                 distance=f"{limits.BASIN_DISTANCE:g}"))
