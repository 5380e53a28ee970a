"""Slices of bigger models' landscapes: the slice's values against a plain torch.nn forward, principal directions
against numpy's SVD, filter normalization against a hand computation, the slice's Hessian against finite
differences and the full Hessian, and training against the tutorial's loop."""
import numpy as np
import pytest
import torch
from torch.nn import functional as F
from torch.nn.utils import vector_to_parameters

from core.errors import CoreError
from core.model.data import DataSpec
from core.model.network import Model, ModelSpec, build, train
from core.model.slices import make_slice, slice_curvature
from tests.test_model import epochs

CASES = [(ModelSpec("perceptron"), DataSpec(dim=64, size=120, spread=3.0)),
         (ModelSpec("mlp", hidden=8, seed=2), DataSpec(dim=10, size=120, spread=3.0, batch=16))]


@pytest.fixture(scope="module", params=CASES, ids=["perceptron64", "mlp10"])
def trained(request):
    model = Model(*request.param)
    return model, train(model, "sgd", {"lr": 0.5, "momentum": 0.5}, 200)


def torch_loss(model, flat):
    """The loss of a freshly built module given the flat weights by torch's own vector_to_parameters."""
    module = build(model.spec, model.data.dim)
    vector_to_parameters(torch.as_tensor(flat, dtype=torch.float32), module.parameters())
    with torch.no_grad():
        return F.mse_loss(model.y[:, None], torch.sigmoid(module(model.x))).item()


@pytest.mark.parametrize("kind", ["random", "pca"])
def test_slice_values_are_the_loss_torch_computes_at_those_weights(trained, kind):
    model, training = trained
    s = make_slice(model, training, kind, span=2.0, points=21, seed=4)
    assert s.loss.shape == (21, 21) and np.array_equal(s.center, training.weights[-1])
    rng = np.random.default_rng(1)
    for i, j in rng.integers(0, 21, size=(6, 2)):
        flat = s.center + s.a[i] * s.d1 + s.b[j] * s.d2
        assert s.loss[j, i] == pytest.approx(torch_loss(model, flat), rel=1e-5)
    for k in (0, len(training.losses) // 2, -1):
        assert training.losses[k] == pytest.approx(torch_loss(model, training.weights[k]), rel=1e-5)
        on_plane = s.center + s.path[k, 0] * s.d1 + s.path[k, 1] * s.d2
        assert s.plane_loss[k] == pytest.approx(torch_loss(model, on_plane), rel=1e-5)


def test_principal_directions_are_numpys_svd(trained):
    model, training = trained
    s = make_slice(model, training, "pca", span=3.0, points=5)
    w = training.weights.astype(np.float64)
    _, sv, vh = np.linalg.svd(w - w[-1], full_matrices=False)
    for d, want in ((s.d1, vh[0]), (s.d2, vh[1])):
        assert abs(abs(float(d @ want)) - 1) < 1e-4  # the same unit vector up to sign
    np.testing.assert_allclose(s.explained, sv[:2] ** 2 / (sv**2).sum(), rtol=1e-4)
    np.testing.assert_allclose(s.path, (w - w[-1]) @ np.stack([s.d1, s.d2], 1), atol=1e-4)
    residual = w - (w[-1] + s.path[:, :1] * s.d1 + s.path[:, 1:] * s.d2)
    assert (residual**2).sum() / ((w - w[-1]) ** 2).sum() == pytest.approx(1 - sum(s.explained), abs=1e-4)
    assert np.array_equal(s.path[-1], [0, 0])  # the plane goes through the last weights


def test_filter_normalization_by_hand(trained):
    """Each unit's incoming weights: the same torch.randn draws, scaled to the norm of that row of w; biases 0."""
    model, training = trained
    s = make_slice(model, training, "random", span=1.0, points=3, seed=7)
    g = torch.Generator().manual_seed(7)
    at = 0
    for shape in model.shapes:
        raw = torch.randn(shape, generator=g).numpy().astype(np.float64)
        w = s.center[at:at + raw.size].reshape(shape).astype(np.float64)
        d = s.d1[at:at + raw.size].reshape(shape)
        if len(shape) == 1:
            assert not d.any()
        else:
            for r in range(shape[0]):
                want = raw[r] / np.sqrt((raw[r] ** 2).sum()) * np.sqrt((w[r] ** 2).sum())
                np.testing.assert_allclose(d[r], want, rtol=1e-5, atol=1e-7)
        at += raw.size
    assert at == model.size and not np.allclose(s.d1, s.d2)


def test_slice_hessian_is_the_full_hessian_projected_and_finite_differences(trained):
    model, training = trained
    s = make_slice(model, training, "random", span=1.0, points=3, seed=3)
    c = slice_curvature(model, s, (0.3, -0.2))
    x, y = model.x.double(), model.y.double()
    module = build(model.spec, model.data.dim).double()

    def full(flat):
        params = {n: t.reshape(sh) for n, t, sh in zip(model.names, flat.split(model.sizes), model.shapes)}
        return F.mse_loss(y[:, None], torch.sigmoid(torch.func.functional_call(module, params, (x,))))

    center = torch.tensor(s.center, dtype=torch.float64)
    d = torch.tensor(np.stack([s.d1, s.d2], 1), dtype=torch.float64)
    h = torch.autograd.functional.hessian(full, center + d @ torch.tensor([0.3, -0.2], dtype=torch.float64))
    np.testing.assert_allclose(c.hessian, (d.T @ h @ d).numpy(), rtol=1e-8, atol=1e-12)
    step, fd = 1e-4, np.zeros((2, 2))
    f = lambda a, b: full(center + d @ torch.tensor([a, b], dtype=torch.float64)).item()  # noqa: E731
    for i in range(2):
        for j in range(2):
            e, u = np.eye(2)[i] * step, np.eye(2)[j] * step
            p = np.array([0.3, -0.2])
            fd[i, j] = (f(*(p + e + u)) - f(*(p + e - u)) - f(*(p - e + u)) + f(*(p - e - u))) / (4 * step * step)
    np.testing.assert_allclose(c.hessian, fd, rtol=1e-4, atol=1e-7)


def test_training_is_the_tutorials_loop_on_the_same_minibatches():
    spec, data = ModelSpec("mlp", hidden=6, seed=1), DataSpec(dim=5, size=50, spread=3.0, batch=8, batch_seed=2)
    model = Model(spec, data)
    training = train(model, "sgd", {"lr": 0.3}, 30)
    module = build(spec, data.dim)
    opt = torch.optim.SGD(module.parameters(), lr=0.3)
    for k, idx in enumerate(epochs(50, 8, 2, 30)):  # 6 batches an epoch
        loss = F.mse_loss(model.y[idx][:, None], torch.sigmoid(module(model.x[idx])))
        assert training.batch_losses[k] == pytest.approx(loss.item(), rel=1e-5)
        opt.zero_grad()
        loss.backward()
        opt.step()
    flat = torch.cat([p.detach().reshape(-1) for p in module.parameters()]).numpy()
    np.testing.assert_allclose(training.weights[-1], flat, rtol=1e-5, atol=1e-6)
    assert training.reason == "max_steps" and training.weights.shape == (31, 5 * 6 + 6 + 6 + 1)


def test_first_weights_are_seeded_within_nn_linears_bound_and_leave_the_global_state():
    state = torch.get_rng_state()
    a, b = Model(ModelSpec("mlp", 8, seed=3), DataSpec(dim=16)), Model(ModelSpec("mlp", 8, seed=3), DataSpec(dim=16))
    assert torch.equal(torch.get_rng_state(), state) and torch.equal(a.initial, b.initial)
    first = a.initial[: 16 * 8 + 8]  # the first layer's weight and bias: fan_in 16
    assert first.abs().max() <= 1 / 4 and first.abs().max() > 0.2  # uniform within 1/sqrt(16)


@pytest.mark.parametrize("call,message", [
    (lambda m: ModelSpec("cnn"), "the model is one of"),
    (lambda m: ModelSpec("mlp", hidden=0), "hidden units"),
    (lambda m: make_slice(m, None, "pca"), "need a training run"),
    (lambda m: make_slice(m, None, "random", points=500), "grid has from 3"),
    (lambda m: make_slice(m, None, "random", span=float("inf")), "spans"),
    (lambda m: make_slice(m, None, "sideways"), "random or pca"),
    (lambda m: train(m, "sgd", {"lr": 0.1}, 0), "steps must be"),
])
def test_bad_settings_are_refused_with_a_message(call, message):
    with pytest.raises(CoreError, match=message):
        call(Model(ModelSpec("mlp", 4), DataSpec(dim=3)))


def test_a_principal_slice_spans_its_path_and_costs_are_clamped_to_the_budget(trained):
    from core import limits
    from core.model.network import most_slice_points, most_train_steps, slice_seconds, train_seconds

    model, training = trained
    s = make_slice(model, training, "pca", points=5)
    assert s.a[-1] == pytest.approx(1.25 * np.abs(s.path).max(), rel=1e-6)
    assert slice_seconds(model, most_slice_points(model)) <= limits.WORK_SECONDS
    assert train_seconds("adam", {}, most_train_steps("adam", {})) <= limits.WORK_SECONDS
    assert most_train_steps("lbfgs", {}) < most_train_steps("sgd", {})  # up to max_iter evaluations a step


def test_a_slice_past_the_budget_stops_between_chunks(trained, monkeypatch):
    from core.model import network
    from core.run.budget import Budget, Deadline

    model, training = trained
    monkeypatch.setattr(network, "CHUNK_ELEMENTS", 1)  # one grid point a chunk
    with pytest.raises(CoreError, match="did not fit"):
        make_slice(model, training, "random", points=41, gate=Deadline(Budget(0.0)))
