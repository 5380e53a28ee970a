"""The perceptron's loss as an objective: its data, the tutorial's loss, minibatches, the surface against the path,
and the curvature (Hessian, condition number, SGD's stability bound) against finite differences and real sweeps."""
import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from core import limits
from core.curvature import curvature, lr_bound, stability
from core.errors import CoreError
from core.grid import surface
from core.model.data import CENTER, DataSpec, make_data
from core.model.objective import full_losses
from core.objectives import OBJECTIVES, get_objective
from core.run import make_config, run
from core.run.broker import batch_key, run_together

SPEC = DataSpec(seed=3, size=60, spread=3.0)


def numpy_loss(w, x, y):
    """The mean squared error of sigmoid(x . w) against y, in float64 numpy: w [..., 2]."""
    z = np.asarray(w, np.float64) @ np.asarray(x, np.float64).T
    return ((1 / (1 + np.exp(-z)) - np.asarray(y, np.float64)) ** 2).mean(-1)


def tutorial_loop(x, y, start, lr, steps, batches=None):
    """The tutorial's shape: w [1, 2], o = sigmoid(x @ w.t()), F.mse_loss(target, o), backward, torch.optim.SGD."""
    w = torch.tensor([start], requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    path, losses = [w.detach().clone()[0]], []
    for k in range(steps):
        idx = slice(None) if batches is None else batches[k]
        loss = F.mse_loss(y[idx][:, None], torch.sigmoid(x[idx] @ w.t()))
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append(w.detach().clone()[0])
    return torch.stack(path).numpy(), np.array(losses)


def epochs(size, batch, seed, steps):
    """Minibatch indices written out: a torch.randperm per epoch from one seeded generator, partial batch dropped."""
    g, out = torch.Generator().manual_seed(seed), []
    while len(out) < steps:
        perm = torch.randperm(size, generator=g)
        out += [perm[i:i + batch] for i in range(0, size - batch + 1, batch)]
    return out[:steps]


def test_data_are_two_seeded_clusters_with_alternating_labels():
    x, y = make_data(DataSpec(seed=1, size=1000, spread=0.5))
    assert x.shape == (1000, 2) and x.dtype == torch.float32 and y.tolist()[:4] == [1, 0, 1, 0]
    for label, sign in ((1, 1), (0, -1)):
        mean = x[y == label].double().mean(0).numpy()
        assert np.abs(mean - sign * np.array(CENTER)).max() < 5 * 0.5 / math.sqrt(500)  # 5 standard errors
        assert abs(x[y == label].double().std(0).mean().item() - 0.5) < 0.05
    again, _ = make_data(DataSpec(seed=1, size=1000, spread=0.5))
    other, _ = make_data(DataSpec(seed=2, size=1000, spread=0.5))
    assert torch.equal(x, again) and not torch.equal(x, other)


@pytest.mark.parametrize("fields,message", [
    ({"size": 3}, "size"), ({"size": limits.DATA_SIZE[1] + 1}, "size"), ({"spread": 0.0}, "spread"),
    ({"spread": math.nan}, "spread"), ({"batch": 61}, "minibatch size"), ({"seed": -1}, "seed"),
    ({"batch_seed": 2**31}, "minibatches' seed"), ({"size": True}, "size"),
    ({"dim": limits.MAX_INPUTS + 1}, "inputs"),
])
def test_data_settings_are_checked_where_they_enter(fields, message):
    with pytest.raises(CoreError, match=message):
        DataSpec(**{"size": 60, **fields})


def test_a_data_set_goes_only_with_the_perceptron():
    with pytest.raises(CoreError, match="data set goes with the perceptron"):
        make_config({}, objective="himmelblau", data=SPEC)
    with pytest.raises(CoreError, match="two weights"):
        make_config({}, objective="perceptron", data=DataSpec(dim=3))
    assert "perceptron" not in OBJECTIVES  # kept out of the pages' choices until its page exists


def test_the_objective_is_the_tutorials_loss():
    """fn(w) for a batch of w equals F.mse_loss(target, sigmoid(x @ w.t())) for each w alone, and numpy's value."""
    x, y = make_data(SPEC)
    fn = get_objective("perceptron", data=SPEC).fn
    ws = torch.tensor([[0.0, 0.0], [0.5, -1.0], [-2.0, 2.5], [1.5, 0.3]])
    batched = fn(ws)
    for w, got in zip(ws, batched):
        want = F.mse_loss(y[:, None], torch.sigmoid(x @ w[None].t()))
        assert got.item() == pytest.approx(want.item(), rel=1e-6)
    np.testing.assert_allclose(batched.numpy(), numpy_loss(ws.numpy(), x.numpy(), y.numpy()), rtol=1e-6)
    assert fn(torch.zeros(2)).item() == pytest.approx(0.25, abs=1e-7)  # sigmoid(0) = 1/2 against 0/1 labels


def test_full_batch_sgd_is_the_tutorials_loop():
    x, y = make_data(SPEC)
    traj = run(make_config({"lr": 1.0}, objective="perceptron", optimizer="sgd", starts=[(-2.0, 2.0)], steps=150,
                           tol=None, data=SPEC))
    path, losses = tutorial_loop(x, y, [-2.0, 2.0], 1.0, 150)
    np.testing.assert_allclose(traj.positions[:, 0], path, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(traj.losses[:-1, 0], losses, rtol=1e-5)
    np.testing.assert_allclose(full_losses(traj.positions, traj.objective), traj.losses, rtol=3e-7)  # full batch


def test_minibatch_sgd_is_the_tutorials_loop_on_the_same_batches():
    spec = DataSpec(seed=3, size=60, spread=3.0, batch=8, batch_seed=5)
    x, y = make_data(spec)
    traj = run(make_config({"lr": 1.0}, objective="perceptron", optimizer="sgd", starts=[(-2.0, 2.0)], steps=40,
                           tol=None, data=spec))
    batches = epochs(60, 8, 5, 41)  # 7 batches an epoch: the loop crosses epochs
    path, losses = tutorial_loop(x, y, [-2.0, 2.0], 1.0, 40, batches)
    np.testing.assert_allclose(traj.positions[:, 0], path, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(traj.losses[:-1, 0], losses, rtol=1e-5)
    last = F.mse_loss(y[batches[40]][:, None], torch.sigmoid(x[batches[40]] @ torch.tensor(path[-1:]).t()))
    assert traj.losses[-1, 0] == pytest.approx(last.item(), rel=1e-5)  # f at the point reached: the next batch
    full = full_losses(traj.positions, traj.objective)[:, 0]
    np.testing.assert_allclose(full, numpy_loss(traj.positions[:, 0], x.numpy(), y.numpy()), rtol=2e-6)
    assert np.abs(full - traj.losses[:, 0]).max() > 1e-3  # minibatch noise: the two curves differ


def test_the_surface_and_the_path_agree():
    """The surface's heights and the path's full losses both equal numpy's float64 loss: at the grid's nodes, and
    at each recorded point to float32 rounding."""
    spec = DataSpec(seed=3, size=60, spread=3.0, batch=10)
    x, y = make_data(spec)
    objective = get_objective("perceptron", data=spec)
    surf = surface(objective, 31)
    nodes = np.stack(np.meshgrid(surf.xs, surf.ys), -1)
    np.testing.assert_allclose(surf.f, numpy_loss(nodes, x.numpy(), y.numpy()), rtol=1e-12)
    traj = run(make_config({"lr": 0.05}, objective="perceptron", optimizer="adam", starts=[(-2.0, 2.0), (2.5, -2.5)],
                           steps=300, tol=None, data=spec))
    np.testing.assert_allclose(full_losses(traj.positions, objective),
                               numpy_loss(traj.positions.astype(np.float64), x.numpy(), y.numpy()), rtol=2e-6)


@pytest.mark.parametrize("batch", [0, 7])
def test_starts_batched_or_merged_give_each_start_its_run_alone_bit_for_bit(batch):
    spec = DataSpec(seed=3, size=60, spread=3.0, batch=batch)
    starts = [(-2.0, 2.0), (1.0, -2.5), (0.3, 0.1)]
    common = {"objective": "perceptron", "optimizer": "adam", "steps": 120, "tol": None, "data": spec}
    together = run(make_config({"lr": 0.1}, starts=starts, **common))
    for i, s in enumerate(starts):
        alone = run(make_config({"lr": 0.1}, starts=[s], **common))
        np.testing.assert_array_equal(together.positions[:, i], alone.positions[:, 0])
        np.testing.assert_array_equal(together.losses[:, i], alone.losses[:, 0])
    a = make_config({"lr": 0.1}, starts=starts[:1], **common)
    b = make_config({"lr": 0.02}, starts=starts[1:2], **common)
    other = make_config({"lr": 0.1}, starts=starts[:1], **{**common, "data": DataSpec(seed=4, batch=batch)})
    assert batch_key(a) == batch_key(b) != batch_key(other)  # another data set is never merged
    merged = run_together([a, b])
    np.testing.assert_array_equal(merged[1].positions, run(b).positions)


def finite_difference_hessian(fn, p, h=1e-4):
    """Second differences of f in float64: (f(p + h e_i + h e_j) - ...) / 4h^2."""
    p, out = np.asarray(p, np.float64), np.zeros((2, 2))
    f = lambda q: fn(torch.tensor(q)).item()  # noqa: E731
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            out[i, j] = (f(p + ei + ej) - f(p + ei - ej) - f(p - ei + ej) + f(p - ei - ej)) / (4 * h * h)
    return out


@pytest.mark.parametrize("key", [*OBJECTIVES, "perceptron"])
def test_hessian_by_double_backward_matches_finite_differences(key):
    objective = get_objective(key)
    rng = np.random.default_rng(0)
    for _ in range(3):
        p = [rng.uniform(*objective.x_range) * 0.7, rng.uniform(*objective.y_range) * 0.7]
        c = curvature(objective.fn, p)
        want = finite_difference_hessian(objective.fn, p)
        np.testing.assert_allclose(c.hessian, want, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(want).max()))
        np.testing.assert_allclose(c.hessian @ c.eigenvectors, c.eigenvectors * c.eigenvalues, atol=1e-8 * max(
            1.0, np.abs(want).max()))


def test_curvature_at_himmelblaus_minimum_by_hand():
    """At (3, 2): H = [[12x^2 + 4y - 42 + 2, 4x + 4y], [4x + 4y, 4x + 12y^2 - 26 + 2]] = [[74, 20], [20, 34]]."""
    c = curvature(OBJECTIVES["himmelblau"].fn, (3.0, 2.0))
    np.testing.assert_allclose(c.hessian, [[74, 20], [20, 34]], atol=1e-9)
    lam = 54 + math.sqrt(20**2 + 20**2)  # (74 + 34) / 2 + sqrt(((74 - 34) / 2)^2 + 20^2)
    assert c.lambda_max == pytest.approx(lam) and c.eigenvalues[0] == pytest.approx(54 - math.sqrt(800))
    assert c.condition == pytest.approx(lam / (108 - lam)) and c.positive_definite
    assert c.lr_bound() == pytest.approx(2 / lam) and c.lr_bound(0.9) == pytest.approx(3.8 / lam)
    assert lr_bound(4.0, 0.5, 0.5) == pytest.approx(2 * 1.5 / (0.5 * 4.0)) and lr_bound(-1.0) is None
    saddle = curvature(OBJECTIVES["saddle"].fn, (0.0, 0.0))
    assert not saddle.positive_definite and saddle.condition == 1.0


def test_a_linear_formulas_hessian_is_zero_and_a_sweep_of_it_has_no_bound():
    """f = 3x - 2y (a typed formula): the gradient (3, -2) has no history, so the Hessian is 0 by hand; a sweep of
    SGD on it runs off and states no bound (a /Sweep link found the Hessian raising on it)."""
    from core.curvature import sweep_bound
    from core.explore.sweep import sweep

    c = curvature(get_objective("custom", "3*x - 2*y", (-1.0, 1.0, -1.0, 1.0)).fn, (0.5, 0.25))
    assert np.array_equal(c.hessian, np.zeros((2, 2))) and np.allclose(c.gradient, [3, -2]) and c.lr_bound() is None
    config = make_config({}, optimizer="sgd", objective="custom", expr="3*x - 2*y", bounds=(-1.0, 1.0, -1.0, 1.0),
                         starts=[(0.0, 0.0)], steps=30)
    assert sweep_bound(sweep(config, 1e-3, 1e-1, 20)) is None


def test_the_perceptrons_minimum_is_where_its_gradient_vanishes():
    """The hand gradient dL/dw = mean 2 (o - y) o (1 - o) x (numpy) is zero at the objective's listed minimum."""
    x, y = (t.numpy().astype(np.float64) for t in make_data(DataSpec()))
    (w,) = get_objective("perceptron").minima
    o = 1 / (1 + np.exp(-(x @ np.array(w))))
    grad = (2 * (o - y) * o * (1 - o))[:, None] * x
    assert np.abs(grad.mean(0)).max() < 1e-12
    assert get_objective("perceptron", data=DataSpec(spread=0.05)).minima == ()  # separable: no finite minimum


@pytest.mark.parametrize("key,momentum", [("himmelblau", 0.0), ("rosenbrock", 0.0), ("perceptron", 0.0),
                                          ("himmelblau", 0.9), ("rosenbrock", 0.9), ("perceptron", 0.3)])
def test_the_predicted_bound_is_where_real_sgd_stops_settling(key, momentum):
    """SGD from beside the minimum settles back just below 2 (1 + beta) / lambda_max and not just above it: the
    predicted bound lies between the two swept learning rates where the behaviour changes."""
    objective = get_objective(key)
    minimum = objective.minima[0]
    bound = curvature(objective.fn, minimum).lr_bound(momentum)
    config = make_config({"momentum": momentum}, objective=key, optimizer="sgd", steps=1500, dtype="float64")
    s = stability(config, minimum, bound / 1.7, min(bound * 1.55, 10.0), 41)  # no grid point on the bound itself
    assert s.predicted == pytest.approx(bound) and s.agrees, (s.measured, s.predicted)
    assert s.settled[: np.searchsorted(s.lrs, bound)].all() and not s.settled[np.searchsorted(s.lrs, bound):].any()


def test_a_step_is_bounded_and_costed_by_its_start_and_data_points():
    """Padding counts: 100 points evaluate 128; the limit on starts x points is refused where the config is made,
    and the cost model charges each start x point (a basin map of the perceptron is priced by its data)."""
    from core.run.cost import step_seconds

    assert DataSpec(size=100).points == 128 and DataSpec(size=100, batch=8).points == 64
    most = limits.MODEL_ELEMENTS // 1024
    make_config({}, objective="perceptron", starts=[(0.0, 0.0)] * most, data=DataSpec(size=1000))
    with pytest.raises(CoreError, match="data points a step"):
        make_config({}, objective="perceptron", starts=[(0.0, 0.0)] * (most + 1), data=DataSpec(size=1000))
    small, big = (step_seconds(make_config({}, objective="perceptron", starts=[(0.0, 0.0)] * 100,
                                           data=DataSpec(size=n))) for n in (64, 1000))
    assert big - small == pytest.approx(100 * (1024 - 64) * limits.MODEL_POINT_STEP_SECONDS)


def test_the_json_export_carries_the_data_set_and_the_script_is_refused():
    import json

    from core.io.codegen import as_code
    from core.io.exports import to_json

    traj = run(make_config({"lr": 0.1}, objective="perceptron", steps=5, data=SPEC))
    assert json.loads(to_json(traj))["config"]["data"] == {"seed": 3, "size": 60, "spread": 3.0, "dim": 2,
                                                           "batch": 0, "batch_seed": 0}
    with pytest.raises(CoreError, match="no script yet"):
        as_code(traj)


@pytest.mark.parametrize("key,start,low,high,tol", [("himmelblau", (0.0, 0.0), 1e-5, 1.0, 1e-4),
                                                    ("perceptron", (-2.0, 2.0), 0.1, 10.0, None)])
def test_a_sweeps_own_runs_measure_the_bound_at_the_minimum_they_reach(key, start, low, high, tol):
    """The /Sweep page's sweep (Himmelblau: its defaults): the largest swept lr whose run reached the minimum and
    the next one bracket 2 / lambda_max there."""
    from core.curvature import sweep_bound
    from core.explore.sweep import sweep

    ends = sweep(make_config({}, objective=key, optimizer="sgd", starts=[start], steps=1000, tol=tol), low, high, 50)
    b = sweep_bound(ends)
    minimum = get_objective(key).minima[0]
    assert np.allclose(b.minimum, minimum, atol=1e-9) and b.predicted == pytest.approx(
        curvature(get_objective(key).fn, minimum).lr_bound()) and b.agrees, b
    assert sweep_bound(sweep(make_config({}, optimizer="adam", steps=50), 1e-3, 1.0, 20)) is None  # SGD only


def test_the_step_inspector_replays_a_minibatch_run_exactly():
    """Step k replayed alone (core/run/inspector.py) meets the batched run's numbers: the same minibatches."""
    from core.run.inspector import inspect_step

    config = make_config({"lr": 0.05}, objective="perceptron", optimizer="adam", starts=[(-2.0, 2.0), (1.0, 1.0)],
                         steps=40, tol=None, data=DataSpec(batch=10, batch_seed=2))
    traj = run(config)
    for k in (0, 13, 39):  # 10 batches an epoch: into the fourth
        s = inspect_step(config, k, row=1)
        assert np.array_equal(s.x, traj.positions[k, 1]) and np.array_equal(s.x_next, traj.positions[k + 1, 1])
        assert s.f == traj.losses[k, 1] and np.array_equal(s.grad, traj.grads[k, 1]) and s.diff < 1e-6
