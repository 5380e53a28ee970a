"""The descent loop: the real torch.optim class over K start points batched as one [K, 2] parameter."""
from __future__ import annotations

import dataclasses
import inspect
import time
from typing import Any, Callable

import numpy as np
import torch

from core import limits
from core.errors import CoreError
from core.objectives import Point
from core.optimizers import OptimizerSpec, get_optimizer
from core.run import compiled
from core.run.budget import Deadline, Gate
from core.run.config import DTYPES, Reason, RunConfig
from core.run.record import EndRecord, FullRecord, Record, StopState
from core.run.result import Endpoints, Trajectory

Progress = Callable[[int, int], None]


def run(config: RunConfig, progress: Progress | None = None, gate: Gate | None = None) -> Trajectory:
    """Run config's descent with the real torch.optim class and return the whole trajectory.

    gate is asked between steps whether the page's budget is spent (core/run/budget.py); by default the run has
    limits.RUN_SECONDS of its own.
    """
    if len(config.starts) * (config.steps + 1) > limits.MAX_RECORDED:
        raise CoreError("{starts} start points x {steps} steps is more than the {most} points a whole trajectory may "
                        "keep", starts=f"{len(config.starts):,}", steps=f"{config.steps:,}",
                        most=f"{limits.MAX_RECORDED:,}")
    spec, gate = get_optimizer(config.optimizer), gate or Deadline()
    if spec.elementwise or len(config.starts) == 1:
        return Runner(config, spec, config.starts).run(FullRecord(config), progress, gate)
    parts = []  # LBFGS couples the rows of one tensor: one run per start, all on one budget
    for i, s in enumerate(config.starts):
        if gate.check():  # the budget is spent: the starts left are not started
            parts.append(not_started(config, spec, config.starts[i:], full=True))
            break
        parts.append(Runner(config, spec, (s,)).run(FullRecord(dataclasses.replace(config, starts=(s,))), progress,
                                                    gate))
    return _merge(config, parts)


def run_endpoints(config: RunConfig, lrs: tuple[float, ...] = (), progress: Progress | None = None,
                  gate: Gate | None = None) -> Endpoints:
    """Run every start (or, with lrs, the one start at each learning rate) as one batch; keep only the ends.

    Learning rates go into one optimizer as one parameter group each (torch.optim's own mechanism), with the
    multi-tensor (foreach) implementation where the class has one. LBFGS allows one group: it runs one at a time,
    and once the budget is spent the starts (or learning rates) left are not started.
    """
    spec, gate = get_optimizer(config.optimizer), gate or Deadline()
    if not spec.elementwise and (lrs or len(config.starts) > 1):  # one at a time, ends side by side
        singles = ([dataclasses.replace(config, hypers=_with_lr(config, lr)) for lr in lrs] if lrs
                   else [dataclasses.replace(config, starts=(s,)) for s in config.starts])
        parts = []
        for i, c in enumerate(singles):
            if gate.check():
                rest = config.starts[:1] * (len(singles) - i) if lrs else config.starts[i:]
                parts.append(not_started(config, spec, rest, full=False))
                break
            parts.append(Runner(c, spec, c.starts).run(EndRecord(c, len(c.starts)), None, gate))
        return Endpoints(config, np.concatenate([p.positions for p in parts]),
                         np.concatenate([p.losses for p in parts]), np.concatenate([p.end for p in parts]),
                         tuple(r for p in parts for r in p.reason), sum(p.seconds for p in parts), tuple(lrs))
    starts = config.starts * len(lrs) if lrs else config.starts
    out = Runner(config, spec, starts, lrs).run(EndRecord(config, len(starts)), progress, gate)
    return dataclasses.replace(out, lrs=tuple(lrs))


def not_started(config: RunConfig, spec: OptimizerSpec, starts: tuple[Point, ...],
                full: bool) -> Trajectory | Endpoints:
    """Starts the budget left no time for: each held at its start, f and the gradient there, "time limit"."""
    runner = Runner(dataclasses.replace(config, starts=starts), spec, starts)
    runner.evaluate_rows()
    (f, g), x = runner.seen, runner.x().detach()
    end, reason, part = np.zeros(len(starts), dtype=int), (Reason.TIME_LIMIT,) * len(starts), runner.config
    if full:
        return Trajectory(part, x[None].numpy().copy(), f[None].numpy().copy(), g[None].numpy().copy(), end,
                          reason, 0.0)
    return Endpoints(part, x.numpy().copy(), f.numpy().copy(), end, reason, 0.0)


def _with_lr(config: RunConfig, lr: float) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted({**dict(config.hypers), "lr": lr}.items()))


class Runner:
    """The optimizer over one [K, 2] parameter, or over parameter groups of rows: one per learning rate (lrs), or
    one per set of hyperparameters (groups: each a full dict of values and how many rows it has)."""

    def __init__(self, config: RunConfig, spec: OptimizerSpec, starts: tuple[Point, ...],
                 lrs: tuple[float, ...] = (), groups: tuple[tuple[dict, int], ...] = ()) -> None:
        self.config, self.spec = config, spec
        self.objective = config.objective_spec
        dtype = DTYPES[config.dtype]
        start = torch.tensor(starts, dtype=dtype)
        values = config.hyper_values
        if groups:  # torch.optim's own mechanism; no foreach, so each row's numbers are those of a run alone
            self.params = [rows.clone().requires_grad_() for rows in start.split([n for _, n in groups])]
            self.optimizer = spec.build([{"params": [p], **hypers} for p, (hypers, _) in zip(self.params, groups)],
                                        values)
        elif lrs:
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
        self.compiled = compiled.lookup(config.objective, config.dtype)  # None: eager (core/run/compiled.py)
        self.batches = self.objective.batches() if self.objective.batches else None  # a model fed minibatches
        self.loss = next(self.batches) if self.batches else self.objective.fn  # this step's loss
        self.seen: list[torch.Tensor] = []  # f(x_k) and its gradient: LBFGS evaluates many times a step

    def x(self) -> torch.Tensor:
        return self.params[0] if len(self.params) == 1 else torch.cat(self.params)

    def x_into(self, out: torch.Tensor) -> None:
        """Copy the current point into out (a record's buffer), with no autograd history."""
        if len(self.params) == 1:
            out.copy_(self.params[0].detach())
        else:
            torch.cat([p.detach() for p in self.params], out=out)

    def evaluate(self) -> torch.Tensor:
        """The closure LBFGS calls: f summed over the rows, its gradient in .grad."""
        return self.evaluate_rows().sum()

    def evaluate_rows(self) -> torch.Tensor:
        """f per row at the current point; the gradient goes into .grad for the optimizer."""
        f, grads = self.f_and_gradient()
        for p, g in zip(self.params, grads):
            p.grad = g
        if not self.seen:
            self.seen.extend((f.detach(), grads[0] if len(grads) == 1 else torch.cat(grads)))
        return f

    def f_and_gradient(self) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """f at the current point and its gradient per parameter: compiled where ready, else autograd eagerly."""
        if self.compiled is None:
            f = self.loss(self.x())
            return f, _gradient(f, self.params, self.ones)
        f, g = self.compiled(self.x().detach())  # the same numbers to the last bit
        return f, (g,) if len(self.params) == 1 else g.split([len(p) for p in self.params])

    def step(self) -> tuple[torch.Tensor, torch.Tensor]:
        """One optimizer step: f and the gradient at the point it started from."""
        self.seen.clear()
        if self.spec.closure:
            self.optimizer.step(self.evaluate)
        else:
            self.evaluate_rows()  # the other optimizers never look at the loss: no sum to make
            self.optimizer.step()
        if self.batches:  # the next step's minibatch, also the one f is reported on at the point reached
            self.loss = next(self.batches)
        return self.seen[0], self.seen[1]

    def run(self, record: Record, progress: Progress | None, gate: Gate | None = None) -> Trajectory | Endpoints:
        """Step until every row has stopped, n_max steps, or the gate says the budget is spent."""
        t0 = time.perf_counter()
        gate = gate or Deadline()
        n_max = self.config.steps
        state = StopState(len(self.ones), self.config.tol, self.objective.escape_radius)
        record.begin(self.x().detach())
        n = 0
        while n < n_max:
            f, g = self.step()
            n += 1
            self.x_into(record.step(n, f, g))
            late = gate.check()  # every step: one LBFGS step can take 0.1 s, and lighter work may want a turn
            if n % record.chunk == 0 or n == n_max or late:  # one check per chunk (one host sync)
                if progress is not None:
                    progress(n, n_max)
                if record.take(state, n):
                    break
                if late:  # no run may hold the server for long
                    state.out_of_time()
                    break
        self.seen.clear()
        self.evaluate_rows()  # f and gradient at the last point reached
        return record.finish(state, self.seen[0], self.seen[1], n, time.perf_counter() - t0)


def _gradient(f: torch.Tensor, params: list[torch.Tensor], ones: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """df/dparams by autograd, through the engine call torch.autograd.grad makes, less its argument checks.

    That call is private torch API: it saves about 30 us of a 190-220 us step on the default run
    (`python bench/bench_descent.py` prints both), and where it is missing or its signature moves the public
    torch.autograd.grad takes over with the same numbers (tests/test_descent.py checks both).
    """
    if _ENGINE is not None:
        try:
            return _ENGINE.run_backward((f,), (ones,), False, False, tuple(params), False, False)
        except TypeError:  # a torch whose private signature moved on
            pass
    return torch.autograd.grad(f, params, ones)


def _private_engine() -> Any:
    try:
        from torch.autograd.variable import Variable

        return Variable._execution_engine
    except (ImportError, AttributeError):
        return None


_ENGINE = _private_engine()


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
