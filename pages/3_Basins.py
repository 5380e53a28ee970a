"""Basins: a grid of start points run as one batch, each coloured by the minimum it ends in."""
from __future__ import annotations

import dataclasses

import streamlit as st

from core import limits
from core.explore.basins import most_grid, most_steps
from core.optimizers import get_optimizer
from core.run import make_config
from ui.compute import cached_basins
from ui.controls import control, objective_controls, optimizer_controls, tolerance_control
from ui.i18n import lang, t, words
from ui.page import page
from viz.plane import basin_figure, category_label

with page("Basins", "Basins") as schema:
    st.title(t("Basins of attraction"))
    st.caption(t("Every start point of the grid runs in one batched [n², 2] tensor through the same torch.optim "
                 "optimizer (LBFGS, which is not elementwise, one start at a time); each is coloured by where it "
                 "ended."))
    with st.sidebar:
        fn, text, bounds = objective_controls(schema)
        opt, hypers = optimizer_controls(schema, default="adam", lr=0.05)
        n = control(schema["grid"], t("grid points per side"))
        steps = control(schema["steps"], t("steps"))
        tol = tolerance_control(schema)
    config = make_config(hypers, objective=fn, optimizer=opt, steps=int(steps), tol=tol, expr=text, bounds=bounds)
    if n > most_grid(config):
        st.warning(t("a {n} × {n} grid is too large for {optimizer} within a page's compute budget: using {most} × "
                     "{most}.", n=n, optimizer=get_optimizer(opt).name, most=most_grid(config)))
        n = most_grid(config)
    if steps > most_steps(config, n):
        st.warning(t("{n} × {n} starts × {steps} steps is over the limit of {limit} start-steps: running {most} steps.",
                     n=n, steps=f"{steps:,}", limit=f"{min(limits.MAX_BASIN_WORK, n * n * most_steps(config, n)):,}",
                     most=f"{most_steps(config, n):,}"))
        steps = most_steps(config, n)
        config = dataclasses.replace(config, steps=int(steps))
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
