"""/Sweep's predicted bound: SGD's 2 (1 + beta) / lambda_max at the minimum its runs reach, against the learning
rates where its runs stop reaching it, for the page's own values (plans.sweep), and what the page draws and says."""
import json
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.curvature import sweep_bound
from core.explore.sweep import sweep
from core.model.data import make_data
from core.objectives import OBJECTIVES
from tests.test_share import PAGES
from ui import plans

# Rosenbrock's valley floor is flat (lambda_min 0.4): SGD reaches (1, 1) within the page's steps only from nearby
ROSENBROCK = {"fn": "rosenbrock", "lrs": ["0.0001", "0.01"], "x0": "1.002", "y0": "1.004", "steps": "5000"}


def lambda_max_by_hand(key: str) -> float:
    """At the known minimum, by hand: Himmelblau's (3, 2) H = [[74, 20], [20, 34]]; Rosenbrock's (1, 1)
    H = [[2 + 1200x² − 400y, −400x], [−400x, 200]] = [[802, −400], [−400, 200]]."""
    a, b, c = {"himmelblau": (74, 20, 34), "rosenbrock": (802, -400, 200)}[key]
    return (a + c) / 2 + math.hypot((a - c) / 2, b)


# the perceptron's loss on the page's default data set: SGD's bound lies near 6.5, past the default learning rates
PERCEPTRON = {"fn": "perceptron", "lrs": ["0.1", "10"], "x0": "0", "y0": "0", "tol": "off"}


def perceptron_hessian(w: np.ndarray, config) -> tuple[np.ndarray, np.ndarray]:
    """The gradient and Hessian of mean((y - s)²), s = sigmoid(x·w), in numpy by hand: s' = s(1 - s),
    s'' = s'(1 - 2s); g = (2/N) Σ (s - y) s' x, H = (2/N) Σ (s'² + (s - y) s'') x xᵀ."""
    x, y = (a.double().numpy() for a in make_data(config.data))
    s = 1 / (1 + np.exp(-x @ w))
    d1 = s * (1 - s)
    d2 = d1 * (1 - 2 * s)
    g = 2 * ((s - y) * d1) @ x / len(y)
    return g, 2 * (x.T * (d1 * d1 + (s - y) * d2)) @ x / len(y)


@pytest.mark.parametrize("link", [{}, ROSENBROCK, PERCEPTRON], ids=["himmelblau-defaults", "rosenbrock", "perceptron"])
def test_the_predicted_bound_lies_in_the_pages_measured_bracket(link):
    config, low, high, count = plans.sweep(plans.link_values("Sweep", link))
    key = config.objective
    b = sweep_bound(sweep(config, low, high, count))
    if key == "perceptron":
        g, h = perceptron_hessian(np.array(b.minimum), config)
        assert np.abs(g).max() < 1e-9
        assert b.predicted == pytest.approx(2 / np.linalg.eigvalsh(h)[-1], rel=1e-9)
    else:
        assert np.allclose(b.minimum, OBJECTIVES[key].minima[0], atol=1e-9)
        assert b.predicted == pytest.approx(2 / lambda_max_by_hand(key), rel=1e-9)
    below, above = b.measured
    assert below < b.predicted <= above and b.agrees  # within one step of the sweep's grid
    assert above / below == pytest.approx((high / low) ** (1 / (count - 1)))


def test_the_page_draws_and_states_the_bound_from_its_sweep():
    at = AppTest.from_file(PAGES["Sweep"], default_timeout=120)
    at.run()
    assert not at.exception
    config, low, high, count = plans.sweep(plans.link_values("Sweep", {}))
    b = sweep_bound(sweep(config, low, high, count))
    (said,) = [s.value for s in at.success]
    for number in (f"{b.predicted:.4g}", f"{b.measured[0]:.3g}", f"{b.measured[1]:.3g}",
                   f"{lambda_max_by_hand('himmelblau'):.4g}"):
        assert number in said, (number, said)
    assert "they agree within the sweep's grid" in said
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    lines = [s for s in figure["layout"]["shapes"] if s.get("line", {}).get("dash") == "dash"]
    assert lines and all(s["x0"] == s["x1"] == pytest.approx(b.predicted) for s in lines)
    shaded = [s for s in figure["layout"]["shapes"] if s["type"] == "rect"]
    assert shaded and all((s["x0"], s["x1"]) == pytest.approx(b.measured) for s in shaded)


def test_the_page_says_the_bound_is_for_sgd_with_another_optimizer():
    at = AppTest.from_file(PAGES["Sweep"], default_timeout=120)
    at.query_params.update({"opt": "adam", "steps": "200"})
    at.run()
    assert not at.exception and not at.success
    assert any("is for SGD" in c.value for c in at.caption)


def test_a_loose_tolerance_that_stops_a_growing_run_is_named():
    """The perceptron with the page's tol 1e-4: runs just above the bound stop as converged before their growing
    oscillation passes the tolerance, and the page says that is why the two do not agree."""
    at = AppTest.from_file(PAGES["Sweep"], default_timeout=120)
    at.query_params.update({k: v for k, v in PERCEPTRON.items() if k != "tol"})
    at.run()
    assert not at.exception
    config, low, high, count = plans.sweep(plans.link_values("Sweep", {k: v for k, v in PERCEPTRON.items()
                                                                       if k != "tol"}))
    b = sweep_bound(sweep(config, low, high, count))
    assert config.tol == 1e-4 and b.measured[0] > b.predicted
    (said,) = [w.value for w in at.warning if "Predicted" in w.value]
    assert f"{b.predicted:.4g}" in said and "below the tolerance 0.0001" in said


def test_weight_decay_moves_where_sgd_settles_so_no_bound_is_predicted():
    """SGD with weight decay 0.5 (torch) settles where grad f + 0.5 x = 0 (grad f by hand), not at Himmelblau's
    (3, 2): the bound there is not its own, so /Sweep predicts none and the curvature readout gives plain GD's."""
    import torch

    from core.run import make_config
    from ui.panels import _bound

    p = torch.tensor([3.0, 2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.01, weight_decay=0.5)
    for _ in range(2000):
        opt.zero_grad()
        ((p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2).backward()
        opt.step()
    x, y = p.detach().numpy()
    grad = np.array([4 * x * (x * x + y - 11) + 2 * (x + y * y - 7), 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)])
    assert np.abs(grad + 0.5 * np.array([x, y])).max() < 1e-9 and math.hypot(x - 3, y - 2) > 0.01
    # weight decay 1e-3 moves it less than the reach of a minimum: without the check a bound would be predicted
    config = make_config({"lr": 0.01, "weight_decay": 1e-3}, optimizer="sgd", starts=[(3.0, 2.0)], steps=200)
    assert sweep_bound(sweep(config, 1e-3, 0.02, 20)) is None
    assert _bound(config)["beta"] is None


def test_dampening_without_momentum_changes_no_bound():
    """torch's SGD uses dampening only in its momentum buffer: with momentum 0 and dampening 0.5 SGD still settles
    at Himmelblau's (3, 2) just below 2 / lambda_max and not just above it (lambda_max = 54 + sqrt(800) by hand)."""
    import torch

    from core.curvature import lr_bound
    from core.run import make_config
    from ui.panels import _bound

    lam = 54 + math.sqrt(800)

    def settles(lr):
        p = torch.tensor([3.0005, 2.0005], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr, dampening=0.5)
        for _ in range(2000):
            opt.zero_grad()
            ((p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2).backward()
            opt.step()
        return bool(torch.isfinite(p).all()) and math.hypot(p[0].item() - 3, p[1].item() - 2) < 1e-6

    assert settles(0.97 * 2 / lam) and not settles(1.03 * 2 / lam)
    assert lr_bound(lam, 0.0, 0.5) == pytest.approx(2 / lam) and lr_bound(lam, 0.5, 0.5) == pytest.approx(6 / lam)
    config = make_config({"lr": 0.01, "dampening": 0.5}, optimizer="sgd", starts=[(3.0, 2.0)])
    assert _bound(config) == {"lr": 0.01, "beta": 0.0, "dampening": 0.0}
