"""Perceptron, chain rule and tensor demos: autograd against hand derivations and the source's printed values."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core import limits
from core.autograd import chain, perceptron
from core.autograd.tensors import DEMOS, evaluate


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, limits.MAX_INPUTS), k=st.integers(1, limits.MAX_OUTPUTS), seed=st.integers(0, 2**31 - 1))
def test_autograd_equals_hand_formula(n, k, seed):
    x, w = perceptron.draw(n, k, seed)
    r = perceptron.perceptron(x, w)
    assert r.grad.shape == (k, n) and r.loss_shape == "torch.Size([])"
    assert r.max_diff < 1e-6
    np.testing.assert_allclose(r.loss, np.mean((1 - r.o.astype(np.float64)) ** 2), rtol=1e-5)


def test_draw_matches_the_source_recipe():
    """x then w from torch.randn after seeding, as the source draws them."""
    torch.manual_seed(7)
    x_ref, w_ref = torch.randn(1, 10), torch.randn(2, 10)
    x, w = perceptron.draw(10, 2, 7)
    np.testing.assert_array_equal(x, x_ref.numpy())
    np.testing.assert_array_equal(w, w_ref.numpy())


def test_source_single_output_reproduced():
    r = perceptron.perceptron(*perceptron.source_single())
    assert np.abs(r.grad - np.array([perceptron.SOURCE_SINGLE_GRAD])).max() < 5e-5
    assert r.loss_shape == "torch.Size([])"


def test_source_two_outputs_reproduced():
    """The printed loss 0.1992 and both rows of w.grad (4 decimals), the second about 50x smaller."""
    r = perceptron.perceptron(*perceptron.source_multi())
    assert f"{r.loss:.4f}" == "0.1992"
    printed = [[f"{v:.4f}" for v in row] for row in perceptron.SOURCE_MULTI_GRAD]
    assert [[f"{v:.4f}" for v in row] for row in r.grad.tolist()] == printed
    ratio = np.abs(r.grad[0]).max() / np.abs(r.grad[1]).max()
    assert 40 < ratio < 60


def test_descent_on_w_lowers_the_loss():
    x, w = perceptron.draw(10, 3, 1)
    losses = perceptron.descend(x, w, "sgd", 1.0, 30)
    assert len(losses) == 31 and losses[-1] < losses[0]
    assert losses[0] == pytest.approx(perceptron.perceptron(x, w).loss, rel=1e-6)


@pytest.mark.parametrize("n,k", [(0, 1), (65, 1), (3, 0), (3, 17)])
def test_sizes_out_of_range_are_refused(n, k):
    with pytest.raises(ValueError):
        perceptron.draw(n, k, 0)


def test_mismatched_or_nonfinite_inputs_are_refused():
    with pytest.raises(ValueError, match="shape"):
        perceptron.perceptron(np.ones((1, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="finite"):
        perceptron.perceptron(np.ones((1, 3)), np.full((1, 3), np.nan))


def test_chain_rule_source_values():
    c = chain.chain(**{"x": 1.0, "weights": [2.0, 2.0], "biases": [1.0, 1.0]})
    assert c.product == 2.0 and c.direct == 2.0
    assert c.local == [1.0, 2.0] and c.hand == [1.0, 2.0]


@settings(max_examples=40, deadline=None)
@given(x=st.floats(-3, 3), ws=st.lists(st.floats(-2, 2), min_size=1, max_size=limits.MAX_LAYERS),
       act=st.sampled_from(list(chain.ACTIVATIONS)))
def test_product_of_locals_equals_direct_and_hand(x, ws, act):
    c = chain.chain(x, ws, [0.5] * len(ws), act)
    assert c.direct == pytest.approx(c.product, rel=1e-5, abs=1e-6)
    for a, h in zip(c.local, c.hand):
        assert a == pytest.approx(h, rel=1e-5, abs=1e-6)


def test_chain_against_finite_difference():
    c = chain.chain(0.3, [1.5, -0.7, 2.0], [0.1, 0.2, -0.3], "tanh")

    def top(w1):
        y = 0.3
        for w, b in zip([w1, -0.7, 2.0], [0.1, 0.2, -0.3]):
            y = math.tanh(y * w + b)
        return y

    h = 1e-6
    assert c.direct == pytest.approx((top(1.5 + h) - top(1.5 - h)) / (2 * h), rel=1e-4)


@pytest.mark.parametrize("links,act", [(2, "identity"), (4, "identity"), (3, "sigmoid"), (5, "tanh")])
def test_graph_has_the_nodes_the_expression_implies(links, act):
    """Each link makes one Mul and one Add (plus the activation's node); each w one AccumulateGrad."""
    c = chain.chain(1.0, [2.0] * links, [1.0] * links, act)
    ops = [n.op for n in c.nodes]
    assert ops.count("MulBackward0") == links and ops.count("AddBackward0") == links
    assert ops.count("AccumulateGrad") == links
    extra = {"identity": None, "sigmoid": "SigmoidBackward0", "tanh": "TanhBackward0"}[act]
    assert len(ops) == 3 * links + (links if extra else 0)
    if extra:
        assert ops.count(extra) == links
    keys = {n.key for n in c.nodes}
    assert all(a in keys and b in keys for a, b in c.edges) and len(c.edges) == len(c.nodes) - 1
    named = {n.name: n for n in c.nodes if n.name}
    assert named[f"y{links}"].grad == 1.0 and named["w1"].grad == pytest.approx(c.direct)
    assert "digraph" in chain.to_dot(c)


def test_chain_refuses_bad_input():
    with pytest.raises(ValueError):
        chain.chain(1.0, [1.0] * 9, [1.0] * 9)
    with pytest.raises(ValueError):
        chain.chain(float("nan"), [1.0], [1.0])
    with pytest.raises(ValueError):
        chain.chain(1.0, [1.0], [1.0], "relu6")


def test_tensor_demos_match_the_source():
    results = {d.code: evaluate(d) for d in DEMOS}
    assert results["np.ones(5).tolist()"] == (True, "[1.0, 1.0, 1.0, 1.0, 1.0]")
    ok, text = results["np.mat([[1, 2, 3], [0, 9, 8, 0]])"]
    assert not ok and text.startswith("AttributeError")
    assert results["np.asmatrix([[1, 2, 3], [0, 9, 8, 0]])"][1].startswith("ValueError")
    assert results["c = np.asmatrix(np.array(b, dtype=object)); print(c)"] == (
        True, "[[list([1, 2, 3]) list([0, 9, 8, 0])]]")  # the source's printed c
    assert results["c.tolist()"] == (True, "[[[1, 2, 3], [0, 9, 8, 0]]]")  # the source's printed c.tolist()
    assert results["torch.ones(2, 2).item()"][0] is False
