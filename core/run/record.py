"""How a run keeps what it computes: every step (FullRecord) or only where each start stopped (EndRecord).
Both take the loop's steps into buffers allocated once, check them chunk by chunk and say when every start has
stopped, so the loop does not care which it fills."""
from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import torch

from core.run import compiled
from core.run.config import DTYPES, Reason, RunConfig
from core.run.result import Endpoints, Trajectory

CHUNK = 64  # steps between checks for convergence and divergence (one host sync per chunk), at most
CACHE_BYTES = 2 ** 21  # what a chunk of a large batch may take: one core's L2 cache here (env/ lscpu: 2 MiB)


def chunk_steps(k: int, dtype: torch.dtype) -> int:
    """Steps an EndRecord chunk holds for k rows: CHUNK, or, where CHUNK steps of x, f and g would overflow the
    cache, the largest power of two down to 16 that fits, so the check reads what the steps just wrote while it
    is still in cache (10,000 starts, only the ends: some 10% less a step than chunks of 64, measured
    interleaved: bench/bench_descent.py section 5)."""
    per_step = k * 5 * torch.finfo(dtype).bits // 8
    steps = CHUNK
    while steps > 16 and steps * per_step > CACHE_BYTES:
        steps //= 2
    return steps


class Record(Protocol):
    """What the loop fills: begin() with x_0; step() each step with f and g at x_{n-1}, answering where x_n goes;
    take() each chunk of steps (True once every start has stopped); finish() at the end. Everything is copied
    into buffers allocated once: the step's own tensors are freed at once and their memory reused while hot."""

    chunk: int  # steps between take()s

    def begin(self, x: torch.Tensor) -> None: ...

    def step(self, n: int, f: torch.Tensor, g: torch.Tensor) -> torch.Tensor: ...

    def take(self, state: StopState, n: int) -> bool: ...

    def finish(self, state: StopState, f: torch.Tensor, g: torch.Tensor, n: int,
               seconds: float) -> Trajectory | Endpoints: ...


class StopState:
    """Finds, chunk by chunk, where each row converged or diverged."""

    def __init__(self, k: int, tol: float | None, radius: float) -> None:
        self.end = np.full(k, -1)
        self.reason = [Reason.MAX_STEPS] * k
        self.tol, self.radius = tol, radius
        self._limits: torch.Tensor | None = None

    def update(self, prev: torch.Tensor, x: torch.Tensor, f: torch.Tensor, g: torch.Tensor, lo: int) -> np.ndarray:
        """Steps lo.. of a chunk: x [m, K, 2] with f and g at those points, prev the point before x[0].

        Returns the rows that stopped in this chunk; their end step is in self.end.
        """
        rows = self.suspects(x, f, g)
        if not rows.size:
            return rows
        if rows.size < len(self.end) // 2:  # the exact check on the suspects' columns alone, when that is less
            r = torch.from_numpy(rows)
            prev, x, f, g = prev.index_select(0, r), x.index_select(1, r), f.index_select(1, r), g.index_select(1, r)
        else:
            rows = np.arange(len(self.end))
        bad, conv = self.flags(prev, x, f, g)
        if lo == 0:
            conv[0] = False  # no move yet to judge
        hit = (bad | conv) & (self.end[rows] < 0)  # (every row when all are checked)
        stops = np.flatnonzero(hit.any(0))
        if stops.size:
            first = hit[:, stops].argmax(0)  # the first step of this chunk at which each row stops
            diverged, stopped = bad[first, stops], rows[stops]
            self.end[stopped] = np.where(diverged, np.maximum(lo + first - 1, 0), lo + first)
            for i, d in zip(stopped, diverged):
                self.reason[i] = Reason.DIVERGED if d else Reason.CONVERGED
        return rows[stops]

    def suspects(self, x: torch.Tensor, f: torch.Tensor, g: torch.Tensor) -> np.ndarray:
        """The running rows that may stop in this chunk, found from each row's least and greatest values: a
        superset of those flags() stops, at the cost of a few reductions (the flags of every step cost 5-10x).
        A full chunk of a batch takes one compiled pass where it is ready (core/run/compiled.py), else eager."""
        fast = compiled.lookup_screen(x.dtype) if len(x) == CHUNK and x.shape[1] > 1 else None
        maybe = (fast or screen)(x, f, g, self.limits(x.dtype))
        return np.flatnonzero(maybe.numpy() & (self.end < 0))

    def limits(self, dtype: torch.dtype) -> torch.Tensor:
        """screen()'s limits for this run in dtype: the radius, huge, and how near 0 a gradient may converge."""
        if self._limits is None or self._limits.dtype != dtype:
            huge = torch.finfo(dtype).max / 8  # five finite numbers this large or less cannot add up to inf
            # |g| <= tol needs each coordinate within 2 tol (and underflow's reach) once; NaN: no tol, no test
            near = math.nan if self.tol is None else 2 * self.tol + 4 * math.sqrt(torch.finfo(dtype).tiny)
            self._limits = torch.tensor([min(self.radius, huge), huge, near], dtype=dtype)
        return self._limits

    def flags(self, prev: torch.Tensor, x: torch.Tensor, f: torch.Tensor,
              g: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Per step and row: diverged (not finite, or past the radius) and converged (|g| and the move <= tol)."""
        # Written per coordinate: reductions over a last axis of size 2 are slow for large batches.
        (gx, gy), (px, py) = g.unbind(-1), x.unbind(-1)
        bad = ~torch.isfinite(f + gx + gy + px + py) | (px.abs() > self.radius) | (py.abs() > self.radius)
        if self.tol is None:
            conv = torch.zeros_like(bad)
        else:
            dx, dy = (x - torch.cat([prev[None], x[:-1]])).unbind(-1)
            tol2 = self.tol * self.tol
            conv = (gx * gx + gy * gy <= tol2) & (dx * dx + dy * dy <= tol2)
        return bad.numpy(), conv.numpy()

    def out_of_time(self) -> None:
        for i in np.flatnonzero(self.end < 0):
            self.reason[i] = Reason.TIME_LIMIT

    @property
    def all_stopped(self) -> bool:
        return bool((self.end >= 0).all())


def screen(x: torch.Tensor, f: torch.Tensor, g: torch.Tensor, limits: torch.Tensor) -> torch.Tensor:
    """Per row of a chunk x [m, K, 2], f [m, K], g [m, K, 2]: whether x leaves [-limits[0], limits[0]], f or g
    leave [-limits[1], limits[1]], anything is NaN, or both gradient coordinates come within limits[2] of 0 at
    some step (never where limits[2] is NaN). Only min, max and comparisons: exact, compiled or not."""
    radius, huge, near = limits.unbind()
    lo_g, hi_g = g.amin(0), g.amax(0)
    out = (outside(x.amin(0), x.amax(0), radius) | outside(lo_g, hi_g, huge)).unbind(-1)
    gx, gy = ((lo_g <= near) & (hi_g >= -near)).unbind(-1)
    return out[0] | out[1] | outside(f.amin(0), f.amax(0), huge) | (gx & gy)


def outside(low: torch.Tensor, high: torch.Tensor, limit: torch.Tensor) -> torch.Tensor:
    """Where values from low to high leave [-limit, limit], or are NaN (amin and amax carry NaN through)."""
    return ~((high <= limit) & (low >= -limit))


class FullRecord:
    """Keeps every step in buffers allocated once: positions, f and gradients."""

    def __init__(self, config: RunConfig) -> None:
        dtype, k, n = DTYPES[config.dtype], len(config.starts), config.steps
        self.config, self.chunk = config, CHUNK  # (smaller chunks cost a whole path more: it is not in cache)
        self.positions = torch.empty(n + 1, k, 2, dtype=dtype)  # row k: x_k
        self.losses = torch.empty(n + 1, k, dtype=dtype)  # row k: f(x_k)
        self.grads = torch.empty_like(self.positions)  # row k: the gradient at x_k
        self.done = 0  # steps checked

    def begin(self, x: torch.Tensor) -> None:
        self.positions[0] = x

    def step(self, n: int, f: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        self.losses[n - 1] = f
        self.grads[n - 1] = g
        return self.positions[n]

    def take(self, state: StopState, n: int) -> bool:
        """Check steps done..n-1 (their x, f and g are in the buffers); True when every row has stopped."""
        lo = self.done
        self.done = n
        prev = self.positions[max(lo - 1, 0)]
        state.update(prev, self.positions[lo:n], self.losses[lo:n], self.grads[lo:n], lo)
        return state.all_stopped

    def finish(self, state: StopState, f: torch.Tensor, g: torch.Tensor, n: int, seconds: float) -> Trajectory:
        """Check the last point, trim to the last stop, and hold stopped rows at their end point."""
        with torch.no_grad():
            self.losses[n], self.grads[n] = f, g
        prev = self.positions[max(n - 1, 0)]
        state.update(prev, self.positions[n:n + 1], self.losses[n:n + 1], self.grads[n:n + 1], n)
        end = state.end
        end[end < 0] = n
        last = int(end.max())
        pos, f_, g_ = (t[: last + 1].numpy() for t in (self.positions, self.losses, self.grads))
        if last < self.config.steps:  # do not keep the unused rows of the buffers alive
            pos, f_, g_ = pos.copy(), f_.copy(), g_.copy()
        if (end < last).any():  # in place, a fraction of the time of indexing every step of every row
            after = np.arange(last + 1)[:, None] > end[None, :]
            cols = np.arange(len(end))
            for a in (pos, f_, g_):
                np.copyto(a, a[end, cols][None], where=after if a.ndim == 2 else after[..., None])
        return Trajectory(self.config, pos, f_, g_, end.copy(), tuple(state.reason), seconds)


class EndRecord:
    """Keeps only the current chunk, and each row's point and f where it stopped."""

    def __init__(self, config: RunConfig, k: int) -> None:
        dtype = DTYPES[config.dtype]
        self.config, self.chunk = config, chunk_steps(k, dtype)
        self.positions = torch.zeros(k, 2, dtype=dtype)
        self.losses = torch.zeros(k, dtype=dtype)
        self.done, m = 0, self.chunk
        self.xs = torch.empty(m + 2, k, 2, dtype=dtype)  # x_{lo-1} (x_0 for the first chunk), x_lo..x_n
        self.fs = torch.empty(m + 1, k, dtype=dtype)  # f at x_{lo-1}, x_lo..x_{n-1}
        self.gs = torch.empty(m, k, 2, dtype=dtype)  # the gradient at x_lo..x_{n-1}
        self.rows = self.xs.unbind(), self.fs.unbind(), self.gs.unbind()  # each step's views, made once

    def begin(self, x: torch.Tensor) -> None:
        self.xs[0] = x
        self.xs[1] = x

    def step(self, n: int, f: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        i, (xs, fs, gs) = n - self.done, self.rows
        fs[i].copy_(f)
        gs[i - 1].copy_(g)
        return xs[i + 1]

    def take(self, state: StopState, n: int) -> bool:
        lo, m = self.done, n - self.done
        if lo == 0:
            self.fs[0] = self.fs[1]
        rows = state.update(self.xs[0], self.xs[1:m + 1], self.fs[1:m + 1], self.gs[:m], lo)
        self._keep(state, rows, self.xs[:m + 1], self.fs[:m + 1], lo)
        self.xs[0], self.xs[1], self.fs[0] = self.xs[m], self.xs[m + 1], self.fs[m]  # the next chunk's x_{lo-1}..
        self.done = n
        return state.all_stopped

    def _keep(self, state: StopState, rows: np.ndarray, x: torch.Tensor, f: torch.Tensor, lo: int) -> None:
        """For rows that stopped, the point and f at their end step; x[0] and f[0] are step lo - 1."""
        if rows.size:
            idx, r = torch.from_numpy(state.end[rows] - lo + 1), torch.from_numpy(rows)
            self.positions[r] = x[idx, r]
            self.losses[r] = f[idx, r]

    def finish(self, state: StopState, f: torch.Tensor, g: torch.Tensor, n: int, seconds: float) -> Endpoints:
        self.fs[1] = f
        rows = state.update(self.xs[0], self.xs[1:2], self.fs[1:2], g[None], n)
        self._keep(state, rows, self.xs[:2], self.fs[:2], n)
        running = torch.from_numpy(np.flatnonzero(state.end < 0))
        state.end[state.end < 0] = n
        self.positions[running], self.losses[running] = self.xs[1][running], f[running]
        return Endpoints(self.config, self.positions.numpy(), self.losses.numpy(), state.end.copy(),
                         tuple(state.reason), seconds)
