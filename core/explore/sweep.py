"""Learning-rate sweeps: one start at many learning rates, each one parameter group of a single optimizer."""
from __future__ import annotations

import dataclasses

import numpy as np

from core import limits
from core.errors import CoreError
from core.run import Endpoints, Progress, RunConfig, run_endpoints
from core.run.budget import Gate
from core.run.cost import most_steps as affordable
from core.run.cost import step_seconds


def sweep(config: RunConfig, low: float, high: float, count: int, progress: Progress | None = None,
          gate: Gate | None = None) -> Endpoints:
    """The first start of config at `count` log-spaced learning rates from low to high, as one optimizer."""
    lo, hi = limits.SWEEP_SIZES
    if not lo <= count <= hi:
        raise CoreError("a sweep has from {lo} to {hi} learning rates, not {count}", lo=lo, hi=hi, count=count)
    if not 0 < low < high:
        raise CoreError("the sweep's lowest learning rate must be below its highest ({low} to {high})",
                        low=f"{low:g}", high=f"{high:g}")
    lrs = tuple(float(v) for v in np.logspace(np.log10(low), np.log10(high), count))
    return run_endpoints(dataclasses.replace(config, starts=config.starts[:1]), lrs, progress, gate)


def most_steps(config: RunConfig, count: int) -> int:
    """The most steps a sweep of config over count learning rates finishes within limits.WORK_SECONDS."""
    return affordable(step_seconds(config, rows=1, groups=count))
