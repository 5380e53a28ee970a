"""Claims the app's texts make that are not a scene's: each checked here by a short computation."""
import math

import numpy as np
import torch

from core.objectives import OBJECTIVES
from core.run import make_config, run


def test_ackley_is_the_formula_it_shows():
    """The LaTeX −20 e^{−0.2 √((x²+y²)/2)} − e^{(cos 2πx + cos 2πy)/2} + e + 20, in numpy, equals the code; f* = 0."""
    ackley = OBJECTIVES["ackley"]
    assert r"\sqrt{(x^2+y^2)/2}" in ackley.latex and ackley.f_star == 0.0
    p = np.random.default_rng(0).uniform(-5, 5, (200, 2))
    x, y = p.T
    want = (-20 * np.exp(-0.2 * np.sqrt((x * x + y * y) / 2))
            - np.exp((np.cos(2 * math.pi * x) + np.cos(2 * math.pi * y)) / 2) + math.e + 20)
    got = ackley(torch.tensor(p, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    origin = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    ackley(origin).backward()
    assert origin.grad.tolist() == [0.0, 0.0]  # finite at the cone's tip


def test_a_zero_gradient_at_the_saddle_is_no_minimum():
    """What the saddle's note says: on y = 0 (or a hair off it) a run stops at (0, 0) 'converged', though f falls
    along y there; a little further off, it slides away and is flagged as diverged."""
    on, hair, off = (run(make_config({"lr": 0.05}, optimizer="sgd", objective="saddle", starts=[(1.0, y)],
                                     steps=2000, tol=1e-4)) for y in (0.0, 1e-9, 1e-3))
    for traj in (on, hair):
        (x, y), f = traj.final()
        assert traj.reason[0] == "converged" and abs(x) < 1e-4 and abs(y) < 1e-4
        assert OBJECTIVES["saddle"](torch.tensor([0.0, 0.01])).item() < f  # lower ground right beside it
    assert off.reason[0] == "diverged"


def test_float32_as_python_float():
    """tolist() gives the float32's value as a float; repr is the shortest decimal that reads back to it."""
    (v,) = torch.tensor([0.001]).tolist()
    assert v == float(np.float32(0.001)) and repr(v) == "0.0010000000474974513" and float(repr(v)) == v
    below = float(np.nextafter(np.float32(0.001), np.float32(0)))
    assert repr(below) == "0.0009999999310821295"  # the tutorial's step0 x: the float32 just below 0.001
    traj = run(make_config({"lr": 1e-3}, steps=1, tol=None))
    assert traj.positions[1, 0].tolist() == [below, below]  # what Adam's first step leaves in float32


def test_lbfgs_moves_by_lr_without_a_line_search():
    """The inspector's LBFGS note: with no line search the first move is min(1, 1/‖g‖₁)·lr along d = −g."""
    x = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([x], lr=0.5, max_iter=1)

    def closure():
        opt.zero_grad()
        f = OBJECTIVES["himmelblau"](x)
        f.backward()
        return f

    opt.step(closure)
    g = np.array([4 * 1 * (1 + 1 - 11) + 2 * (1 + 1 - 7), 2 * (1 + 1 - 11) + 4 * 1 * (1 + 1 - 7)])  # by hand
    np.testing.assert_allclose(x.detach().numpy(), 1 - min(1, 1 / np.abs(g).sum()) * 0.5 * g, rtol=1e-12)


def test_a_run_that_stops_after_one_step_at_the_saddle_is_shown_not_a_crash():
    """From (0, 0) on x² − y² the gradient is zero: SGD stops after one step as 'converged' (the step inspector then
    has one step, no slider range); the page shows it beside the note that a zero gradient is no minimum."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).parents[1] / "pages" / "1_Descent.py"), default_timeout=120)
    at.query_params.update({"fn": "saddle", "opt": "sgd", "steps": "50"})
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["stopped"] == "converged"
    assert any("a zero gradient, not a minimum" in c.value for c in at.caption)


def test_what_lr_and_eps_mean_per_optimizer():
    """The help texts: Adadelta's eps sets the size of its first steps (√(ε/(1−ρ)) per coordinate, by hand from
    u_0 = 0), Rprop's lr is each coordinate's first step, ASGD's lr the first step's η, Adam's first step ≈ lr."""
    def first_move(optimizer, hypers):
        traj = run(make_config(hypers, optimizer=optimizer, starts=[(0.0, 0.0)], steps=1, tol=None,
                               dtype="float64"))
        return np.abs(traj.positions[1, 0] - traj.positions[0, 0])

    for eps in (1e-6, 1e-4):
        np.testing.assert_allclose(first_move("adadelta", {"eps": eps}), math.sqrt(eps / (1 - 0.9)), rtol=1e-3)
    np.testing.assert_allclose(first_move("rprop", {"lr": 0.3}), 0.3)
    np.testing.assert_allclose(first_move("asgd", {"lr": 0.01}), 0.01 * np.array([14, 22]))  # η_1 = lr, ∇f by hand
    np.testing.assert_allclose(first_move("adam", {"lr": 0.01}), 0.01, rtol=1e-6)
    np.testing.assert_allclose(first_move("sgd", {"lr": 0.01}), 0.01 * np.array([14, 22]))
