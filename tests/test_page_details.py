"""Details users saw go wrong (issue 19), each checked against an independent computation: a control that did nothing,
a chart that vanished, a metric's arrow, axes' ticks and a legend over a minimum."""
import numpy as np
import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from core.autograd import perceptron
from core.objectives import OBJECTIVES
from viz.charts import losses_figure, sweep_figure
from viz.plane import contour_layout
from viz.surface import surface_layout

SWEEP, PERCEPTRON, DESCENT = "../pages/4_Sweep.py", "../pages/5_Perceptron.py", "../pages/1_Descent.py"


def run(path: str, **query: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=120)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def test_sweep_has_no_lr_control_and_a_linked_lr_changes_nothing():
    """The sweep sets every run's lr itself: no lr control, and ?lr=0.1 gives the same sweep as no lr at all."""
    plain, linked = run(SWEEP, steps="50", count="20"), run(SWEEP, steps="50", count="20", lr="0.1")
    keys = {getattr(w, "key", None) for w in plain.main} | {getattr(w, "key", None) for w in plain.sidebar}
    assert "lr" not in keys
    assert [c.value for c in plain.caption][:1] == [c.value for c in linked.caption][:1]
    assert [i.value for i in plain.info] == [i.value for i in linked.info]


def sgd_on_w(x: np.ndarray, w: np.ndarray, lr: float, steps: int) -> tuple[float, float]:
    """MSE(1, sigmoid(x w^T)) before and after `steps` plain gradient steps, the gradient by hand, in float64."""
    loss = lambda w: float(np.mean((1 - 1 / (1 + np.exp(-(x @ w.T)))) ** 2))  # noqa: E731
    first = loss(w)
    for _ in range(steps):
        o = 1 / (1 + np.exp(-(x @ w.T)))  # [1, K]
        w = w - lr * (2 / w.shape[0]) * ((o - 1) * o * (1 - o)).T @ x
    return first, loss(w)


def test_perceptron_descent_stays_after_lr_changes():
    """After "Run 50 steps", moving lr keeps the loss chart and its line, now for the new lr (SGD by hand)."""
    at = run(PERCEPTRON, inputs="source-multi")
    next(b for b in at.button if b.label.startswith("Run ")).click().run()
    at.select_slider(key="p_lr").set_value(0.1).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3  # the two heatmaps of w.grad and the loss chart
    line = next(m.value for m in at.markdown if " → " in m.value)
    first, last = (float(v) for v in line.split("loss ")[1].split(" after")[0].split(" → "))
    x, w = (np.asarray(a, dtype=np.float64) for a in perceptron.source_multi())
    want = sgd_on_w(x.reshape(1, -1), w, 0.1, 50)
    assert first == pytest.approx(want[0], rel=1e-4) and last == pytest.approx(want[1], rel=1e-4)


def test_metric_deltas_carry_no_arrow():
    """The distance to the nearest minimum is no change up or down: its delta has no arrow."""
    at = run(DESCENT, steps="50")
    nearest = next(m for m in at.metric if m.label == "nearest minimum")
    assert nearest.proto.delta.startswith("distance")
    assert nearest.proto.direction == Metric.MetricDirection.NONE


def test_the_3d_views_ticks_stay_away_from_the_corners():
    """No x, y or height tick within 5% of an axis's ends, where two axes' labels meet; at least two ticks each."""
    for objective in OBJECTIVES.values():
        scene = surface_layout(objective, "f", 0.0, 2000.0)["scene"]
        for name in ("xaxis", "yaxis", "zaxis"):
            low, high = scene[name]["range"]
            ticks = np.array(scene[name]["tickvals"])
            assert len(ticks) >= 2, (objective.key, name)
            assert np.all(ticks - low > 0.05 * (high - low)) and np.all(high - ticks > 0.05 * (high - low))


def test_the_contours_legend_sits_above_the_plot():
    """The legend is laid out above the plotting area (paper y >= 1, anchored at its bottom): no minimum under it."""
    legend = contour_layout(OBJECTIVES["himmelblau"], True)["legend"]
    assert legend["y"] >= 1 and legend["yanchor"] == "bottom"


def test_log_axes_are_labelled_in_powers_of_ten():
    """Sweep and Perceptron log axes: powers of ten (no SI prefixes such as 10µ or 450µ), one label a decade."""
    lrs = np.logspace(-5, 0, 20)
    fig = sweep_figure(lrs, np.linspace(1, 1e-6, 20), np.full(20, 100), ("max steps",) * 20, 0.0)
    for axis in (fig.layout.xaxis, fig.layout.xaxis2):
        assert axis.type == "log" and axis.exponentformat == "power" and axis.dtick == 1
    assert fig.layout.yaxis.exponentformat == "power"
    assert losses_figure([0.2, 1e-3, 4.5e-4]).layout.yaxis.exponentformat == "power"

