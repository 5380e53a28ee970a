"""A race of runs: its runs grouped into batched configs, and its ranking (steps to reach f - f* < threshold, final
f, the minimum reached, the stop reason)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

import numpy as np

from core import limits
from core.objectives import Point
from core.run import Reason, RunConfig, Trajectory, make_config

REACHED = 1e-6  # f - f* below this counts as arrived


class Racer(Protocol):
    """One start of a race: row `row` of a trajectory, called `label` (viz.style.Path is one)."""

    traj: Trajectory
    row: int
    label: str


def steps_to_reach(path: Racer, threshold: float = REACHED) -> int | None:
    """The first step k at which f(x_k) - f* < threshold (None if never, or if f* is not known)."""
    best = path.traj.objective.f_star
    if best is None:
        return None
    end = int(path.traj.end[path.row])
    gap = path.traj.losses[: end + 1, path.row].astype(np.float64) - best
    hits = np.flatnonzero(gap < threshold)
    return int(hits[0]) if hits.size else None


@dataclass(frozen=True)
class Rank:
    """One run of a race: when it arrived, where it ended, why it stopped. Numbers only: the page words them."""

    label: str
    steps_to_reach: int | None  # first step with f - f* < REACHED
    final_f: float
    reached: Point | None  # the known minimum within limits.REACHED_DISTANCE of the end
    reason: Reason
    steps: int


def ranking(paths: list[Racer]) -> list[Rank]:
    """One row per path, fastest to arrive first, then lowest final f."""
    rows = []
    for p in paths:
        s = p.traj.summary(p.row)
        reached = s.nearest if s.nearest is not None and s.distance < limits.REACHED_DISTANCE else None
        rows.append(Rank(p.label, steps_to_reach(p), s.f, reached, s.reason, s.steps))

    def order(r: Rank) -> tuple:
        f = r.final_f if math.isfinite(r.final_f) else math.inf
        return (r.steps_to_reach is None, r.steps_to_reach or 0, f)

    return sorted(rows, key=order)


Setting = tuple[str, Mapping[str, Any], Point]  # one run of a race: optimizer, hyperparameters, start
Racers = tuple[tuple[RunConfig, int], ...]  # the runs of a race, each as (config, row of that config)


def group_runs(settings: Sequence[Setting], **common: Any) -> Racers:
    """A race's runs from each run's (optimizer, hyperparameters, start), in order: runs that differ only in their
    start share one batched config, a row each. common: the fields every run shares (objective, steps, tol...)."""
    groups: dict[tuple, list[int]] = {}
    for i, (opt, hypers, _) in enumerate(settings):
        groups.setdefault((opt, tuple(sorted(hypers.items()))), []).append(i)
    runs: list = [None] * len(settings)
    for (opt, hypers), members in groups.items():
        config = make_config(dict(hypers), optimizer=opt, starts=[settings[i][2] for i in members], **common)
        for row, i in enumerate(members):
            runs[i] = (config, row)
    return tuple(runs)
