"""Ranking a race of runs: steps to reach f - f* < threshold, final f, the minimum reached, the stop reason."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.figures import Path, f_star

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


def ranking(paths: list[Path]) -> list[dict[str, Any]]:
    """One row per path, fastest to arrive first, then lowest final f."""
    rows = []
    for p in paths:
        s = p.traj.summary(p.row)
        reached = s["nearest"] if s["nearest"] is not None and s["distance"] < AT_MINIMUM else None
        rows.append({"run": p.label, "steps to f − f* < 1e-6": steps_to_reach(p), "final f": s["f"],
                     "minimum reached": "—" if reached is None else f"({reached[0]:g}, {reached[1]:g})",
                     "stopped": s["reason"].replace("_", " "), "steps run": s["steps"]})

    def order(r: dict) -> tuple:
        k = r["steps to f − f* < 1e-6"]
        f = r["final f"] if math.isfinite(r["final f"]) else math.inf
        return (k is None, k or 0, f)

    return sorted(rows, key=order)
