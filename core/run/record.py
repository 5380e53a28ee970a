"""How a run keeps what it computes: every step (FullRecord) or only where each start stopped (EndRecord).
Both take the loop's chunks and say when every start has stopped, so the loop does not care which it fills."""
from __future__ import annotations

from typing import Protocol

import numpy as np
import torch

from core.run.config import DTYPES, Reason, RunConfig
from core.run.result import Endpoints, Trajectory


class Record(Protocol):
    """What the loop fills: take() each chunk of steps (True once every start has stopped), finish() at the end."""

    def take(self, state: StopState, new_x: list, new_f: list, new_g: list, n: int) -> bool: ...

    def finish(self, state: StopState, f: torch.Tensor, g: torch.Tensor, n: int,
               seconds: float) -> Trajectory | Endpoints: ...


class StopState:
    """Finds, chunk by chunk, where each row converged or diverged."""

    def __init__(self, k: int, tol: float | None, radius: float) -> None:
        self.end = np.full(k, -1)
        self.reason = [Reason.MAX_STEPS] * k
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
                self.reason[i] = Reason.DIVERGED if d else Reason.CONVERGED
        return rows

    def out_of_time(self) -> None:
        for i in np.flatnonzero(self.end < 0):
            self.reason[i] = Reason.TIME_LIMIT

    @property
    def all_stopped(self) -> bool:
        return bool((self.end >= 0).all())


class FullRecord:
    """Keeps every step in buffers allocated once: positions, f and gradients."""

    def __init__(self, config: RunConfig) -> None:
        dtype, k, n = DTYPES[config.dtype], len(config.starts), config.steps
        self.config = config
        self.positions = torch.empty(n + 1, k, 2, dtype=dtype)  # row k: x_k
        self.losses = torch.empty(n + 1, k, dtype=dtype)  # row k: f(x_k)
        self.grads = torch.empty_like(self.positions)  # row k: the gradient at x_k
        self.done = 0  # steps whose f and gradient are in the buffers

    def take(self, state: StopState, new_x: list, new_f: list, new_g: list, n: int) -> bool:
        """Store x_{done}..x_n and f, g at x_{done}..x_{n-1}; check them; True when every row has stopped."""
        lo = self.done
        torch.stack(new_x, out=self.positions[lo:n + 1])
        torch.stack(new_f, out=self.losses[lo:n])
        torch.stack(new_g, out=self.grads[lo:n])
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
        if (end < last).any():
            held = np.minimum(np.arange(last + 1)[:, None], end[None, :])
            cols = np.arange(len(end))[None, :]
            pos, f_, g_ = pos[held, cols], f_[held, cols], g_[held, cols]
        elif last < self.config.steps:  # do not keep the unused rows of the buffers alive
            pos, f_, g_ = pos.copy(), f_.copy(), g_.copy()
        return Trajectory(self.config, pos, f_, g_, end.copy(), tuple(state.reason), seconds)


class EndRecord:
    """Keeps only the current chunk, and each row's point and f where it stopped."""

    def __init__(self, config: RunConfig, k: int) -> None:
        dtype = DTYPES[config.dtype]
        self.config = config
        self.positions = torch.zeros(k, 2, dtype=dtype)
        self.losses = torch.zeros(k, dtype=dtype)
        self.done = 0
        self.prev = self.prev_f = self.last = torch.zeros(0)  # x_{lo-1}, f_{lo-1} and x_n, from the last chunk

    def take(self, state: StopState, new_x: list, new_f: list, new_g: list, n: int) -> bool:
        lo = self.done
        x, f, g = torch.stack(new_x), torch.stack(new_f), torch.stack(new_g)  # x_lo..x_n; f, g at x_lo..x_{n-1}
        prev, prev_f = (x[0], f[0]) if lo == 0 else (self.prev, self.prev_f)
        rows = state.update(prev, x[:-1], f, g, lo)
        self._keep(state, rows, torch.cat([prev[None], x[:-1]]), torch.cat([prev_f[None], f]), lo)
        self.prev, self.prev_f, self.last, self.done = x[-2], f[-1], x[-1], n
        return state.all_stopped

    def _keep(self, state: StopState, rows: np.ndarray, x: torch.Tensor, f: torch.Tensor, lo: int) -> None:
        """For rows that stopped, the point and f at their end step; x[0] and f[0] are step lo - 1."""
        if rows.size:
            idx, r = torch.from_numpy(state.end[rows] - lo + 1), torch.from_numpy(rows)
            self.positions[r] = x[idx, r]
            self.losses[r] = f[idx, r]

    def finish(self, state: StopState, f: torch.Tensor, g: torch.Tensor, n: int, seconds: float) -> Endpoints:
        rows = state.update(self.prev, self.last[None], f[None], g[None], n)
        self._keep(state, rows, torch.stack([self.prev, self.last]), torch.stack([self.prev_f, f]), n)
        running = torch.from_numpy(np.flatnonzero(state.end < 0))
        state.end[state.end < 0] = n
        self.positions[running], self.losses[running] = self.last[running], f[running]
        return Endpoints(self.config, self.positions.numpy(), self.losses.numpy(), state.end.copy(),
                         tuple(state.reason), seconds)
