"""Basins: a grid of start points run as one batch, each coloured by the minimum it ends in."""
from __future__ import annotations

import streamlit as st

from core import limits
from core.figures import basin_figure, category_label
from core.run import make_config
from ui.common import cached_basins, finish_page, objective_controls, optimizer_controls, setup_page, tolerance_control
from ui.i18n import lang, say, t, words


def main() -> None:
    setup_page("Basins")
    st.title(t("Basins of attraction"))
    st.caption(t("Every start point of the grid runs in one batched [n², 2] tensor through the same torch.optim "
                 "optimizer; each is coloured by where it ended."))
    q = {"bind": "query-params"}
    with st.sidebar:
        fn, text, bounds = objective_controls()
        opt, hypers = optimizer_controls("adam", 0.05)
        n = st.slider(t("grid points per side"), 10, limits.MAX_GRID, 60, key="grid", **q)
        most = limits.MAX_BASIN_WORK // (n * n)
        steps = st.number_input(t("steps"), 1, limits.MAX_STEPS, 500, step=100, key="steps", **q)
        tol = tolerance_control()
    if n * n * steps > limits.MAX_BASIN_WORK:
        st.warning(t("{n} × {n} starts × {steps} steps is over the limit of {limit} start-steps: running {most} steps.",
                     n=n, steps=f"{steps:,}", limit=f"{limits.MAX_BASIN_WORK:,}", most=f"{most:,}"))
        steps = most
    try:
        config = make_config(hypers, objective=fn, optimizer=opt, steps=int(steps), tol=tol, expr=text,
                             bounds=bounds)
        bm = cached_basins(config, n)
    except ValueError as err:
        st.error(t("These settings cannot run: {error}", error=say(err)))
        return
    objective = config.objective_spec
    tr = words(lang())
    st.plotly_chart(basin_figure(objective, bm.xs, bm.ys, bm.category, bm.steps, tr), width="stretch", key="basins")
    counts = bm.counts()
    names = [category_label(objective, code, tr) for code in counts]
    st.dataframe({t("ended"): names, t("starts"): list(counts.values()),
                  t("share"): [f"{v / (n * n):.1%}" for v in counts.values()]}, hide_index=True)
    st.caption(t("{starts} starts × {steps} steps in {seconds} s. An end within 0.01 of a known minimum is in its "
                 "basin; 'converged elsewhere' stopped at another stationary point.",
                 starts=f"{n * n:,}", steps=f"{steps:,}", seconds=f"{bm.ends.seconds:.2f}"))


main()
finish_page()
