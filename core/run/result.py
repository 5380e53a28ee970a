"""What a run returns: the whole path (Trajectory) or only where each start ended (Endpoints)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.objectives import Objective, Point
from core.run.config import Reason, RunConfig


@dataclass(frozen=True)
class Summary:
    """What the summary line and panel show for one start."""

    end: Point
    f: float
    nearest: Point | None  # the known minimum closest to the end (None if the objective has none)
    distance: float
    reason: Reason
    steps: int
    seconds: float


@dataclass
class Trajectory:
    """A finished run: row k of positions is x_k (x_0 the start); losses[k] = f(x_k), grads[k] its gradient.

    Arrays are [n + 1, K, ...] for n steps run and K start points. A row that stopped early keeps its
    last position from `end[i]` on; a diverged row went bad at step end[i] + 1 and is drawn up to end[i].
    """

    config: RunConfig
    positions: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    end: np.ndarray
    reason: tuple[Reason, ...]
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
        last = int(self.end[i]) if self.reason[i] != Reason.DIVERGED else int(self.end[i]) + 1
        return [
            f"step{k}:x={self.positions[k + 1, i].tolist()},f(x)={self.losses[k, i].item()}"
            for k in range(0, min(last, self.positions.shape[0] - 1), every)
        ]

    def summary(self, i: int = 0) -> Summary:
        """What the summary line and panel show for start i."""
        point, f = self.final(i)
        nearest, dist = self.objective.nearest_minimum(point)
        return Summary(point, f, nearest, dist, self.reason[i], int(self.end[i]), self.seconds)


@dataclass
class Endpoints:
    """Where each start of a batched run ended, without its path: for basin maps and sweeps."""

    config: RunConfig
    positions: np.ndarray  # [K, 2]
    losses: np.ndarray  # [K]
    end: np.ndarray  # [K] steps run
    reason: tuple[Reason, ...]
    seconds: float
    lrs: tuple[float, ...] = ()
