"""/Model: the perceptron's loss over two weights on the instrument, checked on what the page itself sends against
the tutorial's own torch loop, torch's loss at the surface's grid points and numpy's loss along the path."""
import base64
import json

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest
from torch.nn import functional as F

from core.model.data import make_data
from core.run import run
from ui import plans

MODEL = "../pages/9_Model.py"


def decode(spec):
    """A typed-array spec as numbers (the inverse of viz.instrument.typed)."""
    dtype = {"f4": "<f4", "i4": "<i4"}[spec["dtype"]]
    a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=dtype)
    return a.reshape([int(n) for n in spec["shape"].split(",")]) if "shape" in spec else a


def numpy_loss(w, x, y):
    """mean((sigmoid(x . w) - y)^2) in float64 numpy, for w [..., 2]."""
    z = np.asarray(w, np.float64) @ np.asarray(x, np.float64).T
    return ((1 / (1 + np.exp(-z)) - np.asarray(y, np.float64)) ** 2).mean(-1)


def config_of(link):
    return plans.model(plans.link_values("Model", link)).runs[0][0]


def tutorial_loop(config):
    """The tutorial's shape: w [1, 2] with requires_grad, o = sigmoid(x @ w.t()), F.mse_loss, backward, the
    torch.optim class's step; minibatches written out as torch.randperm per epoch from one seeded generator."""
    spec = config.data
    x, y = make_data(spec)
    w = torch.tensor([config.starts[0]], requires_grad=True)
    opt = torch.optim.Adam([w], **config.hyper_values)  # the page's default optimizer
    g, order = torch.Generator().manual_seed(spec.batch_seed), []
    path, losses = [w.detach().clone()[0]], []
    for _ in range(config.steps):
        if spec.batch and not order:
            perm = torch.randperm(spec.size, generator=g)
            order = [perm[i:i + spec.batch] for i in range(0, spec.size - spec.batch + 1, spec.batch)]
        idx = order.pop(0) if spec.batch else slice(None)
        loss = F.mse_loss(torch.sigmoid(x[idx] @ w.t()), y[idx][:, None])
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append(w.detach().clone()[0])
    return torch.stack(path).numpy(), np.array(losses, np.float32)


@pytest.mark.parametrize("link", [{}, {"batch": "0"}, {"batch": "7", "batch_seed": "3", "steps": "200"}])
def test_the_tutorials_loop_walks_the_pages_path(link):
    """The page's run (its config made from the link as the page makes it) is the tutorial's loop, on the same
    minibatches: every position to float32 rounding (the objective sums w1 x1 + w2 x2 per coordinate and takes the
    mean over padded points, where the tutorial's x @ w.t() and mse_loss round differently in the last bit)."""
    config = config_of(link)
    assert config.optimizer == "adam" and config.hyper_values["lr"] == 0.05 and config.tol is None
    traj = run(config)
    path, losses = tutorial_loop(config)
    np.testing.assert_allclose(traj.positions[:, 0], path, rtol=0, atol=2e-6)
    np.testing.assert_allclose(traj.losses[:-1, 0], losses, rtol=2e-6, atol=2e-8)


@pytest.fixture(scope="module")
def sent():
    """The default page (minibatches of 10) under AppTest: what it sends the instrument, and the page itself."""
    at = AppTest.from_file(MODEL, default_timeout=180)
    at.run()
    assert not at.exception and not at.error, (at.exception, at.error)
    return at, json.loads(at.get("bidi_component")[0].proto.json)


def test_the_surface_is_torchs_loss_at_its_grid_points(sent):
    """The scene's surface heights at sampled grid nodes equal the tutorial's F.mse_loss at those weights."""
    _, data = sent
    surf = data["scene"]["surface"]["data"][0]
    xs, ys, z = decode(surf["x"]), decode(surf["y"]), decode(surf["z"])
    x, y = make_data(config_of({}).data)
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, len(xs), size=(12, 2)):
        w = torch.tensor([[xs[j], ys[i]]], dtype=torch.float64)
        want = F.mse_loss(torch.sigmoid(x.double() @ w.t()), y.double()[:, None]).item()
        assert z[i, j] == pytest.approx(want, rel=2e-7), (i, j)


def test_the_path_lies_on_the_surface_and_the_curve_shows_both_losses(sent):
    """The 3D path is drawn at the full data set's loss (the surface's height there, numpy's loss, to float32),
    lifted by 1% of the surface's range; `full` is that loss, `loss` the run's minibatch loss at the same steps."""
    _, data = sent
    (p,) = data["paths"]
    steps, px, py, z, loss, full = (decode(p[k]) for k in ("steps", "x", "y", "z", "loss", "full"))
    config = config_of({})
    x, y = make_data(config.data)
    want = numpy_loss(np.stack([px, py], -1), x.numpy(), y.numpy())
    np.testing.assert_allclose(full, want, rtol=3e-7)
    heights = decode(data["scene"]["surface"]["data"][0]["z"])
    lift = 0.01 * (float(heights.max()) - float(heights.min()))
    np.testing.assert_allclose(z, want + lift, rtol=3e-7)
    traj = run(config)
    assert np.array_equal(loss, traj.losses[steps, 0]) and np.array_equal(px, traj.positions[steps, 0, 0])
    assert np.abs(loss - full).max() > 0.05  # minibatch noise: two different curves
    assert data["scene"]["loss"]["names"] == {"loss": "⟦minibatch loss⟧", "full": "⟦full loss⟧"}
    assert data["scene"]["contour"]["layout"]["xaxis"]["title"]["text"] == "w1"  # the axes are the weights
    assert data["scene"]["surface"]["layout"]["scene"]["zaxis"]["title"]["text"] == "f(w1, w2)"  # the height too
    assert data["scene"]["loss"]["layout"]["yaxis"]["title"]["text"] == "f(w_k)"  # and the loss curve's point
    assert "w2=%{y:.5f}" in data["scene"]["hover"]["contour"]
    assert {"minibatch loss", "full loss"} <= set(data["texts"]["scene"])


def test_the_pages_text_states_this_runs_numbers(sent):
    """B, N, the minibatches an epoch and the mean and largest gap between the two losses, computed here in numpy."""
    at, _ = sent
    config = config_of({})
    traj = run(config)
    x, y = make_data(config.data)
    gap = np.abs(traj.losses[:, 0] - numpy_loss(traj.positions[:, 0], x.numpy(), y.numpy()))
    text = next(m.value for m in at.markdown if m.value.startswith("Each step sees only"))
    assert "B = 10 of the 100 points (10 minibatches an epoch" in text and "50 epochs" in text
    assert f"the full loss at the same point by {gap.mean():.2g} on average" in text
    assert f"{gap.max():.2g} at most" in text
    ending = next(m.value for m in at.markdown if m.value.startswith("The full loss at the end is"))
    w1, w2 = (float(v) for v in ending.split("at (")[1].split(")")[0].split(","))
    angles = np.linspace(0, 2 * np.pi, 16)
    ring = [w1, w2] + 0.01 * np.stack([np.cos(angles), np.sin(angles)], -1)
    assert (numpy_loss(ring, x, y) > numpy_loss([w1, w2], x, y)).all()  # numpy's loss rises all around it
    full, fstar = numpy_loss(traj.positions[-1, 0], x, y), numpy_loss([w1, w2], x, y)
    assert ending == f"The full loss at the end is {full:.4g}; its minimum, at ({w1:g}, {w2:g}), is {fstar:.4g}."


def test_separable_clusters_have_no_minimum_and_the_page_says_so():
    """Spread 0.05: a line through 0 separates the clusters, the loss falls as w grows; no minimum, no error."""
    at = AppTest.from_file(MODEL, default_timeout=180)
    at.query_params["spread"] = "0.05"
    at.run()
    assert not at.exception and not at.error, (at.exception, at.error)
    x, y = make_data(config_of({"spread": "0.05"}).data)
    assert [numpy_loss([2 * s, s], x, y) > numpy_loss([4 * s, 2 * s], x, y) for s in (1, 2, 4)] == [True] * 3
    assert any("finds no minimum of it inside the view" in m.value for m in at.markdown)


def test_full_batch_sends_no_second_line_and_a_link_changes_b():
    """B = 0: one loss line (f - f* on a log axis, as /Descent); B from the link reaches the run."""
    at = AppTest.from_file(MODEL, default_timeout=180)
    at.query_params["batch"] = "0"
    at.run()
    data = json.loads(at.get("bidi_component")[0].proto.json)
    assert not at.exception and "full" not in data["paths"][0] and "names" not in data["scene"]["loss"]
    assert data["scene"]["loss"]["layout"]["yaxis"]["type"] == "log"
    at = AppTest.from_file(MODEL, default_timeout=180)
    at.query_params["batch"] = "25"
    at.run()
    assert at.number_input(key="batch").value == 25 and "full" in json.loads(
        at.get("bidi_component")[0].proto.json)["paths"][0]
    assert any("B = 25 of the 100 points (4 minibatches an epoch" in m.value for m in at.markdown)


def test_the_data_set_csv_reads_back_as_the_data():
    from core.io.exports import data_csv

    spec = config_of({"size": "37", "data_seed": "5"}).data
    rows = np.loadtxt(data_csv(spec).splitlines()[1:], delimiter=",")
    x, y = make_data(spec)
    assert np.array_equal(rows[:, :2].astype(np.float32), x.numpy()) and np.array_equal(rows[:, 2], y.numpy())


def test_the_summary_states_the_full_loss_and_b_past_n_is_the_full_batch(sent):
    """On minibatches the summary's loss is the whole data set's at the end point (numpy), the last minibatch's in
    its help; a B of N or more runs the full batch, and the page says so."""
    at, _ = sent
    traj = run(config_of({}))
    x, y = make_data(traj.config.data)
    metric = next(m for m in at.metric if m.label == "full loss at the end")
    assert metric.value == f"{numpy_loss(traj.positions[-1, 0], x.numpy(), y.numpy()):.4g}"
    assert metric.help.endswith(f"on the last minibatch it was {traj.losses[-1, 0]:.4g}")
    k = at.slider(key="k").value  # the step inspector: step k's minibatch loss, not the surface's f
    inspected = {m.label: m.value for m in at.metric}
    _, losses = tutorial_loop(traj.config)  # each step's minibatch loss in the tutorial's own loop
    assert "f(x_k)" not in inspected and float(inspected["minibatch loss at step k"]) == pytest.approx(losses[k], 1e-5)
    at = AppTest.from_file(MODEL, default_timeout=180)
    at.query_params.update({"batch": "60", "size": "40"})
    at.run()
    assert not at.exception and "full" not in json.loads(at.get("bidi_component")[0].proto.json)["paths"][0]
    assert [i.value for i in at.info] == ["B = 60 is not less than the 40 points: every step sees all of them, "
                                          "the full batch."]
