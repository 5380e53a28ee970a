"""Ranking a race of runs: steps to reach f - f* < threshold, final f, the minimum reached, the stop reason."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.figures import Path, f_star
from core.objectives import Point

REACHED = 1e-6  # f - f* below this counts as arrived
AT_MINIMUM = 1e-3  # an end point this close to a known minimum has reached it


def steps_to_reach(path: Path, threshold: float = REACHED) -> int | None:
    """The first step k at which f(x_k) - f* < threshold (None if never, or if f* is not known)."""
    best = f_star(path.traj.objective)
    if best is None:
        return None
    gap = path.traj.losses[: path.end + 1, path.row].astype(np.float64) - best
    hits = np.flatnonzero(gap < threshold)
    return int(hits[0]) if hits.size else None


@dataclass(frozen=True)
class Rank:
    """One run of a race: when it arrived, where it ended, why it stopped. Numbers only: the page words them."""

    label: str
    steps_to_reach: int | None  # first step with f - f* < REACHED
    final_f: float
    reached: Point | None  # the known minimum within AT_MINIMUM of the end
    reason: str
    steps: int


def ranking(paths: list[Path]) -> list[Rank]:
    """One row per path, fastest to arrive first, then lowest final f."""
    rows = []
    for p in paths:
        s = p.traj.summary(p.row)
        reached = s.nearest if s.nearest is not None and s.distance < AT_MINIMUM else None
        rows.append(Rank(p.label, steps_to_reach(p), s.f, reached, s.reason, s.steps))

    def order(r: Rank) -> tuple:
        f = r.final_f if math.isfinite(r.final_f) else math.inf
        return (r.steps_to_reach is None, r.steps_to_reach or 0, f)

    return sorted(rows, key=order)
