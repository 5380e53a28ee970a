"""Model: torch.optim descends the tutorial's perceptron's own loss over its two weights, on minibatches or not."""
from __future__ import annotations

import streamlit as st

from core.io import exports
from core.model.data import DataSpec, make_data
from core.optimizers import get_optimizer
from core.run import RunConfig, Trajectory
from ui import plans
from ui.compute import cached_run, steps_cut
from ui.controls import (
    clicked_start,
    control,
    curvature_control,
    data_controls,
    hyper_controls,
    optimizer_picker,
    tolerance_control,
    values,
    view_controls,
)
from ui.i18n import lang, t, words
from ui.page import on_phone, page
from ui.panels import run_summary, runs_view, step_inspector
from ui.params import Param
from ui.scene_facts import end_facts, minibatch_facts
from viz.model import data_figure


def main_controls(schema: dict[str, Param]) -> tuple[str, float]:
    """The optimizer, lr and start (w1, w2), then the data set and its minibatches, just above the view."""
    with st.expander(t("optimizer, learning rate and start point"), expanded=not on_phone()):
        cols = st.columns([3, 4, 2, 2])
        with cols[0]:
            opt = optimizer_picker(schema)
        with cols[1]:
            lr = hyper_controls(opt, default="adam", lr=0.05, only=("lr",))["lr"]
        control(schema["x0"], "w1₀", cols[2])
        control(schema["y0"], "w2₀", cols[3])
    with st.expander(t("data set and minibatches"), expanded=not on_phone()):
        cols = st.columns(5)
        data_controls(schema, cols[:3])
        control(schema["batch"], t("minibatch size B"), cols[3], help=t("0: every step uses all N points"))
        control(schema["batch_seed"], t("minibatch seed"), cols[4],
                help=t("seed of the torch.Generator whose torch.randperm deals the minibatches"))
    return opt, lr


def controls(schema: dict[str, Param]) -> plans.Drawn:
    """Every setting of the run, bound to the URL: the main ones above the view, the others in the sidebar."""
    opt, lr = main_controls(schema)
    with st.sidebar:
        st.caption(f"torch.optim.{get_optimizer(opt).name}")
        hyper_controls(opt, default="adam", lr=0.05, values={"lr": lr})
        control(schema["steps"], t("steps"))
        tolerance_control(schema)
        control(schema["dtype"], "dtype", horizontal=True)
        view_controls(schema)
        curvature_control(schema)
    return plans.model(values(schema))


@st.cache_data(max_entries=16, show_spinner=False)
def run_facts(config: RunConfig, end: int, reason: str, _traj: Trajectory) -> tuple[dict[str, str], dict[str, str]]:
    """The run's minibatch facts (on minibatches: the full loss at every step, 0.3 s at 20,000 steps of 1,000
    points) and end facts, once a run and not every rerun: config, end and reason name the run (a run the budget
    cut short has another end and reason); _traj, the run itself, is not hashed."""
    return (minibatch_facts(_traj) if config.data.batch else {}), end_facts(_traj)


def what_it_shows(traj: Trajectory, asked: int) -> None:
    """What is descended, and on minibatches why the path wiggles: the numbers from this run (asked: the B set)."""
    spec = traj.config.data
    mini, ends = run_facts(traj.config, int(traj.end[0]), str(traj.reason[0]), traj)
    st.write(t("Training a model is the descent of /Descent applied to the perceptron of /Perceptron. The surface "
               "is the tutorial's loss, o = sigmoid(x @ w.T) and F.mse_loss(target, o), over the perceptron's two "
               "weights w = (w1, w2) on a data set of {size} points in two labelled clusters; torch.optim walks "
               "down L(w1, w2) as it walks down Himmelblau.", size=f"{spec.size:,}"))
    if not spec.batch and asked:
        st.info(t("B = {batch} is not less than the {size} points: every step sees all of them, the full batch.",
                  batch=f"{asked:,}", size=f"{spec.size:,}"))
    if not spec.batch:
        st.write(t("B = 0: every step's loss is over all {size} points, so the recorded loss is the full loss and "
                   "the path descends the drawn surface itself. Set B to a number of points to see minibatch noise.",
                   size=f"{spec.size:,}"))
    else:
        st.write(t("Each step sees only a minibatch of B = {batch} of the {size} points ({per_epoch} minibatches an "
                   "epoch, dealt by torch.randperm from a seeded torch.Generator; {epochs} epochs in this run). A "
                   "minibatch's loss is a surface of its own, close to the full one but not equal to it, and its "
                   "gradient points somewhat off the full gradient: so the path wiggles across the drawn surface, "
                   "which is the loss over all the points. In this run each step's minibatch loss differed from the "
                   "full loss at the same point by {gap} on average, {gap_max} at most; the loss curve draws both.",
                   **mini))
    st.write(t("The full loss at the end is {full}; its minimum, at {minimum}, is {fstar}.", **ends) if "fstar" in ends
             else t("The full loss at the end is {full}. Newton's method, started at (0, 0), finds no minimum of "
                    "it inside the view: the minimum may lie outside the view, or there is none, where a line "
                    "through (0, 0) separates the two clusters and the loss keeps falling as the weights grow.",
                    **ends))


def data_section(spec: DataSpec, traj: Trajectory) -> None:
    """The data set: its scatter with the decision line at the run's end weights, its table and its CSV."""
    st.header(t("The data set"))
    x, y = (a.numpy() for a in make_data(spec))
    w = tuple(float(v) for v in traj.final()[0])
    st.caption(t("The decision line w1 x1 + w2 x2 = 0, where sigmoid gives 1/2, at the run's end weights {w}.",
                 w=f"({w[0]:.4g}, {w[1]:.4g})"))
    left, right = st.columns([3, 2])
    left.plotly_chart(data_figure(x, y, w, words(lang())), width="stretch", key="model_data")
    right.dataframe({"x1": x[:, 0], "x2": x[:, 1], t("label"): y.astype(int)}, height=380, width="stretch")
    right.download_button(t("The data set (CSV)"), lambda: exports.data_csv(spec), "data.csv", "text/csv",
                          on_click="ignore")


with page("Model", "Model") as schema:
    st.title(t("Model"))
    drawn = controls(schema)
    config = drawn.runs[0][0]
    steps_cut(drawn.asked, config.steps)
    st.latex(config.objective_spec.latex)
    traj = cached_run(config)
    what_it_shows(traj, int(values(schema)["batch"]))
    page_file = runs_view(drawn, [t("path")], t("Click the contour to start there."), clicked_start("x0", "y0"))
    run_summary(traj)
    cols = st.columns(3)
    cols[0].download_button(t("CSV"), lambda: exports.to_csv(traj), "model.csv", "text/csv", on_click="ignore")
    cols[1].download_button(t("JSON"), lambda: exports.to_json(traj), "model.json", "application/json",
                            on_click="ignore")
    cols[2].download_button(t("Figure (HTML)"), page_file, "model.html", "text/html", on_click="ignore")
    data_section(config.data, traj)
    with st.expander(t("Step inspector: what the optimizer did at step k"), expanded=False):
        step_inspector(schema, config, traj)
