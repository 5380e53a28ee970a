"""Perceptron gradients from the source tutorial: autograd beside the hand derivation.

Single output: o = sigmoid(x @ w.T), loss = mse_loss(ones(1, 1), o); dL/dw_j = 2 (o - 1) o (1 - o) x_j.
K outputs: w is [K, n], o is [1, K], loss = mse_loss(ones(1, K), o); dL/dw_kj = (2/K) (o_k - 1) o_k (1 - o_k) x_j.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from core import limits
from core.errors import CoreError
from core.optimizers import get_optimizer

FORMULA = r"\frac{\partial L}{\partial w_{kj}} = \frac{2}{K}\,(o_k - 1)\,o_k\,(1 - o_k)\,x_j"

# What the tutorial printed (its x and w were random and not printed).
SOURCE_SINGLE_GRAD = (0.1487, -0.2792, -0.1376, 0.0631, 0.1375, -0.0981, 0.4706, -0.1833, -0.0650, 0.0343)
SOURCE_MULTI_LOSS = 0.1992
SOURCE_MULTI_GRAD = ((-0.0304, -0.1594, -0.1914, -0.2953, 0.0601, 0.0641, -0.1157, -0.1107, 0.1565, 0.0722),
                     (-0.0006, -0.0033, -0.0039, -0.0061, 0.0012, 0.0013, -0.0024, -0.0023, 0.0032, 0.0015))


@dataclass(frozen=True)
class Perceptron:
    """One forward and backward pass, with the hand formula evaluated on the same numbers."""

    x: np.ndarray  # [1, n]
    w: np.ndarray  # [K, n]
    o: np.ndarray  # [1, K]
    loss: float
    loss_shape: str
    grad: np.ndarray  # w.grad from autograd, [K, n]
    formula: np.ndarray  # the hand derivation, [K, n]

    @property
    def max_diff(self) -> float:
        return float(np.abs(self.grad - self.formula).max())

    @property
    def local(self) -> np.ndarray:
        """(2/K)(o_k - 1) o_k (1 - o_k): the factor each row of the gradient is x scaled by."""
        o = self.o[0].astype(np.float64)
        return 2.0 / len(o) * (o - 1) * o * (1 - o)


def check_sizes(n: int, k: int) -> None:
    if not 1 <= n <= limits.MAX_INPUTS:
        raise CoreError("n must be from 1 to {most}, not {n}", most=limits.MAX_INPUTS, n=n)
    if not 1 <= k <= limits.MAX_OUTPUTS:
        raise CoreError("K must be from 1 to {most}, not {k}", most=limits.MAX_OUTPUTS, k=k)


def draw(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """x [1, n] then w [K, n] from torch.randn, as the source draws them, with a seeded generator."""
    check_sizes(n, k)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, n, generator=g)
    w = torch.randn(k, n, generator=g)
    return x.numpy(), w.numpy()


def perceptron(x: np.ndarray, w: np.ndarray) -> Perceptron:
    """The source's code on x and w (float32, as there), and the formula in float64 beside it."""
    x_np, w_np = np.asarray(x, dtype=np.float32).reshape(1, -1), np.asarray(w, dtype=np.float32)
    check_sizes(x_np.shape[1], w_np.shape[0])
    finite = np.isfinite(x_np).all() and np.isfinite(w_np).all()
    if w_np.ndim != 2 or w_np.shape[1] != x_np.shape[1] or not finite:
        raise CoreError("w must be finite numbers of shape [K, {n}], like x's {n} columns", n=x_np.shape[1])
    xt = torch.from_numpy(x_np)
    wt = torch.from_numpy(w_np.copy()).requires_grad_()
    o = torch.sigmoid(xt @ wt.t())
    loss = F.mse_loss(torch.ones(1, w_np.shape[0]), o)
    loss.backward()
    x64, w64 = x_np.astype(np.float64), w_np.astype(np.float64)
    o64 = 1 / (1 + np.exp(-(x64 @ w64.T)))
    k = w_np.shape[0]
    formula = (2 / k) * ((o64 - 1) * o64 * (1 - o64)).T * x64
    return Perceptron(x_np, w_np, o.detach().numpy(), loss.item(), str(loss.shape), wt.grad.numpy(), formula)


def descend(x: np.ndarray, w: np.ndarray, optimizer: str = "sgd", lr: float = 1.0, steps: int = 20) -> np.ndarray:
    """Losses of `steps` torch.optim steps on w (x fixed): loss[0] before any step."""
    if not 1 <= steps <= limits.MAX_STEPS:
        raise CoreError("steps must be from 1 to {most}, not {steps}", most=f"{limits.MAX_STEPS:,}", steps=steps)
    xt = torch.as_tensor(np.asarray(x, dtype=np.float32)).reshape(1, -1)
    wt = torch.tensor(np.asarray(w, dtype=np.float32), requires_grad=True)
    opt = get_optimizer(optimizer).build([wt], {"lr": lr})
    target = torch.ones(1, wt.shape[0])
    losses = []
    for _ in range(steps + 1):
        loss = F.mse_loss(target, torch.sigmoid(xt @ wt.t()))
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return np.array(losses)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _weights_for(x: np.ndarray, outputs: list[float]) -> np.ndarray:
    """The smallest w with sigmoid(x @ w_k) = o_k for each k."""
    return np.array([_logit(o) * x / float(x @ x) for o in outputs], dtype=np.float64)


def source_single() -> tuple[np.ndarray, np.ndarray]:
    """An x and w that give the tutorial's printed single-output w.grad.

    Only w.grad was printed, so o is free: with o = 0.5 the factor 2 (o - 1) o (1 - o) is -1/4 and
    x = -4 w.grad; w is then any vector with x @ w = 0 (here x rotated, not the zero vector).
    """
    x = -4 * np.array(SOURCE_SINGLE_GRAD)
    w = np.roll(x, 1) - (np.roll(x, 1) @ x) / (x @ x) * x
    return x.reshape(1, -1), w.reshape(1, -1)


def source_multi() -> tuple[np.ndarray, np.ndarray]:
    """An x and w that give the tutorial's printed two-output loss (0.1992) and w.grad.

    Each gradient row is c_k x with c_k = (o_k - 1) o_k (1 - o_k) (2/K = 1), and the loss is
    ((1 - o_0)^2 + (1 - o_1)^2) / 2; the printed rows fix c_0 / c_1, the loss fixes the rest.
    """
    g = np.array(SOURCE_MULTI_GRAD)
    ratio = float(g[0] @ g[1]) / float(g[1] @ g[1])
    total = 2 * SOURCE_MULTI_LOSS

    def outputs(o1: float) -> tuple[float, float]:
        return 1 - math.sqrt(total - (1 - o1) ** 2), o1

    def c(o: float) -> float:
        return (o - 1) * o * (1 - o)

    lo, hi = 1 - math.sqrt(total) + 1e-12, 1 - 1e-12  # o_1 from where o_0 = 0 to 1
    for _ in range(200):  # bisection: c_0 / c_1 grows as o_1 goes to 1
        mid = (lo + hi) / 2
        o0, o1 = outputs(mid)
        lo, hi = (mid, hi) if c(o0) / c(o1) < ratio else (lo, mid)
    o0, o1 = outputs(lo)
    x = g[0] / c(o0)
    return x.reshape(1, -1), _weights_for(x, [o0, o1])
