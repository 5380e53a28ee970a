"""The descent loop: a frozen config in, a trajectory out, with K start points batched as one [K, 2] tensor."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import torch
from torch.autograd.variable import Variable

from core import limits
from core.objectives import DEFAULT_OBJECTIVE, Objective, Point, get_objective
from core.optimizers import DEFAULT_OPTIMIZER, OptimizerSpec, get_optimizer

DTYPES = {"float32": torch.float32, "float64": torch.float64}
CHUNK = 64  # steps between checks for convergence and divergence (one host sync per chunk)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run; hashable, so it keys caches and links."""

    objective: str = DEFAULT_OBJECTIVE
    optimizer: str = DEFAULT_OPTIMIZER
    hypers: tuple[tuple[str, Any], ...] = ()  # (name, value) pairs over the optimizer's defaults
    starts: tuple[Point, ...] = ((0.0, 0.0),)
    steps: int = 1000
    dtype: str = "float32"
    tol: float | None = 1e-6  # converged when |grad| and the last move are both <= tol; None: never stop early

    def __post_init__(self) -> None:
        get_objective(self.objective)
        # torch's own checks too (e.g. Nesterov needs momentum), at construction, not mid-run
        get_optimizer(self.optimizer).build([torch.zeros(2, requires_grad=True)], dict(self.hypers))
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be float32 or float64, not {self.dtype!r}")
        if not (isinstance(self.steps, int) and 1 <= self.steps <= limits.MAX_STEPS):
            raise ValueError(f"steps must be a whole number from 1 to {limits.MAX_STEPS:,}, not {self.steps!r}")
        _check_starts(self.starts, self.steps)
        if self.tol is not None and not (math.isfinite(self.tol) and 0 <= self.tol <= 1):
            raise ValueError(f"tol must be between 0 and 1 (or off), not {self.tol!r}")

    @property
    def hyper_values(self) -> dict[str, Any]:
        """Every hyperparameter of the optimizer, defaults filled in."""
        return get_optimizer(self.optimizer).resolve(dict(self.hypers))

    def replace(self, **changes: Any) -> RunConfig:
        return RunConfig(**{**self.__dict__, **changes})


def _check_starts(starts: tuple[Point, ...], steps: int) -> None:
    if not 1 <= len(starts) <= limits.MAX_STARTS:
        raise ValueError(f"give from 1 to {limits.MAX_STARTS:,} start points, not {len(starts):,}")
    if len(starts) * (steps + 1) > limits.MAX_RECORDED:
        raise ValueError(f"{len(starts):,} start points x {steps:,} steps is more than the "
                         f"{limits.MAX_RECORDED:,} points a trajectory may keep")
    for s in starts:
        if len(s) != 2 or not all(isinstance(v, (int, float)) and abs(v) <= limits.START_LIMIT for v in s):
            raise ValueError(f"a start point is two numbers within ±{limits.START_LIMIT:g}, not {s!r}")


def make_config(hypers: Mapping[str, Any] | None = None, **fields: Any) -> RunConfig:
    """A RunConfig from a plain dict of hyperparameters (sorted, so equal settings give equal configs)."""
    pairs = tuple(sorted((hypers or {}).items()))
    if "starts" in fields:
        fields["starts"] = tuple((float(x), float(y)) for x, y in fields["starts"])
    return RunConfig(hypers=pairs, **fields)


@dataclass
class Trajectory:
    """A finished run: row k of positions is x_k (x_0 the start); losses[k] = f(x_k), grads[k] its gradient.

    Arrays are [n + 1, K, ...] for n steps run and K start points. A row that stopped early keeps its
    last position from `end[i]` on. reason[i] is 'max_steps', 'converged' or 'diverged'; a diverged row
    went bad at step end[i] + 1 and is drawn up to end[i].
    """

    config: RunConfig
    positions: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    end: np.ndarray
    reason: tuple[str, ...]
    seconds: float
    extra: dict = field(default_factory=dict)

    @property
    def objective(self) -> Objective:
        return get_objective(self.config.objective)

    def final(self, i: int = 0) -> tuple[Point, float]:
        """End point and f there for start i."""
        k = int(self.end[i])
        x, y = self.positions[k, i].tolist()
        return (x, y), float(self.losses[k, i])

    def log_lines(self, every: int, i: int = 0) -> list[str]:
        """The source tutorial's log: x after step k's update, f at the point before it."""
        last = int(self.end[i]) if self.reason[i] != "diverged" else int(self.end[i]) + 1
        return [
            f"step{k}:x={self.positions[k + 1, i].tolist()},f(x)={self.losses[k, i].item()}"
            for k in range(0, min(last, self.positions.shape[0] - 1), every)
        ]

    def summary(self, i: int = 0) -> dict[str, Any]:
        """What the summary line and panel show for start i."""
        point, f = self.final(i)
        nearest, dist = self.objective.nearest_minimum(point)
        return {"end": point, "f": f, "nearest": nearest, "distance": dist, "reason": self.reason[i],
                "steps": int(self.end[i]), "seconds": self.seconds}


def run(config: RunConfig, progress: Progress | None = None) -> Trajectory:
    """Run config's descent with the real torch.optim class and return the whole trajectory."""
    spec = get_optimizer(config.optimizer)
    if spec.elementwise or len(config.starts) == 1:
        return _run_batched(config, spec, config.starts, progress)
    parts = [_run_batched(config, spec, (s,), progress) for s in config.starts]  # LBFGS couples rows
    return _merge(config, parts)


def _run_batched(config: RunConfig, spec: OptimizerSpec, starts: tuple[Point, ...],
                 progress: Progress | None) -> Trajectory:
    t0 = time.perf_counter()
    objective = get_objective(config.objective)
    dtype = DTYPES[config.dtype]
    x = torch.tensor(starts, dtype=dtype, requires_grad=True)
    optimizer = spec.build([x], config.hyper_values)
    ones = torch.ones(len(starts), dtype=dtype)
    state = _StopState(len(starts), config.tol, objective.escape_radius)
    seen: list[torch.Tensor] = []  # f(x_k) and its gradient: LBFGS evaluates many times a step

    def evaluate() -> torch.Tensor:
        f = objective(x)
        x.grad = g = _gradient(f, x, ones)
        if not seen:
            seen.extend((f.detach(), g))
        return f.sum()

    n_max = config.steps
    positions = torch.empty(n_max + 1, len(starts), 2, dtype=dtype)  # row k: x_k
    losses = torch.empty(n_max + 1, len(starts), dtype=dtype)  # row k: f(x_k)
    grads = torch.empty_like(positions)  # row k: the gradient at x_k
    positions[0] = x.detach()
    n = done = 0  # steps taken; steps copied into the buffers
    new_x: list[torch.Tensor] = []
    new_f: list[torch.Tensor] = []
    new_g: list[torch.Tensor] = []
    while n < n_max:
        if spec.closure:
            seen.clear()
            optimizer.step(evaluate)
            f, g = seen
        else:
            f = objective(x)
            x.grad = g = _gradient(f, x, ones)
            optimizer.step()
        new_f.append(f.detach())
        new_g.append(g)
        new_x.append(x.detach().clone())
        n += 1
        if n % CHUNK == 0 or n == n_max:  # one stacked copy per chunk costs less than a copy per step
            torch.stack(new_f, out=losses[done:n])
            torch.stack(new_g, out=grads[done:n])
            torch.stack(new_x, out=positions[done + 1:n + 1])
            new_x.clear(), new_f.clear(), new_g.clear()
            done = n
            if progress is not None:
                progress(n, n_max)
            if state.update(positions, losses, grads, n):
                break
    seen.clear()
    evaluate()  # f and gradient at the last point reached
    with torch.no_grad():
        losses[n], grads[n] = seen
    return state.finish(config, positions, losses, grads, n, time.perf_counter() - t0)


def _gradient(f: torch.Tensor, x: torch.Tensor, ones: torch.Tensor) -> torch.Tensor:
    """df/dx by autograd: what torch.autograd.grad(f, x, ones) runs, less its argument checks.

    Calling the engine directly saves about 35 us of Python a step (a third of the loop's overhead
    on small tensors); bench/bench_descent.py measures the loop against the source's.
    """
    (g,) = Variable._execution_engine.run_backward((f,), (ones,), False, False, (x,), False, False)
    return g


class _StopState:
    """Finds, chunk by chunk, where each row converged or diverged."""

    def __init__(self, k: int, tol: float | None, radius: float) -> None:
        self.end = np.full(k, -1)
        self.reason = ["max_steps"] * k
        self.tol, self.radius = tol, radius
        self.checked = 0  # positions already examined

    def update(self, positions: torch.Tensor, losses: torch.Tensor, grads: torch.Tensor, hi: int) -> bool:
        """Examine steps from the last check up to (not including) hi; True when every row has stopped."""
        lo = self.checked
        start = max(lo - 1, 0)
        xs = positions[start:hi]
        x = xs[lo - start:]  # x_lo .. x_{hi-1}, aligned with f and g
        prev = xs[:-1] if lo else torch.cat([xs[:1], xs[:-1]])
        f, g = losses[lo:hi], grads[lo:hi]
        # Written per coordinate: reductions over a last axis of size 2 are slow for large batches.
        (gx, gy), (px, py), (dx, dy) = g.unbind(-1), x.unbind(-1), (x - prev).unbind(-1)
        bad = ~torch.isfinite(f + gx + gy + px + py) | (px.abs() > self.radius) | (py.abs() > self.radius)
        if self.tol is None:
            conv = torch.zeros_like(bad)
        else:
            tol2 = self.tol * self.tol
            conv = (gx * gx + gy * gy <= tol2) & (dx * dx + dy * dy <= tol2)
        bad, conv = bad.numpy(), conv.numpy()
        if lo == 0:
            conv[0] = False
        hit = (bad | conv) & (self.end < 0)
        rows = np.flatnonzero(hit.any(0))
        if rows.size == 0:
            self.checked = hi
            return bool((self.end >= 0).all())
        first = hit[:, rows].argmax(0)  # the first step of this chunk at which each row stops
        diverged = bad[first, rows]
        self.end[rows] = np.where(diverged, np.maximum(lo + first - 1, 0), lo + first)
        for i, d in zip(rows, diverged):
            self.reason[i] = "diverged" if d else "converged"
        self.checked = hi
        return bool((self.end >= 0).all())

    def finish(self, config: RunConfig, positions: torch.Tensor, losses: torch.Tensor, grads: torch.Tensor,
               n: int, seconds: float) -> Trajectory:
        """Check the last point, trim to the last stop, and hold stopped rows at their end point."""
        self.update(positions, losses, grads, n + 1)
        self.end[self.end < 0] = n
        last = int(self.end.max())
        pos, f, g = (t[: last + 1].numpy() for t in (positions, losses, grads))
        if (self.end < last).any():
            held = np.minimum(np.arange(last + 1)[:, None], self.end[None, :])
            cols = np.arange(len(self.end))[None, :]
            pos, f, g = pos[held, cols], f[held, cols], g[held, cols]
        elif last < config.steps:  # do not keep the unused rows of the buffers alive
            pos, f, g = pos.copy(), f.copy(), g.copy()
        return Trajectory(config, pos, f, g, self.end.copy(), tuple(self.reason), seconds)


def _merge(config: RunConfig, parts: list[Trajectory]) -> Trajectory:
    """Trajectories of single starts side by side, shorter ones held at their end point."""
    n = max(p.positions.shape[0] for p in parts)

    def pad(a: np.ndarray) -> np.ndarray:
        return np.concatenate([a, np.repeat(a[-1:], n - a.shape[0], axis=0)]) if a.shape[0] < n else a

    return Trajectory(
        config,
        np.concatenate([pad(p.positions) for p in parts], axis=1),
        np.concatenate([pad(p.losses) for p in parts], axis=1),
        np.concatenate([pad(p.grads) for p in parts], axis=1),
        np.concatenate([p.end for p in parts]),
        tuple(r for p in parts for r in p.reason),
        sum(p.seconds for p in parts),
    )
