"""The descent loop: a frozen config in, a trajectory out, with K start points batched as one [K, 2] tensor."""
from __future__ import annotations

import dataclasses
import inspect
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import torch
from torch.autograd.variable import Variable

from core import limits
from core.errors import CoreError
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
    # converged when |grad| and the last move are both <= tol; None: never stop early. 1e-4, not smaller:
    # float32 near a minimum resolves the gradient only to about 1e-5 (ulp of x times the curvature).
    tol: float | None = 1e-4
    expr: str = ""  # the formula when objective is 'custom'
    bounds: tuple[float, ...] = ()  # its view: x from, x to, y from, y to

    def __post_init__(self) -> None:
        self.objective_spec  # noqa: B018 - raises a ValueError for an unknown name or a bad formula
        # torch's own checks too (e.g. Nesterov needs momentum), at construction, not mid-run
        get_optimizer(self.optimizer).build([torch.zeros(2, requires_grad=True)], dict(self.hypers))
        if self.dtype not in DTYPES:
            raise CoreError("dtype must be float32 or float64, not {value}", value=repr(self.dtype))
        if not (isinstance(self.steps, int) and 1 <= self.steps <= limits.MAX_STEPS):
            raise CoreError("steps must be a whole number from 1 to {most}, not {value}", most=f"{limits.MAX_STEPS:,}",
                            value=repr(self.steps))
        _check_starts(self.starts)
        if self.tol is not None and not (math.isfinite(self.tol) and 0 <= self.tol <= 1):
            raise CoreError("tol must be between 0 and 1 (or off), not {value}", value=repr(self.tol))

    @property
    def objective_spec(self) -> Objective:
        return get_objective(self.objective, self.expr, self.bounds)

    @property
    def hyper_values(self) -> dict[str, Any]:
        """Every hyperparameter of the optimizer, defaults filled in."""
        return get_optimizer(self.optimizer).resolve(dict(self.hypers))

    def replace(self, **changes: Any) -> RunConfig:
        return RunConfig(**{**self.__dict__, **changes})


def _check_starts(starts: tuple[Point, ...]) -> None:
    if not 1 <= len(starts) <= limits.MAX_STARTS:
        raise CoreError("give from 1 to {most} start points, not {count}", most=f"{limits.MAX_STARTS:,}",
                        count=f"{len(starts):,}")
    for s in starts:
        if len(s) != 2 or not all(isinstance(v, (int, float)) and abs(v) <= limits.START_LIMIT for v in s):
            raise CoreError("a start point is two numbers within ±{limit}, not {value}",
                            limit=f"{limits.START_LIMIT:g}", value=repr(s))


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
    last position from `end[i]` on. reason[i] is 'max_steps', 'converged', 'diverged' or 'time_limit' (the
    run used up limits.RUN_SECONDS); a diverged row went bad at step end[i] + 1 and is drawn up to end[i].
    """

    config: RunConfig
    positions: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    end: np.ndarray
    reason: tuple[str, ...]
    seconds: float

    @property
    def objective(self) -> Objective:
        return self.config.objective_spec

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
    if len(config.starts) * (config.steps + 1) > limits.MAX_RECORDED:
        raise CoreError("{starts} start points x {steps} steps is more than the {most} points a whole trajectory may "
                        "keep", starts=f"{len(config.starts):,}", steps=f"{config.steps:,}",
                        most=f"{limits.MAX_RECORDED:,}")
    spec = get_optimizer(config.optimizer)
    if spec.elementwise or len(config.starts) == 1:
        return _Runner(config, spec, config.starts).run(_FullRecord(config), progress)
    deadline = time.perf_counter() + limits.RUN_SECONDS  # one budget for the whole run
    parts = [_Runner(config, spec, (s,)).run(_FullRecord(config.replace(starts=(s,))), progress, deadline)
             for s in config.starts]  # LBFGS couples the rows of one tensor: one run per start
    return _merge(config, parts)


@dataclass
class Endpoints:
    """Where each start of a batched run ended, without its path: for basin maps and sweeps."""

    config: RunConfig
    positions: np.ndarray  # [K, 2]
    losses: np.ndarray  # [K]
    end: np.ndarray  # [K] steps run
    reason: tuple[str, ...]
    seconds: float
    lrs: tuple[float, ...] = ()


def run_endpoints(config: RunConfig, lrs: tuple[float, ...] = (), progress: Progress | None = None,
                  deadline: float | None = None) -> Endpoints:
    """Run every start (or, with lrs, the one start at each learning rate) as one batch; keep only the ends.

    Learning rates go into one optimizer as one parameter group each (torch.optim's own mechanism), with the
    multi-tensor (foreach) implementation where the class has one. LBFGS allows one group: it runs one at a time.
    """
    spec = get_optimizer(config.optimizer)
    deadline = deadline or time.perf_counter() + limits.RUN_SECONDS  # one budget for the whole batch
    if not spec.elementwise and (lrs or len(config.starts) > 1):  # one at a time, ends side by side
        singles = ([config.replace(hypers=_with_lr(config, lr)) for lr in lrs] if lrs
                   else [config.replace(starts=(s,)) for s in config.starts])
        parts = [run_endpoints(c, (), None, deadline) for c in singles]
        return Endpoints(config, np.concatenate([p.positions for p in parts]),
                         np.concatenate([p.losses for p in parts]), np.concatenate([p.end for p in parts]),
                         tuple(r for p in parts for r in p.reason), sum(p.seconds for p in parts), tuple(lrs))
    starts = config.starts * len(lrs) if lrs else config.starts
    out = _Runner(config, spec, starts, lrs).run(_EndRecord(config, len(starts)), progress, deadline)
    return dataclasses.replace(out, lrs=tuple(lrs))


def _with_lr(config: RunConfig, lr: float) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted({**dict(config.hypers), "lr": lr}.items()))


class _Runner:
    """The optimizer over one [K, 2] parameter (or K [1, 2] parameters, one group per learning rate)."""

    def __init__(self, config: RunConfig, spec: OptimizerSpec, starts: tuple[Point, ...],
                 lrs: tuple[float, ...] = ()) -> None:
        self.config, self.spec = config, spec
        self.objective = config.objective_spec
        dtype = DTYPES[config.dtype]
        start = torch.tensor(starts, dtype=dtype)
        values = config.hyper_values
        if lrs:
            for lr in lrs:
                spec.hyper("lr").check(lr)
            self.params = [row.clone().requires_grad_() for row in start.split(len(starts) // len(lrs))]
            groups = [{"params": [p], "lr": lr} for p, lr in zip(self.params, lrs)]
            foreach = "foreach" in inspect.signature(spec.cls.__init__).parameters
            self.optimizer = spec.build(groups, values, extra={"foreach": True} if foreach else {})
        else:
            self.params = [start.requires_grad_()]
            self.optimizer = spec.build(self.params, values)
        self.ones = torch.ones(len(starts), dtype=dtype)
        self.seen: list[torch.Tensor] = []  # f(x_k) and its gradient: LBFGS evaluates many times a step

    def x(self) -> torch.Tensor:
        return self.params[0] if len(self.params) == 1 else torch.cat(self.params)

    def evaluate(self) -> torch.Tensor:
        """f and its gradient at the current point; the gradient goes into .grad for the optimizer."""
        f = self.objective(self.x())
        grads = _gradient(f, self.params, self.ones)
        for p, g in zip(self.params, grads):
            p.grad = g
        if not self.seen:
            self.seen.extend((f.detach(), grads[0] if len(grads) == 1 else torch.cat(grads)))
        return f.sum()

    def step(self) -> tuple[torch.Tensor, torch.Tensor]:
        """One optimizer step: f and the gradient at the point it started from."""
        self.seen.clear()
        if self.spec.closure:
            self.optimizer.step(self.evaluate)
        else:
            self.evaluate()
            self.optimizer.step()
        return self.seen[0], self.seen[1]

    def run(self, record: _FullRecord | _EndRecord, progress: Progress | None, deadline: float | None = None) -> Any:
        t0 = time.perf_counter()
        deadline = deadline or t0 + limits.RUN_SECONDS
        n_max = self.config.steps
        state = _StopState(len(self.ones), self.config.tol, self.objective.escape_radius)
        new_x, new_f, new_g = [self.x().detach().clone()], [], []
        n = 0
        while n < n_max:
            f, g = self.step()
            new_f.append(f)
            new_g.append(g)
            new_x.append(self.x().detach().clone())
            n += 1
            late = time.perf_counter() > deadline  # checked every step: one LBFGS step can take 0.1 s
            if n % CHUNK == 0 or n == n_max or late:  # one stacked copy per chunk costs less than one per step
                if progress is not None:
                    progress(n, n_max)
                if record.take(state, new_x, new_f, new_g, n):
                    break
                if late:  # no run may hold the server for long
                    state.out_of_time()
                    break
                new_x, new_f, new_g = new_x[-1:], [], []
        self.seen.clear()
        self.evaluate()  # f and gradient at the last point reached
        return record.finish(state, self.seen[0], self.seen[1], n, time.perf_counter() - t0)


def _gradient(f: torch.Tensor, params: list[torch.Tensor], ones: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """df/dparams by autograd: what torch.autograd.grad(f, params, ones) runs, less its argument checks.

    Calling the engine directly saves about 35 us of Python a step (a third of the loop's overhead
    on small tensors); bench/bench_descent.py measures the loop against the source's.
    """
    return Variable._execution_engine.run_backward((f,), (ones,), False, False, tuple(params), False, False)


class _StopState:
    """Finds, chunk by chunk, where each row converged or diverged."""

    def __init__(self, k: int, tol: float | None, radius: float) -> None:
        self.end = np.full(k, -1)
        self.reason = ["max_steps"] * k
        self.tol, self.radius = tol, radius

    def update(self, prev: torch.Tensor, x: torch.Tensor, f: torch.Tensor, g: torch.Tensor, lo: int) -> np.ndarray:
        """Steps lo.. of a chunk: x [m, K, 2] with f and g at those points, prev the point before x[0].

        Returns the rows that stopped in this chunk; their end step is in self.end.
        """
        # Written per coordinate: reductions over a last axis of size 2 are slow for large batches.
        (gx, gy), (px, py) = g.unbind(-1), x.unbind(-1)
        bad = ~torch.isfinite(f + gx + gy + px + py) | (px.abs() > self.radius) | (py.abs() > self.radius)
        if self.tol is None:
            conv = torch.zeros_like(bad)
        else:
            dx, dy = (x - torch.cat([prev[None], x[:-1]])).unbind(-1)
            tol2 = self.tol * self.tol
            conv = (gx * gx + gy * gy <= tol2) & (dx * dx + dy * dy <= tol2)
        bad, conv = bad.numpy(), conv.numpy()
        if lo == 0:
            conv[0] = False  # no move yet to judge
        hit = (bad | conv) & (self.end < 0)
        rows = np.flatnonzero(hit.any(0))
        if rows.size:
            first = hit[:, rows].argmax(0)  # the first step of this chunk at which each row stops
            diverged = bad[first, rows]
            self.end[rows] = np.where(diverged, np.maximum(lo + first - 1, 0), lo + first)
            for i, d in zip(rows, diverged):
                self.reason[i] = "diverged" if d else "converged"
        return rows

    def out_of_time(self) -> None:
        for i in np.flatnonzero(self.end < 0):
            self.reason[i] = "time_limit"

    @property
    def all_stopped(self) -> bool:
        return bool((self.end >= 0).all())


class _FullRecord:
    """Keeps every step in buffers allocated once: positions, f and gradients."""

    def __init__(self, config: RunConfig) -> None:
        dtype, k, n = DTYPES[config.dtype], len(config.starts), config.steps
        self.config = config
        self.positions = torch.empty(n + 1, k, 2, dtype=dtype)  # row k: x_k
        self.losses = torch.empty(n + 1, k, dtype=dtype)  # row k: f(x_k)
        self.grads = torch.empty_like(self.positions)  # row k: the gradient at x_k
        self.done = 0  # steps whose f and gradient are in the buffers

    def take(self, state: _StopState, new_x: list, new_f: list, new_g: list, n: int) -> bool:
        """Store x_{done}..x_n and f, g at x_{done}..x_{n-1}; check them; True when every row has stopped."""
        lo = self.done
        torch.stack(new_x, out=self.positions[lo:n + 1])
        torch.stack(new_f, out=self.losses[lo:n])
        torch.stack(new_g, out=self.grads[lo:n])
        self.done = n
        prev = self.positions[max(lo - 1, 0)]
        state.update(prev, self.positions[lo:n], self.losses[lo:n], self.grads[lo:n], lo)
        return state.all_stopped

    def finish(self, state: _StopState, f: torch.Tensor, g: torch.Tensor, n: int, seconds: float) -> Trajectory:
        """Check the last point, trim to the last stop, and hold stopped rows at their end point."""
        with torch.no_grad():
            self.losses[n], self.grads[n] = f, g
        prev = self.positions[max(n - 1, 0)]
        state.update(prev, self.positions[n:n + 1], self.losses[n:n + 1], self.grads[n:n + 1], n)
        end = state.end
        end[end < 0] = n
        last = int(end.max())
        pos, f_, g_ = (t[: last + 1].numpy() for t in (self.positions, self.losses, self.grads))
        if (end < last).any():
            held = np.minimum(np.arange(last + 1)[:, None], end[None, :])
            cols = np.arange(len(end))[None, :]
            pos, f_, g_ = pos[held, cols], f_[held, cols], g_[held, cols]
        elif last < self.config.steps:  # do not keep the unused rows of the buffers alive
            pos, f_, g_ = pos.copy(), f_.copy(), g_.copy()
        return Trajectory(self.config, pos, f_, g_, end.copy(), tuple(state.reason), seconds)


class _EndRecord:
    """Keeps only the current chunk, and each row's point and f where it stopped."""

    def __init__(self, config: RunConfig, k: int) -> None:
        dtype = DTYPES[config.dtype]
        self.config = config
        self.positions = torch.zeros(k, 2, dtype=dtype)
        self.losses = torch.zeros(k, dtype=dtype)
        self.done = 0
        self.prev = self.prev_f = self.last = torch.zeros(0)  # x_{lo-1}, f_{lo-1} and x_n, from the last chunk

    def take(self, state: _StopState, new_x: list, new_f: list, new_g: list, n: int) -> bool:
        lo = self.done
        x, f, g = torch.stack(new_x), torch.stack(new_f), torch.stack(new_g)  # x_lo..x_n; f, g at x_lo..x_{n-1}
        prev, prev_f = (x[0], f[0]) if lo == 0 else (self.prev, self.prev_f)
        rows = state.update(prev, x[:-1], f, g, lo)
        self._keep(state, rows, torch.cat([prev[None], x[:-1]]), torch.cat([prev_f[None], f]), lo)
        self.prev, self.prev_f, self.last, self.done = x[-2], f[-1], x[-1], n
        return state.all_stopped

    def _keep(self, state: _StopState, rows: np.ndarray, x: torch.Tensor, f: torch.Tensor, lo: int) -> None:
        """For rows that stopped, the point and f at their end step; x[0] and f[0] are step lo - 1."""
        if rows.size:
            idx, r = torch.from_numpy(state.end[rows] - lo + 1), torch.from_numpy(rows)
            self.positions[r] = x[idx, r]
            self.losses[r] = f[idx, r]

    def finish(self, state: _StopState, f: torch.Tensor, g: torch.Tensor, n: int, seconds: float) -> Endpoints:
        rows = state.update(self.prev, self.last[None], f[None], g[None], n)
        self._keep(state, rows, torch.stack([self.prev, self.last]), torch.stack([self.prev_f, f]), n)
        running = torch.from_numpy(np.flatnonzero(state.end < 0))
        state.end[state.end < 0] = n
        self.positions[running], self.losses[running] = self.last[running], f[running]
        return Endpoints(self.config, self.positions.numpy(), self.losses.numpy(), state.end.copy(),
                         tuple(state.reason), seconds)


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
