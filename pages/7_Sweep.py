"""Learning-rate sweep: one start, 20 to 100 log-spaced learning rates, run together as parameter groups."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core import limits
from core.figures import f_star, sweep_figure
from core.optimizers import get_optimizer
from core.run import make_config
from ui.common import (
    cached_sweep,
    finish_page,
    objective_controls,
    optimizer_controls,
    setup_page,
    start_controls,
    tolerance_control,
)
from ui.i18n import lang, say, t, words


def main() -> None:
    setup_page("Sweep")
    st.title(t("Learning-rate sweep"))
    st.caption(t("One start point, many learning rates: each learning rate is one parameter group of a single "
                 "torch.optim optimizer, so they run together."))
    q = {"bind": "query-params"}
    with st.sidebar:
        fn, text, bounds = objective_controls()
        opt, hypers = optimizer_controls("sgd")
        lr = get_optimizer(opt).hyper("lr")
        low, high = st.select_slider(t("learning rates from … to"), [10.0 ** e for e in range(-6, 2)],
                                     value=(1e-5, 1.0), key="lrs", format_func=lambda v: f"{v:g}", **q)
        count = st.slider(t("how many"), *limits.SWEEP_SIZES, 50, key="count", **q)
        start = start_controls()
        steps = st.number_input(t("steps"), 1, limits.MAX_STEPS, 1000, step=100, key="steps", **q)
        tol = tolerance_control()
    if low >= high:
        st.error(t("Pick a range: the lowest learning rate must be below the highest."))
        return
    low, high = max(low, lr.bounds()[0]), min(high, lr.bounds()[1])
    try:
        config = make_config(hypers, objective=fn, optimizer=opt, starts=[start], steps=int(steps), tol=tol,
                             expr=text, bounds=bounds)
        ends = cached_sweep(config, low, high, count)
    except ValueError as err:
        st.error(t("These settings cannot run: {error}", error=say(err)))
        return
    lrs = np.array(ends.lrs)
    best = f_star(config.objective_spec)
    figure = sweep_figure(lrs, ends.losses, ends.end, ends.reason, best, words(lang()))
    st.plotly_chart(figure, width="stretch", key="sweep")
    diverged = lrs[np.array([r == "diverged" for r in ends.reason])]
    ok = [i for i, r in enumerate(ends.reason) if r != "diverged"]
    if diverged.size:
        st.warning(t("{n} of {count} learning rates diverged (dotted lines), the smallest at lr = {lr}.",
                     n=diverged.size, count=count, lr=f"{diverged.min():.3g}"))
    if ok:
        i = min(ok, key=lambda j: (ends.reason[j] != "converged", ends.end[j], ends.losses[j]))
        st.info(t("Fastest to converge: lr = {lr} ({reason} after {steps} steps, f = {f}).", lr=f"{lrs[i]:.3g}",
                  reason=t(ends.reason[i].words), steps=f"{ends.end[i]:,}", f=f"{ends.losses[i]:.4g}"))
    st.caption(t("{count} runs × {steps} steps in {seconds} s.", count=count, steps=f"{steps:,}",
                 seconds=f"{ends.seconds:.2f}"))


main()
finish_page()
