"""Learning-rate sweep: one start, 20 to 100 log-spaced learning rates, run together as parameter groups."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.curvature import sweep_bound
from core.objectives import PERCEPTRON
from core.run import Reason
from ui import plans
from ui.compute import cached_sweep, steps_cut
from ui.controls import (
    control,
    data_controls,
    objective_controls,
    optimizer_controls,
    start_controls,
    tolerance_control,
    values,
)
from ui.i18n import lang, t, words
from ui.page import page
from ui.panels import sweep_bound_note
from viz.charts import sweep_figure

with page("Sweep", "Sweep") as schema:
    st.title(t("Learning-rate sweep"))
    st.caption(t("One start point, many learning rates: each learning rate is one parameter group of a single "
                 "torch.optim optimizer, so they run together (LBFGS takes one group only: one learning rate at a "
                 "time)."))
    with st.sidebar:
        if objective_controls(schema)[0] == PERCEPTRON:
            data_controls(schema)
        optimizer_controls(schema, default="sgd", skip=("lr",))  # the sweep sets lr itself
        control(schema["lrs"], t("learning rates from … to"))
        control(schema["count"], t("how many"))
        start_controls(schema)
        asked = control(schema["steps"], t("steps"))
        tolerance_control(schema)
    config, low, high, count = plans.sweep(values(schema))
    steps = config.steps
    steps_cut(asked, steps)
    ends = cached_sweep(config, low, high, count)
    lrs = np.array(ends.lrs)
    bound = sweep_bound(ends)  # SGD's 2 (1 + beta) / lambda_max at the minimum reached, beside the measured one
    lines = None if bound is None or bound.predicted is None else (bound.predicted, *bound.measured)
    figure = sweep_figure(lrs, ends.losses, ends.end, ends.reason, config.objective_spec.f_star, words(lang()),
                          bound=lines)
    st.plotly_chart(figure, width="stretch", key="sweep")
    sweep_bound_note(config, bound)
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
