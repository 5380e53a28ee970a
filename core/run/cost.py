"""What a computation costs, in seconds of the development machine, from the per-step costs in core/limits.py:
pages clamp their step counts to what fits limits.WORK_SECONDS, so no control offers work that cannot finish
within a page view's budget."""
from __future__ import annotations

from core import limits
from core.model.data import DataSpec
from core.objectives import PERCEPTRON
from core.optimizers import get_optimizer
from core.run.config import RunConfig


def step_seconds(config: RunConfig, rows: int | None = None, groups: int = 1) -> float:
    """Seconds of one step of config with `rows` start points (config's own by default) in `groups` parameter
    groups (a sweep's learning rates), at worst."""
    rows = len(config.starts) if rows is None else rows
    spec = get_optimizer(config.optimizer)
    if spec.elementwise:
        seconds = (limits.STEP_SECONDS + rows * groups * limits.ROW_STEP_SECONDS
                   + (groups - 1) * limits.GROUP_STEP_SECONDS)
    else:  # one row at a time, and up to max_iter evaluations a step
        seconds = rows * groups * limits.LBFGS_ITERATION_SECONDS * int(config.hyper_values.get("max_iter", 20))
    if config.objective == PERCEPTRON:  # each start evaluates the loss over the data set's points
        seconds += rows * groups * (config.data or DataSpec()).points * limits.MODEL_POINT_STEP_SECONDS
    return seconds * (limits.FORMULA_FACTOR if config.objective == "custom" else 1.0)


def most_steps(per_step: float) -> int:
    """The most steps work of per_step seconds a step may take within limits.WORK_SECONDS (at least 1)."""
    return max(1, min(limits.MAX_STEPS, int(limits.WORK_SECONDS / per_step)))
