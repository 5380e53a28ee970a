"""Learning-rate sweep: one start, 20 to 100 log-spaced learning rates, run together as parameter groups."""
from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from core.optimizers import get_optimizer
from core.run import Reason, make_config
from core.run.cost import step_seconds
from ui.compute import cached_sweep, fit_steps
from ui.controls import control, objective_controls, optimizer_controls, start_controls, tolerance_control
from ui.i18n import lang, t, words
from ui.page import page
from viz.charts import sweep_figure

with page("Sweep", "Sweep") as schema:
    st.title(t("Learning-rate sweep"))
    st.caption(t("One start point, many learning rates: each learning rate is one parameter group of a single "
                 "torch.optim optimizer, so they run together (LBFGS takes one group only: one learning rate at a "
                 "time)."))
    with st.sidebar:
        fn, text, bounds = objective_controls(schema)
        opt, hypers = optimizer_controls(schema, default="sgd", skip=("lr",))  # the sweep sets lr itself
        low, high = control(schema["lrs"], t("learning rates from … to"))
        count = control(schema["count"], t("how many"))
        start = start_controls(schema)
        steps = control(schema["steps"], t("steps"))
        tol = tolerance_control(schema)
    lr_low, lr_high = get_optimizer(opt).hyper("lr").bounds()  # the sweep stays within what lr may be
    config = make_config(hypers, objective=fn, optimizer=opt, starts=[start], steps=int(steps), tol=tol,
                         expr=text, bounds=bounds)
    steps = fit_steps(int(steps), step_seconds(config, rows=1, groups=count))
    config = dataclasses.replace(config, steps=steps)
    ends = cached_sweep(config, max(low, lr_low), min(high, lr_high), count)
    lrs = np.array(ends.lrs)
    figure = sweep_figure(lrs, ends.losses, ends.end, ends.reason, config.objective_spec.f_star, words(lang()))
    st.plotly_chart(figure, width="stretch", key="sweep")
    diverged = lrs[np.array([r == Reason.DIVERGED for r in ends.reason])]
    ok = [i for i, r in enumerate(ends.reason) if r != Reason.DIVERGED]
    if diverged.size:
        st.warning(t("{n} of {count} learning rates diverged (dotted lines), the smallest at lr = {lr}.",
                     n=diverged.size, count=count, lr=f"{diverged.min():.3g}"))
    if ok:
        i = min(ok, key=lambda j: (ends.reason[j] != Reason.CONVERGED, ends.end[j], ends.losses[j]))
        st.info(t("Fastest to converge: lr = {lr} ({reason} after {steps} steps, f = {f}).", lr=f"{lrs[i]:.3g}",
                  reason=t(ends.reason[i].words), steps=f"{ends.end[i]:,}", f=f"{ends.losses[i]:.4g}"))
    st.caption(t("{count} runs × {steps} steps in {seconds} s.", count=count, steps=f"{steps:,}",
                 seconds=f"{ends.seconds:.2f}"))
