"""The /Slices page: what it draws is the loss a plain torch.nn forward and F.mse_loss give at the grid's weights,
its principal directions are numpy's SVD of the path, its projected path numpy's least squares, the numbers its text
states come from the run, and its budget cuts and refusals are notices, not tracebacks."""
import base64
import json

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import vector_to_parameters

from core import limits
from core.model.data import make_data
from core.run.budget import Deadline
from tests.test_share import PAGES
from ui import plans, slicing

LINKS = {"pca": {"model": "mlp", "n": "6", "hidden": "4", "size": "60", "steps": "80", "grid": "9", "lr": "0.1"},
         "random": {"model": "perceptron", "n": "12", "size": "50", "spread": "4", "steps": "60", "grid": "7",
                    "dirs": "random", "dir_seed": "3", "span": "2", "opt": "sgd", "lr": "0.5"}}


def open_page(link: dict) -> AppTest:
    at = AppTest.from_file(PAGES["Slices"], default_timeout=180)
    for key, value in link.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    assert not [w.value for w in at.warning if "not accepted" in w.value]
    return at


def computed(link: dict):
    """What the page computes for the link: its plan, made by the same work function outside any page."""
    plan = plans.slices(plans.link_values("Slices", link))
    return plan, slicing._slice(plan, lambda done, total: None, Deadline())


def figure(at: AppTest, key: str) -> dict:
    """A chart's Plotly spec as the page sent it."""
    return json.loads(next(c.proto.spec for c in at.get("plotly_chart") if c.proto.id.endswith(key) or
                           key in c.proto.id))


def array(value) -> np.ndarray:
    """A Plotly array: a list, or a typed-array spec (base64 bytes, a dtype and a shape)."""
    if not isinstance(value, dict):
        return np.asarray(value, dtype=np.float64)
    a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<"))
    return a.reshape([int(n) for n in value["shape"].split(",")]) if "shape" in value else a


def torch_loss(plan, flat: np.ndarray) -> float:
    """The tutorial's loss of a torch.nn module written out here, its weights set by torch's vector_to_parameters."""
    dim = plan.data.dim
    module = (nn.Linear(dim, 1, bias=False) if plan.model.kind == "perceptron" else
              nn.Sequential(nn.Linear(dim, plan.model.hidden), nn.Tanh(), nn.Linear(plan.model.hidden, 1)))
    vector_to_parameters(torch.as_tensor(flat, dtype=torch.float32), module.parameters())
    x, y = make_data(plan.data)
    with torch.no_grad():
        return F.mse_loss(y[:, None], torch.sigmoid(module(x))).item()


@pytest.fixture(scope="module", params=list(LINKS))
def shown(request):
    link = LINKS[request.param]
    return request.param, open_page(link), *computed(link)


def test_the_surface_drawn_is_the_loss_torch_computes_at_those_weights(shown):
    """The 3D surface's and the contour's heights, as sent to the browser, against a plain forward at sampled grid
    points; the path drawn at the plane's loss of each projected step."""
    kind, at, plan, out = shown
    s = out.slice
    surface, contour = figure(at, "slice_surface"), figure(at, "slice_contour")
    z = array(surface["data"][0]["z"])
    assert z.shape == (plan.points, plan.points) and np.array_equal(array(contour["data"][0]["z"]), z)
    a, b = array(surface["data"][0]["x"]), array(surface["data"][0]["y"])
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, plan.points, size=(5, 2)):
        flat = s.center + a[i] * s.d1 + b[j] * s.d2
        assert z[j, i] == pytest.approx(torch_loss(plan, flat), rel=1e-5, abs=1e-7)
    path = surface["data"][1]
    for k in (0, len(s.path) // 2, len(s.path) - 1):
        on_plane = s.center + array(path["x"])[k] * s.d1 + array(path["y"])[k] * s.d2
        assert array(path["z"])[k] == pytest.approx(torch_loss(plan, on_plane), rel=1e-4, abs=1e-7)
    if plan.span:
        assert a[-1] == pytest.approx(plan.span) and a[0] == pytest.approx(-plan.span)


def test_directions_and_path_are_numpys_svd_and_least_squares(shown):
    """pca: d1 and d2 are the first right singular vectors of the path about w_c and the explained shares the
    singular values'; either kind: the path is numpy's least-squares point of the plane for each step's weights."""
    kind, at, plan, out = shown
    s, w = out.slice, out.training.weights.astype(np.float64)
    assert np.array_equal(s.center, out.training.weights[-1])
    basis = np.stack([s.d1, s.d2], 1).astype(np.float64)
    want = np.linalg.lstsq(basis, (w - s.center).T, rcond=None)[0].T
    np.testing.assert_allclose(s.path, want, rtol=1e-4, atol=1e-5 * np.abs(want).max())
    if kind == "pca":
        _, sv, vh = np.linalg.svd(w - w[-1], full_matrices=False)
        assert abs(abs(float(s.d1 @ vh[0])) - 1) < 1e-4 and abs(abs(float(s.d2 @ vh[1])) - 1) < 1e-4
        np.testing.assert_allclose(s.explained, sv[:2] ** 2 / (sv**2).sum(), rtol=1e-4)
        text = next(m.value for m in at.markdown if "principal directions" in m.value)
        assert f"{sv[0] ** 2 / (sv**2).sum():.1%} and {sv[1] ** 2 / (sv**2).sum():.1%}" in text
    else:
        assert s.explained is None and "seed 3" in next(m.value for m in at.markdown if "random directions" in m.value)


def test_the_stated_gap_is_the_runs_own(shown):
    """The largest |loss at the weights - loss on the plane| the page states, against torch at the run's weights and
    at their projections; the loss chart draws both curves."""
    kind, at, plan, out = shown
    s, w = out.slice, out.training.weights
    at_weights = np.array([torch_loss(plan, row) for row in w])
    on_plane = np.array([torch_loss(plan, s.center + p[0] * s.d1 + p[1] * s.d2) for p in s.path])
    gap = np.abs(at_weights - on_plane)
    k = int(np.argmax(gap))
    text = next(m.value for m in at.markdown if "differ by up to" in m.value)
    assert f"differ by up to {gap[k]:.3g} (step {k:,}:" in text
    losses = figure(at, "slice_losses")["data"]
    np.testing.assert_allclose(array(losses[0]["y"]), at_weights, rtol=1e-4)
    np.testing.assert_allclose(array(losses[1]["y"]), on_plane, rtol=1e-4)
    assert f"{s.center.size:,} weights: the other {s.center.size - 2:,} directions" in \
        next(m.value for m in at.markdown if "one plane through w_c" in m.value)


def test_budget_cuts_are_noticed_and_a_spent_budget_is_a_message(monkeypatch):
    """Work past half the page's budget is cut (grid and steps) with notices; a budget spent inside the grid's
    evaluation ends the page with a message, not a traceback."""
    monkeypatch.setattr(limits, "WORK_SECONDS", 2e-3)
    at = open_page({"grid": "41", "steps": "300", "dirs": "random", "size": "200"})
    plan = plans.slices(plans.link_values("Slices", {"grid": "41", "steps": "300", "dirs": "random", "size": "200"}))
    assert plan.points < 41 and plan.steps < 300
    shown = " ".join(w.value for w in at.warning)
    assert f"a 41 × 41 grid of this model cannot finish within a page's compute budget: using {plan.points} × " \
           f"{plan.points}." in shown and "300 steps of these settings cannot finish" in shown
    assert array(figure(at, "slice_surface")["data"][0]["z"]).shape == (plan.points, plan.points)
    monkeypatch.setattr(limits, "RUN_SECONDS", 0.0)
    at = open_page({"grid": "5", "steps": "7", "dirs": "random", "size": "20"})
    assert "did not fit in this page's compute budget" in " ".join(e.value for e in at.error)


def test_a_path_in_one_direction_is_refused_in_both_languages():
    """One step cannot give two principal directions: a message in the page's language."""
    at = open_page({"steps": "1", "grid": "5", "lang": "zh"})
    assert not at.get("plotly_chart") and at.error and "principal" not in at.error[0].value


def test_the_plan_by_hand():
    """The link's model, data and directions as written; the heaviest setting cut by hand: half of WORK_SECONDS for
    the grid (1,000 points x 32 hidden units x SLICE_ACTIVATION_SECONDS a grid point), half for the steps
    (MODEL_STEP_SECONDS a step, LBFGS up to max_iter = 20 evaluations a step)."""
    plan = plans.slices(plans.link_values("Slices", {"model": "perceptron", "n": "5", "opt": "rmsprop", "steps": "40",
                                                     "dirs": "random", "dir_seed": "2", "span": "1.5", "size": "30"}))
    assert (plan.model.kind, plan.data.dim, plan.data.size, plan.optimizer, dict(plan.hypers)["lr"]) == \
        ("perceptron", 5, 30, "rmsprop", 0.01)  # a chosen optimizer without its own lr takes torch's default
    assert (plan.kind, plan.seed, plan.span, plan.steps, plan.points) == ("random", 2, 1.5, 40, 41)
    heavy = {"n": "64", "hidden": "32", "size": "1000", "grid": "101", "steps": "5000"}
    half = limits.WORK_SECONDS / 2
    adam = plans.slices(plans.link_values("Slices", heavy))
    assert adam.points == int((half / (1000 * 32 * limits.SLICE_ACTIVATION_SECONDS)) ** 0.5) == 72
    assert adam.steps == int(half / limits.MODEL_STEP_SECONDS) == 1000 and adam.span is None
    assert plans.slices(plans.link_values("Slices", {**heavy, "opt": "lbfgs"})).steps == 50
