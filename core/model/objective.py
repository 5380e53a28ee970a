"""The tutorial's perceptron over two weights as an objective: L(w1, w2) = mse_loss(y, sigmoid(x @ w.T)) over a
seeded data set, batched over start points like every objective, fed the full batch or a minibatch each step."""
from __future__ import annotations

import functools
from typing import Callable, Iterator

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F

from core.errors import CoreError
from core.model.data import LANES, DataSpec, make_data, minibatches
from core.objectives import PERCEPTRON, Objective

VIEW = (-3.0, 3.0)  # w1 and w2 on the surface (the minimum of the default data set is near (0.65, 0.17))
LATEX = r"L(w_1, w_2) = \frac{1}{N}\sum_{i=1}^{N}\big(y_i - \sigma(w_1 x_{i1} + w_2 x_{i2})\big)^2"


def perceptron_loss(x: Tensor, y: Tensor) -> Callable[[Tensor], Tensor]:
    """L(w) over the points x [N, 2] with labels y [N], for w [..., 2]: one loss per row of w.

    The tutorial's o = sigmoid(x @ w.T) and F.mse_loss(target, o), written so that each row's numbers are those of
    the same w evaluated alone, bit for bit: per coordinate (a matmul may block rows differently by batch size),
    and over points padded with zeros to a multiple of LANES, left out of the mean. Eager torch computes sigmoid
    in vectors and the elements past the last full vector with a scalar routine that differs in the last bit, so
    without padding a row's numbers would depend on how many rows come before it.
    """
    n = len(y)
    pad = (-n) % LANES
    x1, x2 = F.pad(x, (0, 0, 0, pad)).unbind(-1)
    target, keep = F.pad(y, (0, pad)), F.pad(torch.ones(n), (0, pad))

    def fn(w: Tensor) -> Tensor:
        w1, w2 = w.unbind(-1)
        o = torch.sigmoid(w1[..., None] * x1.to(w.dtype) + w2[..., None] * x2.to(w.dtype))
        squares = F.mse_loss(target.to(w.dtype).expand_as(o), o, reduction="none")
        return (squares * keep.to(w.dtype)).sum(-1) / n

    return fn


def batch_losses(spec: DataSpec) -> Callable[[], Iterator[Callable[[Tensor], Tensor]]] | None:
    """A maker of fresh streams of per-step losses, each on the step's minibatch (None for the full batch)."""
    if not spec.batch:
        return None
    x, y = make_data(spec)

    def stream() -> Iterator[Callable[[Tensor], Tensor]]:
        return (perceptron_loss(x[idx], y[idx]) for idx in minibatches(spec))

    return stream


@functools.lru_cache(maxsize=32)
def perceptron_objective(spec: DataSpec) -> Objective:
    """The perceptron's loss over spec's data set as an objective of the registry's kind (its minimum by Newton)."""
    from core.curvature import newton_minimum  # core.curvature imports core.objectives too

    if spec.dim != 2:
        raise CoreError("the perceptron's loss surface has two weights: its data has 2 inputs, not {dim}",
                        dim=spec.dim)
    x, y = make_data(spec)
    fn = perceptron_loss(x, y)
    minimum = newton_minimum(fn, (0.0, 0.0), VIEW)
    return Objective(PERCEPTRON, "Perceptron", fn, VIEW, VIEW, () if minimum is None else (minimum,), LATEX,
                     batches=batch_losses(spec), variables=("w1", "w2"))


def full_losses(positions: np.ndarray, objective: Objective) -> np.ndarray:
    """The objective's own f (the full data set's loss) at every recorded point, in the positions' dtype."""
    with torch.no_grad():
        return objective.fn(torch.from_numpy(np.ascontiguousarray(positions))).numpy()
