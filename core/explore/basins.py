"""Basin maps: where each start of a grid ends up, the whole grid one batched run."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from core import limits
from core.errors import CoreError
from core.objectives import Objective
from core.run import Endpoints, Progress, Reason, RunConfig, run_endpoints
from core.run.budget import Gate
from core.run.cost import step_seconds


class Outcome(IntEnum):
    """A start's category besides "the known minimum i" (categories 0, 1, ...: the objective's minima)."""

    DIVERGED = -1
    NOT_CONVERGED = -2
    ELSEWHERE = -3  # converged, but not at a known minimum
    CUT = -4  # the page's compute budget ran out before this start ended (or started)

    @property
    def words(self) -> str:
        """The outcome as the interface's catalogue names it."""
        return {Outcome.DIVERGED: "diverged", Outcome.NOT_CONVERGED: "not converged",
                Outcome.ELSEWHERE: "converged elsewhere", Outcome.CUT: "cut short (time limit)"}[self]


DIVERGED, NOT_CONVERGED, ELSEWHERE, CUT = Outcome.DIVERGED, Outcome.NOT_CONVERGED, Outcome.ELSEWHERE, Outcome.CUT


@dataclass
class BasinMap:
    xs: np.ndarray
    ys: np.ndarray
    category: np.ndarray  # [len(ys), len(xs)]: index of the known minimum reached, or one of the codes above
    steps: np.ndarray  # [len(ys), len(xs)]
    ends: Endpoints

    def counts(self) -> dict[int, int]:
        """How many starts fell in each category (a known minimum's index, or one of the codes above)."""
        values, counts = np.unique(self.category, return_counts=True)
        return {int(v): int(c) for v, c in zip(values, counts)}


def grid(objective: Objective, n: int) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """n x n start points over the objective's view, row by row (y outer)."""
    if not 2 <= n <= limits.MAX_GRID:
        raise CoreError("the grid has from 2 to {most} points per side, not {n}", most=limits.MAX_GRID, n=n)
    xs, ys = np.linspace(*objective.x_range, n), np.linspace(*objective.y_range, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, list(zip(gx.ravel().tolist(), gy.ravel().tolist()))


def classify(objective: Objective, ends: Endpoints) -> np.ndarray:
    """Per start: the index of the known minimum it ended at, or DIVERGED / NOT_CONVERGED / ELSEWHERE / CUT."""
    out = np.full(len(ends.reason), NOT_CONVERGED)
    reason = np.array(ends.reason)
    if objective.minima:
        d = np.linalg.norm(ends.positions[:, None, :] - np.array(objective.minima)[None], axis=-1)
        nearest, close = d.argmin(1), d.min(1) < limits.BASIN_DISTANCE
        out[close] = nearest[close]
        out[~close & (reason == Reason.CONVERGED)] = ELSEWHERE
        out[~close & (reason == Reason.TIME_LIMIT)] = CUT
    else:
        out[reason == Reason.CONVERGED] = ELSEWHERE
        out[reason == Reason.TIME_LIMIT] = CUT
    out[reason == Reason.DIVERGED] = DIVERGED
    return out


def basin_map(config: RunConfig, n: int, progress: Progress | None = None, gate: Gate | None = None) -> BasinMap:
    """Run config's optimizer from every point of an n x n grid as one batch and classify where each ended.

    Starts that the budget (gate) left no time for end at their start with the reason "time limit"."""
    objective = config.objective_spec
    xs, ys, starts = grid(objective, n)
    if config.steps * n * n > limits.MAX_BASIN_WORK:
        raise CoreError("{n} x {n} starts x {steps} steps is more than the {most} start-steps a basin map may take",
                        n=n, steps=f"{config.steps:,}", most=f"{limits.MAX_BASIN_WORK:,}")
    ends = run_endpoints(dataclasses.replace(config, starts=tuple(starts)), progress=progress, gate=gate)
    shape = (len(ys), len(xs))
    return BasinMap(xs, ys, classify(objective, ends).reshape(shape), ends.end.reshape(shape), ends)


def most_steps(config: RunConfig, n: int) -> int:
    """The most steps an n x n basin map of config may run: limits.MAX_BASIN_WORK start-steps in all, and what its
    optimizer finishes within limits.WORK_SECONDS (0 when not even one step fits: use a smaller grid)."""
    fits = int(limits.WORK_SECONDS / step_seconds(config, rows=n * n))
    return min(limits.MAX_BASIN_WORK // (n * n), fits, limits.MAX_STEPS)


def most_grid(config: RunConfig) -> int:
    """The largest grid on which config's basin map can take at least one step within limits.WORK_SECONDS."""
    n = limits.MAX_GRID
    while n > 2 and most_steps(config, n) < 1:
        n -= 1
    return n
