"""The curvature at the instrument's cursor: the Hessian /Descent sends per drawn point against central finite
differences of f and against core.curvature.hessian, for a built-in objective, a typed formula and LBFGS's sampled
points; what it costs a rerun; and the link toggling it."""
import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.curvature import hessian
from core.objectives import get_objective
from tests.test_share import PAGES


def unpack(spec: dict) -> np.ndarray:
    """A typed-array spec as the browser reads it (little-endian bytes, shaped when 2-D)."""
    a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype={"f4": "<f4", "i4": "<i4"}[spec["dtype"]])
    return a.reshape(tuple(int(n) for n in spec["shape"].split(","))) if "shape" in spec else a


def sent(link: dict[str, str], name: str = "Descent") -> dict:
    """What the page sends the instrument for this link."""
    at = AppTest.from_file(PAGES[name], default_timeout=180)
    for k, v in link.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return json.loads(at.get("bidi_component")[0].proto.json)


def central(fn, p: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """(hxx, hxy, hyy) by central differences of f in float64: no autograd."""
    f = lambda q: float(fn(torch_point(q)))  # noqa: E731
    e = np.eye(2) * h
    hxx = (f(p + e[0]) - 2 * f(p) + f(p - e[0])) / h**2
    hyy = (f(p + e[1]) - 2 * f(p) + f(p - e[1])) / h**2
    hxy = (f(p + e[0] + e[1]) - f(p + e[0] - e[1]) - f(p - e[0] + e[1]) + f(p - e[0] - e[1])) / (4 * h * h)
    return np.array([hxx, hxy, hyy])


def torch_point(q: np.ndarray):
    import torch

    return torch.tensor(q, dtype=torch.float64)


FORMULA = "(x - 1)**2 + 2*(y + 0.5)**2 + sin(3*x)*cos(2*y)"  # a typed formula: core/expr.py's torch operations


def check_hessians(path: dict, fn) -> None:
    """The path's Hessians at six of its drawn points against core.curvature.hessian and central differences."""
    h = unpack(path["hessian"]).astype(np.float64)
    xy = np.stack([unpack(path["x"]), unpack(path["y"])], 1).astype(np.float64)
    assert h.shape == (len(unpack(path["steps"])), 3) and len(h) > 5
    for i in np.linspace(0, len(h) - 1, 6).astype(int):
        _, _, want = hessian(fn, xy[i])
        by_autograd = np.array([want[0, 0], want[0, 1], want[1, 1]])
        scale = max(1.0, np.abs(by_autograd).max())
        np.testing.assert_allclose(h[i], by_autograd, rtol=1e-6, atol=1e-6 * scale)  # float32 rounding only
        np.testing.assert_allclose(h[i], central(fn, xy[i]), atol=2e-4 * scale)


@pytest.mark.parametrize("link,key,expr,bounds", [
    ({"fn": "rosenbrock", "opt": "sgd", "lr": "0.001", "steps": "300", "x0": "-1.5", "y0": "2"}, "rosenbrock", "",
     ()),
    ({"fn": "custom", "expr": FORMULA, "opt": "lbfgs", "lr": "0.1", "steps": "40", "tol": "off", "x0": "1",
      "y0": "1"}, "custom", FORMULA, (-5.0, 5.0, -5.0, 5.0)),
])
def test_the_hessian_sent_per_drawn_point_is_f_s_second_derivative(link, key, expr, bounds):
    data = sent({**link, "curv": "true"})
    (path,) = data["paths"]
    check_hessians(path, get_objective(key, expr, bounds).fn)
    words = data["texts"]["curv"]
    assert words["runs"] == [{"lr": float(link["lr"]), "beta": 0.0 if link["opt"] == "sgd" else None,
                              "dampening": 0.0}]


def test_the_model_page_sends_the_hessian_of_the_full_loss_on_minibatches():
    """/Model with minibatches of 10: the curvature is the full data set's loss's, the surface drawn."""
    from ui import plans

    data = sent({"curv": "true", "steps": "200"}, "Model")
    (path,) = data["paths"]
    assert "full" in path  # minibatches: the loss curve's full loss beside the minibatch loss
    spec = plans.data_spec(plans.link_values("Model", {}))
    assert spec.batch == 10 and spec.size == 100
    check_hessians(path, get_objective("perceptron", data=spec).fn)
    assert data["texts"]["curv"]["runs"] == [{"lr": 0.05, "beta": None, "dampening": 0.0}]  # Adam: GD's bound
