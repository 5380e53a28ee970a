"""Compare: up to six runs, each its own optimizer, hyperparameters and start, racing on one surface."""
from __future__ import annotations

import streamlit as st

from core import limits
from core.compare import ranking
from core.figures import COLORS, Path
from core.run import RunConfig, make_config
from ui.common import (
    cached_figures,
    cached_run,
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

MAX_RUNS = 6
# (optimizer, lr) of runs 1..6 until someone changes them: a typical race
DEFAULT_RUNS = (("sgd", 1e-3), ("adam", 1e-2), ("rmsprop", 1e-2), ("adagrad", 0.5), ("nadam", 1e-2), ("lbfgs", 1.0))


def run_controls(i: int) -> tuple[str, dict, tuple[float, float]]:
    """One run's optimizer, hyperparameters and start, under URL keys r<i>_..."""
    p = f"r{i}_"
    opt_default, lr_default = DEFAULT_RUNS[i - 1]
    with st.sidebar.expander(t("Run {i}", i=i), expanded=i <= 2):
        opt, hypers = optimizer_controls(opt_default, lr_default, prefix=p)
        start = start_controls(prefix=p)
    return opt, hypers, start


def controls() -> tuple[tuple[tuple[RunConfig, int, str], ...], str, bool]:
    """Every run as (config, row, label); runs that differ only in their start share one batched config."""
    q = {"bind": "query-params"}
    with st.sidebar:
        fn, text, bounds = objective_controls()
        n = st.slider(t("runs"), 1, MAX_RUNS, 3, key="runs", **q)
        steps = st.number_input(t("steps"), 1, limits.MAX_STEPS, 2000, step=100, key="steps", **q)
        tol = tolerance_control()
        scale, arrows = view_controls()
        st.radio(t("a click on the contour sets the start of run"), list(range(1, n + 1)), horizontal=True,
                 key="click_run", **q)
    settings = [run_controls(i) for i in range(1, n + 1)]
    groups: dict[tuple, list[int]] = {}
    for i, (opt, hypers, _) in enumerate(settings):
        groups.setdefault((opt, tuple(sorted(hypers.items()))), []).append(i)
    runs: list[tuple[RunConfig, int, str] | None] = [None] * n
    for (opt, hypers), members in groups.items():
        config = make_config(dict(hypers), objective=fn, optimizer=opt, starts=[settings[i][2] for i in members],
                             steps=int(steps), tol=tol, expr=text, bounds=bounds)
        for row, i in enumerate(members):
            lr = dict(hypers)["lr"]
            runs[i] = (config, row, f"{i + 1}: {opt} lr={lr:g}")
    return tuple(runs), scale, arrows  # type: ignore[return-value]


def take_start() -> None:
    i = st.session_state.get("click_run", 1)
    take_clicked_start("contour", f"r{i}_x0", f"r{i}_y0")


def main() -> None:
    setup_page("Compare")
    st.title(t("Compare optimizers"))
    st.caption(t("Each run is a real torch.optim optimizer; runs that share an optimizer and its settings run as "
                 "one batched tensor, one row per start."))
    try:
        runs, scale, arrows = controls()
    except ValueError as err:
        st.error(t("These settings cannot run: {error}", error=say(err)))
        return
    paths = [Path(cached_run(c), row, label, COLORS[i % len(COLORS)]) for i, (c, row, label) in enumerate(runs)]
    surface, contour, loss = cached_figures(runs, scale, arrows, lang())
    surface_chart(surface, "surface")
    left, right = st.columns(2)
    left.plotly_chart(contour, width="stretch", key="contour", on_select=take_start, selection_mode="points")
    left.caption(t("Click the contour to move the chosen run's start there."))
    right.plotly_chart(loss, width="stretch", key="loss")
    st.subheader(t("Ranking"))
    rows = ranking(paths)
    table = {t("run"): [r.label for r in rows], t("steps to f − f* < 1e-6"): [r.steps_to_reach for r in rows],
             t("final f"): [r.final_f for r in rows],
             t("minimum reached"): ["—" if r.reached is None else "({:g}, {:g})".format(*r.reached) for r in rows],
             t("stopped"): [t(r.reason.words) for r in rows], t("steps run"): [r.steps for r in rows]}
    st.dataframe(table, hide_index=True, width="stretch")
    with st.expander(t("Step inspector"), expanded=False):
        i = st.selectbox(t("run"), range(len(runs)), format_func=lambda j: runs[j][2], key="inspect_run",
                         bind="query-params")
        config, row, _ = runs[min(i, len(runs) - 1)]
        step_inspector(config, cached_run(config), row)
    diverged = [p.label for p in paths if p.traj.reason[p.row] == "diverged"]
    if diverged:
        st.warning(t("Diverged:") + " " + "; ".join(t("run {label} at step {step}", label=lab, step=p.end + 1)
                                                   for lab, p in
                                             ((p.label, p) for p in paths if p.label in diverged)))


main()
finish_page()
