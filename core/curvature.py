"""Curvature at a point by autograd: the Hessian (double backward), its eigenvalues and eigenvectors, the condition
number, and what they predict for gradient descent: stable for lr < 2 (1 + beta) / ((1 - dampening) lambda_max)
(plain GD: beta = 0; torch.optim.SGD's momentum is the heavy ball: x+ = x - lr g + beta (x - x-))."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
from torch import Tensor

from core import limits
from core.errors import CoreError
from core.objectives import Point
from core.run import Endpoints, Reason, RunConfig
from core.run.budget import Gate

Fn = Callable[[Tensor], Tensor]  # [..., m] -> [...]


@dataclass(frozen=True)
class Curvature:
    """The Hessian H at a point and what it says: eigenvalues ascending, eigenvectors as columns (unit length)."""

    point: tuple[float, ...]
    f: float
    gradient: np.ndarray  # [m]
    hessian: np.ndarray  # [m, m]
    eigenvalues: np.ndarray  # [m], ascending
    eigenvectors: np.ndarray  # [m, m], column i belongs to eigenvalues[i]

    @property
    def lambda_max(self) -> float:
        return float(self.eigenvalues[-1])

    @property
    def positive_definite(self) -> bool:
        return bool(self.eigenvalues[0] > 0)

    @property
    def condition(self) -> float:
        """|lambda| largest over smallest (inf where an eigenvalue is 0)."""
        a = np.abs(self.eigenvalues)
        return math.inf if a.min() == 0 else float(a.max() / a.min())

    def lr_bound(self, momentum: float = 0.0, dampening: float = 0.0) -> float | None:
        """The largest stable learning rate of SGD on the quadratic model here; None when no direction curves up."""
        return lr_bound(self.lambda_max, momentum, dampening)


def lr_bound(lambda_max: float, momentum: float = 0.0, dampening: float = 0.0) -> float | None:
    """2 (1 + momentum) / ((1 - dampening) lambda_max): past it the most curved direction's error grows each step.
    Without momentum torch's SGD ignores dampening (no momentum buffer), and so does the bound: 2 / lambda_max."""
    if not (0 <= momentum < 1 and 0 <= dampening < 1):
        raise CoreError("momentum and dampening must be from 0 up to (not including) 1")
    if not lambda_max > 0:
        return None
    return 2 * (1 + momentum) / ((1 - (dampening if momentum else 0.0)) * lambda_max)


def bound_applies(optimizer: str, values: dict) -> bool:
    """Whether lr_bound is this optimizer's: SGD with plain or heavy-ball momentum and no weight decay (Nesterov's
    momentum has another bound; weight decay moves the point SGD settles at and adds to the curvature)."""
    return optimizer == "sgd" and not values.get("nesterov") and not values.get("weight_decay")


def hessian(fn: Fn, point: Sequence[float]) -> tuple[float, np.ndarray, np.ndarray]:
    """f, its gradient and its Hessian at point in float64, by autograd: the gradient's own gradient."""
    p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    f = fn(p)
    (g,) = torch.autograd.grad(f, p, create_graph=True)
    rows = [torch.autograd.grad(g[i], p, retain_graph=True, allow_unused=True)[0] if g.requires_grad else None
            for i in range(len(point))]  # a gradient with no history is constant: f is linear, H = 0
    h = torch.stack([torch.zeros_like(p) if r is None else r for r in rows]).detach().numpy()
    return float(f.detach()), g.detach().numpy(), (h + h.T) / 2  # symmetric up to rounding; eigh reads one triangle


def hessians(fn: Fn, points: np.ndarray) -> np.ndarray:
    """The Hessian at each of n points of the plane as [n, 3] = (hxx, hxy, hyy), float64, by one batched double
    backward (fn evaluates rows independently, as every objective does for a batch of starts); NaN where not finite."""
    p = torch.tensor(np.asarray(points, dtype=np.float64).reshape(-1, 2), requires_grad=True)
    if p.shape[0] == 0:
        return np.zeros((0, 3))
    f = fn(p).sum()
    g = torch.autograd.grad(f, p, create_graph=True, allow_unused=True)[0] if f.requires_grad else None
    if g is None or not g.requires_grad:  # f constant or linear in x and y: no curvature anywhere
        return np.zeros((p.shape[0], 3))
    rows = [torch.autograd.grad(g[:, i].sum(), p, retain_graph=True, allow_unused=True)[0] for i in range(2)]
    hx, hy = (torch.zeros_like(p) if r is None else r.detach() for r in rows)
    out = torch.stack([hx[:, 0], (hx[:, 1] + hy[:, 0]) / 2, hy[:, 1]], 1).numpy()
    out[~np.isfinite(out).all(1)] = np.nan
    return out


def curvature(fn: Fn, point: Sequence[float]) -> Curvature:
    """The Hessian at point and its eigen-decomposition."""
    if not all(math.isfinite(v) for v in point):
        raise CoreError("the curvature needs a finite point, not {point}", point=repr(tuple(point)))
    f, g, h = hessian(fn, point)
    if not np.isfinite(h).all():
        raise CoreError("the Hessian is not finite at {point}", point=repr(tuple(point)))
    values, vectors = np.linalg.eigh(h)
    return Curvature(tuple(float(v) for v in point), f, g, h, values, vectors)


def newton_minimum(fn: Fn, start: Point, view: tuple[float, float], steps: int = 60) -> Point | None:
    """A minimum near start by Newton's method in float64 (gradient steps where H is not positive definite); None
    when none is found inside the square view x view (e.g. a loss that keeps falling as the weights grow)."""
    p = np.array(start, dtype=np.float64)
    for _ in range(steps):
        _, g, h = hessian(fn, tuple(p))
        if not (np.isfinite(g).all() and np.isfinite(h).all()):
            return None
        if np.linalg.norm(g) < 1e-12:
            break
        p = p - (np.linalg.solve(h, g) if np.linalg.eigvalsh(h)[0] > 0 else g)
        if not np.all((view[0] <= p) & (p <= view[1])):
            return None
    _, g, h = hessian(fn, tuple(p))
    if np.linalg.norm(g) > 1e-9 or np.linalg.eigvalsh(h)[0] <= 0:
        return None
    return float(p[0]), float(p[1])


@dataclass(frozen=True)
class Stability:
    """A learning-rate sweep of SGD from beside a minimum: which runs settled back, and where that stops."""

    minimum: Point
    lrs: np.ndarray  # ascending
    settled: np.ndarray  # bool: ended closer to the minimum than it started, finite
    predicted: float | None  # lr_bound at the minimum
    measured: tuple[float, float] | None  # (the last lr that settled, the first that did not), None if no change

    @property
    def agrees(self) -> bool:
        """The predicted bound lies between the two learning rates where the measured behaviour changes."""
        return (self.predicted is not None and self.measured is not None
                and self.measured[0] < self.predicted <= self.measured[1])


def stability(config: RunConfig, minimum: Point, low: float, high: float, count: int, offset: float = 1e-3,
              gate: Gate | None = None) -> Stability:
    """config's SGD (its momentum and dampening) at count learning rates low..high, one batch (core/explore/sweep),
    each started offset away from minimum along both of the Hessian's eigenvectors."""
    from core.explore.sweep import sweep  # core.explore imports core.run, as this module does

    if config.optimizer != "sgd":
        raise CoreError("the stability bound is for SGD, not {optimizer}", optimizer=config.optimizer)
    values = config.hyper_values
    if not bound_applies(config.optimizer, values):
        raise CoreError("the stability bound is for SGD without Nesterov momentum or weight decay")
    here = curvature(config.objective_spec.fn, minimum)
    start = np.array(minimum) + offset * here.eigenvectors.sum(1) / math.sqrt(2)
    run_config = dataclasses.replace(config, starts=(tuple(float(v) for v in start),), tol=None)
    ends = sweep(run_config, low, high, count, gate=gate)
    distance = np.linalg.norm(ends.positions - np.array(minimum), axis=1)
    settled = np.array([r != "diverged" for r in ends.reason]) & (distance < offset)
    changes = np.flatnonzero(settled[:-1] & ~settled[1:])
    lrs = np.array(ends.lrs)
    measured = (float(lrs[changes[0]]), float(lrs[changes[0] + 1])) if changes.size else None
    predicted = here.lr_bound(float(values.get("momentum", 0.0)), float(values.get("dampening", 0.0)))
    return Stability(minimum, lrs, settled, predicted, measured)


@dataclass(frozen=True)
class SweepBound:
    """What a learning-rate sweep of SGD says about the bound: the minimum its runs reach, λ_max and the bound predicted
    there, and the measured one (the largest lr whose run reached it, and the next lr swept)."""

    minimum: Point
    lambda_max: float  # the Hessian's largest eigenvalue there, which the prediction comes from
    predicted: float | None
    measured: tuple[float, float | None]  # (largest lr that reached the minimum, the next one swept or None)

    @property
    def agrees(self) -> bool:
        high = self.measured[1]
        return self.predicted is not None and self.measured[0] < self.predicted and (high is None
                                                                                    or self.predicted <= high)


def sweep_bound(ends: Endpoints, reached: float = limits.REACHED_DISTANCE) -> SweepBound | None:
    """The bound at the minimum a sweep's runs reach (core/explore/sweep.py's Endpoints; SGD): the minimum is
    refined by Newton from the end of the largest learning rate that converged (else the lowest end that did not
    diverge). None when no run got anywhere or the sweep is not of SGD.

    The bound is local: from a far start a run may leave for another basin or blow up below it (momentum's
    overshoot on Himmelblau from (0, 0) with beta 0.9 does), and a loose tol may call a slowly growing
    oscillation converged; `stability` measures it from beside the minimum instead."""
    config = ends.config
    values = config.hyper_values
    if not bound_applies(config.optimizer, values) or not ends.lrs:
        return None
    fine = [i for i, r in enumerate(ends.reason) if r != Reason.DIVERGED and np.isfinite(ends.losses[i])]
    converged = [i for i in fine if ends.reason[i] == Reason.CONVERGED]
    if not fine:
        return None
    seed = converged[-1] if converged else min(fine, key=lambda i: ends.losses[i])
    objective = config.objective_spec
    view = (-objective.escape_radius, objective.escape_radius)
    minimum = newton_minimum(objective.fn, tuple(float(v) for v in ends.positions[seed]), view)
    if minimum is None:
        return None
    near = [i for i in fine if np.linalg.norm(ends.positions[i] - np.array(minimum)) <= reached]
    if not near:
        return None
    last = near[-1]
    lam = curvature(objective.fn, minimum).lambda_max
    predicted = lr_bound(lam, float(values.get("momentum", 0.0)), float(values.get("dampening", 0.0)))
    following = float(ends.lrs[last + 1]) if last + 1 < len(ends.lrs) else None
    return SweepBound(minimum, lam, predicted, (float(ends.lrs[last]), following))
